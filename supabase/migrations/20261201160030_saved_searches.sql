-- Saved searches with alerts: a candidate keeps up to 20 searches (search_jobs' filter arguments);
-- when a published offer has been analysed by the matching pipeline, every saved search it matches
-- asks for a job alert through the notifications queue. Alerts share matching's dedupe key
-- "job_match:<offer>", which the dispatcher keeps per user: an offer that matches a candidate's
-- profile and two of their saved searches alerts them once.

create table public.saved_searches (
  id uuid primary key default gen_random_uuid(),
  candidate_id uuid not null default auth.uid()
    references public.candidates (id) on delete cascade,
  name text not null
    constraint saved_searches_name_length check (char_length(btrim(name)) between 1 and 100),
  query text
    constraint saved_searches_query_length check (char_length(query) <= 200),
  skills text[] not null default '{}'
    constraint saved_searches_skills_count check (cardinality(skills) <= 20)
    constraint saved_searches_skills_element_length check (private.elements_within(skills, 100)),
  -- The filter values are checked by search_jobs' rules when the search is resolved; the lengths
  -- here bound them before that.
  experience_level text
    constraint saved_searches_experience_level_length check (char_length(experience_level) <= 40),
  location text
    constraint saved_searches_location_length check (char_length(location) <= 100),
  radius_km integer,
  departement text
    constraint saved_searches_departement_length check (char_length(departement) <= 40),
  remote boolean,
  remote_policy text
    constraint saved_searches_remote_policy_length check (char_length(remote_policy) <= 40),
  contract_type text
    constraint saved_searches_contract_type_length check (char_length(contract_type) <= 40),
  salary_min integer,
  salary_max integer,
  alerts_enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.saved_searches is
  'A candidate''s saved job searches (search_jobs arguments); alerts_enabled: new matching '
  'offers are notified (type job_alert).';
create index saved_searches_candidate_id_idx on public.saved_searches (candidate_id, created_at);

-- The resolved criteria of each saved search (private: its type lives in `private`).
create table private.saved_search_criteria (
  saved_search_id uuid primary key references public.saved_searches (id) on delete cascade,
  criteria private.search_criteria not null
);
comment on table private.saved_search_criteria is
  'private.search_criteria of each saved search, resolved when it is written.';
alter table private.saved_search_criteria enable row level security;

create trigger saved_searches_set_updated_at
  before update on public.saved_searches
  for each row execute function private.set_updated_at();

-- Validates a saved search exactly as search_jobs validates its arguments (same errors), keeps
-- at most 20 per candidate, and stores the resolved criteria.
create function private.resolve_saved_search()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  max_saved_searches constant integer := 20;
begin
  if tg_op = 'INSERT' then
    -- One candidate's inserts are serialised, so that concurrent ones cannot pass the limit.
    perform 1 from public.candidates where id = new.candidate_id for update;
    -- After the insert: the count includes this search.
    if (select count(*) from public.saved_searches where candidate_id = new.candidate_id)
      > max_saved_searches
    then
      raise exception using
        errcode = '22023',
        message = format('a candidate keeps at most %s saved searches', max_saved_searches);
    end if;
  end if;
  insert into private.saved_search_criteria (saved_search_id, criteria)
  values (new.id, private.search_criteria(new.query, new.skills, new.experience_level,
    new.location, new.remote, new.salary_min, new.contract_type, new.remote_policy,
    new.departement, new.radius_km, new.salary_max, null))
  on conflict (saved_search_id) do update set criteria = excluded.criteria;
  return null;
end;
$$;

create trigger saved_searches_resolve
  after insert or update of query, skills, experience_level, location, radius_km, departement,
    remote, remote_policy, contract_type, salary_min, salary_max
  on public.saved_searches
  for each row execute function private.resolve_saved_search();

revoke all on table public.saved_searches from anon, authenticated;
grant select, delete on table public.saved_searches to authenticated;
grant insert (
  candidate_id, name, query, skills, experience_level, location, radius_km, departement, remote,
  remote_policy, contract_type, salary_min, salary_max, alerts_enabled
) on table public.saved_searches to authenticated;
grant update (
  name, query, skills, experience_level, location, radius_km, departement, remote, remote_policy,
  contract_type, salary_min, salary_max, alerts_enabled
) on table public.saved_searches to authenticated;

alter table public.saved_searches enable row level security;

create policy "A candidate reads their saved searches"
  on public.saved_searches for select
  to authenticated
  using (candidate_id = (select auth.uid()));

create policy "A candidate saves searches"
  on public.saved_searches for insert
  to authenticated
  with check (
    candidate_id = (select auth.uid())
    and (select private.current_user_role()) = 'candidate'
  );

create policy "A candidate edits their saved searches"
  on public.saved_searches for update
  to authenticated
  using (candidate_id = (select auth.uid()))
  with check (candidate_id = (select auth.uid()));

create policy "A candidate deletes their saved searches"
  on public.saved_searches for delete
  to authenticated
  using (candidate_id = (select auth.uid()));

-- Asks for the alerts of one offer: the owners of every saved search with alerts that it matches
-- (private.request_job_alerts, reason saved_search). Returns the number of candidates asked for.
create function private.request_saved_search_alerts(p_job_id uuid)
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  recipients uuid[];
begin
  execute format(
    $query$
      select coalesce(array_agg(distinct saved.candidate_id order by saved.candidate_id), '{}')
      from public.jobs as job
      cross join private.saved_search_criteria as stored
      join public.saved_searches as saved on saved.id = stored.saved_search_id
      where job.id = $1 and job.status = 'published' and saved.alerts_enabled and %s
    $query$,
    private.search_conditions(null, 'stored.criteria', true)
  ) into recipients using p_job_id;
  perform private.request_job_alerts(
    array_fill(p_job_id, array[cardinality(recipients)]), recipients, 'saved_search'
  );
  return cardinality(recipients);
end;
$$;
grant execute on function private.request_saved_search_alerts(uuid) to service_role;

-- An offer alerts once the matching pipeline has analysed it (after matching asked for its own
-- alerts, in the same transaction), so a candidate's profile match and saved searches meet the
-- same dedupe key; and only once moderation approved it, whichever of the two comes last.
create function private.alert_saved_searches()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.analysis_completed and new.status = 'published' and new.moderation_status = 'approved'
     and not (old.analysis_completed and old.moderation_status = 'approved') then
    perform private.request_saved_search_alerts(new.id);
  end if;
  return null;
end;
$$;

create trigger jobs_alert_saved_searches
  after update of analysis_completed, moderation_status on public.jobs
  for each row execute function private.alert_saved_searches();
