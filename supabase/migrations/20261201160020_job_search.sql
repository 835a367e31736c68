-- search_jobs() and search_jobs_facets(): the public job board over published offers.
--
--   private.search_text()        a query as people type it -> what offers must match (tsquery with
--                                synonyms, skill aliases, prefix of the word being typed, typo
--                                corrections of unknown words), the words as typed (exact), and
--                                the filter words it holds ("CDI", "télétravail")
--   private.search_criteria()    every argument validated and resolved (cities in a radius,
--                                canonical skills) into one private.search_criteria value
--   private.search_conditions()  the SQL conditions of a criteria value, the one definition of
--                                what matches (search, facets and saved-search alerts use it)
--   private.search_hits()        matching offers in date or salary order after a keyset, read
--                                either by walking the order's index or through the GIN index,
--                                whichever costs less for the number of matches (estimated, or
--                                counted in a sample near the crossover); the chosen plan is
--                                pinned, so statistics cannot flip it
--
-- Relevance = text rank + 1 when the offer matches the words as typed (so prefix and typo
-- expansions never outrank exact matches) + freshness (0.05 per 30 days of publication date).
-- Relevance orders the 100 most recent matching offers; older matches follow by date.
--
-- The RPCs are security definer: published offers and company names are public anyway, and under
-- RLS the full-text and trigram indexes could not be used (their operators are not leakproof).
-- They read published offers only.

create type private.search_criteria as (
  match_query tsquery,
  exact_query tsquery,
  contract_keys text[],
  remote_keys text[],
  level_keys text[],
  radius_keys text[],
  departement_keys text[],
  location_pattern text,
  skill_keys text[],
  salary_min integer,
  salary_max integer,
  posted_since timestamptz
);
comment on type private.search_criteria is
  'A job search, resolved: text queries, filter keys of jobs.search_filters, other filters.';

-- Where a page starts: the sort, the last row's keys, and the boundary of the relevance window.
create type private.search_cursor as (
  tier text,
  score double precision,
  published_at timestamptz,
  salary_key integer,
  id uuid,
  boundary_at timestamptz,
  boundary_id uuid
);

create type private.search_hit as (
  id uuid,
  published_at timestamptz,
  salary_key integer,
  rank real,
  score double precision,
  -- The offer's contract, remote and level keys, then its city key if it has one (the first four
  -- of jobs.search_filters): what facets count, read with the match.
  facet_keys text[]
);

create function private.search_settings(
  -- Relevance orders this many most recent matches; also the exact-total threshold of a page.
  out relevance_window integer,
  -- Totals and facets are exact up to this many matches, estimated above.
  out exact_count_limit integer,
  -- Relevance points per 30 days of publication date.
  out freshness_per_30_days double precision
)
language sql immutable
set search_path = ''
as $$
  select 100, 2000, 0.05::double precision;
$$;

create function private.tsquery_and(p_left tsquery, p_right tsquery)
returns tsquery
language sql immutable parallel safe
set search_path = ''
as $$
  select case when p_left is null then p_right when p_right is null then p_left
    else p_left && p_right end;
$$;

create function private.tsquery_or(p_left tsquery, p_right tsquery)
returns tsquery
language sql immutable parallel safe
set search_path = ''
as $$
  select case when p_left is null or numnode(p_left) = 0 then p_right
    when p_right is null or numnode(p_right) = 0 then p_left else p_left || p_right end;
$$;

-- Edits between a typed word and a vocabulary word: Levenshtein, a swap of two neighbouring
-- letters counting as one edit ("nuti" -> "nuit").
create function private.typo_distance(p_typed text, p_word text)
returns integer
language sql immutable parallel safe
set search_path = ''
as $$
  select case
    when char_length(p_typed) = char_length(p_word) and exists (
      select from generate_series(1, char_length(p_typed) - 1) as position
      where overlay(p_typed placing substr(p_typed, position + 1, 1) || substr(p_typed, position, 1)
        from position for 2) = p_word
    ) then 1
    else extensions.levenshtein(p_typed, p_word)
  end;
$$;

-- A query as people type it. Quoted phrases match as phrases; a word after "-" excludes; runs of
-- up to three words are looked up as filter words, synonyms and skill aliases; the last word, when
-- the query does not end with a space, also matches as a prefix (a search box being typed); a word
-- of four letters or more that at most one offer uses and that is no prefix of a known word is also
-- corrected to up to three close vocabulary words used by more offers (one edit up to five
-- letters, else two; see private.typo_distance).
create function private.search_text(
  p_query text,
  out match_query tsquery,
  out exact_query tsquery,
  out contract_types text[],
  out remote_policies text[]
)
language plpgsql stable
set search_path = ''
-- Stop words alone ("de") are expected here: no notice about them.
set client_min_messages = warning
as $$
declare
  config constant regconfig := 'public.french_unaccent';
  typing constant boolean := coalesce(p_query, '') !~ '\s$';
  phrase text;
  piece text;
  typed text;
  words text[] := '{}';
  excluded boolean[] := '{}';
  word_index integer := 1;
  span integer;
  candidate text;
  alternatives text[];
  filter_word record;
  group_exact tsquery;
  group_match tsquery;
  known_prefix boolean;
  completions text[];
  completion text;
  typed_documents integer;
  correction text;
begin
  for phrase in
    select quoted[1] from regexp_matches(coalesce(p_query, ''), '"([^"]*)"', 'g') as quoted
  loop
    group_exact := phraseto_tsquery(config, private.search_normalize(phrase));
    if numnode(group_exact) > 0 then
      match_query := private.tsquery_and(match_query, group_exact);
      exact_query := private.tsquery_and(exact_query, group_exact);
    end if;
  end loop;

  for piece in
    select regexp_split_to_table(
      private.search_normalize(regexp_replace(coalesce(p_query, ''), '"[^"]*"?', ' ', 'g')),
      '\s+')
  loop
    for typed in
      select token[1]
      from regexp_matches(piece, '([[:alnum:]][[:alnum:]+#]*(?:\.[[:alnum:]+#]+)*)', 'g')
        as token
    loop
      words := words || typed;
      excluded := excluded || (piece like '-%');
    end loop;
  end loop;

  -- Each word costs a few index lookups: the first 20 are enough for any real query.
  words := words[1:20];
  excluded := excluded[1:20];
  while word_index <= cardinality(words) loop
    alternatives := null;
    span := least(3, cardinality(words) - word_index + 1);
    while span >= 1 loop
      candidate := private.fold_text(array_to_string(words[word_index:word_index + span - 1],
        ' '));
      select word_filter.facet, word_filter.filter_values into filter_word
      from private.search_filter_words as word_filter
      where word_filter.term = candidate;
      if found and not excluded[word_index] then
        if filter_word.facet = 'contract_type' then
          contract_types := array(select distinct unnest(coalesce(contract_types, '{}')
            || filter_word.filter_values) order by 1);
        else
          remote_policies := array(select distinct unnest(coalesce(remote_policies, '{}')
            || filter_word.filter_values) order by 1);
        end if;
        alternatives := '{}';
        exit;
      end if;
      select array_agg(distinct other.term order by other.term) into alternatives
      from private.search_synonyms as this
      join private.search_synonyms as other on other.concept = this.concept
      where this.term = candidate;
      if alternatives is null then
        select array[candidate, alias.skill, private.search_normalize(skill.label)]
        into alternatives
        from private.skill_aliases as alias
        join private.skills as skill on skill.key = alias.skill
        where alias.alias = private.skill_key(candidate);
      end if;
      exit when alternatives is not null or span = 1;
      span := span - 1;
    end loop;

    group_exact := null;
    foreach candidate in array coalesce(alternatives, array[words[word_index]]) loop
      group_exact := private.tsquery_or(group_exact,
        phraseto_tsquery(config, replace(candidate, '.', ' ')));
      -- "node.js", "asp.net": the parser keeps dotted names whole, as in the offers.
      if candidate like '%.%' then
        group_exact := private.tsquery_or(group_exact, phraseto_tsquery(config, candidate));
      end if;
    end loop;
    group_match := group_exact;

    -- Stop words alone ("de", "la") have no lexeme: they filter nothing, not even as a prefix.
    if alternatives is null and not excluded[word_index]
      and coalesce(numnode(group_exact), 0) > 0
    then
      typed := private.fold_text(words[word_index]);
      known_prefix := false;
      select vocabulary.documents into typed_documents
      from private.search_vocabulary as vocabulary where vocabulary.word = typed;
      if word_index = cardinality(words) and typing and typed ~ '^[a-z0-9]{2,}$' then
        -- The words of the offers that it begins, the most used first, as whole words: the
        -- planner estimates a lexeme prefix poorly ('sci':* at a million offers: 4,500 expected,
        -- 36,000 found), which sends a broad search the way meant for few matches. Only the
        -- beginning of no known word is looked up as a lexeme prefix.
        completions := array(
          select vocabulary.word from private.search_vocabulary as vocabulary
          where vocabulary.word like typed || '%' and vocabulary.word <> typed
          order by vocabulary.documents desc, vocabulary.word
          limit 8
        );
        known_prefix := cardinality(completions) > 0;
        foreach completion in array completions loop
          group_match := private.tsquery_or(group_match, phraseto_tsquery(config, completion));
        end loop;
        if not known_prefix and typed_documents is null then
          group_match := private.tsquery_or(group_match, to_tsquery('simple', typed || ':*'));
        end if;
      end if;
      if char_length(typed) >= 4 and typed !~ '^[0-9]+$' and not known_prefix
        and coalesce(typed_documents, 0) < 2
      then
        for correction in
          select close.word
          from (
            -- Close words share trigrams, or at least their first letter (transpositions such as
            -- "pyhton" share few trigrams).
            select vocabulary.word, vocabulary.documents
            from private.search_vocabulary as vocabulary
            where vocabulary.word operator(extensions.%) typed
            union
            select vocabulary.word, vocabulary.documents
            from private.search_vocabulary as vocabulary
            where vocabulary.word like left(typed, 1) || '%'
              and char_length(vocabulary.word) between char_length(typed) - 2
                and char_length(typed) + 2
          ) as close
          cross join lateral (select private.typo_distance(typed, close.word) as distance) as typo
          where close.documents > coalesce(typed_documents, 0)
            and typo.distance <= case when char_length(typed) <= 5 then 1 else 2 end
          order by typo.distance, close.documents desc, close.word
          limit 3
        loop
          group_match := private.tsquery_or(group_match, phraseto_tsquery(config, correction));
        end loop;
      end if;
    end if;

    if alternatives is distinct from '{}' and coalesce(numnode(group_exact), 0) > 0 then
      if excluded[word_index] then
        match_query := private.tsquery_and(match_query, !! group_exact);
        exact_query := private.tsquery_and(exact_query, !! group_exact);
      else
        match_query := private.tsquery_and(match_query, group_match);
        exact_query := private.tsquery_and(exact_query, group_exact);
      end if;
    end if;
    word_index := word_index + span;
  end loop;
end;
$$;

-- A filter argument holding one value or several, comma-separated ("cdi" or "cdi,cdd"), checked
-- against the allowed values.
create function private.search_values(p_name text, p_value text, p_allowed text[])
returns text[]
language plpgsql immutable
set search_path = ''
as $$
declare
  chosen text[];
begin
  if p_value is null then
    return null;
  end if;
  chosen := array(
    select distinct lower(btrim(item)) from regexp_split_to_table(p_value, ',') as item
    where btrim(item) <> '' order by 1
  );
  if cardinality(chosen) = 0 or not chosen <@ p_allowed then
    raise exception using
      errcode = '22023',
      message = format('%s must be %s (got %L)', p_name,
        array_to_string(p_allowed[1:cardinality(p_allowed) - 1], ', ')
          || ' or ' || p_allowed[cardinality(p_allowed)], p_value),
      hint = 'Several values may be given, comma-separated.';
  end if;
  return chosen;
end;
$$;

create function private.search_criteria(
  p_query text,
  p_skills text[],
  p_experience_level text,
  p_location text,
  p_remote boolean,
  p_salary_min integer,
  p_contract_type text,
  p_remote_policy text,
  p_departement text,
  p_radius_km integer,
  p_salary_max integer,
  p_posted_since timestamptz
)
returns private.search_criteria
language plpgsql stable
set search_path = ''
as $$
declare
  criteria private.search_criteria;
  text_query record;
  contract_types text[];
  remote_policies text[];
  levels text[];
  center record;
begin
  if char_length(p_query) > 200 then
    raise exception using errcode = '22023', message = 'p_query: at most 200 characters';
  end if;
  if cardinality(p_skills) > 20 then
    raise exception using errcode = '22023', message = 'p_skills: at most 20 skills';
  end if;
  if exists (select from unnest(p_skills) as skill where char_length(skill) > 100) then
    raise exception using errcode = '22023', message = 'p_skills: at most 100 characters a skill';
  end if;
  if char_length(p_location) > 100 then
    raise exception using errcode = '22023', message = 'p_location: at most 100 characters';
  end if;
  if p_salary_min < 0 then
    raise exception using errcode = '22023', message = 'p_salary_min must not be negative';
  end if;
  if p_salary_max < 0 then
    raise exception using errcode = '22023', message = 'p_salary_max must not be negative';
  end if;
  if p_salary_min > p_salary_max then
    raise exception using
      errcode = '22023',
      message = format('p_salary_min (%s) must not exceed p_salary_max (%s)', p_salary_min,
        p_salary_max);
  end if;
  if p_radius_km is not null and (p_radius_km not between 1 and 200 or btrim(p_location) = ''
    or p_location is null)
  then
    raise exception using
      errcode = '22023',
      message = format('p_radius_km must be between 1 and 200 and needs p_location (got %s)',
        p_radius_km);
  end if;
  if char_length(p_departement) > 3 or lower(btrim(p_departement))
    !~ '^(0[1-9]|[1-8][0-9]|9[0-5]|2a|2b|97[1-6])$'
  then
    raise exception using
      errcode = '22023',
      message = format('p_departement must be a French département code such as 69, 2A or 971 '
        '(got %L)', p_departement);
  end if;

  -- These filters take comma-separated lists ("cdi,cdd"), so they stay text; their values are the
  -- columns' enums.
  contract_types := private.search_values('p_contract_type', p_contract_type,
    enum_range(null::public.contract_type)::text[]);
  remote_policies := private.search_values('p_remote_policy', p_remote_policy,
    enum_range(null::public.remote_policy)::text[]);
  levels := private.search_values('p_experience_level', p_experience_level,
    enum_range(null::public.experience_level)::text[]);
  if p_remote is not null then
    remote_policies := array(
      select policy
      from unnest(case when p_remote then array['hybrid', 'remote'] else array['onsite'] end)
        as policy
      where remote_policies is null or policy = any (remote_policies)
    );
  end if;

  text_query := private.search_text(p_query);
  criteria.match_query := text_query.match_query;
  criteria.exact_query := text_query.exact_query;
  -- Filter words of the text apply when the same filter is not given as an argument.
  contract_types := coalesce(contract_types, text_query.contract_types);
  if p_remote is null and p_remote_policy is null then
    remote_policies := text_query.remote_policies;
  end if;
  criteria.contract_keys := private.prefixed(contract_types, 'contract:');
  criteria.remote_keys := private.prefixed(remote_policies, 'remote:');
  criteria.level_keys := private.prefixed(levels, 'level:');

  if p_radius_km is not null then
    select city.latitude, city.longitude into center
    from private.french_cities() as city
    where city.key = private.location_key(p_location);
    if not found then
      raise exception using
        errcode = '22023',
        message = format('p_location: %L is not a city a radius search knows; search it '
          'without p_radius_km', p_location);
    end if;
    -- Great-circle distance (haversine), Earth radius 6,371 km.
    criteria.radius_keys := array(
      select 'city:' || city.key
      from private.french_cities() as city
      where 2 * 6371 * asin(sqrt(
        power(sin(radians(city.latitude - center.latitude) / 2), 2)
        + cos(radians(center.latitude)) * cos(radians(city.latitude))
          * power(sin(radians(city.longitude - center.longitude) / 2), 2)
      )) <= p_radius_km
      order by city.key
    );
  elsif btrim(p_location) <> '' then
    criteria.location_pattern := '%' || replace(replace(replace(private.fold_text(
      btrim(p_location)), '\', '\\'), '%', '\%'), '_', '\_') || '%';
  end if;
  if p_departement is not null then
    -- Offers naming the département (postcode) or one of its known cities.
    criteria.departement_keys := array['dept:' || lower(btrim(p_departement))] || array(
      select 'city:' || city.key from private.french_cities() as city
      where city.departement = lower(btrim(p_departement)) order by city.key
    );
  end if;
  if cardinality(p_skills) > 0 then
    criteria.skill_keys := private.prefixed(nullif(private.canonical_skills(p_skills), '{}'), 'skill:');
  end if;
  criteria.salary_min := p_salary_min;
  criteria.salary_max := p_salary_max;
  criteria.posted_since := p_posted_since;
  return criteria;
end;
$$;

-- The conditions an offer ("job") meets to match the criteria found at p_source (an SQL
-- expression of type private.search_criteria): the one definition of what matches. For a search,
-- only the given parts are written, so that each query is planned for its own filters; for stored
-- searches (p_stored), every part is written as "not given or met", to match many at once.
-- (PL/pgSQL, as the other helpers a search calls several times: PL/pgSQL keeps its statements'
-- plans for the session, where an SQL function with a SET clause is planned again in each
-- transaction, 0.2 to 0.7 ms a call.)
create function private.search_conditions(
  p_criteria private.search_criteria, p_source text, p_stored boolean default false
)
returns text
language plpgsql immutable
set search_path = ''
as $$
begin
  -- Only offers approved by moderation are on the board (an offer awaiting moderation, flagged or
  -- rejected is its company's alone), whatever the criteria.
  return (select 'job.moderation_status = ''approved''' || coalesce(' and ' || string_agg(
    case when p_stored then format('((%s).%s is null or %s)', p_source, given.field,
        format(given.template, p_source))
      else format(given.template, p_source) end,
    ' and ' order by given.position), '')
  from (values
    (1, 'match_query', 'job.search @@ (%1$s).match_query', p_criteria.match_query::text),
    (2, 'contract_keys', 'job.search_filters && (%1$s).contract_keys',
      p_criteria.contract_keys::text),
    (3, 'remote_keys', 'job.search_filters && (%1$s).remote_keys', p_criteria.remote_keys::text),
    (4, 'level_keys', 'job.search_filters && (%1$s).level_keys', p_criteria.level_keys::text),
    (5, 'radius_keys', 'job.search_filters && (%1$s).radius_keys', p_criteria.radius_keys::text),
    (6, 'departement_keys', 'job.search_filters && (%1$s).departement_keys',
      p_criteria.departement_keys::text),
    (7, 'location_pattern', 'private.fold_text(job.location) like (%1$s).location_pattern',
      p_criteria.location_pattern),
    (8, 'skill_keys', 'job.search_filters && (%1$s).skill_keys', p_criteria.skill_keys::text),
    (9, 'salary_min', 'coalesce(job.salary_max, job.salary_min) >= (%1$s).salary_min',
      p_criteria.salary_min::text),
    (10, 'salary_max', 'coalesce(job.salary_min, job.salary_max) <= (%1$s).salary_max',
      p_criteria.salary_max::text),
    (11, 'posted_since', 'job.published_at >= (%1$s).posted_since',
      p_criteria.posted_since::text)
  ) as given (position, field, template, value)
  where p_stored or given.value is not null);
end;
$$;

-- The planner's estimate of the number of published offers meeting the conditions. (Volatile
-- only because Postgres allows EXPLAIN in volatile functions only; it changes nothing.) It
-- multiplies the shares of the words and filters as if they were independent, and they seldom
-- are ("chef de projet digital": 634 expected, 3,882 found at 100,000 offers).
create function private.search_estimate(p_criteria private.search_criteria, p_conditions text)
returns double precision
language plpgsql volatile
set search_path = ''
as $$
declare
  plan jsonb;
begin
  execute 'explain (format json) select from public.jobs as job where job.status = ''published'''
    || ' and ' || p_conditions
  into plan using p_criteria;
  return (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
end;
$$;

-- The number of published offers meeting the conditions, counted in a sample of about
-- sample_rows offers: the same pages every time (repeatable), so the same data gives the same
-- answer. Within about 20 to 30% where it matters (32 matches expected in the sample at the
-- crossover of 100,000 offers, 10 at a million), where the planner's estimate can be 6 to 8 times
-- off.
create function private.search_sampled_matches(
  p_criteria private.search_criteria, p_conditions text
)
returns double precision
language plpgsql stable
set search_path = ''
as $$
declare
  sample_rows constant double precision := 1000;
  stored double precision;
  published double precision;
  sampled_published bigint;
  sampled_matches bigint;
begin
  select greatest(class.reltuples, 1) into stored
  from pg_catalog.pg_class as class where class.oid = 'public.jobs'::regclass;
  select greatest(class.reltuples, 1) into published
  from pg_catalog.pg_class as class where class.oid = 'public.jobs_published_idx'::regclass;
  execute format('select count(*) filter (where job.status = ''published'') as published, '
    'count(*) filter (where job.status = ''published'' and %s) as matches '
    'from public.jobs as job tablesample system (%s) repeatable (0)',
    p_conditions, least(100, 100 * sample_rows / stored))
  into sampled_published, sampled_matches using p_criteria;
  return sampled_matches * published / greatest(sampled_published, 1);
end;
$$;

-- What the walks' indexes hold of a search (jobs_search_date_idx, jobs_salary_idx): every
-- condition but the words and the location pattern.
create function private.search_index_criteria(p_criteria private.search_criteria)
returns private.search_criteria
language plpgsql immutable
set search_path = ''
as $$
declare
  in_index private.search_criteria := p_criteria;
begin
  in_index.match_query := null;
  in_index.exact_query := null;
  in_index.location_pattern := null;
  return in_index;
end;
$$;

-- The share of published offers passing the filters a walk checks in its index, when the walk
-- reads only those offers, for the words: at most a tenth (the planner's estimate). Null when the
-- index holds none of the search's filters or more pass: the walk then reads every offer it
-- walks. ("Lyon 20 km, CDI": 4%; remote with a salary of 50k or more: 19% expected, 48% found,
-- where reading only those took twice the buffers of a plain walk.)
create function private.search_walk_filtered_share(p_criteria private.search_criteria)
returns double precision
language plpgsql volatile
set search_path = ''
as $$
declare
  in_index constant private.search_criteria := private.search_index_criteria(p_criteria);
  share double precision;
begin
  if in_index is null then
    return null;
  end if;
  share := private.search_estimate(in_index, private.search_conditions(in_index, '$1'))
    / (select greatest(class.reltuples, 1) from pg_catalog.pg_class as class
      where class.oid = 'public.jobs_published_idx'::regclass);
  return case when share <= 0.1 then share end;
end;
$$;

-- How a search reads its matches (private.search_hits()), chosen once per search.
create type private.search_way as (
  -- How many matches the GIN way may read before the walk takes over: 0 walks at once, null
  -- reads every match.
  gin_limit integer,
  -- search_walk_filtered_share() when the search has words or a location pattern and filters a
  -- walk checks in its index (asked of the planner once, here); null otherwise.
  walk_share double precision
);

-- How to read the matches of a search that wants p_wanted of them in order: walk the order's index
-- and keep the rows that match (about wanted x published / matches rows read), or collect the
-- matches through the GIN index and sort them (every match read, plus the index scan, collecting
-- and sorting: about what reading gin_fixed_cost offers costs). Both cost the same at the
-- crossover, where matches x (matches + gin_fixed_cost) = wanted x published. p_matches is the
-- planner's estimate of the matches, when the caller has it.
create function private.search_choose_way(
  p_criteria private.search_criteria, p_conditions text, p_wanted integer,
  p_matches double precision default null
)
returns private.search_way
language plpgsql stable
set search_path = ''
as $$
declare
  matches double precision;
  published double precision;
  crossover integer;
  -- Measured at 100,000 offers: "devops", 3,694 matches, the GIN way 9.5 ms, the walk 5.2;
  -- "python django", 1,778 matches, 6.6 and 11.0 ms: about 2 ms of the GIN way's cost is fixed,
  -- about 2 µs a match or a walked offer either way.
  gin_fixed_cost constant double precision := 1000;
  way private.search_way;
begin
  if p_criteria.match_query is null and p_criteria.contract_keys is null
    and p_criteria.remote_keys is null and p_criteria.level_keys is null
    and p_criteria.radius_keys is null and p_criteria.departement_keys is null
    and p_criteria.location_pattern is null and p_criteria.skill_keys is null
  then
    way.gin_limit := 0; -- nothing a GIN index can find
    return way;
  end if;
  matches := coalesce(p_matches, private.search_estimate(p_criteria, p_conditions));
  select greatest(class.reltuples, 1) into published
  from pg_catalog.pg_class as class where class.oid = 'public.jobs_published_idx'::regclass;
  crossover := ceil((sqrt(gin_fixed_cost ^ 2 + 4 * p_wanted::double precision * published)
    - gin_fixed_cost) / 2);
  -- Without words or a location pattern the walk is an index-only scan, and an index entry costs
  -- about a tenth of an offer read: the walk pays from sqrt(1/10) of the crossover.
  if p_criteria.match_query is null and p_criteria.location_pattern is null then
    crossover := ceil(crossover / sqrt(10.0));
  elsif matches > 0 then
    -- With words and filters, a walk that checks the filters in its index and reads only the
    -- offers that pass them, for the words (search_hits()), pays a tenth of an offer read an entry
    -- plus that share. ("développeur, CDI, Lyon 20 km": 4% pass, the walk pays from 0.37 of the
    -- crossover; taken from the crossover itself, the GIN way read 13,600 matches at a million
    -- offers where the walk reads 6,000 entries and 250 offers.)
    way.walk_share := private.search_walk_filtered_share(p_criteria);
    if way.walk_share is not null then
      crossover := ceil(crossover * sqrt(0.1 + way.walk_share));
    end if;
  end if;
  -- Far from the crossover (more than 16 times below, twice above) the planner would have to be
  -- wrong by orders of magnitude. Near it, the words of a query often prove it wrong, both ways,
  -- and by up to ten times ("data sci": 362 expected, 3,302 found at 100,000 offers): count a
  -- sample instead. (Filters alone are estimated from each key's statistics, and their walk, an
  -- index-only scan, costs little when it is the wrong way.)
  if p_criteria.match_query is not null and matches * 16 >= crossover
    and matches < crossover * 2
  then
    matches := private.search_sampled_matches(p_criteria, p_conditions);
  end if;
  if matches >= crossover then
    way.gin_limit := 0;
  elsif matches * 16 >= crossover then
    -- Fewer, but near the crossover: should the estimate still be far off, the GIN way stops after
    -- twice as many matches as a walk would read rows there, and the walk takes over: the worst
    -- case costs about three times the crossover, not every match.
    way.gin_limit := 2 * crossover;
  end if;
  return way;
end;
$$;

-- The planner settings ("name=value") that pin a read of matches to one plan: the walk along an
-- order's index (p_walk), or a bitmap scan of the GIN index.
create function private.search_plan(p_walk boolean)
returns text[]
language sql immutable
set search_path = ''
as $$
  select array['enable_seqscan=off', 'enable_hashjoin=off', 'enable_mergejoin=off']
    || case when p_walk
      then array['enable_bitmapscan=off', 'enable_indexscan=on', 'enable_sort=off']
      else array['enable_bitmapscan=on', 'enable_indexscan=off', 'enable_sort=on'] end;
$$;

-- Sets planner settings ("name=value") for the rest of the transaction; returns them as they
-- were, to be set back the same way.
create function private.search_set_planner(p_settings text[])
returns text[]
language plpgsql volatile
set search_path = ''
as $$
declare
  setting text;
  previous text[] := '{}';
begin
  foreach setting in array p_settings loop
    previous := previous || (split_part(setting, '=', 1) || '='
      || current_setting(split_part(setting, '=', 1)));
    perform set_config(split_part(setting, '=', 1), split_part(setting, '=', 2), true);
  end loop;
  return previous;
end;
$$;

-- Matching offers in p_order ('date', 'salary', or 'any': no order, no rank) after p_keyset (an
-- SQL condition on "job" and the cursor $2), with their rank, relevance score and facet keys. The
-- plan is pinned to the way search_choose_way() chose: a bitmap scan of the GIN index, then, when
-- it found p_way.gin_limit matches (0: at once), the walk along the order's index. Matches the
-- GIN way found all of (every one when p_way.gin_limit is null) are ordered here, and only the
-- page is read again, for its ranks: a rank costs more than reading the offer.
create function private.search_hits(
  p_criteria private.search_criteria,
  p_order text,
  p_keyset text,
  p_cursor private.search_cursor,
  p_limit integer,
  p_offset integer,
  p_way private.search_way
)
returns setof private.search_hit
language plpgsql stable
set search_path = ''
as $$
declare
  -- Pinned to the GIN way first, for the GIN read below; the settings to set back at the end.
  saved constant text[] := private.search_set_planner(private.search_plan(false));
  rank_expression text := case when p_criteria.match_query is null or p_order = 'any'
    then '0::real' else 'pg_catalog.ts_rank(job.search, ($1).match_query)' end;
  conditions constant text := format('job.status = ''published'' and %s and %s',
    private.search_conditions(p_criteria, '$1'), coalesce(p_keyset, 'true'));
  order_keys constant text := case p_order
    when 'salary' then 'coalesce(job.salary_max, job.salary_min, -1) desc, job.id desc'
    when 'date' then 'job.published_at desc, job.id desc' end;
  walked_keys constant text := case p_order
    when 'salary' then 'walked.salary_key desc, walked.id desc'
    when 'date' then 'walked.published_at desc, walked.id desc' end;
  in_index constant private.search_criteria := private.search_index_criteria(p_criteria);
  on_offer private.search_criteria;
  source text;
  found_hits private.search_hit[];
  page uuid[];
  walk boolean;
begin
  -- (Unordered, the GIN way stops at the page anyway.)
  if coalesce(p_way.gin_limit > 0, true) and p_order <> 'any' then
    execute format('select array(select row(job.id, job.published_at, '
      'coalesce(job.salary_max, job.salary_min, -1), 0, 0, null)::private.search_hit '
      'from public.jobs as job where %s limit $3)', conditions)
    into found_hits using p_criteria, p_cursor, p_way.gin_limit;
    if coalesce(cardinality(found_hits) < p_way.gin_limit, true) then
      page := array(
        select found.id from unnest(found_hits) as found
        order by case when p_order = 'salary' then found.salary_key end desc,
          case when p_order = 'date' then found.published_at end desc, found.id desc
        limit p_limit offset p_offset
      );
    end if;
  end if;
  walk := coalesce(p_way.gin_limit = 0, false) or (found_hits is not null and page is null);
  perform private.search_set_planner(private.search_plan(walk));
  on_offer.match_query := p_criteria.match_query;
  on_offer.location_pattern := p_criteria.location_pattern;
  source := case
    when page is not null then
      format('public.jobs as job where job.id = any ($5) %s', 'order by ' || order_keys)
    -- A walk with words and filters checks the filters in the index (no offer read) and reads
    -- only the offers that pass them, for the words (in the index's order, which the nested loop
    -- keeps), each through its primary key, when few pass (p_way.walk_share). Without words, the
    -- walk is an index-only scan as it is.
    when walk and order_keys is not null and not (on_offer is null)
      and p_way.walk_share is not null
    then format('(select job.id, job.published_at, coalesce(job.salary_max, job.salary_min, -1) '
        'as salary_key from public.jobs as job where job.status = ''published'' and %s and %s '
        'order by %s) as walked '
        'cross join lateral (select job.* from public.jobs as job where job.id = walked.id '
        'and %s) as job order by %s',
      private.search_conditions(in_index, '$1'), coalesce(p_keyset, 'true'), order_keys,
      private.search_conditions(on_offer, '$1'), walked_keys)
    else format('public.jobs as job where %s %s', conditions, 'order by ' || order_keys)
  end;
  return query execute format(
    $query$
      select job.id, job.published_at, coalesce(job.salary_max, job.salary_min, -1), %1$s,
        %1$s + %2$s + extract(epoch from job.published_at)::double precision / 2592000 * $6,
        job.search_filters[1:4]
      from %3$s
      limit $3 offset $4
    $query$,
    rank_expression,
    case when p_criteria.exact_query is null or p_order = 'any' then '0'
      else 'case when job.search @@ ($1).exact_query then 1 else 0 end' end,
    source
  ) using p_criteria, p_cursor, p_limit, case when page is null then p_offset else 0 end, page,
    -- (A parameter: the settings function, called on each row, cost 40 µs a row.)
    (private.search_settings()).freshness_per_30_days;
  perform private.search_set_planner(saved);
end;
$$;

-- Cursors are opaque to clients: "<tier>,<keys…>" where the tier is d (date), s (salary),
-- r (relevance window, with its boundary) or o (older than the relevance window, by date).
create function private.search_cursor_text(p_hit private.search_hit, p_tier text,
  p_boundary_at timestamptz, p_boundary_id uuid)
returns text
language sql immutable
set search_path = ''
as $$
  select concat_ws(',', p_tier,
    case when p_tier = 'r' then p_hit.score::text end,
    case when p_tier <> 's' then
      ((extract(epoch from p_hit.published_at) * 1000000)::bigint)::text end,
    case when p_tier = 's' then p_hit.salary_key::text end,
    p_hit.id::text,
    case when p_tier in ('r', 'o') then
      coalesce(((extract(epoch from p_boundary_at) * 1000000)::bigint)::text, '') end,
    case when p_tier in ('r', 'o') then coalesce(p_boundary_id::text, '') end);
$$;

create function private.search_parse_cursor(p_cursor text, p_sort text)
returns private.search_cursor
language plpgsql immutable
set search_path = ''
as $$
declare
  parts text[] := string_to_array(p_cursor, ',');
  parsed private.search_cursor;
  micros constant text := '^-?[0-9]{1,18}$';
  uuid_pattern constant text := '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
begin
  if p_cursor is null then
    return null;
  end if;
  parsed.tier := parts[1];
  if (p_sort = 'date' and parsed.tier = 'd' and cardinality(parts) = 3
      and parts[2] ~ micros and parts[3] ~ uuid_pattern)
    or (p_sort = 'salary' and parsed.tier = 's' and cardinality(parts) = 3
      and parts[2] ~ '^-?[0-9]{1,9}$' and parts[3] ~ uuid_pattern)
    or (p_sort = 'relevance' and parsed.tier = 'r' and cardinality(parts) = 6
      and parts[2] ~ '^-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$' and parts[3] ~ micros
      and parts[4] ~ uuid_pattern
      and ((parts[5] = '' and parts[6] = '') or (parts[5] ~ micros and parts[6] ~ uuid_pattern)))
    or (p_sort = 'relevance' and parsed.tier = 'o' and cardinality(parts) = 5
      and parts[2] ~ micros and parts[3] ~ uuid_pattern and parts[4] ~ micros
      and parts[5] ~ uuid_pattern)
  then
    if parsed.tier = 's' then
      parsed.salary_key := parts[2]::integer;
      parsed.id := parts[3]::uuid;
    elsif parsed.tier = 'r' then
      parsed.score := parts[2]::double precision;
      parsed.published_at := 'epoch'::timestamptz + parts[3]::bigint * interval '1 microsecond';
      parsed.id := parts[4]::uuid;
      parsed.boundary_at :=
        'epoch'::timestamptz + nullif(parts[5], '')::bigint * interval '1 microsecond';
      parsed.boundary_id := nullif(parts[6], '')::uuid;
    else
      parsed.published_at := 'epoch'::timestamptz + parts[2]::bigint * interval '1 microsecond';
      parsed.id := parts[3]::uuid;
      if parsed.tier = 'o' then
        parsed.boundary_at := 'epoch'::timestamptz + parts[4]::bigint * interval '1 microsecond';
        parsed.boundary_id := parts[5]::uuid;
      end if;
    end if;
    return parsed;
  end if;
  raise exception using
    errcode = '22023',
    message = format('p_cursor is not a cursor of a search sorted by %s', p_sort),
    hint = 'Pass the cursor column of the last row of the previous page, with the same p_sort.';
end;
$$;

create function public.search_jobs(
  p_query text default null,
  p_skills text[] default null,
  p_experience_level text default null,
  p_location text default null,
  p_remote boolean default null,
  p_salary_min integer default null,
  p_limit integer default 20,
  p_offset integer default 0,
  p_contract_type text default null,
  p_remote_policy text default null,
  p_departement text default null,
  p_radius_km integer default null,
  p_salary_max integer default null,
  p_posted_since timestamptz default null,
  p_sort text default null,
  p_cursor text default null
)
returns table (
  id uuid,
  company_id uuid,
  company_name text,
  title text,
  description text,
  required_skills text[],
  nice_to_have_skills text[],
  experience_level public.experience_level,
  location text,
  remote_policy public.remote_policy,
  contract_type public.contract_type,
  salary_min integer,
  salary_max integer,
  published_at timestamptz,
  rank real,
  cursor text
)
language plpgsql stable security definer
set search_path = ''
as $$
declare
  relevance_window constant integer := (private.search_settings()).relevance_window;
  criteria private.search_criteria;
  conditions text;
  sort text;
  resume private.search_cursor;
  older_than private.search_cursor;
  way private.search_way;
  window_hits private.search_hit[] := '{}';
  page private.search_hit[];
  tiers text[];
  older private.search_hit[];
  boundary_at timestamptz;
  boundary_id uuid;
begin
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception using
      errcode = '22023', message = format('p_limit must be between 1 and 100 (got %s)', p_limit);
  end if;
  if p_offset is null or p_offset not between 0 and 10000 then
    raise exception using
      errcode = '22023',
      message = format('p_offset must be between 0 and 10000 (got %s); use p_cursor to go deeper',
        p_offset);
  end if;
  if p_cursor is not null and p_offset <> 0 then
    raise exception using errcode = '22023', message = 'p_cursor and p_offset exclude each other';
  end if;
  if p_sort not in ('relevance', 'date', 'salary') then
    raise exception using
      errcode = '22023',
      message = format('p_sort must be relevance, date or salary (got %L)', p_sort);
  end if;
  criteria := private.search_criteria(p_query, p_skills, p_experience_level, p_location, p_remote,
    p_salary_min, p_contract_type, p_remote_policy, p_departement, p_radius_km, p_salary_max,
    p_posted_since);
  conditions := private.search_conditions(criteria, '$1');
  -- Without words to rank, relevance is the date order.
  sort := case when criteria.match_query is null and coalesce(p_sort, 'relevance') = 'relevance'
    then 'date' else coalesce(p_sort, 'relevance') end;
  resume := private.search_parse_cursor(p_cursor, sort);

  if sort in ('date', 'salary') then
    way := private.search_choose_way(criteria, conditions, p_limit + p_offset);
    page := array(select hit from private.search_hits(criteria, sort,
      case when resume is null then null
        when sort = 'salary' then
          '(coalesce(job.salary_max, job.salary_min, -1), job.id) < (($2).salary_key, ($2).id)'
        else '(job.published_at, job.id) < (($2).published_at, ($2).id)' end,
      resume, p_limit, p_offset, way) as hit);
    tiers := array_fill(left(sort, 1), array[cardinality(page)]);
  else
    way := private.search_choose_way(criteria, conditions, relevance_window);
    if resume is null or resume.tier = 'r' then
      -- The window: the most recent matches, down to the boundary a cursor carries.
      window_hits := array(select hit from private.search_hits(criteria, 'date',
        case when resume.boundary_at is not null then
          '(job.published_at, job.id) >= (($2).boundary_at, ($2).boundary_id)' end,
        resume,
        case when resume.boundary_at is null then relevance_window else relevance_window * 4 end,
        0, way) as hit);
      if resume is null then
        if cardinality(window_hits) = relevance_window then
          boundary_at := window_hits[relevance_window].published_at;
          boundary_id := window_hits[relevance_window].id;
        end if;
      else
        boundary_at := resume.boundary_at;
        boundary_id := resume.boundary_id;
      end if;
      page := array(
        select hit from unnest(window_hits) as hit
        where resume is null
          or (hit.score, hit.published_at, hit.id) < (resume.score, resume.published_at, resume.id)
        order by hit.score desc, hit.published_at desc, hit.id desc
        limit p_limit offset p_offset
      );
    else
      page := '{}';
      boundary_at := resume.boundary_at;
      boundary_id := resume.boundary_id;
    end if;
    tiers := array_fill('r'::text, array[cardinality(page)]);
    -- Past the window, older matches by date.
    if cardinality(page) < p_limit and boundary_at is not null then
      if resume.tier = 'o' then
        older_than := resume;
      else
        older_than.published_at := boundary_at;
        older_than.id := boundary_id;
      end if;
      older := array(select hit from private.search_hits(criteria, 'date',
        '(job.published_at, job.id) < (($2).published_at, ($2).id)', older_than,
        p_limit - cardinality(page), greatest(0, p_offset - cardinality(window_hits)),
        way) as hit);
      page := page || older;
      tiers := tiers || array_fill('o'::text, array[cardinality(older)]);
    end if;
  end if;

  return query
  select job.id, job.company_id,
    -- A company page's name is shown once moderation approved it.
    case when company.moderation_status = 'approved' then company.name end,
    job.title, job.description, job.required_skills,
    job.nice_to_have_skills, job.experience_level, job.location, job.remote_policy,
    job.contract_type, job.salary_min, job.salary_max, job.published_at, hit.rank,
    private.search_cursor_text(
      row(hit.id, hit.published_at, hit.salary_key, hit.rank, hit.score, null)::private.search_hit,
      tiers[hit.ordinal], boundary_at, boundary_id)
  from unnest(page) with ordinality
    as hit (id, published_at, salary_key, rank, score, facet_keys, ordinal)
  join public.jobs as job on job.id = hit.id
  join public.companies as company on company.id = job.company_id
  order by hit.ordinal;
end;
$$;
comment on function public.search_jobs(
  text, text[], text, text, boolean, integer, integer, integer, text, text, text, integer,
  integer, timestamptz, text, text
) is 'Searches published offers: French full text (inclusive forms, synonyms, prefix, typos), '
  'filters, sorts and keyset pages (pass the last row''s cursor as p_cursor). See docs/search.md.';
grant execute on function public.search_jobs(
  text, text[], text, text, boolean, integer, integer, integer, text, text, text, integer,
  integer, timestamptz, text, text
) to anon, authenticated, service_role;

-- The matches of a search grouped by their first four filter keys (contract, remote, level, then
-- the city key when the offer has one, jobs.search_filters[1:4]): what facets count, a few hundred
-- groups for thousands of matches.
create type private.search_facet_group as (
  contract_key text, remote_key text, level_key text, place_key text, hits integer
);

-- What counting a search gives: its matches read (grouped), its total and whether that is exact.
create type private.search_counted_matches as (
  matched integer, groups private.search_facet_group[], total double precision, exact boolean
);

-- The offers a search matches, grouped to count them: every one when they are at most
-- p_exact_limit (exact_count_limit when null); else a sample with the planner's estimate of their
-- number: up to 4 x exact_count_limit expected, the p_exact_limit + 1 read while counting, above,
-- the relevance_window most recent. Counting groups the matches in the statement that reads them
-- (turning each into a hit, then its keys into rows, cost more than reading it).
create function private.search_matches(
  p_criteria private.search_criteria,
  p_exact_limit integer default null
)
returns private.search_counted_matches
language plpgsql stable
set search_path = ''
as $$
declare
  matched integer;
  groups private.search_facet_group[];
  total double precision;
  exact boolean;
  exact_count_limit constant integer := (private.search_settings()).exact_count_limit;
  relevance_window constant integer := (private.search_settings()).relevance_window;
  exact_limit constant integer := coalesce(p_exact_limit, exact_count_limit);
  conditions constant text := private.search_conditions(p_criteria, '$1');
  counting boolean;
  wanted integer;
  saved text[];
begin
  total := private.search_estimate(p_criteria, conditions);
  -- Counting exactly reads every match: only when the estimate says they are few.
  counting := total <= exact_count_limit * 4;
  wanted := case when counting then exact_limit + 1 else relevance_window end;
  if counting then
    -- In no order, a read stops after `wanted` matches whichever way it goes: the GIN way, then,
    -- unless there is nothing for it to find (search_choose_way() walks for that alone when told
    -- there are no matches), so no sample is counted to choose.
    saved := private.search_set_planner(private.search_plan(
      coalesce((private.search_choose_way(p_criteria, conditions, wanted, 0)).gin_limit = 0,
        false)));
    -- Grouped by the columns the first four keys of search_filters are made of, named as there
    -- (20261201160010) once grouped: a few hundred keys built instead of four per offer.
    execute format('select array(select row(''contract:'' || hit.contract_type, '
        '''remote:'' || hit.remote_policy, '
        '''level:'' || coalesce(hit.experience_level::text, ''none''), '
        '''city:'' || hit.match_location, count(*))::private.search_facet_group '
      'from (select job.contract_type, job.remote_policy, job.experience_level, '
        'job.match_location from public.jobs as job '
        'where job.status = ''published'' and %s limit $2) as hit '
      'group by hit.contract_type, hit.remote_policy, hit.experience_level, '
        'hit.match_location)', conditions)
    into groups using p_criteria, wanted;
    perform private.search_set_planner(saved);
  else
    groups := array(
      select row(hit.facet_keys[1], hit.facet_keys[2], hit.facet_keys[3], hit.facet_keys[4],
        count(*))::private.search_facet_group
      from private.search_hits(p_criteria, 'date', null, null, wanted, 0,
        private.search_choose_way(p_criteria, conditions, wanted, total)) as hit
      group by hit.facet_keys[1], hit.facet_keys[2], hit.facet_keys[3], hit.facet_keys[4]
    );
  end if;
  matched := coalesce((select sum(found.hits) from unnest(groups) as found), 0);
  -- (Fewer matches than the window asks for: they are all there.)
  exact := matched < wanted;
  if exact then
    total := matched;
  else
    total := greatest(total, wanted);
  end if;
  return row(matched, groups, total, exact);
end;
$$;

create type private.search_facet_count as (
  facet text, value text, count bigint, exact boolean
);

-- The counts of p_facets among p_matched offers grouped in p_groups (scaled to p_total when not
-- exact), ten cities at most. (PL/pgSQL for its cached plan: see search_conditions().)
create function private.search_facet_counts(
  p_facets text[], p_groups private.search_facet_group[], p_matched integer,
  p_total double precision, p_exact boolean
)
returns setof private.search_facet_count
language plpgsql immutable
set search_path = ''
as $$
begin
  return query
  select ranked.facet, ranked.value,
    case when p_exact then ranked.hits
      else round(ranked.hits * p_total / greatest(p_matched, 1)) end::bigint,
    p_exact
  from (
    select facet_key.facet,
      nullif(substr(facet_key.key, strpos(facet_key.key, ':') + 1), 'none') as value,
      sum(found.hits) as hits,
      row_number() over (partition by facet_key.facet
        order by sum(found.hits) desc, facet_key.key) as position
    from unnest(p_groups) as found
    -- Each offer has one contract, remote and level key ("level:none" when not given) and at
    -- most one city key (the fourth key is a département or skill key otherwise).
    cross join lateral (values ('contract_type', found.contract_key),
      ('remote_policy', found.remote_key), ('experience_level', found.level_key),
      ('city', case when found.place_key like 'city:%' then found.place_key end)
    ) as facet_key (facet, key)
    where facet_key.facet = any (p_facets) and facet_key.key is not null
    group by facet_key.facet, facet_key.key
  ) as ranked
  where ranked.facet <> 'city' or ranked.position <= 10;
end;
$$;

-- The matches of a search taken from those of the same search without its contract, remote or
-- level filter (p_facet): the groups of the values the search chose (an offer has one of each).
-- From all of them (p_exact), the search's own matches, exact. From a sample (the most recent
-- matches), a sample of the search's most recent matches, with p_estimate (the planner's) as the
-- total: used when the search would only be sampled itself (estimated above what is counted
-- exactly) and the sample holds at least a quarter of a relevance window, else null (the search is
-- then read apart). Reading the search itself cost as much as its facet at a million offers.
create function private.search_derived_matches(
  p_groups private.search_facet_group[],
  p_exact boolean,
  p_facet text,
  p_criteria private.search_criteria,
  p_estimate double precision
)
returns private.search_counted_matches
language plpgsql immutable
set search_path = ''
as $$
declare
  matched integer;
  groups private.search_facet_group[];
  total double precision;
  exact boolean;
  exact_count_limit constant integer := (private.search_settings()).exact_count_limit;
  relevance_window constant integer := (private.search_settings()).relevance_window;
begin
  select coalesce(sum(own_group.hits), 0)::integer, array_agg(own_group)
  into matched, groups
  from unnest(p_groups) as own_group
  where case p_facet
    when 'contract_type' then own_group.contract_key = any (p_criteria.contract_keys)
    when 'remote_policy' then own_group.remote_key = any (p_criteria.remote_keys)
    else own_group.level_key = any (p_criteria.level_keys) end;
  if p_exact then
    total := matched;
    exact := true;
  elsif p_estimate > exact_count_limit * 4 and matched >= relevance_window / 4 then
    total := greatest(p_estimate, matched);
    exact := false;
  else
    matched := null;
    groups := null;
  end if;
  return row(matched, groups, total, exact);
end;
$$;

-- The total and the facets of a search (same filter arguments as search_jobs): one row
-- ('total', null) then counts per contract type, remote policy, level and the ten top cities.
-- Each facet counts the offers matching every filter but its own (the city facet ignores the
-- place filters): choosing "CDI" keeps the counts of the other contract types, the choices a
-- visitor can add. Exact up to 2,000 matches (4,000 for a facet whose contract, remote or level
-- filter is given); above, estimated (exact = false): the total from the planner, the facets from
-- their shares in a sample of the matches (private.search_matches).
create function public.search_jobs_facets(
  p_query text default null,
  p_skills text[] default null,
  p_experience_level text default null,
  p_location text default null,
  p_remote boolean default null,
  p_salary_min integer default null,
  p_contract_type text default null,
  p_remote_policy text default null,
  p_departement text default null,
  p_radius_km integer default null,
  p_salary_max integer default null,
  p_posted_since timestamptz default null
)
returns table (facet text, value text, label text, count bigint, exact boolean)
language plpgsql stable security definer
set search_path = ''
as $$
declare
  facets constant text[] := array['contract_type', 'remote_policy', 'experience_level', 'city'];
  exact_count_limit constant integer := (private.search_settings()).exact_count_limit;
  criteria private.search_criteria;
  facet_name text;
  others private.search_criteria;
  own private.search_counted_matches;
  counts private.search_facet_count[] := '{}';
  everything private.search_counted_matches;
  -- This facet's search may give the search's own counts (contract, remote or level).
  deriving boolean;
begin
  criteria := private.search_criteria(p_query, p_skills, p_experience_level, p_location, p_remote,
    p_salary_min, p_contract_type, p_remote_policy, p_departement, p_radius_km, p_salary_max,
    p_posted_since);

  -- A facet whose own filter is given counts the search without it. Without only its contract,
  -- remote or level filter, the search holds the search's own matches too: those of the keys
  -- given (each offer has one of each, search_filters[1:3]). One read of up to twice the exact
  -- count, or one sample, then spares reading the search itself (search_derived_matches()).
  foreach facet_name in array facets loop
    others := criteria;
    case facet_name
      when 'contract_type' then others.contract_keys := null;
      when 'remote_policy' then others.remote_keys := null;
      when 'experience_level' then others.level_keys := null;
      else
        others.radius_keys := null;
        others.departement_keys := null;
        others.location_pattern := null;
    end case;
    continue when others is not distinct from criteria;
    deriving := everything is null and facet_name <> 'city';
    own := private.search_matches(others, case when deriving then 2 * exact_count_limit end);
    counts := counts || array(select private.search_facet_counts(array[facet_name], own.groups,
      own.matched, own.total, own.exact));
    if deriving then
      -- (All null when the search's counts cannot be taken from it: then everything is null.)
      select * into everything
      from private.search_derived_matches(own.groups, own.exact, facet_name, criteria,
        case when not own.exact
          then private.search_estimate(criteria, private.search_conditions(criteria, '$1')) end);
    end if;
  end loop;
  if everything is null then
    everything := private.search_matches(criteria);
  end if;
  -- The facets whose filter is not given count the search's matches.
  counts := counts || array(select private.search_facet_counts(
    array(select unnest(facets) except select counted.facet from unnest(counts) as counted),
    everything.groups, everything.matched, everything.total, everything.exact));

  return query
  select 'total'::text, null::text, null::text, round(everything.total)::bigint, everything.exact;
  return query
  select counted.facet, counted.value,
    case counted.facet
      when 'contract_type' then case counted.value when 'cdi' then 'CDI' when 'cdd' then 'CDD'
        else initcap(counted.value) end
      when 'remote_policy' then case counted.value when 'onsite' then 'Sur site'
        when 'hybrid' then 'Hybride' else 'Télétravail complet' end
      when 'experience_level' then case counted.value when 'junior' then 'Junior'
        when 'mid' then 'Confirmé' when 'senior' then 'Senior' when 'lead' then 'Lead'
        else 'Non précisé' end
      else coalesce(city.name, initcap(counted.value))
    end,
    counted.count, counted.exact
  from unnest(counts) as counted
  left join private.french_cities() as city
    on counted.facet = 'city' and city.key = counted.value
  order by array_position(facets, counted.facet), counted.count desc, counted.value;
end;
$$;
comment on function public.search_jobs_facets(
  text, text[], text, text, boolean, integer, text, text, text, integer, integer, timestamptz
) is 'Total and facet counts of a search_jobs() search; exact = false when estimated.';
grant execute on function public.search_jobs_facets(
  text, text[], text, text, boolean, integer, text, text, text, integer, integer, timestamptz
) to anon, authenticated, service_role;
