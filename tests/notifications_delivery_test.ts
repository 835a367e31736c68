// Notifications end to end on the running platform: the notify Edge Function, the dispatcher
// (queue-worker) and the OneSignal stand-in the platform's functions send to.
//   - a job match notifies exactly the opted-in candidates above their threshold, on the channels
//     they chose, push held back until the end of their quiet hours;
//   - preferences off → nothing on that channel;
//   - a role broadcast reaches every member of the role and nobody else; filters narrow it;
//   - without OneSignal credentials push/email/SMS are recorded as skipped, in-app still works;
//   - notify refuses what it must refuse.

import assert from "node:assert/strict";
import { envFrom } from "../supabase/functions/_shared/platform.ts";
import { notificationsProcessor } from "../supabase/functions/queue-worker/processors/notifications.ts";
import { createUser, promoteToAdmin, sql } from "./_support/platform.ts";
import {
  createMembers,
  enqueueClaimed,
  eventuallyWithSweep,
  notify,
  reachedByChannel,
  requestCompleted,
  standIn,
} from "./notifications/support.ts";

const sorted = (ids: Iterable<string>) => [...ids].sort();

Deno.test(
  "notify: answers 202 with a processingId and refuses bad callers and bodies",
  async () => {
    const [member] = await createMembers(1);
    const accepted = await notify({ title: "Bienvenue", userId: member });
    assert.equal(accepted.status, 202);
    assert.equal(accepted.body.success, true);
    assert.match(accepted.body.processingId, /^[0-9a-f-]{36}$/);
    await requestCompleted(accepted.body.processingId);

    const candidate = await createUser("candidate");
    const refused = await notify({ title: "x", userId: member }, candidate.accessToken);
    assert.equal(refused.status, 403);
    await promoteToAdmin(candidate);
    assert.equal(
      (await notify({ title: "Annonce", role: "admin" }, candidate.accessToken)).status,
      202,
    );

    for (
      const [body, field] of [
        [{ userId: member }, "title"],
        [{ title: "x" }, "audience"],
        [{ title: "x", userId: member, role: "candidate" }, "audience"],
        [{ title: "x", userIds: [member], filters: { location: "Lyon" } }, "filters"],
        [{ title: "x", userId: "not-a-uuid" }, "userId"],
        [{ title: "x", role: "visitor" }, "role"],
        [{ title: "x", userId: member, type: "spam" }, "type"],
        [{ title: "x", userId: member, surprise: true }, ""],
      ] as const
    ) {
      const answer = await notify(body);
      assert.equal(answer.status, 400, `${JSON.stringify(body)} → ${JSON.stringify(answer.body)}`);
      assert.ok(JSON.stringify(answer.body).includes(field), JSON.stringify(answer.body));
    }
    assert.equal((await notify("{not json")).status, 400);
    assert.equal((await notify({ title: "x", userId: member }, "forged.token.value")).status, 401);
  },
);

Deno.test(
  "a job match notifies exactly the opted-in candidates above their threshold, on their channels",
  async () => {
    const oneSignal = standIn();
    const [company] = await createMembers(1, { role: "company" });
    const skill = `rustacean${crypto.randomUUID().slice(0, 6)}`;
    const candidate = (preferences: Record<string, unknown> = {}) =>
      createMembers(1, { skills: [skill, "SQL"], location: "Lille", preferences });
    // Quiet hours around the current time in Paris: push waits for their end, the rest goes now.
    const [quietWindow] = await sql<{ start: string; end: string; ends_at: Date }[]>`
    select to_char(paris - interval '1 hour', 'HH24:MI') as start,
      to_char(paris + interval '1 hour', 'HH24:MI') as end,
      (date_trunc('minute', paris) + interval '1 hour') at time zone 'Europe/Paris' as ends_at
    from (select now() at time zone 'Europe/Paris' as paris) as local_time`;
    const [defaults] = await candidate();
    const [smsNoPush] = await candidate({ push_enabled: false, sms_enabled: true });
    const [onlyPush] = await candidate({ in_app_enabled: false, email_enabled: false });
    const [quiet] = await candidate({
      quiet_hours_start: quietWindow.start,
      quiet_hours_end: quietWindow.end,
      timezone: "Europe/Paris",
    });
    const [alertsOff] = await candidate({ job_alerts_enabled: false });
    const [belowThreshold] = await candidate();
    await sql`update public.candidates set match_threshold = 100 where id = ${belowThreshold}`;
    const everyone = [defaults, smsNoPush, onlyPush, quiet, alertsOff, belowThreshold];

    // The offer is in Marseille, the candidates in Lille: a score below 100 for everyone.
    const [job] = await sql<{ id: string }[]>`
    insert into public.jobs (company_id, title, description, required_skills, location, status)
    values (${company}, 'Offre confidentielle', 'Une belle équipe', ${[skill]}, 'Marseille',
      'published')
    returning id`;
    const matches = await eventuallyWithSweep(async () => {
      const rows = await sql<{ candidate_id: string; match_score: number }[]>`
      select match.candidate_id, match.match_score from public.job_matches as match
      join public.jobs as job on job.id = match.job_id
      where match.job_id = ${job.id} and job.analysis_completed
        and match.candidate_id = any(${everyone}::uuid[])`;
      return rows.length === everyone.length ? rows : undefined;
    }, { timeoutMs: 30_000, what: "the offer's matches" });
    assert.ok(matches.every((match) => match.match_score < 100), JSON.stringify(matches));

    const alerted = [defaults, smsNoPush, onlyPush, quiet];
    // The matching asks for the alerts (one request per offer, or per candidate-side change);
    // the dedupe key job_match:<job>:<candidate> makes a second request for the same alert reach
    // nobody. Whoever asked, the candidates reached must be exactly the alerted ones.
    const completedRequests = () =>
      sql<{ request_id: string; user_ids: string[] }[]>`
      select request_id, array(select jsonb_array_elements_text(audience -> 'userIds')) as user_ids
      from private.notification_requests
      where data ->> 'jobId' = ${job.id} and completed_at is not null`;
    const requests = await eventuallyWithSweep(async () => {
      const rows = await completedRequests();
      const requested = new Set(rows.flatMap((row) => row.user_ids));
      return alerted.every((id) => requested.has(id)) ? rows : undefined;
    }, { timeoutMs: 30_000, what: "the job alerts to be delivered" });
    // Nothing else is on its way once no matching run for the offer or these candidates is
    // queued and every request about the offer is complete: each is enqueued in the transaction
    // of its cause, and all of those committed above.
    await eventuallyWithSweep(async () => {
      const [{ pending }] = await sql<{ pending: number }[]>`
      select (select count(*) from pgmq.q_job_matching where message ->> 'jobId' = ${job.id})
        + (select count(*) from pgmq.q_candidate_matching
           where message ->> 'candidateId' = any(${everyone}::text[]))
        + (select count(*) from private.notification_requests
           where data ->> 'jobId' = ${job.id} and completed_at is null) as pending`;
      return Number(pending) === 0 ? true : undefined;
    }, { timeoutMs: 30_000, what: "the offer's matching and alerts to settle" });
    const requested = new Set((await completedRequests()).flatMap((row) => row.user_ids));
    assert.deepEqual(sorted(requested), sorted(alerted));
    const requestOf = (userId: string) =>
      requests.find((request) => request.user_ids.includes(userId))!.request_id;

    const inbox = await sql<{ user_id: string; type: string; title: string }[]>`
    select user_id, type, title from public.notifications
    where user_id = any(${everyone}::uuid[]) and data ->> 'jobId' = ${job.id}`;
    assert.deepEqual(sorted(inbox.map((row) => row.user_id)), sorted([defaults, smsNoPush, quiet]));
    assert.ok(inbox.every((row) => row.type === "job_alert" && row.title.includes("Offre")));

    const state = await oneSignal.state();
    const channelsOf = (userId: string) => {
      const reached = { push: [] as string[], email: [] as string[], sms: [] as string[] };
      for (const request of requests) {
        const ofRequest = reachedByChannel(state.notifications, request.request_id);
        for (const channel of ["push", "email", "sms"] as const) {
          reached[channel].push(...ofRequest[channel]);
        }
      }
      for (const [channel, ids] of Object.entries(reached)) {
        const times = ids.filter((id) => id === userId).length;
        assert.ok(times <= 1, `${userId} reached ${times} times by ${channel}`);
      }
      return Object.entries(reached).filter(([, ids]) => ids.includes(userId)).map(([name]) => name)
        .sort();
    };
    assert.deepEqual(channelsOf(defaults), ["email", "push"]);
    assert.deepEqual(channelsOf(smsNoPush), ["email", "sms"]);
    assert.deepEqual(channelsOf(onlyPush), ["push"]);
    assert.deepEqual(channelsOf(quiet), ["email", "push"]);

    const quietPush = state.notifications.find((notification) =>
      notification.channel === "push" && notification.externalIds.includes(quiet)
    )!;
    assert.equal(new Date(quietPush.sendAfter!).getTime(), quietWindow.ends_at.getTime());
    const defaultPush = state.notifications.find((notification) =>
      notification.channel === "push" && notification.externalIds.includes(defaults)
    )!;
    assert.equal(defaultPush.sendAfter, null);

    // Support can tell who was notified, and how.
    const history = await sql<{ channel: string; status: string }[]>`
    select channel, status from private.notification_history(${quiet}::uuid)
    where request_id = ${requestOf(quiet)}`;
    assert.deepEqual(
      history.map((row) => `${row.channel}:${row.status}`).sort(),
      ["email:sent", "in_app:delivered", "push:sent"],
    );
    const [{ count }] = await sql`
      select count(*)::int from private.notification_history(${belowThreshold}::uuid)`;
    assert.equal(count, 0, "below the threshold: never notified");
  },
);

Deno.test("preferences off: nothing is sent on that channel", async () => {
  const oneSignal = standIn();
  const noPush = await createMembers(3, { preferences: { push_enabled: false } });
  const noEmail = await createMembers(3, { preferences: { email_enabled: false } });
  const noInApp = await createMembers(3, { preferences: { in_app_enabled: false } });
  const noMarketing = await createMembers(3);
  const everything = await createMembers(3, {
    preferences: { sms_enabled: true, marketing_enabled: true },
  });
  const marketing = await notify({
    type: "marketing",
    title: "Salon de l'emploi",
    userIds: [...noPush, ...noEmail, ...noInApp, ...noMarketing, ...everything],
  });
  await requestCompleted(marketing.body.processingId);
  // noPush, noEmail and noInApp left marketing off (the default): only `everything` wants it.
  const reached = reachedByChannel(
    (await oneSignal.state()).notifications,
    marketing.body.processingId,
  );
  assert.deepEqual(sorted(reached.push), sorted(everything));
  assert.deepEqual(sorted(reached.email), sorted(everything));
  assert.deepEqual(sorted(reached.sms), sorted(everything));

  const system = await notify({
    type: "system",
    title: "Maintenance",
    userIds: [...noPush, ...noEmail, ...noInApp],
  });
  await requestCompleted(system.body.processingId);
  const systemReached = reachedByChannel(
    (await oneSignal.state()).notifications,
    system.body.processingId,
  );
  assert.deepEqual(sorted(systemReached.push), sorted([...noEmail, ...noInApp]));
  assert.deepEqual(sorted(systemReached.email), sorted([...noPush, ...noInApp]));
  assert.deepEqual(systemReached.sms, [], "SMS is opt-in");
  const inbox = await sql<{ user_id: string }[]>`
    select user_id from public.notifications where request_id = ${system.body.processingId}`;
  assert.deepEqual(
    sorted(inbox.map((row) => row.user_id)),
    sorted([...noPush, ...noEmail, ...noInApp]),
    "system notifications always reach the inbox",
  );

  const message = await notify({ type: "message", title: "Nouveau message", userIds: noInApp });
  await requestCompleted(message.body.processingId);
  const [{ count }] = await sql`
    select count(*)::int from public.notifications where request_id = ${message.body.processingId}`;
  assert.equal(count, 0, "in-app off: no inbox row");
});

Deno.test(
  "a role broadcast reaches every member of the role and nobody else",
  async () => {
    const oneSignal = standIn();
    await createMembers(4, { role: "company", location: "Nantes" });
    await createMembers(2, { role: "candidate" });
    const broadcast = await notify({
      type: "system",
      title: "Nouvelles conditions",
      role: "company",
    });
    await requestCompleted(broadcast.body.processingId);
    const companies = (await sql<{ id: string }[]>`
    select id from public.profiles where role = 'company'`).map((row) => row.id);
    const inbox = await sql<{ user_id: string }[]>`
    select user_id from public.notifications where request_id = ${broadcast.body.processingId}`;
    assert.deepEqual(sorted(inbox.map((row) => row.user_id)), sorted(companies));
    const [request] = await sql`
    select recipient_count from private.notification_requests
    where request_id = ${broadcast.body.processingId}`;
    assert.equal(request.recipient_count, companies.length);
    const pushed =
      reachedByChannel((await oneSignal.state()).notifications, broadcast.body.processingId)
        .push;
    const [{ wanting_push }] = await sql`
    select count(*)::int as wanting_push from public.profiles as profile
    left join public.notification_preferences as preference on preference.user_id = profile.id
    where profile.role = 'company' and coalesce(preference.push_enabled, true)`;
    assert.equal(pushed.length, wanting_push);
    assert.equal(new Set(pushed).size, pushed.length, "nobody twice");
    assert.ok(pushed.every((id) => companies.includes(id)), "no member of another role");
    // The announcement (a role with more companies than MEMBER_BROADCASTS_MAX, as other tests
    // leave it, also gets the `inbox` event of its rows).
    const [announcement] = await sql`
    select topic, event from realtime.messages
    where topic = 'role:company' and payload ->> 'request_id' = ${broadcast.body.processingId}
      and event = 'announcement'`;
    assert.deepEqual({ ...announcement }, { topic: "role:company", event: "announcement" });
  },
);

Deno.test(
  "role filters: candidates with one of the skills in the location",
  async () => {
    const skill = `elixir${crypto.randomUUID().slice(0, 6)}`;
    const town = `Saint-Étienne-${crypto.randomUUID().slice(0, 4)}`;
    const wanted = await createMembers(3, { skills: [skill, "SQL"], location: town });
    await createMembers(2, { skills: [skill], location: "Brest" });
    await createMembers(2, { skills: ["Cobol"], location: town });
    const filtered = await notify({
      type: "job_alert",
      title: "Meetup",
      role: "candidate",
      filters: {
        skills: [skill.toUpperCase(), "Haskell"],
        location: town.toLowerCase().replace("é", "e"),
      },
    });
    await requestCompleted(filtered.body.processingId);
    const inbox = await sql<{ user_id: string }[]>`
    select user_id from public.notifications where request_id = ${filtered.body.processingId}`;
    assert.deepEqual(sorted(inbox.map((row) => row.user_id)), sorted(wanted));
    const [announcements] = await sql`
    select count(*)::int from realtime.messages
    where topic = 'role:candidate' and payload ->> 'request_id' = ${filtered.body.processingId}`;
    assert.equal(announcements.count, 0, "a filtered audience is not the whole role");
  },
);

Deno.test(
  "without OneSignal credentials push/email/SMS are skipped and in-app still works",
  async () => {
    const members = await createMembers(2, { preferences: { sms_enabled: true } });
    const requestId = crypto.randomUUID();
    // Claimed in the transaction that enqueues it, then dispatched here without credentials.
    const claimed = await enqueueClaimed({
      requestId,
      type: "system",
      title: "Sans OneSignal",
      data: {},
      audience: { userIds: members },
    }, 30);
    try {
      const failures = await notificationsProcessor.process(
        { env: envFrom({}), sql, visibilityTimeoutSeconds: 30 },
        [claimed as never],
      );
      assert.equal(failures.size, 0);
    } finally {
      await sql`select pgmq.delete('notifications', ${claimed.msg_id}::bigint)`;
    }
    const chunks = await sql<{ channel: string; status: string; last_error: string | null }[]>`
    select channel, status, last_error from private.notification_deliveries
    where request_id = ${requestId} order by channel`;
    assert.deepEqual(chunks.map((chunk) => `${chunk.channel}:${chunk.status}`), [
      "email:skipped",
      "in_app:sent",
      "push:skipped",
      "sms:skipped",
    ]);
    assert.match(chunks[0].last_error!, /not configured/);
    const [{ count }] = await sql`
    select count(*)::int from public.notifications where request_id = ${requestId}`;
    assert.equal(count, 2);
  },
);
