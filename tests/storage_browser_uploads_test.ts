// Uploads as a browser makes them: supabase-js sends a Blob or File as multipart/form-data (the
// file in a part named "", `cacheControl` in a field). The bucket's type and size limits and its
// policies hold for them as for raw bodies, `update` replaces the bytes, and the object is served
// with the part's type and the requested cache control.

import assert from "node:assert/strict";
import { createUser, sql } from "./_support/platform.ts";
import { check, unwrap } from "./_support/messaging.ts";

const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  ),
  (char) => char.charCodeAt(0),
);
const TWO_MB = 2 * 1024 * 1024;

const png = (bytes: Uint8Array) => new Blob([bytes.slice()], { type: "image/png" });

async function storedObjects(prefix: string): Promise<number> {
  const [row] = await sql`select count(*)::int as n from storage.objects
    where bucket_id = 'avatars' and name like ${prefix + "/%"}`;
  return row.n;
}

Deno.test("a Blob is uploaded, replaced and served as the browser sent it", async () => {
  const member = await createUser("candidate");
  const avatars = member.client.storage.from("avatars");
  const path = `${member.id}/avatar.png`;
  check(await avatars.upload(path, png(PNG), { cacheControl: "60", upsert: true }));
  const { publicUrl } = avatars.getPublicUrl(path).data;
  const served = await fetch(publicUrl);
  assert.equal(served.headers.get("content-type"), "image/png");
  assert.equal(served.headers.get("cache-control"), "max-age=60");
  assert.deepEqual(new Uint8Array(await served.arrayBuffer()), PNG);

  // `update` (PUT) stores the file, not the multipart body around it.
  const replacement = Uint8Array.from([...PNG, 0]);
  check(await avatars.update(path, png(replacement)));
  const downloaded = unwrap(await avatars.download(path));
  assert.deepEqual(new Uint8Array(await downloaded.arrayBuffer()), replacement);
  assert.equal(downloaded.type, "image/png");
  check(await member.client.from("profiles").update({ avatar_path: path }).eq("id", member.id));
});

Deno.test("a Blob that the bucket or its policies refuse stores nothing", async () => {
  const [member, other] = await Promise.all([createUser("candidate"), createUser("company")]);
  const avatars = member.client.storage.from("avatars");
  const refusals = [
    [await avatars.upload(`${other.id}/avatar.png`, png(PNG)), "403"],
    [await avatars.upload(`${member.id}/big.png`, png(new Uint8Array(TWO_MB + 1))), "413"],
    [
      await avatars.upload(
        `${member.id}/cv.pdf`,
        new Blob(["%PDF-1.4"], { type: "application/pdf" }),
      ),
      "415",
    ],
  ] as const;
  for (const [{ error }, statusCode] of refusals) {
    assert.equal((error as { statusCode?: string } | null)?.statusCode, statusCode);
  }
  assert.equal(await storedObjects(member.id), 0);
  assert.equal(await storedObjects(other.id), 0);
});

Deno.test.afterAll(() => sql.end());
