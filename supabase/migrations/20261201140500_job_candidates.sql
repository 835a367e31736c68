-- get_job_candidates: the company's ranked view of one of its offers — applicants and matched
-- candidates together, best match first, keyset-paginated. It shows what the privacy rules let the
-- company see (docs/data-model.md): applicants, and candidates open to work who matched; a matched
-- candidate who is not looking does not appear. The CV sent with an application is given for live
-- (not withdrawn) applications only, as the resumes bucket's policy allows.
--
-- Order: match_score descending (applicants not scored yet rank after every score, as -1), then
-- candidate_id descending. Next page: p_after_score = coalesce(last.match_score, -1),
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
  public_name text,
  avatar_path text,
  headline text,
  skills text[],
  experience_level public.experience_level,
  years_experience integer,
  location text,
  open_to_work boolean,
  match_score integer,
  explanation jsonb,
  application_id uuid,
  application_status public.application_status,
  applied_at timestamptz,
  resume_path text
)
language plpgsql stable security definer
set search_path = ''
as $$
declare
  caller constant uuid := private.require_signed_in('get_job_candidates');
  ranked_ids uuid[];
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

  -- The page's candidates in order: scored ones from the (job, score, candidate) index, which
  -- stops after p_limit rows; applicants not scored yet (all ranked below every score) only once
  -- the scored ones are exhausted.
  select coalesce(array_agg(page.candidate_id order by page.match_score desc, page.candidate_id desc), '{}')
  into ranked_ids
  from (
    select match.candidate_id, match.match_score
    from public.job_matches as match
    join public.candidates as candidate on candidate.id = match.candidate_id
    left join public.job_applications as application
      on application.job_id = match.job_id and application.candidate_id = match.candidate_id
    where match.job_id = p_job_id
      and (
        p_after_score is null
        or (match.match_score, match.candidate_id) < (p_after_score, p_after_candidate_id)
      )
      and (application.id is not null or (candidate.open_to_work and not coalesce(p_applicants_only, false)))
    order by match.match_score desc, match.candidate_id desc
    limit p_limit
  ) as page;
  if cardinality(ranked_ids) < p_limit then
    select ranked_ids || coalesce(array_agg(page.candidate_id order by page.candidate_id desc), '{}')
    into ranked_ids
    from (
      select application.candidate_id
      from public.job_applications as application
      where application.job_id = p_job_id
        and (
          p_after_score is null
          or (-1, application.candidate_id) < (p_after_score, p_after_candidate_id)
        )
        and not exists (
          select 1 from public.job_matches as match
          where match.job_id = p_job_id and match.candidate_id = application.candidate_id
        )
      order by application.candidate_id desc
      limit p_limit - cardinality(ranked_ids)
    ) as page;
  end if;

  return query
  select
    ranked.candidate_id,
    profile.public_name,
    profile.avatar_path,
    candidate.headline,
    candidate.skills,
    candidate.experience_level,
    candidate.years_experience,
    candidate.location,
    candidate.open_to_work,
    match.match_score,
    fit.explanation,
    application.id,
    application.status,
    application.created_at,
    case when application.status <> 'withdrawn' then application.resume_path end
  from unnest(ranked_ids) with ordinality as ranked (candidate_id, position)
  join public.candidates as candidate on candidate.id = ranked.candidate_id
  join public.profiles as profile on profile.id = ranked.candidate_id
  left join public.job_matches as match
    on match.job_id = p_job_id and match.candidate_id = ranked.candidate_id
  -- Why the stored score: derived from the offer and the candidate as they are now.
  left join private.job_candidate_scores as fit
    on fit.job_id = match.job_id and fit.candidate_id = match.candidate_id
  left join public.job_applications as application
    on application.job_id = p_job_id and application.candidate_id = ranked.candidate_id
  order by ranked.position;
end;
$$;
comment on function public.get_job_candidates(uuid, integer, integer, uuid, boolean) is
  'For the owning company: applicants and open-to-work matched candidates of an offer, best '
  'match first; keyset cursor (coalesce(match_score, -1), candidate_id).';
grant execute on function public.get_job_candidates(uuid, integer, integer, uuid, boolean)
  to authenticated, service_role;
