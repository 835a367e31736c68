-- Candidate/job matching, set-based: one statement scores every candidate of an offer (or every
-- offer of a candidate) through GIN indexes on canonical skills, upserts job_matches, removes the
-- matches that no longer hold, and asks for job alerts.
--
--   private.match_settings()          the weights and thresholds, in this one place
--   private.job_candidate_scores      view: the score and explanation of every pair sharing a skill
--   private.match_job(job_id)         (re)matches one offer; called by the job_matching worker
--   private.match_candidate(id)       (re)matches one candidate; called by the candidate_matching worker
--
-- Score (0-100): required-skill coverage, nice-to-have coverage, experience level, location and
-- remote work, each worth its weight. A pair is considered only when the candidate is open to work,
-- the offer is published and the candidate holds at least one of its required skills (any of its
-- skills when it lists no required one); it is stored when it scores at least min_score.

-- What matching compares, kept on the rows by triggers so the scoring query reads plain columns.
alter table public.jobs
  add column match_required_skills text[] not null default '{}',
  add column match_nice_to_have_skills text[] not null default '{}',
  add column match_skills text[] not null
    generated always as (match_required_skills || match_nice_to_have_skills) stored,
  add column match_location text;
comment on column public.jobs.match_required_skills is
  'Canonical required skills: required_skills plus skills named in the title (matching).';
comment on column public.jobs.match_nice_to_have_skills is
  'Canonical nice-to-have skills: nice_to_have_skills plus skills named in the description, '
  'minus the required ones (matching).';
comment on column public.jobs.match_location is 'City key of location (matching).';

alter table public.candidates
  add column match_skills text[] not null default '{}',
  add column match_location text;
comment on column public.candidates.match_skills is 'Canonical skills (matching).';
comment on column public.candidates.match_location is 'City key of location (matching).';

create index jobs_match_skills_idx on public.jobs using gin (match_skills)
  where status = 'published';
create index candidates_match_skills_idx on public.candidates using gin (match_skills)
  where open_to_work;

-- The weights (they add up to 100) and thresholds of matching. Immutable, so a query calling it
-- folds the values into its plan.
create function private.match_settings(
  out required_skills_weight numeric,
  out nice_to_have_skills_weight numeric,
  out experience_weight numeric,
  out location_weight numeric,
  -- Pairs scoring less are not stored.
  out min_score integer,
  -- At most this many job alerts for one candidate-side change (the best new matches).
  out max_alerts_per_candidate_change integer
)
language sql
immutable
set search_path = ''
as $$
  select 50::numeric, 15::numeric, 20::numeric, 15::numeric, 40, 10;
$$;
revoke execute on function private.match_settings() from public;

-- "Paris 15e", "75011 Paris, France", "paris" -> "paris": folded, before the first comma or
-- parenthesis, without words holding digits (postcodes, arrondissements).
create function private.location_key(p_location text)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
  select nullif(btrim(regexp_replace(regexp_replace(
    split_part(split_part(private.fold_text(p_location), ',', 1), '(', 1),
    '\S*[0-9]\S*', ' ', 'g'), '\s+', ' ', 'g')), '');
$$;
revoke execute on function private.location_key(text) from public;

-- Keeps the matching columns of an offer current and marks it for analysis when anything matching
-- reads changes. Security definer: company users write offers and have no access to `private`.
create function private.prepare_job_for_matching()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT'
     or (new.title, new.description, new.required_skills, new.nice_to_have_skills)
        is distinct from (old.title, old.description, old.required_skills, old.nice_to_have_skills)
  then
    new.match_required_skills := private.canonical_skills(
      new.required_skills || private.extract_skills(new.title)
    );
    new.match_nice_to_have_skills := array(
      select skill
      from unnest(private.canonical_skills(
        new.nice_to_have_skills || private.extract_skills(new.description)
      )) as skill
      where skill <> all (new.match_required_skills)
      order by skill
    );
  end if;
  new.match_location := private.location_key(new.location);
  if tg_op = 'UPDATE' and (
    new.status, new.match_required_skills, new.match_nice_to_have_skills, new.experience_level,
    new.match_location, new.remote_policy
  ) is distinct from (
    old.status, old.match_required_skills, old.match_nice_to_have_skills, old.experience_level,
    old.match_location, old.remote_policy
  ) then
    new.analysis_completed := false;
  end if;
  return new;
end;
$$;
revoke execute on function private.prepare_job_for_matching() from public;

create trigger jobs_prepare_matching
  before insert or update of title, description, required_skills, nice_to_have_skills,
    experience_level, location, remote_policy, status
  on public.jobs
  for each row execute function private.prepare_job_for_matching();

create function private.prepare_candidate_for_matching()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.match_skills := private.canonical_skills(new.skills);
  new.match_location := private.location_key(new.location);
  return new;
end;
$$;
revoke execute on function private.prepare_candidate_for_matching() from public;

create trigger candidates_prepare_matching
  before insert or update of skills, location on public.candidates
  for each row execute function private.prepare_candidate_for_matching();

-- Recomputes the matching columns wherever they differ from what the dictionary gives now: after a
-- change of the dictionary, or for rows loaded with triggers off (bulk loads). Offers whose skills
-- changed are marked for analysis; nothing is queued (rematching is the caller's decision).
-- Returns how many offers and candidates changed.
create function private.refresh_matching_columns()
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  jobs_changed integer;
  candidates_changed integer;
begin
  with computed as (
    select job.id, required.skills as required_skills,
      array(
        select skill
        from unnest(private.canonical_skills(
          job.nice_to_have_skills || private.extract_skills(job.description)
        )) as skill
        where skill <> all (required.skills)
        order by skill
      ) as nice_skills,
      private.location_key(job.location) as location
    from public.jobs as job
    cross join lateral (
      select private.canonical_skills(job.required_skills || private.extract_skills(job.title))
        as skills
    ) as required
  )
  update public.jobs as job
  set match_required_skills = computed.required_skills,
      match_nice_to_have_skills = computed.nice_skills,
      match_location = computed.location,
      analysis_completed = job.analysis_completed
        and (job.match_required_skills, job.match_nice_to_have_skills)
          = (computed.required_skills, computed.nice_skills)
  from computed
  where computed.id = job.id
    and (job.match_required_skills, job.match_nice_to_have_skills, job.match_location)
      is distinct from (computed.required_skills, computed.nice_skills, computed.location);
  get diagnostics jobs_changed = row_count;

  -- Set-based: each distinct skill name and location is keyed once, however many candidates use
  -- it (a bulk load of a million candidates shares a few thousand spellings).
  with skill_names as materialized (
    select distinct skill.name
    from public.candidates as candidate
    cross join unnest(candidate.skills) as skill (name)
  ),
  canonical as materialized (
    select skill_names.name, coalesce(alias.skill, named.key) as skill
    from skill_names
    cross join lateral (select private.skill_key(skill_names.name) as key) as named
    left join private.skill_aliases as alias on alias.alias = named.key
    where named.key <> ''
  ),
  candidate_skills as (
    select candidate.id, array_agg(distinct canonical.skill order by canonical.skill) as skills
    from public.candidates as candidate
    cross join unnest(candidate.skills) as skill (name)
    join canonical on canonical.name = skill.name
    group by candidate.id
  ),
  locations as materialized (
    select distinct coalesce(location, '') as location, private.location_key(location) as key
    from public.candidates
  ),
  computed as (
    select candidate.id, coalesce(candidate_skills.skills, '{}') as skills, locations.key as location
    from public.candidates as candidate
    left join candidate_skills on candidate_skills.id = candidate.id
    join locations on locations.location = coalesce(candidate.location, '')
  )
  update public.candidates as candidate
  set match_skills = computed.skills, match_location = computed.location
  from computed
  where computed.id = candidate.id
    and (candidate.match_skills, candidate.match_location)
      is distinct from (computed.skills, computed.location);
  get diagnostics candidates_changed = row_count;

  return jsonb_build_object('jobs', jobs_changed, 'candidates', candidates_changed);
end;
$$;
revoke execute on function private.refresh_matching_columns() from public;
grant execute on function private.refresh_matching_columns() to service_role;

-- Rows written before this migration.
select private.refresh_matching_columns();

-- jobs.matched_candidates_count follows job_matches whoever writes it, by statement: one update
-- per offer touched. Deltas under the row lock of the offer are exact under concurrency.
create function private.count_job_matches()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    update public.jobs as job
    set matched_candidates_count = job.matched_candidates_count + delta.count
    from (select job_id, count(*) as count from new_matches group by job_id order by job_id) as delta
    where job.id = delta.job_id;
  else
    update public.jobs as job
    set matched_candidates_count = job.matched_candidates_count - delta.count
    from (select job_id, count(*) as count from old_matches group by job_id order by job_id) as delta
    where job.id = delta.job_id;
  end if;
  return null;
end;
$$;
revoke execute on function private.count_job_matches() from public;

create trigger job_matches_count_inserted
  after insert on public.job_matches
  referencing new table as new_matches
  for each statement execute function private.count_job_matches();

create trigger job_matches_count_deleted
  after delete on public.job_matches
  referencing old table as old_matches
  for each statement execute function private.count_job_matches();

update public.jobs as job
set matched_candidates_count = (select count(*) from public.job_matches where job_id = job.id);

-- The score of every (published offer, open candidate) pair sharing a skill, with its explanation,
-- except candidates holding none of the offer's required skills: level and location alone do not
-- make a match. Filter it by job_id or candidate_id: the planner reaches the other side through the
-- GIN index of match_skills.
--
-- Criteria (each a fraction of its weight):
--   skills      share of required skills held, and of nice-to-have skills held; when the offer
--               lists only one kind, that kind is worth both weights
--   experience  level junior < mid < senior < lead: no level asked 1, at or one above 1, two or
--               more above 0.75, one below 0.5, further below 0; level unknown 0.5
--   location    remote offer: 1 (0.5 for a candidate who wants on-site work); otherwise same city
--               1 (a candidate who wants remote work: hybrid 0.75, on-site 0.5), other city 0,
--               city unknown on either side 0.5 (offer) / 1 (no city on the offer)
create view private.job_candidate_scores as
select
  job.id as job_id,
  candidate.id as candidate_id,
  least(100, greatest(0, round(
    skills.required_points + skills.nice_points
    + fit.experience * settings.experience_weight
    + fit.location * settings.location_weight
  )))::integer as match_score,
  jsonb_build_object(
    'required_skills', jsonb_build_object(
      'points', round(skills.required_points, 1),
      'max', skills.required_max,
      'matched', to_jsonb(skills.required_matched),
      'missing', to_jsonb(skills.required_missing)
    ),
    'nice_to_have_skills', jsonb_build_object(
      'points', round(skills.nice_points, 1),
      'max', skills.nice_max,
      'matched', to_jsonb(skills.nice_matched)
    ),
    'experience', jsonb_build_object(
      'points', round(fit.experience * settings.experience_weight, 1),
      'max', settings.experience_weight,
      'job_level', job.experience_level,
      'candidate_level', candidate.experience_level
    ),
    'location', jsonb_build_object(
      'points', round(fit.location * settings.location_weight, 1),
      'max', settings.location_weight,
      'remote_policy', job.remote_policy,
      'remote_preference', candidate.remote_preference,
      'same_city', job.match_location = candidate.match_location
    )
  ) as explanation
from public.jobs as job
cross join private.match_settings() as settings
join public.candidates as candidate
  on candidate.open_to_work
  and candidate.match_skills && job.match_skills
  and (cardinality(job.match_required_skills) = 0
    or candidate.match_skills && job.match_required_skills)
cross join lateral (
  select
    array(select skill from unnest(job.match_required_skills) as skill
      where skill = any (candidate.match_skills) order by skill) as matched,
    array(select skill from unnest(job.match_required_skills) as skill
      where skill <> all (candidate.match_skills) order by skill) as missing,
    array(select skill from unnest(job.match_nice_to_have_skills) as skill
      where skill = any (candidate.match_skills) order by skill) as nice_matched,
    cardinality(job.match_required_skills) as required_count,
    cardinality(job.match_nice_to_have_skills) as nice_count
  -- A fence: the arrays are computed once per pair, not once per expression that reads them.
  offset 0
) as held
cross join lateral (
  select
    held.matched as required_matched,
    held.missing as required_missing,
    held.nice_matched,
    case
      when held.required_count = 0 then 0
      when held.nice_count = 0
        then settings.required_skills_weight + settings.nice_to_have_skills_weight
      else settings.required_skills_weight
    end as required_max,
    case
      when held.nice_count = 0 then 0
      when held.required_count = 0
        then settings.required_skills_weight + settings.nice_to_have_skills_weight
      else settings.nice_to_have_skills_weight
    end as nice_max
) as weights
cross join lateral (
  select
    weights.required_matched,
    weights.required_missing,
    weights.nice_matched,
    weights.required_max,
    weights.nice_max,
    case when held.required_count = 0 then 0
      else weights.required_max * cardinality(held.matched) / held.required_count
    end as required_points,
    case when held.nice_count = 0 then 0
      else weights.nice_max * cardinality(held.nice_matched) / held.nice_count
    end as nice_points
) as skills
cross join lateral (
  select
    array_position(array['junior', 'mid', 'senior', 'lead'], candidate.experience_level::text)
      - array_position(array['junior', 'mid', 'senior', 'lead'], job.experience_level::text)
      as level_gap
) as levels
cross join lateral (
  select
    case
      when job.experience_level is null then 1.0
      when candidate.experience_level is null then 0.5
      when levels.level_gap between 0 and 1 then 1.0
      when levels.level_gap > 1 then 0.75
      when levels.level_gap = -1 then 0.5
      else 0.0
    end as experience,
    case
      when job.remote_policy = 'remote' then
        case when candidate.remote_preference = 'onsite' then 0.5 else 1.0 end
      when job.match_location is null then 1.0
      when candidate.match_location is null then 0.5
      when job.match_location <> candidate.match_location then 0.0
      when candidate.remote_preference = 'remote' then
        case when job.remote_policy = 'hybrid' then 0.75 else 0.5 end
      else 1.0
    end as location
) as fit
where job.status = 'published' and job.moderation_status = 'approved';

comment on view private.job_candidate_scores is
  'Score (0-100) and explanation of every published offer x open-to-work candidate sharing a skill.';
revoke all on private.job_candidate_scores from public, anon, authenticated;

-- Asks for the job alerts of an offer (the notifications queue delivers them): one request per
-- 1,000 candidates, so that an offer matching many candidates costs a few queue messages, not one
-- each. The dedupe key "job_match:<job>" reaches each candidate once (the dispatcher keeps it per
-- user): a redelivered or re-analysed offer never alerts the same candidate twice.
create function private.request_job_alerts(p_job_id uuid, p_candidate_ids uuid[])
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  chunk_size constant integer := 1000;
  offer record;
  requests integer := 0;
begin
  if coalesce(cardinality(p_candidate_ids), 0) = 0 then
    return 0;
  end if;
  select job.title, company.name as company_name, job.location
  into offer
  from public.jobs as job
  join public.companies as company on company.id = job.company_id
  where job.id = p_job_id;
  for chunk_start in 1..cardinality(p_candidate_ids) by chunk_size loop
    perform private.request_notification(
      p_type := 'job_alert',
      -- Member text (title, company, city) is quoted and bounded, never in the platform's voice.
      p_title := format('Offre correspondant à votre profil : %s',
        private.quote_member_text(offer.title, 80)),
      p_body := format('Publiée par %s%s.', private.quote_member_text(offer.company_name, 60),
        coalesce(', ' || private.quote_member_text(offer.location, 40), '')),
      p_user_ids := p_candidate_ids[chunk_start:chunk_start + chunk_size - 1],
      p_data := jsonb_build_object('jobId', p_job_id),
      p_dedupe_key := format('job_match:%s', p_job_id)
    );
    requests := requests + 1;
  end loop;
  return requests;
end;
$$;
revoke execute on function private.request_job_alerts(uuid, uuid[]) from public;

-- (Re)matches one offer against every candidate. Idempotent: a second run with unchanged data
-- writes nothing and asks for no alert. Returns a summary for the worker's logs.
create function private.match_job(p_job_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  job_status text;
  summary record;
begin
  -- Serialises concurrent runs for the same offer; company edits wait for the end of the run.
  select status into job_status from public.jobs where id = p_job_id for no key update;
  if not found then
    return jsonb_build_object('jobId', p_job_id, 'outcome', 'job_not_found');
  end if;

  -- One statement, one snapshot: "previous" is the state before the upsert and the deletion.
  -- An unpublished offer has no scores, so all its matches are removed.
  with scored as materialized (
    select candidate_id, match_score, explanation
    from private.job_candidate_scores
    where job_id = p_job_id and match_score >= (private.match_settings()).min_score
  ),
  previous as (
    select candidate_id, match_score from public.job_matches where job_id = p_job_id
  ),
  upserted as (
    insert into public.job_matches as match (job_id, candidate_id, match_score, explanation)
    select p_job_id, candidate_id, match_score, explanation from scored
    on conflict (job_id, candidate_id) do update
      set match_score = excluded.match_score,
          explanation = excluded.explanation,
          computed_at = now()
      where (match.match_score, match.explanation)
        is distinct from (excluded.match_score, excluded.explanation)
    returning (xmax = 0) as is_new
  ),
  deleted as (
    delete from public.job_matches as match
    where match.job_id = p_job_id
      and not exists (select 1 from scored where scored.candidate_id = match.candidate_id)
    returning 1
  ),
  -- Candidates who opted in to job alerts and now reach their own threshold for the first time.
  newly_above_threshold as (
    select scored.candidate_id, scored.match_score
    from scored
    join public.candidates as candidate on candidate.id = scored.candidate_id
    join public.notification_preferences as preferences on preferences.user_id = candidate.id
    left join previous on previous.candidate_id = scored.candidate_id
    where scored.match_score >= candidate.match_threshold
      and preferences.job_alerts_enabled
      and (previous.match_score is null or previous.match_score < candidate.match_threshold)
  )
  select
    (select count(*) from scored) as matches,
    (select count(*) filter (where is_new) from upserted) as added,
    (select count(*) from deleted) as removed,
    array(
      select candidate_id from newly_above_threshold order by match_score desc, candidate_id
    ) as alerted
  into summary;

  perform private.request_job_alerts(p_job_id, summary.alerted);

  update public.jobs set analysis_completed = true, analyzed_at = now() where id = p_job_id;

  return jsonb_build_object(
    'jobId', p_job_id,
    'outcome', case when job_status = 'published' then 'matched' else 'unpublished' end,
    'matches', summary.matches,
    'added', summary.added,
    'removed', summary.removed,
    'alerts', cardinality(summary.alerted)
  );
end;
$$;
revoke execute on function private.match_job(uuid) from public;
grant execute on function private.match_job(uuid) to service_role;

-- (Re)matches one candidate against every published offer: finds the offers that newly match and
-- drops those that no longer do. A candidate who is not open to work has no matches.
create function private.match_candidate(p_candidate_id uuid)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  candidate_skills text[];
  summary record;
  alerted_job uuid;
begin
  select match_skills into candidate_skills
  from public.candidates where id = p_candidate_id for no key update;
  if not found then
    return jsonb_build_object('candidateId', p_candidate_id, 'outcome', 'candidate_not_found');
  end if;
  -- Before writing, lock in id order every offer this run may touch (its matches, its count).
  -- match_job holds its offer while writing that offer's matches: taking the offers first, in one
  -- order, is what keeps the two from deadlocking.
  perform 1
  from public.jobs as job
  where job.id in (
    select other.id from public.jobs as other
    where other.status = 'published' and other.moderation_status = 'approved'
      and other.match_skills && candidate_skills
    union
    select match.job_id from public.job_matches as match where match.candidate_id = p_candidate_id
  )
  order by job.id
  for no key update;

  with scored as materialized (
    select job_id, match_score, explanation
    from private.job_candidate_scores
    where candidate_id = p_candidate_id
      and match_score >= (private.match_settings()).min_score
  ),
  previous as (
    select job_id, match_score from public.job_matches where candidate_id = p_candidate_id
  ),
  upserted as (
    insert into public.job_matches as match (job_id, candidate_id, match_score, explanation)
    select job_id, p_candidate_id, match_score, explanation from scored
    on conflict (job_id, candidate_id) do update
      set match_score = excluded.match_score,
          explanation = excluded.explanation,
          computed_at = now()
      where (match.match_score, match.explanation)
        is distinct from (excluded.match_score, excluded.explanation)
    returning (xmax = 0) as is_new
  ),
  deleted as (
    delete from public.job_matches as match
    where match.candidate_id = p_candidate_id
      and not exists (select 1 from scored where scored.job_id = match.job_id)
    returning 1
  ),
  -- The best offers that now reach the candidate's threshold for the first time, if they opted in.
  newly_above_threshold as (
    select scored.job_id, scored.match_score
    from scored
    join public.candidates as candidate on candidate.id = p_candidate_id
    join public.notification_preferences as preferences on preferences.user_id = candidate.id
    left join previous on previous.job_id = scored.job_id
    where scored.match_score >= candidate.match_threshold
      and preferences.job_alerts_enabled
      and (previous.match_score is null or previous.match_score < candidate.match_threshold)
    order by scored.match_score desc, scored.job_id
    limit (private.match_settings()).max_alerts_per_candidate_change
  )
  select
    (select count(*) from scored) as matches,
    (select count(*) filter (where is_new) from upserted) as added,
    (select count(*) from deleted) as removed,
    array(select job_id from newly_above_threshold order by match_score desc, job_id) as alerted
  into summary;

  for alerted_job in select unnest(summary.alerted) loop
    perform private.request_job_alerts(alerted_job, array[p_candidate_id]);
  end loop;

  return jsonb_build_object(
    'candidateId', p_candidate_id,
    'outcome', 'matched',
    'matches', summary.matches,
    'added', summary.added,
    'removed', summary.removed,
    'alerts', cardinality(summary.alerted)
  );
end;
$$;
revoke execute on function private.match_candidate(uuid) from public;
grant execute on function private.match_candidate(uuid) to service_role;
