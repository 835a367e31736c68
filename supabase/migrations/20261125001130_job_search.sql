-- search_jobs(): the public job board search over published offers.
--
-- Full text in French with accents folded (jobs.search, config public.french_unaccent; the query
-- follows web-search syntax: "exact phrase", OR, -excluded), ranked by relevance then recency;
-- plus optional filters on skills, experience level, location, remote work and salary.
--
-- Security definer, because published offers and company pages are public anyway and because under
-- RLS Postgres may not use the full-text and trigram indexes: their operators are not leakproof,
-- so a policy would have to filter every row first. The function reads published offers only.
-- The query is assembled from the filters actually given, so that each call is planned for its
-- own filters (a generic plan with "p_x is null or ..." branches would not use the indexes).

create function public.search_jobs(
  p_query text default null,
  p_skills text[] default null,
  p_experience_level text default null,
  p_location text default null,
  p_remote boolean default null,
  p_salary_min integer default null,
  p_limit integer default 20,
  p_offset integer default 0
)
returns table (
  id uuid,
  company_id uuid,
  company_name text,
  title text,
  description text,
  required_skills text[],
  nice_to_have_skills text[],
  experience_level text,
  location text,
  remote_policy text,
  contract_type text,
  salary_min integer,
  salary_max integer,
  published_at timestamptz,
  rank real
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  text_query tsquery;
  skill_keys text[];
  location_pattern text;
  conditions text[] := array['job.status = ''published'''];
begin
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception using
      errcode = '22023', message = format('p_limit must be between 1 and 100 (got %s)', p_limit);
  end if;
  if p_offset is null or p_offset not between 0 and 10000 then
    raise exception using
      errcode = '22023',
      message = format('p_offset must be between 0 and 10000 (got %s); narrow the search instead',
        p_offset);
  end if;
  if char_length(p_query) > 200 then
    raise exception using errcode = '22023', message = 'p_query: at most 200 characters';
  end if;
  if cardinality(p_skills) > 20 then
    raise exception using errcode = '22023', message = 'p_skills: at most 20 skills';
  end if;
  if p_experience_level not in ('junior', 'mid', 'senior', 'lead') then
    raise exception using
      errcode = '22023',
      message = format('p_experience_level must be junior, mid, senior or lead (got %L)',
        p_experience_level);
  end if;
  if char_length(p_location) > 100 then
    raise exception using errcode = '22023', message = 'p_location: at most 100 characters';
  end if;
  if p_salary_min < 0 then
    raise exception using errcode = '22023', message = 'p_salary_min must not be negative';
  end if;

  -- A query of stop words only ("le", "des") has no lexeme: it filters nothing.
  if btrim(p_query) <> '' then
    text_query := websearch_to_tsquery('public.french_unaccent'::regconfig, p_query);
    if numnode(text_query) > 0 then
      conditions := array_append(conditions, 'job.search @@ $1');
    else
      text_query := null;
    end if;
  end if;
  skill_keys := private.normalize_skills(p_skills);
  if cardinality(skill_keys) > 0 then
    conditions := array_append(conditions, 'job.skill_keys && $2');
  end if;
  if p_experience_level is not null then
    conditions := array_append(conditions, 'job.experience_level = $3');
  end if;
  if btrim(p_location) <> '' then
    location_pattern := '%' || replace(replace(replace(private.fold_text(btrim(p_location)),
      '\', '\\'), '%', '\%'), '_', '\_') || '%';
    conditions := array_append(conditions, 'private.fold_text(job.location) like $4');
  end if;
  if p_remote then
    conditions := array_append(conditions, 'job.remote_policy in (''remote'', ''hybrid'')');
  elsif not p_remote then
    conditions := array_append(conditions, 'job.remote_policy = ''onsite''');
  end if;
  if p_salary_min is not null then
    conditions := array_append(conditions, 'coalesce(job.salary_max, job.salary_min) >= $5');
  end if;

  return query execute format(
    $query$
      select job.id, job.company_id, company.name, job.title, job.description,
        job.required_skills, job.nice_to_have_skills, job.experience_level, job.location,
        job.remote_policy, job.contract_type, job.salary_min, job.salary_max, job.published_at,
        %s as rank
      from public.jobs as job
      join public.companies as company on company.id = job.company_id
      where %s
      order by rank desc, job.published_at desc, job.id desc
      limit $6 offset $7
    $query$,
    case when text_query is null then '0::real' else 'pg_catalog.ts_rank(job.search, $1)' end,
    array_to_string(conditions, ' and ')
  )
  using text_query, skill_keys, p_experience_level, location_pattern, p_salary_min, p_limit,
    p_offset;
end;
$$;
comment on function public.search_jobs(text, text[], text, text, boolean, integer, integer, integer)
  is 'Searches published offers: French full text (accents folded) ranked, plus filters. '
  'p_remote: true = remote or hybrid, false = on site only.';
grant execute on function
  public.search_jobs(text, text[], text, text, boolean, integer, integer, integer)
  to anon, authenticated, service_role;
