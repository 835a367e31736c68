-- Visibility rules that span tables: who may read a candidate, and which closed offers a candidate
-- still sees. They come after jobs, job_applications and job_matches because they read all three.
-- The helpers are security definer so that a policy asking them does not re-enter the RLS of the
-- tables they read (whose own policies read back the table being checked).

-- Ids of the candidates the signed-in company may read: applicants to its offers, and candidates
-- open to work who matched one of them.
create function private.company_visible_candidate_ids()
returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select application.candidate_id
  from public.job_applications as application
  join public.jobs as job on job.id = application.job_id
  where job.company_id = (select auth.uid())
  union
  select match.candidate_id
  from public.job_matches as match
  join public.jobs as job on job.id = match.job_id
  join public.candidates as candidate on candidate.id = match.candidate_id
  where job.company_id = (select auth.uid()) and candidate.open_to_work;
$$;
grant execute on function private.company_visible_candidate_ids() to authenticated, service_role;

create policy "Candidates read themselves, companies applicants and matches"
  on public.candidates for select
  to authenticated
  using (id = (select auth.uid()) or id in (select private.company_visible_candidate_ids()));

-- A company sees a match only for a candidate it may read (open to work, or an applicant).
create policy "The candidate and the hiring company read a match"
  on public.job_matches for select
  to authenticated
  using (
    candidate_id = (select auth.uid())
    or (
      job_id in (select private.company_job_ids())
      and candidate_id in (select private.company_visible_candidate_ids())
    )
  );

-- Ids of the offers the signed-in candidate applied to.
create function private.applied_job_ids()
returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select application.job_id
  from public.job_applications as application
  where application.candidate_id = (select auth.uid());
$$;
grant execute on function private.applied_job_ids() to authenticated, service_role;

-- A candidate keeps seeing an offer they applied to after it closes.
create policy "Members read published, own-company and applied-to offers"
  on public.jobs for select
  to authenticated
  using (
    status = 'published'
    or company_id = (select auth.uid())
    or id in (select private.applied_job_ids())
  );
