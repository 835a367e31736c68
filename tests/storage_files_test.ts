// Files through Supabase Storage with supabase-js: CVs readable by the candidate and the companies
// she applied to only, public avatars and logos served by URL, and clear 4xx refusals (wrong
// type, too large, someone else's folder) that store nothing.

import assert from "node:assert/strict";
import { anonClient, createUser, sql } from "./_support/platform.ts";
import { check, unwrap } from "./_support/messaging.ts";
import { apply, publishOffer } from "./_support/hiring.ts";

const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  ),
  (char) => char.charCodeAt(0),
);
const PDF = new TextEncoder().encode("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");

async function storedObjects(bucket: string, prefix: string): Promise<number> {
  const [row] = await sql`select count(*)::int as n from storage.objects
    where bucket_id = ${bucket} and name like ${prefix + "/%"}`;
  return row.n;
}

Deno.test("a CV sent with an application is readable by that company only", async () => {
  const [candidate, company, otherCompany, otherCandidate] = await Promise.all([
    createUser("candidate"),
    createUser("company"),
    createUser("company"),
    createUser("candidate"),
  ]);
  const path = `${candidate.id}/cv-2026.pdf`;
  check(
    await candidate.client.storage.from("resumes").upload(path, PDF, {
      contentType: "application/pdf",
    }),
  );
  check(
    await candidate.client.from("candidates").update({ resume_path: path }).eq("id", candidate.id),
  );
  const jobId = await publishOffer(company);
  const applicationId = await apply(candidate.client, jobId, path);

  const sent = unwrap(
    await company.client.from("job_applications").select("resume_path").eq("id", applicationId)
      .single(),
  );
  assert.equal(sent.resume_path, path);
  const downloaded = unwrap(await company.client.storage.from("resumes").download(path));
  assert.deepEqual(new Uint8Array(await downloaded.arrayBuffer()), PDF);
  const signed = unwrap(await company.client.storage.from("resumes").createSignedUrl(path, 60));
  const bySignedUrl = await fetch(signed.signedUrl);
  assert.equal(bySignedUrl.status, 200);
  assert.deepEqual(new Uint8Array(await bySignedUrl.arrayBuffer()), PDF);
  const [batch, missing] = unwrap(
    await company.client.storage.from("resumes").createSignedUrls(
      [path, `${candidate.id}/x.pdf`],
      60,
    ),
  );
  assert.equal((await fetch(batch.signedUrl!)).status, 200, "CVs of a page of applicants at once");
  assert.equal(missing.signedUrl, null);
  assert.match(missing.error ?? "", /does not exist or you do not have access/);

  for (
    const [who, client] of [
      ["another company", otherCompany.client],
      ["another candidate", otherCandidate.client],
      ["a visitor", anonClient()],
    ] as const
  ) {
    const refused = await client.storage.from("resumes").download(path);
    assert.ok(refused.error, `${who} cannot download the CV`);
    assert.ok(!(await client.storage.from("resumes").createSignedUrl(path, 60)).data?.signedUrl);
    const [many] = (await client.storage.from("resumes").createSignedUrls([path], 60)).data ?? [];
    assert.ok(!many?.signedUrl, `${who} cannot sign it among others`);
  }
  const listed = unwrap(await otherCompany.client.storage.from("resumes").list(candidate.id));
  assert.equal(listed.length, 0, "nor list the candidate's folder");

  const bad = await candidate.client.from("job_applications").insert({
    job_id: await publishOffer(otherCompany),
    resume_path: `${otherCandidate.id}/cv.pdf`,
  });
  assert.equal(bad.error?.code, "22023", "an application cannot point at someone else's file");

  const own = unwrap(await candidate.client.storage.from("resumes").list(candidate.id));
  assert.deepEqual(own.map((file) => file.name), ["cv-2026.pdf"], "the candidate lists her CVs");
  check(await candidate.client.storage.from("resumes").remove([path]));
  const gone = await company.client.storage.from("resumes").download(path);
  assert.ok(gone.error, "a removed CV is no longer served, its references left dangling");
});

Deno.test("avatar and logo public URLs serve the image", async () => {
  const [candidate, company] = await Promise.all([createUser("candidate"), createUser("company")]);
  const avatar = `${candidate.id}/photo.png`;
  const logo = `${company.id}/logo.png`;
  check(
    await candidate.client.storage.from("avatars").upload(avatar, PNG, {
      contentType: "image/png",
    }),
  );
  check(
    await company.client.storage.from("company-logos").upload(logo, PNG, {
      contentType: "image/png",
    }),
  );
  check(
    await candidate.client.from("profiles").update({ avatar_path: avatar }).eq("id", candidate.id),
  );
  check(await company.client.from("companies").update({ logo_path: logo }).eq("id", company.id));

  const visitor = anonClient();
  const page = unwrap(
    await visitor.from("companies").select("logo_path").eq("id", company.id).single(),
  );
  for (
    const url of [
      visitor.storage.from("company-logos").getPublicUrl(page.logo_path).data.publicUrl,
      visitor.storage.from("avatars").getPublicUrl(avatar).data.publicUrl,
    ]
  ) {
    const response = await fetch(url);
    assert.equal(response.status, 200, url);
    assert.equal(response.headers.get("content-type"), "image/png");
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), PNG);
  }

  // Replacing the photo (upsert) serves the new one at the same URL.
  const newer = new Uint8Array([...PNG, 0]);
  check(
    await candidate.client.storage.from("avatars").upload(avatar, newer, {
      contentType: "image/png",
      upsert: true,
    }),
  );
  const replaced = await fetch(visitor.storage.from("avatars").getPublicUrl(avatar).data.publicUrl);
  assert.deepEqual(new Uint8Array(await replaced.arrayBuffer()), newer);
});

Deno.test("wrong type, oversize or someone else's folder: a clear 4xx, nothing stored", async () => {
  const [candidate, other, company] = await Promise.all([
    createUser("candidate"),
    createUser("candidate"),
    createUser("company"),
  ]);
  const photo = { body: PNG, type: "image/png" };
  const cv = { body: PDF, type: "application/pdf" };
  const bigPhoto = { ...photo, body: new Uint8Array(3 * 1024 * 1024) };
  const bigCv = { ...cv, body: new Uint8Array(11 * 1024 * 1024) };
  const tooLarge = (bytes: number) => new RegExp(`exceeded the maximum allowed size of ${bytes}`);
  const rls = /row-level security/;
  // [what, who uploads, bucket, whose folder, file name, file, status, message]
  const cases = [
    ["a PDF as a photo", candidate, "avatars", candidate, "p.pdf", cv, "415", /pdf is not/],
    ["an image as a CV", candidate, "resumes", candidate, "cv.png", photo, "415", /png is not/],
    ["a 3 MB photo", candidate, "avatars", candidate, "p.png", bigPhoto, "413", tooLarge(2097152)],
    ["an 11 MB CV", candidate, "resumes", candidate, "cv.pdf", bigCv, "413", tooLarge(10485760)],
    ["a photo in another's folder", other, "avatars", candidate, "x.png", photo, "403", rls],
    ["a CV in another's folder", other, "resumes", candidate, "x.pdf", cv, "403", rls],
    ["a logo by a candidate", candidate, "company-logos", company, "l.png", photo, "403", rls],
  ] as const;
  for (const [what, who, bucket, folder, name, file, status, message] of cases) {
    const { error } = await who.client.storage.from(bucket)
      .upload(`${folder.id}/${name}`, file.body, { contentType: file.type });
    const failure = error as unknown as { status: number; statusCode: string; message: string };
    assert.ok(failure, `${what} is refused`);
    assert.ok(failure.status >= 400 && failure.status < 500, `${what}: ${failure.status}`);
    assert.equal(failure.statusCode, status, what);
    assert.match(failure.message, message, what);
  }
  for (
    const [bucket, owner] of [
      ["avatars", candidate.id],
      ["resumes", candidate.id],
      ["company-logos", company.id],
    ]
  ) {
    assert.equal(await storedObjects(bucket, owner), 0, `nothing stored in ${bucket}/${owner}`);
  }
});

Deno.test("a listing is one level of folders, names relative to it", async () => {
  const candidate = await createUser("candidate");
  for (const name of ["cv-fr.pdf", "archive/cv-2024.pdf", "archive/old/cv-2020.pdf"]) {
    check(
      await candidate.client.storage.from("resumes").upload(`${candidate.id}/${name}`, PDF, {
        contentType: "application/pdf",
      }),
    );
  }
  const level = (prefix: string, options = {}) =>
    candidate.client.storage.from("resumes").list(prefix, options).then((result) =>
      unwrap(result).map((entry) => `${entry.name}${entry.id ? "" : "/"}`)
    );
  assert.deepEqual(await level(candidate.id), ["archive/", "cv-fr.pdf"]);
  assert.deepEqual(await level(`${candidate.id}/archive`), ["cv-2024.pdf", "old/"]);
  assert.deepEqual(await level(candidate.id, { search: "CV" }), ["cv-fr.pdf"]);
  assert.deepEqual(await level(candidate.id, { limit: 1, offset: 1 }), ["cv-fr.pdf"]);
  assert.deepEqual(await level(""), [`${candidate.id}/`], "the root shows her folder only");
});
