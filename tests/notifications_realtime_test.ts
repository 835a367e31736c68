// In-app notifications reach a signed-in client live, over Realtime, as the frontend receives them
// with supabase-js: the private channel `user:<id>` (event `notification`), and `role:<role>` for
// announcements to a role (event `announcement`). Nobody else may listen on those topics.

import assert from "node:assert/strict";
import type { RealtimeChannel } from "@supabase/supabase-js";
import { createUser, type TestUser } from "./_support/platform.ts";
import { deferred } from "./_support/deferred.ts";
import { notify, requestCompleted } from "./notifications/support.ts";

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
