// Serves the reference client from http://localhost:<port>: index.html and app.js, main.ts
// bundled with supabase-js by `deno bundle` for the browser. Run by hand against the platform of
// `npm start`: `deno run -A examples/reference-client/serve.ts` prints the page's address.

const appDir = new URL("./", import.meta.url).pathname;
const deno = Deno.execPath();

export interface ReferenceApp {
  /** The page, configured for the platform at `apiUrl` with its publishable key. */
  pageUrl(apiUrl: string, publishableKey: string): string;
  close(): Promise<void>;
}

async function bundle(): Promise<string> {
  const output = await Deno.makeTempFile({ prefix: "emploi-reference-app-", suffix: ".js" });
  const result = await new Deno.Command(deno, {
    args: ["bundle", "--quiet", "--platform", "browser", "--output", output, `${appDir}main.ts`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!result.success) {
    throw new Error(`deno bundle failed: ${new TextDecoder().decode(result.stderr)}`);
  }
  const code = await Deno.readTextFile(output);
  await Deno.remove(output);
  return code;
}

export async function startReferenceApp(port = 0): Promise<ReferenceApp> {
  const files: Record<string, { body: string; type: string }> = {
    "/": { body: await Deno.readTextFile(`${appDir}index.html`), type: "text/html" },
    "/app.js": { body: await bundle(), type: "text/javascript" },
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, (request) => {
    const file = files[new URL(request.url).pathname];
    if (!file) return new Response("not found", { status: 404 });
    return new Response(file.body, { headers: { "content-type": `${file.type}; charset=utf-8` } });
  });
  const origin = `http://localhost:${server.addr.port}`;
  return {
    pageUrl: (apiUrl, publishableKey) =>
      `${origin}/?${new URLSearchParams({ api: apiUrl, key: publishableKey })}`,
    close: () => server.shutdown(),
  };
}

if (import.meta.main) {
  const { platform } = await import("../../tests/_support/platform.ts");
  const app = await startReferenceApp(Number(Deno.env.get("PORT") ?? "5173"));
  console.log(`Reference client: ${app.pageUrl(platform.url, platform.publishableKey)}`);
}
