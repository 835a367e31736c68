// In-app notifications reach a signed-in client live, over Realtime, as the frontend receives them
// with supabase-js: the private channel `user:<id>` (event `notification`), and `role:<role>` for
// announcements to a role (event `announcement`) and for a role's large fan-outs (event `inbox`,
// then the member reads their row). Nobody else may listen on those topics.

import assert from "node:assert/strict";
import type { RealtimeChannel } from "@supabase/supabase-js";
import { createUser, sql, type TestUser } from "./_support/platform.ts";
import { deferred } from "./_support/deferred.ts";
import { createMembers, notify, requestCompleted } from "./notifications/support.ts";
import { MEMBER_BROADCASTS_MAX } from "../supabase/functions/queue-worker/processors/notifications.ts";

/** Asks notify for a notification; answers its processingId. */
async function notifyAccepted(body: unknown): Promise<string> {
  const answer = await notify(body);
  assert.equal(answer.status, 202, JSON.stringify(answer.body));
  return answer.body.processingId;
}

/** Joins `topic` privately as `user`; resolves when joined, rejects with the server's reason. */
async function join(
  user: TestUser,
  topic: string,
  event: string,
  onMessage: (payload: Record<string, unknown>) => void = () => {},
): Promise<RealtimeChannel> {
  await user.client.realtime.setAuth(user.accessToken);
  const channel = user.client.channel(topic, { config: { private: true } })
    .on("broadcast", { event }, (message) => onMessage(message.payload));
  return await new Promise((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === "SUBSCRIBED") resolve(channel);
      else if (status !== "CLOSED") reject(error ?? new Error(status));
    });
  });
}

/**
 * `user` listens on `topic`: once joined, `first` is the first `event` broadcast there. (In an
 * object: an async function returning the promise itself would wait for the broadcast.)
 */
async function listen(
  user: TestUser,
  topic: string,
  event: string,
): Promise<{ first: Promise<Record<string, unknown>> }> {
  const first = deferred<Record<string, unknown>>(`the ${event} on ${topic}`, 15_000);
  await join(user, topic, event, first.resolve);
  return { first: first.promise };
}

/** Realtime refuses `user` the private channel `topic`. */
function refused(user: TestUser, topic: string, event: string, message?: string) {
  return assert.rejects(
    join(user, topic, event),
    /permissions to read from this Channel topic/,
    message,
  );
}

Deno.test(
  "a signed-in member receives their in-app notification over Realtime",
  async () => {
    const member = await createUser("candidate");
    const stranger = await createUser("candidate");
    try {
      const live = await listen(member, `user:${member.id}`, "notification");
      await refused(
        stranger,
        `user:${member.id}`,
        "notification",
        "another member may not listen to it",
      );

      const processingId = await notifyAccepted({
        type: "application",
        title: "Votre candidature a été vue",
        body: "Acme a consulté votre profil.",
        data: { applicationId: "a1" },
        userId: member.id,
      });
      const payload = await live.first;
      assert.equal(payload.title, "Votre candidature a été vue");
      assert.equal(payload.type, "application");
      assert.deepEqual(payload.data, { applicationId: "a1" });

      // The same notification is in the member's inbox, readable and markable through the API.
      await requestCompleted(processingId);
      const { data: inbox, error } = await member.client.from("notifications")
        .select("id, title, read_at").eq("id", payload.id as string);
      assert.equal(error, null);
      assert.deepEqual(inbox, [{ id: payload.id, title: payload.title, read_at: null }]);
      const { data: marked } = await member.client.rpc("mark_notifications_read", {
        p_ids: [payload.id],
      });
      assert.equal(marked, 1);
    } finally {
      await member.client.removeAllChannels();
      await stranger.client.removeAllChannels();
    }
  },
);

Deno.test(
  "a role announcement reaches the role's topic, which other roles cannot join",
  async () => {
    const company = await createUser("company");
    const candidate = await createUser("candidate");
    try {
      const announced = await listen(company, "role:company", "announcement");
      await refused(candidate, "role:company", "announcement");
      const processingId = await notifyAccepted({
        type: "system",
        title: "Nouvelle grille tarifaire",
        role: "company",
      });
      const payload = await announced.first;
      assert.equal(payload.request_id, processingId);
      assert.equal(payload.title, "Nouvelle grille tarifaire");
    } finally {
      await company.client.removeAllChannels();
      await candidate.client.removeAllChannels();
    }
  },
);

Deno.test(
  "a role's large fan-out tells its members once, on the role's topic, and each reads their row",
  async () => {
    const town = `Grandeville-${crypto.randomUUID().slice(0, 8)}`;
    const member = await createUser("company");
    const outsider = await createUser("company");
    try {
      await sql`update public.companies set location = ${town} where id = ${member.id}`;
      // One more in-app recipient than the dispatcher broadcasts to one by one.
      await createMembers(MEMBER_BROADCASTS_MAX, { role: "company", location: town });
      const told = deferred<Record<string, unknown>>("the inbox event on role:company", 30_000);
      const outsiderTold = deferred<Record<string, unknown>>("the same, for an outsider", 30_000);
      let processingId = "";
      await join(member, "role:company", "inbox", (payload) => {
        if (payload.request_id === processingId) told.resolve(payload);
      });
      await join(outsider, "role:company", "inbox", (payload) => {
        if (payload.request_id === processingId) outsiderTold.resolve(payload);
      });

      processingId = await notifyAccepted({
        type: "system",
        title: "Salon de l'emploi à Grandeville",
        role: "company",
        filters: { location: town },
      });
      const payload = await told.promise;
      assert.equal(payload.title, "Salon de l'emploi à Grandeville");
      assert.equal(payload.type, "system");

      // Sent once every row is written: the member's row is there, the outsider has none.
      const mine = await member.client.from("notifications").select("title, read_at")
        .eq("request_id", processingId);
      assert.equal(mine.error, null);
      assert.deepEqual(mine.data, [{ title: payload.title, read_at: null }]);
      await outsiderTold.promise;
      const theirs = await outsider.client.from("notifications").select("id")
        .eq("request_id", processingId);
      assert.deepEqual(theirs.data, [], "the outsider was not in the audience");
      const [request] = await sql`
        select recipient_count, in_app_count from private.notification_requests
        where request_id = ${processingId}`;
      assert.deepEqual({ ...request }, {
        recipient_count: MEMBER_BROADCASTS_MAX + 1,
        in_app_count: MEMBER_BROADCASTS_MAX + 1,
      });
      const [perMember] = await sql`
        select count(*)::int as count from realtime.messages
        where event = 'notification' and payload ->> 'title' = ${payload.title as string}`;
      assert.equal(perMember.count, 0, "no member got a broadcast of their own");
    } finally {
      await member.client.removeAllChannels();
      await outsider.client.removeAllChannels();
    }
  },
);
