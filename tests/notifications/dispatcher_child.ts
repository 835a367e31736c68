// A notification dispatcher in its own process, so that a test can kill it mid-batch: it runs the
// queue-worker's notifications processor on one message the test already claimed from the queue
// (given as JSON in the first argument), then deletes it if it was fully processed.
// Environment: SUPABASE_DB_URL, ONESIGNAL_* and NOTIFICATIONS_VISIBILITY_TIMEOUT_SECONDS.

import { platformDeps } from "../../supabase/functions/_shared/platform.ts";
import { visibilityTimeoutSeconds } from "../../supabase/functions/_shared/queue.ts";
import { notificationsProcessor } from "../../supabase/functions/queue-worker/processors/notifications.ts";

const message = JSON.parse(Deno.args[0]);
const deps = platformDeps();
const { sql } = deps;
const failures = await notificationsProcessor.process({
  ...deps,
  visibilityTimeoutSeconds: visibilityTimeoutSeconds(notificationsProcessor, deps.env),
}, [message]);
if (failures.size === 0) {
  await sql`select pgmq.delete('notifications', ${message.msg_id}::bigint)`;
}
console.log(JSON.stringify({ failures: [...failures.values()] }));
await sql.end();
