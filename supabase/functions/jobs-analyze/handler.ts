// jobs-analyze: the old backend's job analysis webhook. Queues the offer on job_matching and
// answers at once (202 with a processingId); the worker extracts its skills and matches it against
// every candidate in the background.
//
// Body: {jobId, title?, description?, requiredSkills?, experienceLevel?, location?}. The offer row
// is the source of truth: the optional fields the old backend sent are validated and accepted for
// compatibility, but matching reads the offer as stored (companies edit it through the API, which
// queues it again by itself).

import { z } from "../_shared/deps.ts";
import { fields } from "../_shared/body.ts";
import { accepted, defineWebhook } from "../_shared/endpoint.ts";
import { HttpError } from "../_shared/http.ts";
import { Constants } from "../_shared/database.types.ts";

const jobsAnalyzeBody = z.object({
  jobId: fields.uuid(),
  title: fields.text(200).optional(),
  description: fields.text(20_000).optional(),
  requiredSkills: z.array(fields.text(100)).max(50, { message: "at most 50 skills" }).optional(),
  experienceLevel: z.enum(Constants.public.Enums.experience_level).optional(),
  location: fields.text(200).optional(),
}).strict();

export const createJobsAnalyzeHandler = defineWebhook(
  "jobs-analyze",
  jobsAnalyzeBody,
  async ({ body, sql }) => {
    const processingId = crypto.randomUUID();
    const [queued] = await sql<{ msg_id: string }[]>`
      select private.enqueue('job_matching', ${
      sql.json({ jobId: body.jobId, reason: "webhook", processingId })
    }::jsonb) as msg_id
      from public.jobs where id = ${body.jobId}::uuid`;
    if (!queued) throw new HttpError(404, "job_not_found", `No job has the id ${body.jobId}.`);
    console.log(`jobs-analyze: job ${body.jobId} queued (processingId ${processingId})`);
    return accepted({ jobId: body.jobId, message: "Job analysis queued", processingId });
  },
);
