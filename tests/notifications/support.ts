// Shared by the notifications tests: the OneSignal stand-in of the platform under test, members
// created in bulk, calls to the notify function, waiting for the dispatcher to finish a request,
// and whom it reached.

import {
  OneSignalStandInControl,
  type StandInNotification,
} from "../../local/onesignal/control.ts";
import type { QueueMessage } from "../../supabase/functions/_shared/queue.ts";
import { eventually, platform, sql } from "../_support/platform.ts";

/**
 * The stand-in the platform's functions send to. The test platform starts it and passes
 * ONESIGNAL_API_URL (with ONESIGNAL_APP_ID / ONESIGNAL_REST_API_KEY) to the functions and to
 * `deno test`; see docs/notifications.md.
 */
export function standIn(): OneSignalStandInControl {
  const url = Deno.env.get("ONESIGNAL_API_URL");
  if (!url) {
    throw new Error(
      "ONESIGNAL_API_URL is not set: the platform under test must run the OneSignal stand-in " +
        "(local/onesignal) and give its URL to the functions and the tests",
    );
  }
  return new OneSignalStandInControl(url);
}

export interface MemberOptions {
  role?: "candidate" | "company";
  /** Columns of notification_preferences to set. */
  preferences?: Record<string, unknown>;
  skills?: string[];
  location?: string;
}

/**
 * Creates `count` members at once: the rows the sign-up trigger would write (auth user, profile,
 * candidate or company page, notification preferences), written set-based with triggers off
 * (session_replication_role = replica) so that a thousand members take a second. Skills and
 * location are then set with triggers on, so that matching sees them as it would.
 */
export async function createMembers(count: number, options: MemberOptions = {}): Promise<string[]> {
  const role = options.role ?? "candidate";
  const tag = crypto.randomUUID().slice(0, 8);
  const preferences = { ...options.preferences };
  const ids = await sql.begin(async (transaction) => {
    await transaction`set local session_replication_role = replica`;
    const rows = await transaction<{ id: string }[]>`
      insert into auth.users (
        instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
        raw_app_meta_data, raw_user_meta_data, created_at, updated_at
      )
      select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
        'authenticated', format('notify-%s-%s@test.emploi.plus', ${tag}::text, n), '', now(),
        '{"provider": "email", "providers": ["email"]}',
        jsonb_build_object('role', ${role}::text, 'full_name', 'Membre ' || n), now(), now()
      from generate_series(1, ${count}::int) as n
      returning id`;
    const created = rows.map((row) => row.id);
    await transaction`
      insert into public.profiles (id, role, full_name)
      select id, ${role}, 'Membre' from unnest(${created}::uuid[]) as id`;
    if (role === "company") {
      await transaction`
        insert into public.companies (id, name, location)
        select id, 'Entreprise', ${options.location ?? null} from unnest(${created}::uuid[]) as id`;
    } else {
      await transaction`insert into public.candidates (id) select unnest(${created}::uuid[])`;
    }
    await transaction`
      insert into public.notification_preferences ${
      transaction(created.map((id) => ({ ...preferences, user_id: id })))
    }`;
    return created;
  });
  if (role === "candidate" && (options.skills || options.location)) {
    await sql`
      update public.candidates
      set skills = coalesce(${options.skills ?? null}::text[], skills),
          location = coalesce(${options.location ?? null}::text, location)
      where id = any(${ids}::uuid[])`;
  }
  return ids;
}

/**
 * Polls `check` like eventually(), running the queue sweep before each try: what pg_cron does
 * every few seconds, so that a doorbell the worker refused (its rate limit) costs a poll here, not
 * the sweep's schedule.
 */
export async function eventuallyWithSweep<T>(
  check: () => Promise<T | undefined>,
  { timeoutMs = 30_000, what = "condition" } = {},
): Promise<T> {
  return await eventually(async () => {
    await sql`select private.sweep_queues()`;
    return await check();
  }, { timeoutMs, intervalMs: 500, what });
}

/**
 * Enqueues a notification request and claims it in the same transaction, so that the caller's
 * dispatcher has it first (the platform's worker cannot read it before the claim ends).
 */
export async function enqueueClaimed(
  request: Record<string, unknown> & { requestId: string },
  visibilitySeconds: number,
): Promise<QueueMessage<Record<string, unknown>>> {
  const [claimed] = await sql.begin(async (transaction) => {
    await transaction`select pgmq.send('notifications', ${
      transaction.json(request as never)
    }::jsonb)`;
    return await transaction<QueueMessage<Record<string, unknown>>[]>`
      select msg_id, read_ct, enqueued_at, message
      from pgmq.read('notifications', ${visibilitySeconds}, 1, ${
      transaction.json({ requestId: request.requestId })
    }::jsonb)`;
  });
  return { ...claimed, msg_id: Number(claimed.msg_id) };
}

/** notify's answer: 202 `{ success, processingId, message }`, or an error body. */
export interface NotifyAnswer {
  success?: boolean;
  processingId: string;
  message?: string;
  error?: unknown;
}

/**
 * Calls the notify Edge Function as the service role (or with `token`); a string body is sent as
 * it is, anything else as JSON.
 */
export async function notify(
  body: unknown,
  token = platform.secretKey,
): Promise<{ status: number; body: NotifyAnswer }> {
  const response = await fetch(`${platform.url}/functions/v1/notify`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      apikey: platform.publishableKey,
      "content-type": "application/json",
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Waits until the dispatcher has finished the request (nothing pending), or fails. */
export async function requestCompleted(requestId: string, timeoutMs = 30_000): Promise<void> {
  await eventuallyWithSweep(async () => {
    const [request] = await sql`
      select completed_at from private.notification_requests where request_id = ${requestId}`;
    return request?.completed_at ? true : undefined;
  }, { timeoutMs, what: `notification request ${requestId} to complete` });
}

/** Recipients reached per channel by the stand-in's notifications of one request. */
export function reachedByChannel(
  notifications: StandInNotification[],
  requestId: string,
): Record<"push" | "email" | "sms", string[]> {
  const reached = { push: [] as string[], email: [] as string[], sms: [] as string[] };
  for (const notification of notifications) {
    // The dispatcher names every message `<type>:<requestId>`.
    if (notification.name?.endsWith(`:${requestId}`)) {
      reached[notification.channel].push(...notification.externalIds);
    }
  }
  return reached;
}
