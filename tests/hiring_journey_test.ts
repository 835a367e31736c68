// The hiring journey with supabase-js, end to end through the notifications pipeline: a new
// application reaches the company's inbox live (user:<id> over Realtime), every status change
// reaches the candidate's, and a burst of 200 applications is grouped into a digest.

import assert from "node:assert/strict";
import { createUser, serviceClient, sql } from "./_support/platform.ts";
import { check, closeRealtime, unwrap } from "./_support/messaging.ts";
import {
  apply,
  candidates,
  dataOf,
  listenToInbox,
  moveApplication,
  publishOffer,
} from "./_support/hiring.ts";

Deno.test(
  "apply, then each status change: the other side is told live, and both read the history",
  async () => {
    const company = await createUser("company", { company_name: "Atelier Recrutement" });
    const candidate = await createUser("candidate", { full_name: "Camille Martin" });
    try {
      const jobId = await publishOffer(company);
      const companyInbox = await listenToInbox(company);
      const candidateInbox = await listenToInbox(candidate);

      const applicationId = await apply(candidate.client, jobId);
      const told = await companyInbox.next((row) => dataOf(row).applicationId === applicationId);
      assert.equal(told.type, "application");
      assert.equal(told.title, "Nouvelle candidature de Camille Martin");
      assert.equal(dataOf(told).jobId, jobId);

      const steps = ["reviewing", "interview", "offer", "hired"];
      for (const status of steps) {
        await moveApplication(company.client, applicationId, status, `Étape ${status}`);
        const row = await candidateInbox.next((row) =>
          dataOf(row).applicationId === applicationId && dataOf(row).status === status
        );
        assert.equal(row.type, "application");
        assert.equal(dataOf(row).message, `Étape ${status}`);
      }
      const { count } = await candidate.client.from("notifications")
        .select("id", { count: "exact", head: true })
        .eq("type", "application");
      assert.equal(count, steps.length, "one inbox row per status change, none twice");

      const mine = unwrap(
        await candidate.client.from("v_candidate_applications").select("*")
          .eq("application_id", applicationId).single(),
      );
      assert.deepEqual(
        (mine.history as { to_status: string }[]).map((event) => event.to_status),
        ["submitted", ...steps],
      );
      const history = unwrap(
        await company.client.from("job_application_events").select("to_status, changed_by")
          .eq("application_id", applicationId).order("id"),
      );
      assert.deepEqual(history.map((event) => event.to_status), ["submitted", ...steps]);
      assert.equal(history.at(-1)!.changed_by, company.id);

      const refused = await candidate.client.rpc("set_application_status", {
        p_application_id: applicationId,
        p_status: "withdrawn",
      });
      assert.equal(refused.error?.code, "42501", "a hired application is final");
    } finally {
      await closeRealtime(company.client, candidate.client);
    }
  },
);

Deno.test("a withdrawal is told to the company", async () => {
  const company = await createUser("company");
  const candidate = await createUser("candidate");
  try {
    await sql`update public.notification_preferences set application_digest_minutes = 0
      where user_id = ${company.id}`;
    const jobId = await publishOffer(company);
    const inbox = await listenToInbox(company);
    const applicationId = await apply(candidate.client, jobId);
    await moveApplication(candidate.client, applicationId, "withdrawn", "Poste pourvu ailleurs");
    const row = await inbox.next((row) =>
      dataOf(row).applicationId === applicationId && dataOf(row).withdrawals === 1
    );
    assert.match(String(row.title), /a retiré sa candidature$/);
  } finally {
    await closeRealtime(company.client, candidate.client);
  }
});

Deno.test(
  "a burst of 200 applications reaches the company as one notification and one digest",
  async () => {
    const company = await createUser("company");
    try {
      const jobId = await publishOffer(company, "Offre très demandée");
      const inbox = await listenToInbox(company);
      const applicants = await candidates(200);
      await Promise.all(applicants.map(({ client }) => apply(client, jobId)));

      const first = await inbox.next((row) => dataOf(row).jobId === jobId);
      assert.equal(dataOf(first).applications, 1, "the first application is told at once");
      const [digest] = await sql`select pending_applications from private.application_digests
        where job_id = ${jobId}`;
      assert.equal(digest.pending_applications, 199, "the others wait for the digest");

      // What pg_cron does every minute, once the company's period (15 minutes) has passed.
      await sql`update private.application_digests set due_at = now() where job_id = ${jobId}`;
      const [{ sent }] = await sql`select private.flush_application_digests() as sent`;
      assert.ok(sent >= 1);
      const grouped = await inbox.next((row) => dataOf(row).digest === true);
      assert.equal(grouped.title, "199 nouvelles candidatures");
      assert.equal(dataOf(grouped).applications, 199);

      const rows = await sql`select count(*)::int as n from public.notifications
        where user_id = ${company.id} and type = 'application'`;
      assert.equal(rows[0].n, 2, "200 applications, 2 notifications");
      const { data: ranked } = await company.client.rpc("get_job_candidates", {
        p_job_id: jobId,
        p_limit: 100,
      });
      assert.equal(ranked?.length, 100, "the company pages through its 200 applicants");
    } finally {
      await closeRealtime(company.client);
    }
  },
);

Deno.test("an offer with applications is closed, never deleted", async () => {
  const company = await createUser("company");
  const candidate = await createUser("candidate");
  const jobId = await publishOffer(company);
  const applicationId = await apply(candidate.client, jobId);

  const toDraft = await company.client.from("jobs").update({ status: "draft" }).eq("id", jobId);
  assert.equal(toDraft.status, 400);
  assert.equal(toDraft.error?.code, "23514");
  const byService = await serviceClient().from("jobs").delete().eq("id", jobId);
  assert.equal(byService.status, 409);
  assert.match(byService.error?.message ?? "", /has applications and cannot be deleted/);
  check(await company.client.from("jobs").update({ status: "closed" }).eq("id", jobId));

  const mine = unwrap(
    await candidate.client.from("v_candidate_applications").select("job_status")
      .eq("application_id", applicationId).single(),
  );
  assert.equal(mine.job_status, "closed", "the candidate still reads the closed offer");
  const theirs = unwrap(
    await company.client.from("job_applications").select("id").eq("job_id", jobId),
  );
  assert.equal(theirs.length, 1, "the company still reads the application");
});
