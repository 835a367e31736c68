// The Studio URL `npm start` prints serves Supabase Studio (the build @supabase/lite ships)
// against the local database: in a real browser, its table editor lists the product's tables.

import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { environments } from "../../local/platform/environments.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const studioUrl = Deno.env.get("SUPABASE_STUDIO_URL") ??
  `http://127.0.0.1:${environments.dev.databasePort + 1}`;

Deno.test("the Studio URL opens a table editor of the local database", {
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(studioUrl);
    const sidebar = page.getByText("job_applications", { exact: true });
    await sidebar.waitFor({ timeout: 20_000 });
    for (const table of ["jobs", "profiles", "messages"]) {
      assert.ok(await page.getByText(table, { exact: true }).count() >= 1, table);
    }
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
