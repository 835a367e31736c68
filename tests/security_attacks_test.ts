// Replays, end to end with the publishable key and self-made accounts, each attack of the trust and
// safety review (phishing through job alerts, unmoderated comments and names, point farming,
// password guessing, e-mail enumeration, refresh-token replay, oversize input, forged Realtime
// events, profile privacy) and prints a table: case, expected, observed.

import assert from "node:assert/strict";
import http from "node:http";
import {
  anonClient,
  createUser,
  eventually,
  moderated,
  platform,
  sql,
  type TestUser,
} from "./_support/platform.ts";
import type { RealtimeChannel } from "@supabase/supabase-js";
import { signJwt, verifyJwt } from "../local/platform/jwt.ts";
import {
  check,
  closeRealtime,
  joinPrivate,
  nextBroadcast,
  openConversation,
} from "./_support/messaging.ts";

interface Row {
  case: string;
  expected: string;
  observed: string;
  ok: boolean;
}
const rows: Row[] = [];

function record(name: string, expected: string, observed: string, ok: boolean) {
  rows.push({ case: name, expected, observed, ok });
  assert.ok(ok, `${name}: expected ${expected}, observed ${observed}`);
}

/** A POST to the gateway from a given loopback address, so lock-outs of 127.0.0.1 never happen. */
function postFrom(
  address: string,
  path: string,
  body: unknown,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }> {
  const url = new URL(path, platform.url);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: url.hostname,
      port: Number(url.port),
      path: url.pathname + url.search,
      method: "POST",
      localAddress: address,
      headers: {
        apikey: platform.publishableKey,
        "content-type": "application/json",
        "content-length": String(new TextEncoder().encode(payload).byteLength),
      },
    }, (response) => {
      let text = "";
      response.on("data", (chunk) => text += chunk);
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: text ? JSON.parse(text) : {},
        }));
    });
    request.on("error", reject);
    request.end(payload);
  });
}

const randomLoopback = () =>
  `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${
    2 + Math.floor(Math.random() * 250)
  }`;

Deno.test(
  "phishing through job alerts: a lure offer alerts nobody, a clean one does",
  async () => {
    const skill = `Rustacé${crypto.randomUUID().slice(0, 6)}`;
    const company = await createUser("company", { company_name: "Fret Express" });
    const candidate = await createUser("candidate");
    await candidate.client.from("candidates")
      .update({ skills: [skill], open_to_work: true, match_threshold: 10 }).eq("id", candidate.id);
    const offers = await company.client.from("jobs").insert([
      {
        title:
          "Votre compte Emploi+ est suspendu : vérifiez-le sur https://emploi-verif.example/login",
        required_skills: [skill],
        status: "published",
      },
      { title: `Développeur ${skill}`, required_skills: [skill], status: "published" },
    ]).select("id, title");
    assert.equal(offers.error, null, JSON.stringify(offers.error));
    const [phishing, clean] = offers.data!;
    await moderated("jobs", phishing.id, "rejected");
    await moderated("jobs", clean.id);
    const alerts = async () =>
      (await sql`select data ->> 'jobId' as job_id from public.notifications
               where user_id = ${candidate.id} and type = 'job_alert'`).map((row) => row.job_id);
    await eventually(async () => (await alerts()).includes(clean.id) || undefined, {
      timeoutMs: 20_000,
      what: "the clean offer's job alert",
    });
    const received = await alerts();
    record(
      "phishing offer (10 lures → alerts)",
      "rejected, no alert",
      `${received.includes(phishing.id) ? "alerted" : "no alert"} (clean offer alerted)`,
      !received.includes(phishing.id),
    );
    const [title] = await sql`select title from public.notifications
    where user_id = ${candidate.id} and data ->> 'jobId' = ${clean.id}`;
    record(
      "job alert title",
      "member text quoted « … »",
      title.title,
      /« Développeur .* »/.test(title.title) && !title.title.startsWith("Nouvelle offre pour vous"),
    );
    const anonView = await anonClient().from("jobs").select("id").eq("id", phishing.id);
    record(
      "phishing offer on the job board",
      "hidden",
      `${anonView.data?.length ?? 0} rows`,
      anonView.data?.length === 0,
    );
  },
);

Deno.test(
  "abusive comment and phishing display name are not shown to others",
  async () => {
    const author = await createUser("candidate");
    const reader = await createUser("candidate");
    const post = await author.client.from("posts").insert({ content: "Bonjour le réseau" })
      .select("id").single();
    await moderated("posts", post.data!.id);
    const comment = await reader.client.from("post_comments")
      .insert({
        post_id: post.data!.id,
        content: "connard enculé, achetez sur http://192.168.0.1/win",
      })
      .select("id").single();
    assert.equal(comment.error, null, JSON.stringify(comment.error));
    const status = await eventually(async () => {
      const [row] = await sql`select moderation_status from public.post_comments
                            where id = ${comment.data!.id}`;
      return row.moderation_status === "pending" ? undefined : row.moderation_status as string;
    });
    const seen = await author.client.from("post_comments").select("id").eq("id", comment.data!.id);
    record(
      "abusive comment",
      "flagged, hidden",
      `${status}, ${seen.data?.length} rows seen`,
      status !== "approved" && seen.data?.length === 0,
    );

    const lure = await createUser("candidate", {
      full_name: "Votre compte est suspendu, vérifiez votre compte sur emploi-verif.fr/login",
    });
    const nameStatus = await eventually(async () => {
      const [row] = await sql`select moderation_status from public.profiles where id = ${lure.id}`;
      return row.moderation_status === "pending" ? undefined : row.moderation_status as string;
    });
    record("phishing display name", "not approved", nameStatus, nameStatus !== "approved");
    const impostor = await createUser("company", { company_name: "Équipe Emploi+" });
    const pageStatus = await eventually(async () => {
      const [row] =
        await sql`select moderation_status from public.companies where id = ${impostor.id}`;
      return row.moderation_status === "pending" ? undefined : row.moderation_status as string;
    });
    record("company named « Équipe Emploi+ »", "flagged", pageStatus, pageStatus === "flagged");
  },
);

Deno.test("point farming: random, hidden and own targets earn nothing", async () => {
  const farmer = await createUser("candidate");
  const company = await createUser("company");
  const draft = await company.client.from("jobs").insert({ title: "Brouillon secret" })
    .select("id").single();
  let refused = 0;
  for (let attempt = 0; attempt < 40; attempt++) {
    const { error } = await farmer.client.rpc("track_activity", {
      p_action: attempt % 2 ? "share" : "view",
      p_target_id: crypto.randomUUID(),
      p_target_type: "post",
    });
    if (error) refused++;
  }
  const draftView = await farmer.client.rpc("track_activity", {
    p_action: "view",
    p_target_id: draft.data!.id,
    p_target_type: "job",
  });
  const [account] = (await farmer.client.rpc("get_account")).data as { engagement_score: number }[];
  record(
    "40 shares/views of random ids",
    "score 0",
    `score ${account.engagement_score}, ${refused}/40 refused`,
    Number(account.engagement_score) === 0 && refused === 40,
  );
  record(
    "view of another company's draft",
    "refused",
    draftView.error?.code ?? "counted",
    draftView.error?.code === "P0002",
  );

  const own = await farmer.client.from("posts").insert({ content: "Mon post" }).select("id")
    .single();
  await moderated("posts", own.data!.id);
  const statuses: number[] = [];
  for (let index = 0; index < 30; index++) {
    const { status } = await farmer.client.from("post_comments")
      .insert({ post_id: own.data!.id, content: `Commentaire ${index}` });
    statuses.push(status);
  }
  const [after] = (await farmer.client.rpc("get_account")).data as { engagement_score: number }[];
  record(
    "30 comments on one's own post",
    "0 points, 429 after 10/min",
    `score ${after.engagement_score}, ${statuses.filter((status) => status === 429).length} × 429`,
    Number(after.engagement_score) === 0 &&
      statuses.filter((status) => status === 429).length === 20,
  );
});

Deno.test("rate limits answer 429 with Retry-After on REST", async () => {
  const member = await createUser("candidate");
  const target = await createUser("candidate");
  const reports = [];
  for (let index = 0; index < 11; index++) {
    const response = await fetch(`${platform.url}/rest/v1/rpc/report_content`, {
      method: "POST",
      headers: {
        apikey: platform.publishableKey,
        authorization: `Bearer ${member.accessToken}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({
        p_kind: "profile",
        p_id: target.id,
        p_reason: `Faux profil ${index}`,
      }),
    });
    reports.push({ status: response.status, retryAfter: response.headers.get("retry-after") });
    await response.body?.cancel();
  }
  const last = reports.at(-1)!;
  record(
    "11 reports in a minute",
    "10 × 200, then 429 + Retry-After",
    `${
      reports.filter((report) => report.status === 200).length
    } × 200, ${last.status} Retry-After ${last.retryAfter}`,
    last.status === 429 && Number(last.retryAfter) >= 1,
  );
});

Deno.test("password guessing: weak passwords, brute force from 8 workers", async () => {
  const address = randomLoopback();
  const weak = await Promise.all(
    ["12345678", "password", "        ", "motdepasse"].map(async (password) =>
      (await postFrom(address, "/auth/v1/signup", {
        email: `weak-${crypto.randomUUID()}@test.emploi.plus`,
        password,
      }))
        .status
    ),
  );
  record(
    "weak passwords (12345678, password, 8 spaces…)",
    "422 each",
    weak.join(" "),
    weak.every((status) => status === 422),
  );

  const victim = await createUser("candidate");
  const attacker = randomLoopback();
  const attempts = await Promise.all(Array.from({ length: 8 }, async (_, worker) => {
    const seen = [];
    for (let index = 0; index < 5; index++) {
      const response = await postFrom(attacker, "/auth/v1/token?grant_type=password", {
        email: victim.email,
        password: `guess-${worker}-${index}`,
      });
      seen.push(response);
    }
    return seen;
  }));
  const flat = attempts.flat();
  const throttled = flat.filter((response) => response.status === 429);
  const rightPassword = await postFrom(attacker, "/auth/v1/token?grant_type=password", {
    email: victim.email,
    password: victim.password,
  });
  record(
    "40 guesses on one account from 8 workers",
    "429 after 5 failures, Retry-After",
    `${flat.length - throttled.length} tried, ${throttled.length} × 429 (Retry-After ${
      throttled[0]?.headers["retry-after"]
    }); then right password → ${rightPassword.status}`,
    throttled.length >= 30 && Number(throttled[0]?.headers["retry-after"]) > 0 &&
      rightPassword.status === 429,
  );

  const sprayer = randomLoopback();
  const spray = [];
  for (let index = 0; index < 22; index++) {
    spray.push(
      (await postFrom(sprayer, "/auth/v1/token?grant_type=password", {
        email: `nobody-${index}-${crypto.randomUUID()}@test.emploi.plus`,
        password: "Devine1234",
      })).status,
    );
  }
  record(
    "22 guesses on 22 accounts from one address",
    "429 after 20",
    spray.slice(-3).join(" "),
    spray.slice(0, 20).every((status) => status === 400) && spray.at(-1) === 429,
  );
});

Deno.test("sign-up, OTP and recovery do not tell registered e-mails", async () => {
  const known = await createUser("candidate");
  const unknown = `unknown-${crypto.randomUUID()}@test.emploi.plus`;
  const address = randomLoopback();
  const shape = (body: Record<string, unknown>) => Object.keys(body).sort().join(",");
  const signUps = await Promise.all(
    [known.email, unknown].map((email) =>
      postFrom(address, "/auth/v1/signup", { email, password: "Autre-Mot-2-Passe" })
    ),
  );
  record(
    "sign-up: registered vs unknown e-mail",
    "same status and shape",
    `${signUps[0].status}/${signUps[1].status}, identities ${
      JSON.stringify(signUps[0].body.identities)
    }/${JSON.stringify(signUps[1].body.identities)}`,
    signUps[0].status === signUps[1].status &&
      shape(signUps[0].body) === shape(signUps[1].body) &&
      String(signUps[0].body.id).slice(14, 15) === String(signUps[1].body.id).slice(14, 15),
  );
  for (const path of ["/auth/v1/otp", "/auth/v1/recover"]) {
    const answers = await Promise.all(
      [known.email, unknown].map((email) => postFrom(address, path, { email, create_user: false })),
    );
    record(
      `${path.slice(9)}: registered vs unknown e-mail`,
      "same answer",
      answers.map((answer) => `${answer.status} ${JSON.stringify(answer.body)}`).join(" / "),
      answers[0].status === answers[1].status &&
        JSON.stringify(answers[0].body) === JSON.stringify(answers[1].body),
    );
  }
});

Deno.test(
  "a rotated refresh token replayed after the reuse interval ends the session",
  async () => {
    const user = await createUser("candidate");
    const first = (await user.client.auth.getSession()).data.session!;
    const rotated = await anonClient().auth.refreshSession({ refresh_token: first.refresh_token });
    assert.equal(rotated.error, null);
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const replay = await anonClient().auth.refreshSession({ refresh_token: first.refresh_token });
    const descendant = await anonClient().auth.refreshSession({
      refresh_token: rotated.data.session!.refresh_token,
    });
    record(
      "replay of a rotated refresh token (after 10 s)",
      "refused, session revoked",
      `${replay.error?.code ?? "accepted"}; new token → ${
        descendant.error ? "refused" : "accepted"
      }`,
      replay.error?.code === "refresh_token_already_used" && descendant.error !== null,
    );
  },
);

Deno.test("oversize input is a 4xx, never a 5xx", async () => {
  const member = await createUser("candidate");
  const skill = await member.client.from("candidates")
    .update({ skills: ["x".repeat(20_000)] }).eq("id", member.id);
  record(
    "skill of 20,000 characters",
    "400",
    `${skill.status} ${skill.error?.code}`,
    skill.status === 400,
  );
  const image = await member.client.from("posts")
    .insert({ content: "Photo", images: [`https://cdn.example.com/${"x".repeat(5000)}`] });
  record(
    "image URL of 5,000 characters",
    "400",
    `${image.status} ${image.error?.code}`,
    image.status === 400,
  );
  const metadata = await postFrom(randomLoopback(), "/auth/v1/signup", {
    email: `bulky-${crypto.randomUUID()}@test.emploi.plus`,
    password: "Bulky-Metadata-1",
    data: { role: "candidate", padding: "p".repeat(400_000) },
  });
  record("400 KB of sign-up metadata", "400", String(metadata.status), metadata.status === 400);
});

Deno.test("Realtime: no forged message_created", async () => {
  const { company, candidate, conversationId } = await openConversation();
  const topic = `conversation:${conversationId}`;
  const listening = await joinPrivate(company, topic);
  const sender = await joinPrivate(candidate, topic);
  try {
    const forgedId = crypto.randomUUID();
    const forged = nextBroadcast(
      listening.channel,
      "message_created",
      (payload) => payload.message_id === forgedId,
      3000,
    ).then(() => "delivered", () => "not delivered");
    await sender.channel.send({
      type: "broadcast",
      event: "message_created",
      payload: { conversation_id: conversationId, message_id: forgedId, sender_id: company.id },
    });
    // A real message afterwards: the forged one would have arrived before it.
    const real = nextBroadcast(listening.channel, "message_created");
    await candidate.client.rpc("send_message", {
      p_conversation_id: conversationId,
      p_body: "Vrai",
    });
    await real;
    const observed = await forged;
    record(
      "client broadcast of a fake message_created",
      "not delivered",
      observed,
      observed === "not delivered",
    );
  } finally {
    await closeRealtime(company.client, candidate.client);
  }
});

/** Everything a channel receives, and how Realtime closed it (its `system` error). */
function watch(channel: RealtimeChannel) {
  const received: string[] = [];
  let closedWith: string | undefined;
  channel.on("broadcast", { event: "*" }, (message) => received.push(JSON.stringify(message)));
  channel.on("system", {}, (payload: { status?: string; message?: string }) => {
    if (payload.status === "error") closedWith ??= payload.message ?? "";
  });
  const closing = () =>
    eventually(() => Promise.resolve(closedWith), {
      timeoutMs: 30_000,
      what: `Realtime to close ${channel.topic}`,
    });
  return { channel, received, closing };
}

Deno.test("Realtime: leaving a conversation ends what its open channels carry", async () => {
  // Three participants (the tables allow it; the RPCs open two-person conversations): the
  // company stays and writes, the outsider stays and reads, the candidate leaves.
  const { company, candidate, outsider, conversationId } = await openConversation();
  await sql`insert into public.conversation_participants (conversation_id, user_id)
    values (${conversationId}, ${outsider.id})`;
  const topic = `conversation:${conversationId}`;
  const activity = `${topic}:activity`;
  // The leaver's second device never refreshes its token: one that expires in a few seconds.
  const now = Math.floor(Date.now() / 1000);
  const shortLived: TestUser = {
    ...candidate,
    client: anonClient(),
    accessToken: await signJwt({
      sub: candidate.id,
      role: "authenticated",
      aud: "authenticated",
      email: candidate.email,
      iat: now,
      exp: now + 12,
    }, platform.jwtSecret),
  };
  const typing = (marker: string) => ({
    type: "broadcast" as const,
    event: "typing",
    payload: { user_id: candidate.id, marker },
  });
  const reader = await joinPrivate(outsider, topic);
  const readerActivity = await joinPrivate(outsider, activity);
  const seenTyping: string[] = [];
  readerActivity.channel.on("broadcast", { event: "typing" }, ({ payload }) => {
    seenTyping.push(String(payload.marker ?? payload.user_id));
  });
  const writerActivity = await joinPrivate(company, activity);
  const leaverEvents = watch((await joinPrivate(candidate, topic)).channel);
  const leaverActivity = await joinPrivate(candidate, activity);
  const leaverActivityWatch = watch(leaverActivity.channel);
  const secondDevice = await joinPrivate(shortLived, activity);
  const secondDeviceWatch = watch(secondDevice.channel);
  const seen = (marker: string) =>
    eventually(() => Promise.resolve(seenTyping.includes(marker) || undefined), {
      what: `typing "${marker}"`,
    });
  /** The company types: once the reader sees it, whatever was sent before would have arrived. */
  const companyTypes = async (marker: string) => {
    await writerActivity.channel.send({
      type: "broadcast",
      event: "typing",
      payload: { user_id: company.id, marker },
    });
    await seen(marker);
  };
  try {
    // Before leaving, both of the candidate's devices type (Realtime caches that they may write).
    await leaverActivity.channel.send(typing("before leaving"));
    await secondDevice.channel.send(typing("second device, before leaving"));
    for (const marker of ["before leaving", "second device, before leaving"]) {
      await seen(marker);
    }
    assert.ok(
      seenTyping.includes("before leaving") && seenTyping.includes("second device, before leaving"),
    );

    const leftEvent = nextBroadcast(
      leaverEvents.channel,
      "participant_left",
      (payload) => payload.user_id === candidate.id,
    );
    await candidate.client.rpc("leave_conversation", { p_conversation_id: conversationId });
    await leftEvent; // what a well-behaved client takes as its cue to leave the channels

    // A message after she left: the remaining reader gets it and reads it; her channel, still
    // open, carries no content, and her read through RLS finds nothing.
    const body = `Après son départ ${crypto.randomUUID()}`;
    const messageId = crypto.randomUUID();
    const delivered = nextBroadcast(
      reader.channel,
      "message_created",
      (payload) => payload.message_id === messageId,
    );
    await company.client.rpc("send_message", {
      p_conversation_id: conversationId,
      p_body: body,
      p_message_id: messageId,
    });
    await delivered;
    const readerRows = await outsider.client.from("messages").select("body").eq("id", messageId);
    const leaverRows = await candidate.client.from("messages").select("body").eq("id", messageId);
    const leaked = [...leaverEvents.received, ...leaverActivityWatch.received]
      .filter((frame) => frame.includes(body));
    record(
      "a message after leaving, on the leaver's open channel",
      "no content (ids only; RLS read empty)",
      `${leaked.length} frames with it, ${leaverRows.data?.length} rows read`,
      readerRows.data?.[0]?.body === body && leaked.length === 0 &&
        leaverRows.data?.length === 0,
    );

    // Her next token refresh (supabase-js sends it to Realtime itself): Realtime re-checks the
    // policies and closes both channels; what she sends afterwards reaches nobody.
    // Tokens carry their issue time in seconds: refreshed within the sign-in's second, the token
    // would be the same one, which Realtime (and supabase-js) rightly ignore.
    const token = await verifyJwt(candidate.accessToken, platform.jwtSecret);
    const issuedAt = token.valid ? Number(token.claims.iat) : 0;
    await eventually(() => Promise.resolve(Date.now() / 1000 >= issuedAt + 1 || undefined), {
      what: "the second after the token's",
    });
    const refreshed = await candidate.client.auth.refreshSession();
    check(refreshed);
    assert.notEqual(refreshed.data.session?.access_token, candidate.accessToken);
    const closedAtRefresh = await Promise.all([
      leaverEvents.closing(),
      leaverActivityWatch.closing(),
    ]);
    await leaverActivity.channel.send(typing("after the refresh"));
    await companyTypes("after the refresh, control");
    record(
      "the leaver's channels at their next token refresh",
      "closed by Realtime",
      closedAtRefresh.join(" / "),
      closedAtRefresh.every((message) => /permission/.test(message)),
    );
    record(
      "the leaver's typing after the refresh",
      "not delivered",
      seenTyping.includes("after the refresh") ? "delivered" : "not delivered",
      !seenTyping.includes("after the refresh"),
    );

    // A device that never refreshes keeps its channel until its token expires, no longer.
    const closedAtExpiry = await secondDeviceWatch.closing();
    await secondDevice.channel.send(typing("after expiry"));
    await companyTypes("after expiry, control");
    record(
      "a leaver's channel whose token is never refreshed",
      "closed at the token's expiry",
      closedAtExpiry,
      /expired/i.test(closedAtExpiry),
    );
    record(
      "that device's typing after expiry",
      "not delivered",
      seenTyping.includes("after expiry") ? "delivered" : "not delivered",
      !seenTyping.includes("after expiry"),
    );
  } finally {
    await closeRealtime(company.client, candidate.client, outsider.client, shortLived.client);
  }
  const rejoin = await joinPrivate(candidate, topic);
  const rejoinActivity = await joinPrivate(candidate, activity);
  record(
    "joining after leaving the conversation",
    "refused",
    `${rejoin.status}, activity ${rejoinActivity.status}`,
    rejoin.status !== "SUBSCRIBED" && rejoinActivity.status !== "SUBSCRIBED",
  );
  await closeRealtime(candidate.client);
});

Deno.test("profiles: others read the card, not the activity", async () => {
  const [member, other]: TestUser[] = await Promise.all([
    createUser("candidate"),
    createUser("candidate"),
  ]);
  const activity = await member.client.from("profiles").select(
    "id, engagement_score, last_activity_at",
  )
    .eq("id", other.id);
  const card = await member.client.from("profiles").select("id, role, public_name, avatar_url")
    .eq("id", other.id);
  record(
    "others' engagement_score / last_activity_at",
    "refused",
    `${activity.status} ${activity.error?.code}`,
    activity.error?.code === "42501",
  );
  record(
    "others' card (name, photo, role)",
    "readable",
    `${card.data?.length} row`,
    card.data?.length === 1,
  );

  // A new display name waits for moderation: others read no name meanwhile, its owner does.
  const lure = "Votre compte Emploi+ est suspendu : vérifiez-le sur emploi-verif.test/login";
  check(await other.client.from("profiles").update({ full_name: lure }).eq("id", other.id));
  const pending = await member.client.from("profiles").select("public_name, moderation_status")
    .eq("id", other.id).single();
  const asWritten = await member.client.from("profiles").select("full_name").eq("id", other.id);
  const own = await other.client.rpc("get_account").single<{ full_name: string }>();
  record(
    "others' read of a pending display name",
    "no name; full_name refused; owner reads it",
    `${pending.data?.moderation_status}: ${pending.data?.public_name}, full_name ${asWritten.status}` +
      `, owner ${own.data?.full_name === lure ? "reads it" : "does not"}`,
    pending.data?.public_name === null && asWritten.error?.code === "42501" &&
      own.data?.full_name === lure,
  );
});

// Registered last, so it runs last: the table of every case above.
Deno.test("the attack table", () => {
  const width = (key: keyof Row) =>
    Math.max(key.length, ...rows.map((row) => String(row[key]).length));
  const [c, e] = [Math.min(width("case"), 48), Math.min(width("expected"), 36)];
  console.log(`\n${"case".padEnd(c)} | ${"expected".padEnd(e)} | observed`);
  console.log(`${"-".repeat(c)}-+-${"-".repeat(e)}-+-${"-".repeat(40)}`);
  for (const row of rows) {
    console.log(
      `${row.case.slice(0, c).padEnd(c)} | ${row.expected.slice(0, e).padEnd(e)} | ${
        row.ok ? "" : "FAIL "
      }${row.observed}`,
    );
  }
  assert.ok(rows.length >= 20, `only ${rows.length} cases ran`);
  assert.ok(rows.every((row) => row.ok));
});
