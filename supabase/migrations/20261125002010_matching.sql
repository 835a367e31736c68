-- Candidate/job matching, set-based: one statement scores every candidate of an offer (or every
-- offer of a candidate) through GIN indexes on narrow matching profiles; one writer stores what
-- changed in job_matches, removes the matches that no longer hold, and asks for job alerts.
--
--   private.match_settings()           the weights and thresholds, in this one place
--   private.*_match_profiles           what scoring reads of each matchable offer and candidate
--   private.job_candidate_scores       view: the score and explanation of every pair that may match
--   private.rematch(job_ids, cand_ids) (re)matches offers and candidates; called by the workers
--   private.request_job_alerts(...)    asks for the job alerts of many (offer, candidate) pairs
--   v_candidate_job_matches            the signed-in candidate's matches, explained
--
-- Score (0-100): required-skill coverage, nice-to-have coverage, experience level, location and
-- remote work, each worth its weight. A pair is considered only when the candidate is open to work,
-- the offer is published and approved and the candidate holds at least one of its required skills
-- (any of its skills when it lists no required one); it is a match when it scores at least
-- min_score. job_matches keeps the score only: the explanation is the same view's, read when shown.
--
-- Lists, not every pair: job_matches holds each offer's best candidates (offer_list_size) and each
-- candidate's best offers (candidate_list_size), what a company ranks and a candidate browses. A
-- hundred thousand offers and candidates have hundreds of millions of pairs scoring 40 or more;
-- storing every one made writing them most of a match's cost, and the table itself grow with the
-- product of the two. Each profile keeps its list's floor (the score its last pair has), so that a
-- run from the other side knows, from the profile it reads anyway, whether a new pair enters it.

-- What matching compares, kept on the rows by triggers: canonical skills and the city key (read by
-- search too, and by the matching profiles below).
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

-- The weights (whole numbers adding up to 100) and thresholds of matching. Immutable, so a query
-- calling it folds the values into its plan.
create function private.match_settings(
  out required_skills_weight integer,
  out nice_to_have_skills_weight integer,
  out experience_weight integer,
  out location_weight integer,
  -- Pairs scoring less are not matches.
  out min_score integer,
  -- How many of its best candidates an offer lists, and of their best offers a candidate does
  -- (see job_matches below: a pair is stored when it is in either list).
  out offer_list_size integer,
  out candidate_list_size integer,
  -- At most this many job alerts for one candidate-side change (the best new matches).
  out max_alerts_per_candidate_change integer
)
language sql immutable
set search_path = ''
as $$
  select 50, 15, 20, 15, 40, 200, 200, 10;
$$;
-- Read by private.job_candidate_scores, which v_candidate_job_matches shows with the reader's
-- rights (a view's functions run with its reader's).
grant execute on function private.match_settings() to authenticated;

-- "Paris 15e", "75011 Paris, France", "paris" -> "paris": folded, before the first comma or
-- parenthesis, without words holding digits (postcodes, arrondissements).
create function private.location_key(p_location text)
returns text
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return (
    select nullif(btrim(regexp_replace(regexp_replace(
      split_part(split_part(private.fold_text(p_location), ',', 1), '(', 1),
      '\S*[0-9]\S*', ' ', 'g'), '\s+', ' ', 'g')), '')
  );
end;
$$;

-- The canonical skills of an offer: required ones (listed, or named in the title), and
-- nice-to-have ones (listed, or named in the description) that are not required.
create function private.job_matching_skills(
  p_title text,
  p_description text,
  p_required_skills text[],
  p_nice_to_have_skills text[],
  out required_skills text[],
  out nice_to_have_skills text[]
)
language plpgsql stable
set search_path = ''
as $$
begin
  required_skills := private.canonical_skills(p_required_skills || private.extract_skills(p_title));
  nice_to_have_skills := array(
    select skill
    from unnest(private.canonical_skills(
      p_nice_to_have_skills || private.extract_skills(p_description)
    )) as skill
    where skill <> all (required_skills)
    order by skill
  );
end;
$$;

-- Keeps the matching columns of an offer current and marks it for analysis when anything matching
-- reads changes. Security definer: company users write offers and have no access to `private`.
create function private.prepare_job_for_matching()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT'
     or (new.title, new.description, new.required_skills, new.nice_to_have_skills)
        is distinct from (old.title, old.description, old.required_skills, old.nice_to_have_skills)
  then
    select skills.required_skills, skills.nice_to_have_skills
    into new.match_required_skills, new.match_nice_to_have_skills
    from private.job_matching_skills(new.title, new.description, new.required_skills,
      new.nice_to_have_skills) as skills;
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

create trigger jobs_prepare_matching
  before insert or update of title, description, required_skills, nice_to_have_skills,
    experience_level, location, remote_policy, status
  on public.jobs
  for each row execute function private.prepare_job_for_matching();

create function private.prepare_candidate_for_matching()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  new.match_skills := private.canonical_skills(new.skills);
  new.match_location := private.location_key(new.location);
  return new;
end;
$$;

create trigger candidates_prepare_matching
  before insert or update of skills, location on public.candidates
  for each row execute function private.prepare_candidate_for_matching();

-- Matching profiles: what the scoring reads of each offer and candidate that can match, and
-- nothing else, in rows of ~100 bytes: skills as sorted integer ids (intarray intersects and
-- counts them), the level as its rank, the city key, remote work, the alert threshold and whether
-- the candidate wants job alerts (notification_preferences.job_alerts_enabled). Scoring an
-- offer reads thousands of these through a GIN index instead of as many wide, scattered rows of
-- candidates (bio, headline, skill lists as text); the rows exist only for published, approved
-- offers and for open-to-work candidates with skills, so the scoring needs no other filter.
-- Kept by triggers from the rows' matching columns (private.sync_match_profiles).
create extension if not exists intarray with schema extensions;

-- One integer per canonical skill, dictionary or not ("cobol" gets one when a member first writes
-- it). Ids are never reused: a profile's ids always name the skills it was built from.
create table private.skill_ids (
  skill text primary key,
  id integer generated always as identity
    constraint skill_ids_id_key unique
);
comment on table private.skill_ids is 'Integer id of each canonical skill (matching profiles).';
insert into private.skill_ids (skill) select key from private.skills order by key;

-- Gives the skills that have none an id. Skips known ones first: a conflict would use up an id.
create function private.register_skills(p_skills text[])
returns void
language sql
set search_path = ''
as $$
  insert into private.skill_ids (skill)
  select distinct new_skill.name
  from unnest(p_skills) as new_skill (name)
  where not exists (select 1 from private.skill_ids as known where known.skill = new_skill.name)
  order by new_skill.name
  on conflict (skill) do nothing;
$$;

-- The sorted ids of registered skills (unregistered ones are left out).
create function private.skill_ids_of(p_skills text[])
returns integer[]
language plpgsql stable
set search_path = ''
as $$
begin
  return (
    select array(
      select known.id from private.skill_ids as known
      where known.skill = any (p_skills)
      order by known.id
    )
  );
end;
$$;

-- junior 1, mid 2, senior 3, lead 4 (null: not given).
create function private.experience_rank(p_level public.experience_level)
returns integer
language sql stable
set search_path = ''
as $$
  select array_position(enum_range(null::public.experience_level), p_level);
$$;

-- The skills a candidate must hold one of for a pair to be scored: the offer's required skills,
-- its nice-to-have ones when it requires none. This helper and the two below compute generated
-- columns, evaluated on every write of a profile (a floor moving included): PL/pgSQL, whose plans
-- the connection keeps, not SQL functions, which a SET clause keeps from being inlined and which
-- are planned again in every statement (0.7 ms a profile write).
create function private.key_skill_ids(p_required_skill_ids integer[], p_nice_to_have_skill_ids integer[])
returns integer[]
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return case when cardinality(p_required_skill_ids) > 0 then p_required_skill_ids
    else p_nice_to_have_skill_ids end;
end;
$$;

-- The best score a candidate holding a single key skill of an offer can reach (with every
-- nice-to-have skill and the best experience and location fit), for an offer listing
-- p_required_count required and p_nice_to_have_count nice-to-have skills; rounded as scores are,
-- so that no such pair scores more.
create function private.best_score_with_one_key_skill(
  p_required_count integer,
  p_nice_to_have_count integer
)
returns integer
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return (
    select round(
      case
        when p_required_count = 0
          then (settings.required_skills_weight + settings.nice_to_have_skills_weight)::numeric
            / greatest(p_nice_to_have_count, 1)
        when p_nice_to_have_count = 0
          then (settings.required_skills_weight + settings.nice_to_have_skills_weight)::numeric
            / p_required_count
        else settings.required_skills_weight::numeric / p_required_count
          + settings.nice_to_have_skills_weight
      end + settings.experience_weight + settings.location_weight
    )::integer
    from private.match_settings() as settings
  );
end;
$$;

-- Reach keys, what a candidate's run finds offers by (job_match_profiles.reach_keys, and a
-- candidate's own, computed once per run: private.candidate_pairs_by_reach): every pair of the
-- skills given, coded (a << 32) | b with a < b, and with p_with_each_skill each skill alone, coded
-- a << 32 (skill ids start at 1: no pair has that code).
create function private.reach_keys(p_skill_ids integer[], p_with_each_skill boolean)
returns bigint[]
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(code.value order by code.value), '{}')
    from (
      select (first.id::bigint << 32) | second.id
      from unnest(p_skill_ids) as first (id)
      join unnest(p_skill_ids) as second (id) on first.id < second.id
      union all
      select skill.id::bigint << 32
      from unnest(p_skill_ids) as skill (id)
      where p_with_each_skill
    ) as code (value)
  );
end;
$$;

create table private.job_match_profiles (
  job_id uuid primary key,
  required_skill_ids integer[] not null,
  nice_to_have_skill_ids integer[] not null,
  -- The skills a candidate must hold one of for the pair to be scored.
  key_skill_ids integer[] not null generated always as (
    private.key_skill_ids(required_skill_ids, nice_to_have_skill_ids)
  ) stored,
  -- How many of each kind the offer lists: read by the score of every pair (the cardinality of
  -- the arrays, taken once per offer, not once per candidate: a tenth of scoring's time).
  required_count integer not null generated always as (cardinality(required_skill_ids)) stored,
  nice_to_have_count integer not null
    generated always as (cardinality(nice_to_have_skill_ids)) stored,
  -- The factors of the score's sum, whole numbers (private.job_candidate_scores): with R required
  -- and N nice-to-have skills (1 for a kind not listed), each kind's points, maximum M, are
  -- M x held / count; over the common denominator 8 R N, held required skills weigh 8 M N, held
  -- nice-to-have ones 8 M R, and the quarters of experience and location 2 R N. Computed once
  -- per offer: the same products taken per pair were a quarter of scoring's time.
  score_required_factor integer not null generated always as (
    8 * greatest(cardinality(nice_to_have_skill_ids), 1) * case
      when cardinality(required_skill_ids) = 0 then 0
      when cardinality(nice_to_have_skill_ids) = 0
        then (private.match_settings()).required_skills_weight
          + (private.match_settings()).nice_to_have_skills_weight
      else (private.match_settings()).required_skills_weight
    end
  ) stored,
  score_nice_factor integer not null generated always as (
    8 * greatest(cardinality(required_skill_ids), 1) * case
      when cardinality(nice_to_have_skill_ids) = 0 then 0
      when cardinality(required_skill_ids) = 0
        then (private.match_settings()).required_skills_weight
          + (private.match_settings()).nice_to_have_skills_weight
      else (private.match_settings()).nice_to_have_skills_weight
    end
  ) stored,
  score_fit_factor integer not null generated always as (
    2 * greatest(cardinality(required_skill_ids), 1)
      * greatest(cardinality(nice_to_have_skill_ids), 1)
  ) stored,
  experience_rank integer,
  location text,
  remote_policy public.remote_policy not null,
  -- The score a candidate needs to enter the offer's list: its offer_list_size-th best at its last
  -- matching (min_score when it had fewer matches), null before its first.
  list_floor integer,
  -- The best score a candidate sharing a single key skill can reach with it: a candidate's run
  -- leaves out the offers beyond reach whose ceiling is under the lowest score that can still
  -- change its result (the candidate's bar, private.rematch).
  one_skill_ceiling integer not null generated always as (
    private.best_score_with_one_key_skill(cardinality(required_skill_ids),
      cardinality(nice_to_have_skill_ids))
  ) stored,
  -- What a candidate's run finds the offer by: the pairs of its key skills, and each key skill
  -- alone when one shared skill can earn a place in its list (it has one key skill, or its floor
  -- is within best_score_with_one_key_skill). A candidate sharing a single key skill of any other
  -- offer scores at most 75 with it (today's weights) and cannot enter its list: a candidate's
  -- run scores the offers these keys reach first, and the others only when those do not settle
  -- its own list, and then only those whose one_skill_ceiling reaches its bar (private.rematch).
  -- Rewritten with the floor.
  reach_keys bigint[] not null generated always as (
    private.reach_keys(
      private.key_skill_ids(required_skill_ids, nice_to_have_skill_ids),
      cardinality(private.key_skill_ids(required_skill_ids, nice_to_have_skill_ids)) = 1
        or list_floor <= private.best_score_with_one_key_skill(
          cardinality(required_skill_ids), cardinality(nice_to_have_skill_ids))
    )
  ) stored
);
comment on table private.job_match_profiles is
  'What matching reads of each published, approved offer with skills '
  '(private.sync_match_profiles).';
-- One index for both columns: a candidate's run asks for offers sharing a key skill, and within
-- reach for those whose reach keys meet theirs as well (the scoring view's join condition and its
-- own). Two indexes gave two bitmaps ANDed, the key skills' one of 12,000 offers for 2,400 within
-- reach; one index intersects the two inside, skipping most of the larger: 2 ms of 11.
create index job_match_profiles_keys_idx on private.job_match_profiles
  using gin (key_skill_ids, reach_keys);

create table private.candidate_match_profiles (
  candidate_id uuid primary key,
  skill_ids integer[] not null,
  experience_rank integer,
  location text,
  remote_preference public.remote_preference not null,
  match_threshold integer not null,
  -- notification_preferences.job_alerts_enabled
  job_alerts boolean not null,
  -- The score an offer needs to enter the candidate's list, as for offers (candidate_list_size).
  list_floor integer
);
comment on table private.candidate_match_profiles is
  'What matching reads of each open-to-work candidate with skills (private.sync_match_profiles).';
create index candidate_match_profiles_skills_idx on private.candidate_match_profiles
  using gin (skill_ids);

-- Makes the profiles of the given offers and candidates (every one when null) what their rows say:
-- written where they differ, created when a row becomes matchable, removed when it stops being
-- (or is deleted). A profile that changes loses its list floor until it is matched again: its
-- list is no longer what it holds. One function for the triggers (one row) and for bulk refreshes
-- (every row).
create function private.sync_match_profiles(p_job_ids uuid[], p_candidate_ids uuid[])
returns void
language plpgsql
set search_path = ''
-- A null array means "every row": planned with the arrays as they are, so that it folds away.
set plan_cache_mode = force_custom_plan
as $$
begin
  perform private.register_skills(array(
    select distinct skill.name
    from public.jobs as job
    cross join unnest(job.match_skills) as skill (name)
    where (p_job_ids is null or job.id = any (p_job_ids))
      and job.status = 'published' and job.moderation_status = 'approved'
    union
    select distinct skill.name
    from public.candidates as candidate
    cross join unnest(candidate.match_skills) as skill (name)
    where (p_candidate_ids is null or candidate.id = any (p_candidate_ids))
      and candidate.open_to_work
  ));

  if p_job_ids is null or cardinality(p_job_ids) > 0 then
    insert into private.job_match_profiles as profile (job_id, required_skill_ids,
      nice_to_have_skill_ids, experience_rank, location, remote_policy)
    select job.id, private.skill_ids_of(job.match_required_skills),
      private.skill_ids_of(job.match_nice_to_have_skills),
      private.experience_rank(job.experience_level), job.match_location, job.remote_policy
    from public.jobs as job
    where (p_job_ids is null or job.id = any (p_job_ids))
      and job.status = 'published' and job.moderation_status = 'approved'
      and cardinality(job.match_skills) > 0
    on conflict (job_id) do update
      set required_skill_ids = excluded.required_skill_ids,
          nice_to_have_skill_ids = excluded.nice_to_have_skill_ids,
          experience_rank = excluded.experience_rank, location = excluded.location,
          remote_policy = excluded.remote_policy, list_floor = null
      where (profile.required_skill_ids, profile.nice_to_have_skill_ids, profile.experience_rank,
          profile.location, profile.remote_policy)
        is distinct from (excluded.required_skill_ids, excluded.nice_to_have_skill_ids,
          excluded.experience_rank, excluded.location, excluded.remote_policy);
    delete from private.job_match_profiles as profile
    where (p_job_ids is null or profile.job_id = any (p_job_ids))
      and not exists (
        select 1 from public.jobs as job
        where job.id = profile.job_id
          and job.status = 'published' and job.moderation_status = 'approved'
          and cardinality(job.match_skills) > 0
      );
  end if;

  if p_candidate_ids is null or cardinality(p_candidate_ids) > 0 then
    insert into private.candidate_match_profiles as profile (candidate_id, skill_ids,
      experience_rank, location, remote_preference, match_threshold, job_alerts)
    select candidate.id, private.skill_ids_of(candidate.match_skills),
      private.experience_rank(candidate.experience_level), candidate.match_location,
      candidate.remote_preference, candidate.match_threshold,
      coalesce(preferences.job_alerts_enabled, false)
    from public.candidates as candidate
    left join public.notification_preferences as preferences on preferences.user_id = candidate.id
    where (p_candidate_ids is null or candidate.id = any (p_candidate_ids))
      and candidate.open_to_work and cardinality(candidate.match_skills) > 0
    on conflict (candidate_id) do update
      set skill_ids = excluded.skill_ids, experience_rank = excluded.experience_rank,
          location = excluded.location, remote_preference = excluded.remote_preference,
          match_threshold = excluded.match_threshold, job_alerts = excluded.job_alerts,
          list_floor = null
      where (profile.skill_ids, profile.experience_rank, profile.location,
          profile.remote_preference, profile.match_threshold, profile.job_alerts)
        is distinct from (excluded.skill_ids, excluded.experience_rank, excluded.location,
          excluded.remote_preference, excluded.match_threshold, excluded.job_alerts);
    delete from private.candidate_match_profiles as profile
    where (p_candidate_ids is null or profile.candidate_id = any (p_candidate_ids))
      and not exists (
        select 1 from public.candidates as candidate
        where candidate.id = profile.candidate_id
          and candidate.open_to_work and cardinality(candidate.match_skills) > 0
      );
  end if;
end;
$$;

-- After the before triggers above have derived the matching columns; a change of what no profile
-- holds (a salary, a headline) costs a comparison. A deleted offer or candidate loses its profile.
-- Security definer: members write these rows.
create function private.sync_match_profile_of_row()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' then
    if tg_table_name = 'jobs' then
      perform private.sync_match_profiles(array[old.id], '{}');
    else
      perform private.sync_match_profiles('{}', array[old.id]);
    end if;
  elsif tg_table_name = 'jobs' then
    if tg_op = 'INSERT' or (new.status, new.moderation_status, new.match_required_skills,
        new.match_nice_to_have_skills, new.experience_level, new.match_location, new.remote_policy)
      is distinct from (old.status, old.moderation_status, old.match_required_skills,
        old.match_nice_to_have_skills, old.experience_level, old.match_location, old.remote_policy)
    then
      perform private.sync_match_profiles(array[new.id], '{}');
    end if;
  elsif tg_table_name = 'notification_preferences' then
    perform private.sync_match_profiles('{}', array[new.user_id]);
  elsif tg_op = 'INSERT' or (new.open_to_work, new.match_skills, new.experience_level,
      new.match_location, new.remote_preference, new.match_threshold)
    is distinct from (old.open_to_work, old.match_skills, old.experience_level,
      old.match_location, old.remote_preference, old.match_threshold)
  then
    perform private.sync_match_profiles('{}', array[new.id]);
  end if;
  return null;
end;
$$;

-- Not on the matching columns themselves: their one direct writer,
-- private.refresh_matching_columns, brings every profile up to date in one statement at its end
-- (a profile synced per row as well doubled a bulk refresh's work).
create trigger jobs_sync_match_profile
  after insert or update of title, description, required_skills, nice_to_have_skills,
    experience_level, location, remote_policy, status, moderation_status or delete
  on public.jobs
  for each row execute function private.sync_match_profile_of_row();

create trigger candidates_sync_match_profile
  after insert or update of skills, experience_level, location, remote_preference, open_to_work,
    match_threshold or delete
  on public.candidates
  for each row execute function private.sync_match_profile_of_row();

create trigger notification_preferences_sync_match_profile
  after insert or update of job_alerts_enabled on public.notification_preferences
  for each row execute function private.sync_match_profile_of_row();

-- Recomputes the matching columns wherever they differ from what the dictionary gives now: after a
-- change of the dictionary, or for rows loaded with triggers off (bulk loads), then the matching
-- profiles. Offers whose skills changed are marked for analysis; nothing is queued (rematching is
-- the caller's decision). Returns how many offers and candidates changed.
create function private.refresh_matching_columns()
returns jsonb
language plpgsql security definer
set search_path = ''
as $$
declare
  jobs_changed integer;
  candidates_changed integer;
begin
  with computed as (
    select job.id, skills.required_skills, skills.nice_to_have_skills,
      private.location_key(job.location) as location
    from public.jobs as job
    cross join lateral private.job_matching_skills(job.title, job.description,
      job.required_skills, job.nice_to_have_skills) as skills
  )
  update public.jobs as job
  set match_required_skills = computed.required_skills,
      match_nice_to_have_skills = computed.nice_to_have_skills,
      match_location = computed.location,
      analysis_completed = job.analysis_completed
        and (job.match_required_skills, job.match_nice_to_have_skills)
          = (computed.required_skills, computed.nice_to_have_skills)
  from computed
  where computed.id = job.id
    and (job.match_required_skills, job.match_nice_to_have_skills, job.match_location)
      is distinct from (computed.required_skills, computed.nice_to_have_skills, computed.location);
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

  perform private.sync_match_profiles(null, null);
  return jsonb_build_object('jobs', jobs_changed, 'candidates', candidates_changed);
end;
$$;
grant execute on function private.refresh_matching_columns() to service_role;

-- Rows written before this migration.
select private.refresh_matching_columns();

-- The score of every (published and approved offer, open candidate) pair where the candidate holds
-- one of the offer's key skills, with its explanation, from the two matching profiles alone. Filter
-- it by job_id or candidate_id: the planner reaches the other side through a GIN index. A query
-- that does not read `explanation` does not compute it (the view is flattened into the query,
-- unused columns are left out): the scoring of a rematch reads the score, v_candidate_job_matches
-- and get_job_candidates read both.
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
  job.job_id,
  candidate.candidate_id,
  -- The sum of the points below, rounded half up, in integers over the common denominator
  -- 8 x (required count) x (nice-to-have count) = 4 x score_fit_factor (the offer's factors, in
  -- job_match_profiles). Within 0-100 by construction: held skills never exceed their counts.
  ((job.score_required_factor * held.required + job.score_nice_factor * held.nice
    + job.score_fit_factor * (fit.experience_quarters * settings.experience_weight
      + fit.location_quarters * settings.location_weight + 2)
  ) / (4 * job.score_fit_factor))::integer as match_score,
  -- The score from which the candidate wants job alerts, if they want them.
  candidate.match_threshold,
  candidate.job_alerts,
  -- The scores a pair needs to enter the offer's list and the candidate's.
  job.list_floor as job_list_floor,
  candidate.list_floor as candidate_list_floor,
  -- What a candidate's run finds the offer by (job_match_profiles.reach_keys).
  job.reach_keys as job_reach_keys,
  job.one_skill_ceiling as job_one_skill_ceiling,
  jsonb_build_object(
    'required_skills', jsonb_build_object(
      'points', round((weights.required_max * held.required)::numeric / counts.required, 1),
      'max', weights.required_max,
      'matched', to_jsonb(array(
        select known.skill from private.skill_ids as known
        where known.id = any (job.required_skill_ids operator(extensions.&) candidate.skill_ids)
        order by known.skill
      )),
      'missing', to_jsonb(array(
        select known.skill from private.skill_ids as known
        where known.id = any (job.required_skill_ids operator(extensions.-) candidate.skill_ids)
        order by known.skill
      ))
    ),
    'nice_to_have_skills', jsonb_build_object(
      'points', round((weights.nice_max * held.nice)::numeric / counts.nice, 1),
      'max', weights.nice_max,
      'matched', to_jsonb(array(
        select known.skill from private.skill_ids as known
        where known.id = any (job.nice_to_have_skill_ids operator(extensions.&) candidate.skill_ids)
        order by known.skill
      ))
    ),
    'experience', jsonb_build_object(
      'points', round(fit.experience_quarters * settings.experience_weight / 4.0, 1),
      'max', settings.experience_weight,
      'job_level', (enum_range(null::public.experience_level))[job.experience_rank],
      'candidate_level', (enum_range(null::public.experience_level))[candidate.experience_rank]
    ),
    'location', jsonb_build_object(
      'points', round(fit.location_quarters * settings.location_weight / 4.0, 1),
      'max', settings.location_weight,
      'remote_policy', job.remote_policy,
      'remote_preference', candidate.remote_preference,
      'same_city', job.location = candidate.location
    )
  ) as explanation
from private.job_match_profiles as job
cross join private.match_settings() as settings
join private.candidate_match_profiles as candidate
  on candidate.skill_ids operator(pg_catalog.&&) job.key_skill_ids
-- How many required and nice-to-have skills the candidate holds.
cross join lateral (
  select
    extensions.icount(job.required_skill_ids operator(extensions.&) candidate.skill_ids)
      as required,
    extensions.icount(job.nice_to_have_skill_ids operator(extensions.&) candidate.skill_ids)
      as nice
) as held
cross join lateral (
  -- 1 for a kind the offer does not list: its points are 0 whatever they are divided by.
  select
    greatest(job.required_count, 1) as required,
    greatest(job.nice_to_have_count, 1) as nice
) as counts
cross join lateral (
  select
    case
      when job.required_count = 0 then 0
      when job.nice_to_have_count = 0
        then settings.required_skills_weight + settings.nice_to_have_skills_weight
      else settings.required_skills_weight
    end as required_max,
    case
      when job.nice_to_have_count = 0 then 0
      when job.required_count = 0
        then settings.required_skills_weight + settings.nice_to_have_skills_weight
      else settings.nice_to_have_skills_weight
    end as nice_max
) as weights
-- The experience and location fractions, in quarters of their weights.
cross join lateral (
  select
    case
      when job.experience_rank is null then 4
      when candidate.experience_rank is null then 2
      when candidate.experience_rank - job.experience_rank between 0 and 1 then 4
      when candidate.experience_rank - job.experience_rank > 1 then 3
      when candidate.experience_rank - job.experience_rank = -1 then 2
      else 0
    end as experience_quarters,
    case
      when job.remote_policy = 'remote' then
        case when candidate.remote_preference = 'onsite' then 2 else 4 end
      when job.location is null then 4
      when candidate.location is null then 2
      when job.location <> candidate.location then 0
      when candidate.remote_preference = 'remote' then
        case when job.remote_policy = 'hybrid' then 3 else 2 end
      else 4
    end as location_quarters
) as fit;

comment on view private.job_candidate_scores is
  'Score (0-100) and explanation of every published, approved offer x open-to-work candidate '
  'holding one of its key skills.';
revoke all on private.job_candidate_scores from public, anon, authenticated;
-- v_candidate_job_matches is security_invoker: its reader needs this view and what it reads,
-- reached only through it (clients have no usage on `private`), for the pairs of their own matches.
grant select on private.job_candidate_scores, private.job_match_profiles,
  private.candidate_match_profiles, private.skill_ids to authenticated;

-- The signed-in candidate's matches on published offers, best first when ordered by match_score,
-- explained. security_invoker: the RLS of job_matches, jobs and companies applies to the caller.
create view public.v_candidate_job_matches
with (security_invoker = true)
as
select
  match.job_id,
  match.candidate_id,
  match.match_score,
  -- A subquery, not a join: with an order and a limit (a page of matches) the planner computes it
  -- for the rows returned only, after sorting.
  (
    select fit.explanation from private.job_candidate_scores as fit
    where fit.job_id = match.job_id and fit.candidate_id = match.candidate_id
  ) as explanation,
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
  'Matches of the signed-in candidate on published offers, with the offer, its company and why '
  'it scores what it does (explanation: per-criterion points, skills held and missing).';

revoke all on table public.v_candidate_job_matches from anon, authenticated;
grant select on table public.v_candidate_job_matches to authenticated;

-- Asks for job alerts (the notifications queue delivers them): element i of p_candidate_ids hears
-- of offer i of p_job_ids, each offer's candidates in the order given. One request per offer and
-- 1,000 candidates, so that an offer reaching many candidates costs a few queue messages, not one
-- each. The dedupe key "job_match:<job>" reaches each candidate once whatever the reason (the
-- dispatcher keeps it per user): a redelivered or re-analysed offer, or an offer matching both a
-- candidate's profile and their saved searches, never alerts the same candidate twice.
-- p_reason: profile_match (matching) | saved_search. Returns the number of requests, enqueued in
-- one statement (private.enqueue_batch): a candidate's ten alerts cost one insert, not ten.
create function private.request_job_alerts(
  p_job_ids uuid[],
  p_candidate_ids uuid[],
  p_reason text
)
returns integer
language plpgsql security definer
set search_path = ''
-- A few messages need no compiling: the planner's guess of 1,000 chunks per offer (generate_series)
-- made it JIT-compile this statement, 25 ms for two messages.
set jit = off
-- Its caller, private.rematch, forces custom plans, and a function's settings hold for what it
-- calls: the member texts quoted for each request (private.quote_member_text) were planned again
-- on every call, 1.5 ms of a candidate's ten alerts.
set plan_cache_mode = auto
as $$
declare
  chunk_size constant integer := 1000;
begin
  if p_reason is null or p_reason not in ('profile_match', 'saved_search') then
    raise exception using
      errcode = '22023',
      message = format('p_reason: profile_match | saved_search (got %s)', p_reason);
  end if;
  -- Nobody to alert (most runs): the statement below is not planned.
  if coalesce(cardinality(p_candidate_ids), 0) = 0 then
    return 0;
  end if;
  return private.enqueue_batch('notifications', array(
    with wanted as (
      select wanted.job_id, array_agg(wanted.candidate_id order by wanted.position) as candidate_ids
      from unnest(p_job_ids, p_candidate_ids) with ordinality as wanted (job_id, candidate_id, position)
      group by wanted.job_id
    )
    select private.notification_request(
      p_type := 'job_alert',
      -- Member text (title, company, city) is quoted and bounded, never in the platform's voice.
      p_title := format(
        case p_reason
          when 'saved_search' then 'Nouvelle offre pour votre recherche : %s'
          else 'Offre correspondant à votre profil : %s'
        end,
        private.quote_member_text(job.title, 80)),
      p_body := format('Publiée par %s%s.', private.quote_member_text(company.name, 60),
        coalesce(', ' || private.quote_member_text(job.location, 40), '')),
      p_user_ids := wanted.candidate_ids[chunk_start:chunk_start + chunk_size - 1],
      p_data := jsonb_build_object('jobId', wanted.job_id, 'reason', p_reason),
      p_dedupe_key := format('job_match:%s', wanted.job_id)
    )
    from wanted
    join public.jobs as job on job.id = wanted.job_id
    join public.companies as company on company.id = job.company_id
    cross join generate_series(1, cardinality(wanted.candidate_ids), chunk_size) as chunk_start
    order by wanted.job_id, chunk_start
  ));
end;
$$;

-- A candidate's reach keys, as private.reach_keys gives them, none past 30 skills (below).
create function private.candidate_reach_keys(p_skill_ids integer[])
returns bigint[]
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return case when cardinality(p_skill_ids) <= 30 then private.reach_keys(p_skill_ids, true)
    else '{}' end;
end;
$$;

-- A candidate's pairs for private.rematch, outside its statement: the offers within reach (the
-- first thing a candidate's run scores), or the others that can reach the candidate's bar (element
-- i of p_bars for candidate i; ignored within reach): the offers beyond reach whose
-- one_skill_ceiling is under it score too little to change the candidate's run, and are not scored
-- (a tenth to three quarters of them for a candidate not settled within reach). In PL/pgSQL, so
-- that an offer's run, which has no candidate, plans none of their queries: planning the statement
-- with these branches in it cost every run 2 to 3 ms more. They are planned on every call with
-- their values (cached generic plans of them ran slower: a candidate's run took 51-59 ms against
-- 50-51), which turns the reach's polarity into the GIN index's condition (p_within_reach) or its
-- negation. Each candidate's reach keys are computed once, here, not stored: in the profiles an
-- offer's run reads by the thousand they made every row two to five times wider. None past 30
-- skills (435 pairs; a profile may list 100, 4,950 pairs): such a candidate has nothing within
-- reach and is scored against every offer sharing a key skill and reaching their bar. Pairs of the
-- offers p_job_ids are left out (an offer's run scores them); only matches (min_score or more) are
-- returned, each score computed once (fenced from its filter).
create function private.candidate_pairs_by_reach(
  p_candidate_ids uuid[],
  p_bars integer[],
  p_job_ids uuid[],
  p_within_reach boolean
)
returns table (job_id uuid, candidate_id uuid, match_score integer, match_threshold integer,
  job_alerts boolean, job_list_floor integer, candidate_list_floor integer)
language plpgsql stable
set search_path = ''
set plan_cache_mode = force_custom_plan
rows 5000
as $$
declare
  candidate record;
begin
  for candidate in
    select profile.candidate_id, private.candidate_reach_keys(profile.skill_ids) as reach_keys,
      rematched.bar
    from unnest(p_candidate_ids, p_bars) as rematched (candidate_id, bar)
    join private.candidate_match_profiles as profile
      on profile.candidate_id = rematched.candidate_id
  loop
    return query
    select fit.*
    from (
      select fit.job_id, fit.candidate_id, fit.match_score, fit.match_threshold, fit.job_alerts,
        fit.job_list_floor, fit.candidate_list_floor
      from private.job_candidate_scores as fit
      where fit.candidate_id = candidate.candidate_id and fit.job_id <> all (p_job_ids)
        -- The ceiling first: beyond reach, the index gives every offer sharing a key skill, and
        -- an integer comparison leaves out most of them before the reach keys' overlap, which
        -- compares their elements one by one (a third of the time beyond reach at a bar of 68).
        and (p_within_reach or fit.job_one_skill_ceiling >= candidate.bar)
        and (fit.job_reach_keys operator(pg_catalog.&&) candidate.reach_keys) = p_within_reach
      offset 0
    ) as fit
    where fit.match_score >= (select settings.min_score from private.match_settings() as settings);
  end loop;
end;
$$;

-- The pairs of the offers beyond reach and under their bar (p_bars, as above) that the candidates
-- applied to: an applicant's pair is kept whatever it scores, and private.candidate_pairs_by_reach
-- gives the others. The scoring view is not planned for a candidate who applied to nothing (2 ms).
create function private.candidate_applications_beyond_reach(
  p_candidate_ids uuid[],
  p_bars integer[],
  p_job_ids uuid[]
)
returns table (job_id uuid, candidate_id uuid, match_score integer, match_threshold integer,
  job_alerts boolean, job_list_floor integer, candidate_list_floor integer)
language plpgsql stable
set search_path = ''
rows 10
as $$
declare
  candidate record;
begin
  for candidate in
    select profile.candidate_id, private.candidate_reach_keys(profile.skill_ids) as reach_keys,
      rematched.bar
    from unnest(p_candidate_ids, p_bars) as rematched (candidate_id, bar)
    join private.candidate_match_profiles as profile
      on profile.candidate_id = rematched.candidate_id
    where exists (
      select from public.job_applications as application
      where application.candidate_id = profile.candidate_id
    )
  loop
    return query
    select fit.*
    from (
      select fit.job_id, fit.candidate_id, fit.match_score, fit.match_threshold, fit.job_alerts,
        fit.job_list_floor, fit.candidate_list_floor
      from public.job_applications as application
      join private.job_candidate_scores as fit
        on fit.job_id = application.job_id and fit.candidate_id = application.candidate_id
      where application.candidate_id = candidate.candidate_id
        and application.job_id <> all (p_job_ids)
        and not fit.job_reach_keys operator(pg_catalog.&&) candidate.reach_keys
        and fit.job_one_skill_ceiling < candidate.bar
      offset 0
    ) as fit
    where fit.match_score >= (select settings.min_score from private.match_settings() as settings);
  end loop;
end;
$$;

-- (Re)matches offers against every candidate and candidates against every published offer: the
-- pairs of p_job_ids x all candidates and all offers x p_candidate_ids. Each offer rematched lists
-- its best candidates, each candidate its best offers, and a pair of the others enters their lists
-- when it reaches their floor (list_floor); an applicant's pair is kept too. job_matches gets only
-- what changed (pairs entering a list, new scores, pairs that left every list or no longer match).
-- The offers are marked analysed with their number of matches, the floors of the rematched lists
-- recorded, and job alerts asked for candidates who reach their own threshold for the first time
-- (every such candidate of an offer rematched; the best few new offers of a candidate rematched). A
-- pair outside every list has no stored score to compare with: it counts as new when the offer or
-- candidate rematched changed since its last matching (the dispatcher's dedupe key drops an alert
-- already sent), not when the same one is matched again. Idempotent: a second run with unchanged
-- data writes nothing and asks for no alert. Unknown ids are skipped (a deleted row has no matches
-- left); at most 100 offers and 100 candidates a call (22023 beyond). Returns a summary for the
-- worker's logs, with the milliseconds spent scoring, writing and asking for alerts. A candidate's
-- run scores the offers within reach of their skills first, and the other offers sharing a key
-- skill only when those do not settle the result, and then only those that can reach the
-- candidate's bar (candidates_scored_beyond_reach); either way the result is the same. `matches`
-- counts the pairs scored that match.
--
-- Concurrency: runs for one offer or one candidate are serialised by its row (edits of it wait for
-- the end of the run). Every run writes its job_matches rows in (offer, candidate) order in one
-- statement, which locks the rows it will delete as well (a conflict that updates nothing still
-- locks its row): concurrent runs from both sides take shared rows in one order and cannot
-- deadlock, without locking the offers a candidate's run touches. A floor read while another run
-- changes it lets a pair in or out of a list one run late.
create function private.rematch(p_job_ids uuid[], p_candidate_ids uuid[])
returns jsonb
language plpgsql security definer
set search_path = ''
-- Planned with the arrays' contents every time: a cached generic plan guesses 10 rows for every
-- unnest() and picks nested loops that take minutes on the 37,000 matches of an offer.
set plan_cache_mode = force_custom_plan
as $$
declare
  settings record;
  -- The best score with one key skill of an offer listing two or more (75 with today's weights):
  -- no pair a candidate's reach keys leave out scores more.
  one_skill_ceiling integer := greatest(private.best_score_with_one_key_skill(2, 1),
    private.best_score_with_one_key_skill(2, 0), private.best_score_with_one_key_skill(0, 2));
  -- The lists' floors and the alerts' ranking read the pairs once per offer and candidate
  -- rematched: fast for the workers' one, quadratic for thousands. Bigger batches are split.
  max_ids_per_side constant integer := 100;
  job_ids uuid[];
  candidate_ids uuid[];
  -- An offer's own run (the common case): its rows in (offer, candidate) order are in candidate
  -- order.
  one_offer boolean;
  changed record;
  added integer;
  rescored integer;
  removed integer;
  stale record;
  deleted integer;
  started_at timestamptz := clock_timestamp();
  scored_at timestamptz;
  written_at timestamptz;
begin
  if cardinality(p_job_ids) > max_ids_per_side or cardinality(p_candidate_ids) > max_ids_per_side
  then
    raise exception using
      errcode = '22023',
      message = format('rematch takes at most %s offers and %s candidates a call (got %s and %s)',
        max_ids_per_side, max_ids_per_side, cardinality(p_job_ids), cardinality(p_candidate_ids));
  end if;
  select * into settings from private.match_settings();
  candidate_ids := array(
    select candidate.id from public.candidates as candidate
    where candidate.id = any (p_candidate_ids)
    order by candidate.id
    for no key update
  );
  job_ids := array(
    select job.id from public.jobs as job
    where job.id = any (p_job_ids)
    order by job.id
    for no key update
  );
  one_offer := cardinality(job_ids) = 1 and cardinality(candidate_ids) = 0;
  -- The profiles of the rows asked for are made current first: a row written with triggers off
  -- (a bulk load, a replica-role fix) is matched as it is, a deleted one loses its profile.
  perform private.sync_match_profiles(coalesce(p_job_ids, '{}'), coalesce(p_candidate_ids, '{}'));

  -- One snapshot: what the pairs score now against what is stored. Scored from each side apart,
  -- so that each reaches the other through its index; a pair of both sides is taken once, from
  -- the offer's. Fenced (offset 0) so that each pair's score is computed once, not once more for
  -- the filter.
  with stored as materialized (
    select match.job_id, match.candidate_id, match.match_score
    from public.job_matches as match
    where match.job_id = any (job_ids)
    union all
    select match.job_id, match.candidate_id, match.match_score
    from public.job_matches as match
    where match.candidate_id = any (candidate_ids) and match.job_id <> all (job_ids)
  ),
  -- A candidate first scores the offers within reach (job_match_profiles.reach_keys: sharing two
  -- key skills, or one that can earn a place in the offer's list), a third of the offers sharing
  -- a key skill. Every other offer shares one key skill, scores at most its one_skill_ceiling and
  -- enters no offer's list: beyond reach, only the offers whose ceiling reaches the candidate's
  -- bar are scored, and the offers the candidate applied to (an applicant's pair is kept whatever
  -- it scores). A stored pair left out is in neither list: removed below, as when it is scored.
  within_reach as materialized (
    select * from private.candidate_pairs_by_reach(candidate_ids, null, job_ids, true)
  ),
  -- A candidate's bar: no pair scoring less changes their run. Their list's new floor is at least
  -- the score of the list_size-th offer within reach (ties share it, so a pair scoring it counts).
  -- A candidate without a floor hears of their best new offers reaching their threshold (see
  -- reached below): they are among the pairs within reach at least as good as the
  -- (max_alerts + stored pairs reaching it)-th one, the most stored pairs that can be old news.
  -- A candidate whose bar is above one_skill_ceiling is settled within reach.
  beyond_bars as (
    select rematched.candidate_id,
      least(coalesce(list_place.match_score, settings.min_score), alert_place.match_score) as bar
    from unnest(candidate_ids) as rematched (candidate_id)
    join private.candidate_match_profiles as profile
      on profile.candidate_id = rematched.candidate_id
    left join lateral (
      select within_reach.match_score from within_reach
      where within_reach.candidate_id = rematched.candidate_id
      order by within_reach.match_score desc
      offset settings.candidate_list_size - 1 limit 1
    ) as list_place on true
    left join lateral (
      select count(*) as pairs from stored
      where stored.candidate_id = rematched.candidate_id
        and stored.match_score >= profile.match_threshold
    ) as stored_reaching on profile.job_alerts and profile.list_floor is null
    left join lateral (
      select coalesce((
        select within_reach.match_score from within_reach
        where within_reach.candidate_id = rematched.candidate_id
          and within_reach.match_score >= profile.match_threshold
        order by within_reach.match_score desc
        offset settings.max_alerts_per_candidate_change - 1 + stored_reaching.pairs limit 1
      ), profile.match_threshold) as match_score
    ) as alert_place on stored_reaching.pairs is not null
  ),
  bars as (
    select array_agg(beyond_bars.candidate_id) as rematched_ids,
      array_agg(beyond_bars.bar) as rematched_bars,
      array_agg(beyond_bars.candidate_id) filter (where beyond_bars.bar <= one_skill_ceiling)
        as unsettled_ids,
      array_agg(beyond_bars.bar) filter (where beyond_bars.bar <= one_skill_ceiling)
        as unsettled_bars
    from beyond_bars
  ),
  scored as materialized (
    select fit.*
    from (
      select fit.job_id, fit.candidate_id, fit.match_score, fit.match_threshold, fit.job_alerts,
        fit.job_list_floor, fit.candidate_list_floor
      from private.job_candidate_scores as fit
      where fit.job_id = any (job_ids)
      union all
      select within_reach.* from within_reach
      union all
      -- Beyond reach, for the candidates not settled within reach: the offers reaching their bar,
      -- then for everyone the offers under it they applied to.
      select beyond.*
      from bars
      cross join private.candidate_pairs_by_reach(bars.unsettled_ids, bars.unsettled_bars, job_ids,
        false) as beyond
      where bars.unsettled_ids is not null
      union all
      select applications.*
      from bars
      cross join private.candidate_applications_beyond_reach(bars.rematched_ids,
        bars.rematched_bars, job_ids) as applications
      where exists (
        select from public.job_applications as application
        where application.candidate_id = any (candidate_ids)
      )
      offset 0
    ) as fit
    where fit.match_score >= settings.min_score
  ),
  -- The new floors of the lists rematched: the score of their last place (ties share it, and the
  -- list with them), min_score for a list that is not full. Each found by a sort that keeps only
  -- the list's length (offset ... limit 1), not by sorting every pair: 2 ms less of an offer's
  -- 4,500 pairs. Each offer and candidate rematched reads the pairs once (see max_ids_per_side).
  job_lists as (
    select rematched.job_id, counted.matches,
      coalesce(last_place.match_score, settings.min_score) as list_floor
    from unnest(job_ids) as rematched (job_id)
    cross join lateral (
      select count(*)::integer as matches from scored where scored.job_id = rematched.job_id
    ) as counted
    left join lateral (
      select scored.match_score from scored
      where scored.job_id = rematched.job_id
      order by scored.match_score desc
      offset settings.offer_list_size - 1 limit 1
    ) as last_place on true
  ),
  candidate_lists as (
    select rematched.candidate_id,
      coalesce(last_place.match_score, settings.min_score) as list_floor
    from unnest(candidate_ids) as rematched (candidate_id)
    left join lateral (
      select scored.match_score from scored
      where scored.candidate_id = rematched.candidate_id
      order by scored.match_score desc
      offset settings.candidate_list_size - 1 limit 1
    ) as last_place on true
  ),
  -- An applicant's pair is kept whatever the lists: the company ranks its applicants by score.
  applied as (
    select application.job_id, application.candidate_id
    from public.job_applications as application
    where application.job_id = any (job_ids)
    union
    select application.job_id, application.candidate_id
    from public.job_applications as application
    where application.candidate_id = any (candidate_ids)
  ),
  listed as (
    select scored.*
    from scored
    left join job_lists on job_lists.job_id = scored.job_id
    left join candidate_lists on candidate_lists.candidate_id = scored.candidate_id
    left join applied
      on applied.job_id = scored.job_id and applied.candidate_id = scored.candidate_id
    where scored.match_score >= coalesce(job_lists.list_floor, scored.job_list_floor)
      or scored.match_score >= coalesce(candidate_lists.list_floor, scored.candidate_list_floor)
      or applied.job_id is not null
  ),
  changes as (
    select
      coalesce(listed.job_id, stored.job_id) as job_id,
      coalesce(listed.candidate_id, stored.candidate_id) as candidate_id,
      listed.match_score as new_score,
      stored.match_score as old_score
    from listed
    full join stored
      on stored.job_id = listed.job_id and stored.candidate_id = listed.candidate_id
    where listed.match_score is distinct from stored.match_score
  ),
  -- Candidates who want job alerts and now reach their own threshold for the first time: every
  -- such candidate of an offer rematched, and the best few offers of a candidate rematched
  -- among the others (ranked apart: an offer's candidates need no ranking). A pair outside every
  -- list is new when the side rematched has no floor: never matched, or changed since.
  reached as (
    select scored.job_id, scored.candidate_id, scored.match_score as new_score
    from scored
    left join stored
      on stored.job_id = scored.job_id and stored.candidate_id = scored.candidate_id
    where scored.job_alerts and scored.match_score >= scored.match_threshold
      and (stored.match_score < scored.match_threshold
        or stored.match_score is null and case
          when scored.job_id = any (job_ids) then scored.job_list_floor is null
          else scored.candidate_list_floor is null
        end)
  ),
  alerted as (
    select reached.* from reached where reached.job_id = any (job_ids)
    union all
    -- The best few of each candidate, by a sort that keeps only them.
    select newly.*
    from unnest(candidate_ids) as rematched (candidate_id)
    cross join lateral (
      select reached.* from reached
      where reached.candidate_id = rematched.candidate_id and reached.job_id <> all (job_ids)
      order by reached.new_score desc, reached.job_id
      limit settings.max_alerts_per_candidate_change
    ) as newly
  )
  select
    (select count(*) from scored) as matches,
    (select coalesce(cardinality(bars.unsettled_ids), 0) from bars)
      as candidates_beyond_reach,
    ordered_changes.*,
    ordered_alerts.*,
    (select coalesce(array_agg(job_lists.job_id), '{}') from job_lists) as listed_job_ids,
    (select coalesce(array_agg(job_lists.matches), '{}') from job_lists) as job_matches,
    (select coalesce(array_agg(job_lists.list_floor), '{}') from job_lists) as job_floors,
    (select coalesce(array_agg(candidate_lists.candidate_id), '{}') from candidate_lists)
      as listed_candidate_ids,
    (select coalesce(array_agg(candidate_lists.list_floor), '{}') from candidate_lists)
      as candidate_floors
  into changed
  from (
    -- Aggregated in the order of the subquery: (offer, candidate), the order of the writes. A row
    -- that no longer holds is written with its stored score (see below), and listed apart.
    select
      coalesce(array_agg(ordered.job_id), '{}') as job_ids,
      coalesce(array_agg(ordered.candidate_id), '{}') as candidate_ids,
      coalesce(array_agg(coalesce(ordered.new_score, ordered.old_score)), '{}') as scores,
      coalesce(array_agg(ordered.job_id) filter (where ordered.new_score is null), '{}')
        as stale_job_ids,
      coalesce(array_agg(ordered.candidate_id) filter (where ordered.new_score is null), '{}')
        as stale_candidate_ids,
      coalesce(bool_and(ordered.old_score is null), false) as all_new
    -- (An offer's own run sorts by candidate alone: the same offer id compared on every
    -- comparison cost 3 ms of 5,400 rows; the order is the same.)
    from (
      select * from changes
      order by case when one_offer then candidate_id end, job_id, candidate_id
    ) as ordered
  ) as ordered_changes
  cross join (
    -- Each offer's candidates best first.
    select
      coalesce(array_agg(ordered.job_id), '{}') as alert_job_ids,
      coalesce(array_agg(ordered.candidate_id), '{}') as alert_candidate_ids
    from (
      select * from alerted
      order by case when not one_offer then job_id end, new_score desc, candidate_id
    ) as ordered
  ) as ordered_alerts;
  scored_at := clock_timestamp();

  -- When every row to write is new (an offer's first match, a candidate's: nothing to rescore or
  -- remove), a plain insert, without the conflict check and confirmation each row of an upsert
  -- costs. A concurrent run from the other side may have stored one of them meanwhile: then it is
  -- undone and the rows are written as below. Either way one statement takes the rows in (offer,
  -- candidate) order.
  added := null;
  if changed.all_new then
    begin
      insert into public.job_matches (job_id, candidate_id, match_score)
      select change.job_id, change.candidate_id, change.score
      from unnest(changed.job_ids, changed.candidate_ids, changed.scores)
        as change (job_id, candidate_id, score);
      get diagnostics added = row_count;
      rescored := 0;
    exception when unique_violation then
      added := null;
    end;
  end if;

  -- Every changed row in (offer, candidate) order (unnest keeps the arrays' order). A row that no
  -- longer holds is offered its stored score: the conflict updates nothing and locks it for the
  -- deletion below (inserted back if a concurrent run removed it meanwhile, deleted all the same).
  if added is null then
    with written as (
      insert into public.job_matches as match (job_id, candidate_id, match_score)
      select change.job_id, change.candidate_id, change.score
      from unnest(changed.job_ids, changed.candidate_ids, changed.scores)
        as change (job_id, candidate_id, score)
      on conflict (candidate_id, job_id) do update
        set match_score = excluded.match_score, computed_at = now()
        where match.match_score <> excluded.match_score
      returning match.xmax = 0 as inserted
    )
    select count(*) filter (where written.inserted), count(*) filter (where not written.inserted)
    into added, rescored
    from written;
  end if;

  -- Rows that no longer hold, deleted offer by offer (for the offers rematched) and candidate by
  -- candidate (the rest): each delete reads one offer's or one candidate's rows through an index,
  -- whatever the statistics of job_matches say. Here and below, a statement with nothing to do
  -- is skipped: it would be planned all the same (custom plans), 0.1 ms each, and a candidate's
  -- run has no offer to update, a run with nothing new no row to delete.
  removed := 0;
  if cardinality(changed.stale_job_ids) > 0 then
    for stale in
      select pair.job_id as id, array_agg(pair.candidate_id) as other_ids, true as of_job
      from unnest(changed.stale_job_ids, changed.stale_candidate_ids) as pair (job_id, candidate_id)
      where pair.job_id = any (job_ids)
      group by pair.job_id
      union all
      select pair.candidate_id, array_agg(pair.job_id), false
      from unnest(changed.stale_job_ids, changed.stale_candidate_ids) as pair (job_id, candidate_id)
      where pair.job_id <> all (job_ids)
      group by pair.candidate_id
    loop
      if stale.of_job then
        delete from public.job_matches as match
        where match.job_id = stale.id and match.candidate_id = any (stale.other_ids);
      else
        delete from public.job_matches as match
        where match.candidate_id = stale.id and match.job_id = any (stale.other_ids);
      end if;
      get diagnostics deleted = row_count;
      removed := removed + deleted;
    end loop;
  end if;

  -- The floors of the lists rematched (a side without matches: min_score), written where they
  -- moved, and the offers marked analysed with their number of matches.
  if cardinality(job_ids) > 0 then
    update private.job_match_profiles as profile
    set list_floor = coalesce(list.list_floor, settings.min_score)
    from unnest(job_ids) as rematched (job_id)
    left join unnest(changed.listed_job_ids, changed.job_floors) as list (job_id, list_floor)
      on list.job_id = rematched.job_id
    where profile.job_id = rematched.job_id
      and profile.list_floor is distinct from coalesce(list.list_floor, settings.min_score);
    update public.jobs as job
    set analysis_completed = true, analyzed_at = now(),
        matched_candidates_count = coalesce(list.matches, 0)
    from unnest(job_ids) as rematched (job_id)
    left join unnest(changed.listed_job_ids, changed.job_matches) as list (job_id, matches)
      on list.job_id = rematched.job_id
    where job.id = rematched.job_id;
  end if;
  if cardinality(candidate_ids) > 0 then
    update private.candidate_match_profiles as profile
    set list_floor = coalesce(list.list_floor, settings.min_score)
    from unnest(candidate_ids) as rematched (candidate_id)
    left join unnest(changed.listed_candidate_ids, changed.candidate_floors)
      as list (candidate_id, list_floor) on list.candidate_id = rematched.candidate_id
    where profile.candidate_id = rematched.candidate_id
      and profile.list_floor is distinct from coalesce(list.list_floor, settings.min_score);
  end if;
  written_at := clock_timestamp();

  perform private.request_job_alerts(
    changed.alert_job_ids, changed.alert_candidate_ids, 'profile_match'
  );

  return jsonb_build_object(
    'jobs', cardinality(job_ids),
    'candidates', cardinality(candidate_ids),
    'matches', changed.matches,
    'added', added,
    'rescored', rescored,
    'removed', removed,
    'alerts', cardinality(changed.alert_candidate_ids),
    'candidates_scored_beyond_reach', changed.candidates_beyond_reach,
    'ms', jsonb_build_object(
      'scoring', round(extract(epoch from scored_at - started_at)::numeric * 1000, 1),
      'writing', round(extract(epoch from written_at - scored_at)::numeric * 1000, 1),
      'alerts', round(extract(epoch from clock_timestamp() - written_at)::numeric * 1000, 1)
    )
  );
end;
$$;
grant execute on function private.rematch(uuid[], uuid[]) to service_role;

-- An application stores its pair's score at once when it is a match, listed or not: the company
-- ranks its applicants by score (get_job_candidates), and rematch keeps applicants' pairs. One
-- pair, scored from both profiles' keys. Security definer: candidates write applications.
create function private.store_applicant_match()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  insert into public.job_matches (job_id, candidate_id, match_score)
  select fit.job_id, fit.candidate_id, fit.match_score
  from private.job_candidate_scores as fit
  where fit.job_id = new.job_id and fit.candidate_id = new.candidate_id
    and fit.match_score >= (select settings.min_score from private.match_settings() as settings)
  on conflict (candidate_id, job_id) do nothing;
  return null;
end;
$$;

create trigger job_applications_store_match
  after insert on public.job_applications
  for each row execute function private.store_applicant_match();
