// The reference client (examples/reference-client/) in a real browser: Debian's Chromium, headless, driven by
// Playwright, with the page served from http://localhost:<port> and the platform on another
// origin — so CORS, WebSockets and the Auth session are checked as a browser enforces them.
// A candidate signs up, signs out and in again, and gets a job alert live when a company (a
// second browser context) publishes a matching offer; the candidate applies and writes to the
// company, which answers; both see the other typing and their messages read. Then the candidate
// uploads a photo drawn in the page to Storage and sees it from its public URL; the company's
// folder is refused to her.

import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import { platform, sql } from "../_support/platform.ts";
import { startReferenceApp } from "../../examples/reference-client/serve.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const LIVE_TIMEOUT_MS = 45_000;
/** Letters and digits, 10 characters at least: the password rules of supabase/config.toml. */
const PASSWORD = "correct-horse-battery-42";
const options = { sanitizeResources: false, sanitizeOps: false };

async function openPage(browser: Browser, url: string, problems: string[]): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // A CORS refusal or a failed WebSocket shows up here: the test reports it.
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  await page.goto(url);
  return page;
}

async function signUp(
  page: Page,
  person: { email: string; fullName: string; role: string; companyName?: string },
) {
  const form = page.locator("#sign-up");
  await form.locator("[name=email]").fill(person.email);
  await form.locator("[name=password]").fill(PASSWORD);
  await form.locator("[name=full_name]").fill(person.fullName);
  await form.locator("[name=role]").selectOption(person.role);
  await form.locator("[name=company_name]").fill(person.companyName ?? "");
  await form.locator("button").click();
  await page.locator("#status[data-state=ready]").waitFor();
}

Deno.test("the reference client works end to end from a real browser", options, async () => {
  const app = await startReferenceApp();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-dev-shm-usage",
      "--disable-gpu",
      "--no-first-run",
    ],
  });
  const problems: string[] = [];
  try {
    const url = app.pageUrl(platform.url, platform.publishableKey);
    assert.match(url, /^http:\/\/localhost:\d+\//);
    const tag = crypto.randomUUID().slice(0, 8);
    const skill = `browserskill${tag}`;

    // A candidate signs up, signs out, signs in again.
    const candidate = await openPage(browser, url, problems);
    await candidate.waitForFunction(`document.getElementById("health").textContent !== "…"`);
    assert.equal(await candidate.locator("#health").textContent(), "ok");
    const candidateEmail = `browser-candidate-${tag}@test.emploi.plus`;
    await signUp(candidate, {
      email: candidateEmail,
      fullName: "Camille Navigateur",
      role: "candidate",
    });
    assert.equal(await candidate.locator("#me").textContent(), "Camille Navigateur");
    await candidate.locator("#sign-out").click();
    await candidate.locator("#status", { hasText: "Signed out" }).waitFor();
    const signIn = candidate.locator("#sign-in");
    await signIn.locator("[name=email]").fill(candidateEmail);
    await signIn.locator("[name=password]").fill(PASSWORD);
    await signIn.locator("button").click();
    await candidate.locator("#status[data-state=ready]").waitFor();
    assert.equal(await candidate.locator("#my-role").textContent(), "candidate");

    const profile = candidate.locator("#candidate-profile");
    await profile.locator("[name=skills]").fill(skill);
    await profile.locator("[name=location]").fill("Lyon");
    await profile.locator("button").click();
    await candidate.locator("#profile-saved", { hasText: "saved" }).waitFor();

    // A company, in its own browser context, publishes a matching offer.
    const company = await openPage(browser, url, problems);
    await signUp(company, {
      email: `browser-company-${tag}@test.emploi.plus`,
      fullName: "Dominique Recruteuse",
      role: "company",
      companyName: `Navigateurs ${tag}`,
    });
    assert.equal(await company.locator("#my-role").textContent(), "company");
    const offer = company.locator("#post-job");
    await offer.locator("[name=title]").fill(`Développeuse ${skill}`);
    await offer.locator("[name=skills]").fill(skill);
    await offer.locator("[name=location]").fill("Lyon");
    await offer.locator("button").click();
    await company.locator("#job-published", { hasText: "published" }).waitFor();

    // The alert arrives live: the page loaded its inbox before the offer existed.
    const alert = candidate.locator("#notifications li[data-type=job_alert]", { hasText: skill });
    await alert.waitFor({ timeout: LIVE_TIMEOUT_MS });

    // The candidate applies and writes; the company's page opens the conversation live.
    await alert.locator("button.apply").click();
    await candidate.locator("#conversation[data-joined]").waitFor();
    await candidate.locator("#compose [name=body]").fill("Bonjour, je suis très intéressée !");
    await candidate.locator("#compose button").click();
    await company.locator("#messages li.theirs", { hasText: "très intéressée" }).waitFor();
    await company.locator("#conversation[data-joined]").waitFor();

    // Read receipt: the company's page read it, the candidate sees it.
    await candidate.locator("#messages li.mine .receipt", { hasText: "seen" }).waitFor();

    // Typing, then the answer, read in turn.
    await company.locator("#compose [name=body]").pressSequentially("Merci");
    await candidate.locator("#typing", { hasText: "typing…" }).waitFor();
    await company.locator("#compose [name=body]").pressSequentially(", à bientôt");
    await company.locator("#compose button").click();
    await candidate.locator("#messages li.theirs", { hasText: "Merci, à bientôt" }).waitFor();
    await company.locator("#messages li.mine .receipt", { hasText: "seen" }).waitFor();

    // A photo in another member's folder: refused by the bucket's policies, shown in the page.
    const candidateId = await candidate.locator("#avatar [name=folder]").inputValue();
    const companyId = await company.locator("#avatar [name=folder]").inputValue();
    assert.notEqual(candidateId, companyId);
    const photo = candidate.locator("#avatar");
    await photo.locator("[name=folder]").fill(companyId);
    await photo.locator("button").click();
    await candidate.locator("#status[data-state=error]").waitFor();
    assert.match(await candidate.locator("#status").textContent() ?? "", /^HTTP 4\d\d — 403 — /);
    assert.equal(await candidate.locator("#avatar-image").isHidden(), true);
    // The browser logs the refused request; nothing else may be logged.
    const refused = problems.findIndex((text) => /status of 4\d\d/.test(text));
    if (refused >= 0) problems.splice(refused, 1);

    // Her own folder: uploaded, saved on her profile, shown from the public URL.
    await photo.locator("[name=folder]").fill(candidateId);
    await photo.locator("button").click();
    await candidate.locator("#avatar-saved", { hasText: "saved" }).waitFor();
    const publicUrl = `${platform.url}/storage/v1/object/public/avatars/${candidateId}/avatar.png`;
    assert.ok(
      (await candidate.locator("#avatar-image").getAttribute("src"))?.startsWith(publicUrl),
    );
    // Loaded, not broken: the image the page drew (64 × 64), read back from the public URL.
    await candidate.waitForFunction(`document.getElementById("avatar-image").complete`);
    assert.equal(
      await candidate.evaluate(`document.getElementById("avatar-image").naturalWidth`),
      64,
    );
    const [stored] = await sql`
      select p.avatar_path,
             (select count(*)::int from storage.objects other
               where other.bucket_id = 'avatars' and other.name like ${companyId + "/%"}) as refused
      from public.profiles p where p.id = ${candidateId}`;
    assert.deepEqual({ ...stored }, { avatar_path: `${candidateId}/avatar.png`, refused: 0 });
    // Served as uploaded: the PNG's type, and the cache control supabase-js sent with it.
    const served = await fetch(publicUrl);
    assert.equal(served.status, 200);
    assert.equal(served.headers.get("content-type"), "image/png");
    assert.equal(served.headers.get("cache-control"), "max-age=3600");
    assert.deepEqual([...new Uint8Array(await served.arrayBuffer()).subarray(1, 4)], [
      0x50,
      0x4e,
      0x47,
    ]);

    // Signed in elsewhere, her page shows the saved photo from the public URL itself.
    const again = await openPage(browser, url, problems);
    const signInAgain = again.locator("#sign-in");
    await signInAgain.locator("[name=email]").fill(candidateEmail);
    await signInAgain.locator("[name=password]").fill(PASSWORD);
    await signInAgain.locator("button").click();
    await again.locator("#status[data-state=ready]").waitFor();
    await again.waitForFunction(`document.getElementById("avatar-image").naturalWidth > 0`);
    assert.equal(await again.locator("#avatar-image").getAttribute("src"), publicUrl);

    assert.equal(await candidate.locator("#status").getAttribute("data-state"), "ready");
    assert.equal(await company.locator("#status").getAttribute("data-state"), "ready");
    assert.deepEqual(problems, []);
  } catch (error) {
    if (problems.length) console.error("browser console errors:\n" + problems.join("\n"));
    throw error;
  } finally {
    await browser.close();
    await app.close();
  }
});

Deno.test.afterAll(() => sql.end());
