// What the hiring tests and benchmark share: a company with a published offer, candidates signed
// in by token (created in bulk), and listening to a member's `user:<id>` inbox over Realtime.

import { createClient, type RealtimeChannel, type SupabaseClient } from "@supabase/supabase-js";
import { signJwt } from "../../local/platform/jwt.ts";
import { createMembers } from "../notifications/support.ts";
import { moderated, platform, type TestUser } from "./platform.ts";
import { check, unwrap } from "./messaging.ts";

/** A published offer of `company`, once moderation approved it (candidates see it then). */
export async function publishOffer(company: TestUser, title = "Développeur·se Postgres") {
  const job = unwrap(
    await company.client.from("jobs")
      .insert({ company_id: company.id, title, status: "published" })
      .select("id").single(),
  );
  await moderated("jobs", job.id);
  return job.id as string;
}

/** A supabase-js client signed in as `userId` with an access token minted like GoTrue's. */
export async function clientFor(userId: string): Promise<SupabaseClient> {
  const now = Math.floor(Date.now() / 1000);
  const token = await signJwt({
    sub: userId,
    role: "authenticated",
    aud: "authenticated",
    iat: now,
    exp: now + 3600,
  }, platform.jwtSecret);
  return createClient(platform.url, platform.publishableKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { headers: { authorization: `Bearer ${token}` } },
  });
}

/** `count` candidates (created in bulk), each with a client of their own. */
export async function candidates(count: number): Promise<{ id: string; client: SupabaseClient }[]> {
  const ids = await createMembers(count, { role: "candidate" });
  return await Promise.all(ids.map(async (id) => ({ id, client: await clientFor(id) })));
}

/** Applies to `jobId` as `client`; returns the application id. */
export async function apply(client: SupabaseClient, jobId: string, resumePath?: string) {
  const application = unwrap(
    await client.from("job_applications")
      .insert({ job_id: jobId, resume_path: resumePath ?? null })
      .select("id").single(),
  );
  return application.id as string;
}

/** Calls set_application_status as `client` and fails if it is refused. */
export async function moveApplication(
  client: SupabaseClient,
  applicationId: string,
  status: string,
  message?: string,
): Promise<void> {
  check(
    await client.rpc("set_application_status", {
      p_application_id: applicationId,
      p_status: status,
      p_message: message ?? null,
    }),
  );
}

export interface Inbox {
  channel: RealtimeChannel;
  /** Every `notification` broadcast received so far (inbox rows). */
  received: Record<string, unknown>[];
  /** Resolves with the next notification that passes `accept` (already received ones count). */
  next(accept: (row: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<
    Record<string, unknown>
  >;
}

/** Listens on the private topic `user:<user>` for in-app notifications, as the frontend does. */
export async function listenToInbox(user: TestUser): Promise<Inbox> {
  const received: Record<string, unknown>[] = [];
  const waiters: { accept: (row: Record<string, unknown>) => boolean; resolve: () => void }[] = [];
  await user.client.realtime.setAuth(user.accessToken);
  const channel = user.client.channel(`user:${user.id}`, { config: { private: true } })
    .on("broadcast", { event: "notification" }, ({ payload }) => {
      received.push(payload);
      for (const waiter of [...waiters]) if (waiter.accept(payload)) waiter.resolve();
    });
  await new Promise<void>((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === "SUBSCRIBED") resolve();
      else if (status !== "CLOSED") reject(error ?? new Error(status));
    });
  });
  return {
    channel,
    received,
    next(accept, timeoutMs = 20_000) {
      const found = received.find(accept);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching notification on user:${user.id} in ${timeoutMs} ms`)),
          timeoutMs,
        );
        const waiter = {
          accept,
          resolve: () => {
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(waiter), 1);
            resolve(received.find(accept)!);
          },
        };
        waiters.push(waiter);
      });
    },
  };
}

/** The `data` object of an inbox row. */
export function dataOf(row: Record<string, unknown>): Record<string, unknown> {
  return (row.data ?? {}) as Record<string, unknown>;
}
