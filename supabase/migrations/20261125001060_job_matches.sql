-- job_matches: the score (0-100) of a candidate for an offer, with its explanation, written by
-- the matching pipeline (service role) only. The candidate reads their matches, the company
-- those of its offers, for the candidates it may read (open to work, or who applied): a
-- candidate who is not looking is not surfaced to recruiters by the matching.
-- v_candidate_job_matches is the candidate's list of matched offers.

create table public.job_matches (
  job_id uuid not null references public.jobs (id) on delete cascade,
  candidate_id uuid not null references public.candidates (id) on delete cascade,
  match_score integer not null
    constraint job_matches_match_score_range check (match_score between 0 and 100),
  explanation jsonb not null default '{}'
    constraint job_matches_explanation_is_object check (jsonb_typeof(explanation) = 'object'),
  computed_at timestamptz not null default now(),
  primary key (job_id, candidate_id)
);
comment on table public.job_matches is
  'Match of a candidate with an offer; written by the matching pipeline only.';
comment on column public.job_matches.explanation is
  'Why this score: per-criterion points (skills, level, location...), as a JSON object.';

-- A company ranks the candidates of an offer; a candidate ranks their offers.
create index job_matches_job_score_idx on public.job_matches (job_id, match_score desc);
create index job_matches_candidate_score_idx on public.job_matches (candidate_id, match_score desc);

revoke all on table public.job_matches from anon, authenticated;
grant select on table public.job_matches to authenticated;

alter table public.job_matches enable row level security;

-- The signed-in candidate's matches on published offers, best first when ordered by match_score.
-- security_invoker: the RLS of job_matches, jobs and companies applies to the caller.
create view public.v_candidate_job_matches
with (security_invoker = true)
as
select
  match.job_id,
  match.candidate_id,
  match.match_score,
  match.explanation,
  match.computed_at,
  job.title,
  job.company_id,
  company.name as company_name,
  job.location,
  job.remote_policy,
  job.contract_type,
  job.experience_level,
  job.salary_min,
  job.salary_max,
  job.required_skills,
  job.published_at,
  exists (
    select 1 from public.job_applications as application
    where application.job_id = match.job_id and application.candidate_id = match.candidate_id
  ) as has_applied
from public.job_matches as match
join public.jobs as job on job.id = match.job_id and job.status = 'published'
join public.companies as company on company.id = job.company_id
where match.candidate_id = (select auth.uid());

comment on view public.v_candidate_job_matches is
  'Matches of the signed-in candidate on published offers, with the offer and its company.';

revoke all on table public.v_candidate_job_matches from anon, authenticated;
grant select on table public.v_candidate_job_matches to authenticated;
