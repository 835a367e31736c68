-- v_candidate_applications: the signed-in candidate's applications, newest first when ordered by
-- applied_at, each with its offer, its company and its status history (oldest first).
-- security_invoker: the RLS of job_applications, jobs (closed offers stay visible to their
-- applicants), companies and job_application_events applies to the caller.

create view public.v_candidate_applications
with (security_invoker = true)
as
select
  application.id as application_id,
  application.job_id,
  application.status,
  application.cover_letter,
  application.resume_path,
  application.created_at as applied_at,
  application.updated_at,
  job.title as job_title,
  job.status as job_status,
  job.location as job_location,
  job.contract_type,
  job.remote_policy,
  job.company_id,
  company.name as company_name,
  company.logo_path as company_logo_path,
  coalesce(
    (
      select jsonb_agg(
        jsonb_build_object(
          'id', event.id,
          'from_status', event.from_status,
          'to_status', event.to_status,
          'changed_by', event.changed_by,
          'message', event.message,
          'created_at', event.created_at
        ) order by event.created_at, event.id
      )
      from public.job_application_events as event
      where event.application_id = application.id
    ),
    '[]'::jsonb
  ) as history
from public.job_applications as application
join public.jobs as job on job.id = application.job_id
join public.companies as company on company.id = job.company_id
where application.candidate_id = (select auth.uid());

comment on view public.v_candidate_applications is
  'Applications of the signed-in candidate with offer, company and status history '
  '(history: [{id, from_status, to_status, changed_by, message, created_at}], oldest first).';

revoke all on table public.v_candidate_applications from anon, authenticated;
grant select on table public.v_candidate_applications to authenticated;
