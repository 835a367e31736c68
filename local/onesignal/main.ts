// Runs the OneSignal stand-in on its own:
//   deno run --allow-net local/onesignal/main.ts [--port 54330] [--app-id …] [--api-key …]
// and prints the environment the functions need to use it.

import { startOneSignalStandIn } from "./server.ts";

function option(name: string): string | undefined {
  const index = Deno.args.indexOf(`--${name}`);
  return index >= 0 ? Deno.args[index + 1] : undefined;
}

const standIn = startOneSignalStandIn({
  port: Number(option("port") ?? 0),
  appId: option("app-id"),
  apiKey: option("api-key"),
});
console.log(`OneSignal stand-in listening on ${standIn.url}`);
console.log(`ONESIGNAL_API_URL=${standIn.url}`);
console.log(`ONESIGNAL_APP_ID=${standIn.appId}`);
console.log(`ONESIGNAL_REST_API_KEY=${standIn.apiKey}`);
Deno.addSignalListener("SIGINT", async () => {
  await standIn.close();
  Deno.exit(0);
});
