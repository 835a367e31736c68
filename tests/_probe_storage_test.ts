import { createUser } from "./_support/platform.ts";
import { platform } from "./_support/platform.ts";
Deno.test("probe", async () => {
  const cand = await createUser("candidate");
  await cand.client.storage.from("resumes").upload(`${cand.id}/cv.pdf`, new TextEncoder().encode("%PDF-1.4"), { contentType: "application/pdf" });
  const r = await fetch(`${platform.url}/storage/v1/object/sign/resumes/${cand.id}/cv.pdf`, { method: "POST", headers: { authorization: `Bearer ${cand.accessToken}`, apikey: platform.publishableKey, "content-type": "application/json" }, body: JSON.stringify({ expiresIn: 60 }) });
  console.log(r.status, await r.text());
  const r2 = await fetch(`${platform.url}/storage/v1/object/sign/resumes`, { method: "POST", headers: { authorization: `Bearer ${cand.accessToken}`, apikey: platform.publishableKey, "content-type": "application/json" }, body: JSON.stringify({ expiresIn: 60, paths: [`${cand.id}/cv.pdf`] }) });
  console.log(r2.status, await r2.text());
});
