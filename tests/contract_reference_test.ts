// The hand-written parts of the frontend's reference stay complete: every error code the product
// raises is in docs/reference/errors.md, and the docs stand alone (every link points to a file of
// this repository). The generated parts are checked by `npm test`'s contract step instead.

import assert from "node:assert/strict";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

async function textsOf(directory: string, extension: string): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  for await (const entry of Deno.readDir(`${root}/${directory}`)) {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory) {
      for (const [inner, text] of await textsOf(path, extension)) texts.set(inner, text);
    } else if (entry.name.endsWith(extension)) {
      texts.set(path, await Deno.readTextFile(`${root}/${path}`));
    }
  }
  return texts;
}

/** The codes in the first column of the tables of a Markdown section. */
function tabledCodes(markdown: string, heading: string): Set<string> {
  const section = markdown.split(/^## /m).find((part) => part.startsWith(heading)) ?? "";
  return new Set([...section.matchAll(/^\| `([^`]+)`/gm)].map((match) => match[1]));
}

const errorsPage = await Deno.readTextFile(`${root}/docs/reference/errors.md`);

Deno.test("every SQLSTATE the migrations raise is explained in errors.md", async () => {
  const explained = tabledCodes(errorsPage, "REST and RPCs");
  const raised = new Set<string>();
  for (const [, sql] of await textsOf("supabase/migrations", ".sql")) {
    for (const match of sql.matchAll(/errcode\s*(?:=|=>)\s*'([0-9A-Z]{5})'/g)) raised.add(match[1]);
  }
  assert.ok(raised.size > 3, "no errcode found: the pattern is stale");
  assert.deepEqual([...raised].filter((code) => !explained.has(code)), []);
});

Deno.test("every error code of the Edge Functions is explained in errors.md", async () => {
  const explained = tabledCodes(errorsPage, "Edge Functions");
  const raised = new Set<string>(["internal_error"]);
  for (const [, source] of await textsOf("supabase/functions", ".ts")) {
    for (const match of source.matchAll(/HttpError\(\s*\d{3},\s*"([a-z_]+)"/g)) {
      raised.add(match[1]);
    }
  }
  assert.ok(raised.size > 3, "no HttpError found: the pattern is stale");
  assert.deepEqual([...raised].filter((code) => !explained.has(code)), []);
});

Deno.test("the README and the docs link only to files of this repository", async () => {
  const pages = new Map([
    ["README.md", await Deno.readTextFile(`${root}/README.md`)],
    ...await textsOf("docs", ".md"),
  ]);
  const broken: string[] = [];
  for (const [page, text] of pages) {
    const directory = page.includes("/") ? page.slice(0, page.lastIndexOf("/")) : ".";
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const path = target.split("#")[0];
      if (path === "") continue;
      const resolved = new URL(path, `file://${root}/${directory}/`).pathname;
      const inside = !/^[a-z]+:/i.test(path) && resolved.startsWith(`${root}/`);
      const exists = inside && await Deno.stat(resolved).then(() => true, () => false);
      if (!exists) broken.push(`${page}: ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});
