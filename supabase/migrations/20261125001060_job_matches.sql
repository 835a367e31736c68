-- job_matches: the score (0-100) of a candidate for an offer, written by the matching pipeline
-- (service role) only: each offer's best candidates, each candidate's best offers, and every
-- applicant's pair (the lists of 20261125002010). The candidate reads their matches, the company
-- those of its offers, for the candidates it may read (open to work, or who applied): a candidate
-- who is not looking is not surfaced to recruiters by the matching. A row holds what listing and
-- ranking read; why a pair scores what it does is derived when it is read (v_candidate_job_matches,
-- get_job_candidates, from matching's one scoring view in 20261125002010).
--
-- No foreign keys: their per-row checks were two thirds of the cost of storing a new offer's
-- thousands of matches (bench/matching). The matching pipeline writes only pairs it has just read
-- from both tables, and the statement triggers below remove the matches of deleted offers and
-- candidates, as `on delete cascade` did.

create table public.job_matches (
  job_id uuid not null,
  candidate_id uuid not null,
  match_score integer not null
    constraint job_matches_match_score_range check (match_score between 0 and 100),
  computed_at timestamptz not null default now(),
  -- Candidate first: a candidate's matches are one range of the key; the offer side has its own
  -- ranking index.
  primary key (candidate_id, job_id)
);
comment on table public.job_matches is
  'Match of a candidate with an offer, kept while it is among the offer''s best candidates or the '
  'candidate''s best offers (200 each), or the candidate applied; written by the matching '
  'pipeline only.';
comment on column public.job_matches.job_id is 'The offer (public.jobs.id).';
comment on column public.job_matches.candidate_id is 'The candidate (public.candidates.id).';

-- A company ranks the candidates of an offer best first, ties by candidate, and stops after a
-- page; a candidate's matches are read through the primary key.
create index job_matches_job_rank_idx
  on public.job_matches (job_id, match_score desc, candidate_id desc);

revoke all on table public.job_matches from anon, authenticated;
grant select on table public.job_matches to authenticated;

alter table public.job_matches enable row level security;

-- The matches of deleted offers and candidates go with them, one statement per deletion.
create function private.delete_job_matches_of_deleted()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if tg_table_name = 'jobs' then
    delete from public.job_matches as match
    using deleted_rows where match.job_id = deleted_rows.id;
  else
    delete from public.job_matches as match
    using deleted_rows where match.candidate_id = deleted_rows.id;
  end if;
  return null;
end;
$$;

create trigger jobs_delete_matches
  after delete on public.jobs
  referencing old table as deleted_rows
  for each statement execute function private.delete_job_matches_of_deleted();

create trigger candidates_delete_matches
  after delete on public.candidates
  referencing old table as deleted_rows
  for each statement execute function private.delete_job_matches_of_deleted();
