-- get_job_candidates: the company's ranked view of one of its offers — applicants and matched
-- candidates together, best match first, keyset-paginated. It shows what the privacy rules let the
-- company see (docs/data-model.md): applicants, and candidates open to work who matched; a matched
-- candidate who is not looking does not appear. The CV sent with an application is given for live
-- (not withdrawn) applications only, as the resumes bucket's policy allows.
--
-- Order: match_score descending (applicants not scored yet rank after every score, as -1), then
-- candidate_id. Next page: p_after_score = coalesce(last.match_score, -1),
-- p_after_candidate_id = last.candidate_id.

create function public.get_job_candidates(
  p_job_id uuid,
  p_limit integer default 20,
  p_after_score integer default null,
  p_after_candidate_id uuid default null,
  p_applicants_only boolean default false
)
returns table (
  candidate_id uuid,
  full_name text,
  avatar_path text,
  headline text,
  skills text[],
  experience_level text,
  years_experience integer,
  location text,
  open_to_work boolean,
  match_score integer,
  explanation jsonb,
  application_id uuid,
  application_status text,
  applied_at timestamptz,
  resume_path text
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  caller constant uuid := private.require_signed_in('get_job_candidates');
begin
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception using errcode = '22023', message = 'p_limit: between 1 and 100';
  end if;
  if (p_after_score is null) <> (p_after_candidate_id is null) then
    raise exception using
      errcode = '22023',
      message = 'p_after_score and p_after_candidate_id: give both (the last row''s) or neither';
  end if;
  if p_after_score not between -1 and 100 then
    raise exception using errcode = '22023', message = 'p_after_score: between -1 and 100';
  end if;
  if not exists (
    select 1 from public.jobs as job where job.id = p_job_id and job.company_id = caller
  ) then
    raise exception using
      errcode = 'PT404',
      message = format('get_job_candidates: offer %s not found among your offers', p_job_id);
  end if;

  return query
  with ranked as (
    select
      coalesce(application.candidate_id, match.candidate_id) as candidate_id,
      match.match_score,
      match.explanation,
      application.id as application_id,
      application.status as application_status,
      application.created_at as applied_at,
      case when application.status <> 'withdrawn' then application.resume_path end as resume_path
    from (select * from public.job_matches where job_id = p_job_id) as match
    full join (select * from public.job_applications where job_id = p_job_id) as application
      on application.candidate_id = match.candidate_id
    where not coalesce(p_applicants_only, false) or application.id is not null
  )
  select
    ranked.candidate_id,
    profile.full_name,
    profile.avatar_path,
    candidate.headline,
    candidate.skills,
    candidate.experience_level,
    candidate.years_experience,
    candidate.location,
    candidate.open_to_work,
    ranked.match_score,
    ranked.explanation,
    ranked.application_id,
    ranked.application_status,
    ranked.applied_at,
    ranked.resume_path
  from ranked
  join public.candidates as candidate on candidate.id = ranked.candidate_id
  join public.profiles as profile on profile.id = ranked.candidate_id
  where (ranked.application_id is not null or candidate.open_to_work)
    and (
      p_after_score is null
      or (coalesce(ranked.match_score, -1), ranked.candidate_id)
        < (p_after_score, p_after_candidate_id)
    )
  order by coalesce(ranked.match_score, -1) desc, ranked.candidate_id desc
  limit p_limit;
end;
$$;
comment on function public.get_job_candidates(uuid, integer, integer, uuid, boolean) is
  'For the owning company: applicants and open-to-work matched candidates of an offer, best '
  'match first; keyset cursor (coalesce(match_score, -1), candidate_id).';
revoke execute on function public.get_job_candidates(uuid, integer, integer, uuid, boolean)
  from public, anon;
grant execute on function public.get_job_candidates(uuid, integer, integer, uuid, boolean)
  to authenticated, service_role;
