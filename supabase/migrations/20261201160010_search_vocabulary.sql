-- What search knows about words and places, in tables and immutable functions (hosted Supabase
-- accepts no synonym or thesaurus file):
--
--   private.search_synonyms      job-title synonyms and abbreviations, French and English
--                                ("dev" = "développeur" = "developer"; "RH" = "ressources humaines")
--   private.search_filter_words  words of a query that are filters: contract types and remote work
--   private.search_vocabulary    the words of published offers' titles, skills and places with the
--                                number of offers using them: prefix checks and typo correction
--   private.french_cities()      main French cities: département and coordinates (radius search)
--   jobs.search_filters          the offer's filter keys (contract, remote, level, city,
--                                département, skills) under one GIN index with the text, so any
--                                combination of words and filters is one index scan

create extension if not exists fuzzystrmatch with schema extensions;

-- Terms are stored folded (private.fold_text of private.search_normalize), one or more words.
-- A term may belong to several concepts ("engineer": ingénieur, and développeur as in "software
-- engineer"); a query term finds the offers of every term sharing one of its concepts.
create table private.search_synonyms (
  term text not null,
  concept text not null,
  primary key (term, concept)
);
comment on table private.search_synonyms is
  'Search synonyms: every term of a concept also finds the offers of the others.';
create index search_synonyms_concept_idx on private.search_synonyms (concept);
alter table private.search_synonyms enable row level security;

insert into private.search_synonyms (term, concept)
select private.fold_text(private.search_normalize(term.name)), concept.name
from (values
  ('developpeur', array['développeur', 'developer', 'dev', 'devs', 'développement', 'programmeur',
    'engineer']),
  ('ingenieur', array['ingénieur', 'engineer', 'ingé']),
  ('ressources humaines', array['ressources humaines', 'rh', 'hr', 'human resources']),
  ('drh', array['drh', 'directeur des ressources humaines', 'hr director']),
  ('commercial', array['commercial', 'sales', 'vendeur', 'business developer', 'bizdev']),
  ('chef de projet', array['chef de projet', 'project manager', 'cdp', 'chargé de projet']),
  ('chef de produit', array['chef de produit', 'product manager']),
  ('product owner', array['product owner', 'po']),
  ('comptable', array['comptable', 'accountant']),
  ('frontend', array['frontend', 'front-end', 'front end', 'front']),
  ('backend', array['backend', 'back-end', 'back end', 'back']),
  ('fullstack', array['fullstack', 'full-stack', 'full stack']),
  ('donnees', array['données', 'data']),
  ('logiciel', array['logiciel', 'software']),
  ('administrateur', array['administrateur', 'admin', 'administrator']),
  ('systemes', array['systèmes', 'système', 'sys', 'systems']),
  ('recrutement', array['recrutement', 'recruiting', 'recruitment']),
  ('recruteur', array['recruteur', 'recruiter', 'chargé de recrutement', 'talent acquisition']),
  ('designer', array['designer', 'design', 'ux', 'ui']),
  ('devops', array['devops', 'sre', 'site reliability']),
  ('architecte', array['architecte', 'architect']),
  ('responsable', array['responsable', 'manager', 'head of']),
  ('marketing', array['marketing', 'mkt']),
  ('logistique', array['logistique', 'logistics', 'supply chain']),
  ('technicien', array['technicien', 'technician', 'tech']),
  ('infirmier', array['infirmier', 'nurse']),
  ('assistant', array['assistant', 'assistante']),
  ('javascript', array['javascript', 'js']),
  ('typescript', array['typescript', 'ts']),
  ('react', array['react', 'reactjs', 'react.js']),
  ('node', array['node', 'nodejs', 'node.js']),
  ('postgresql', array['postgresql', 'postgres', 'psql']),
  ('kubernetes', array['kubernetes', 'k8s']),
  ('analyste', array['analyste', 'analyst']),
  ('scientifique', array['data scientist', 'scientifique des données'])
) as concept (name, terms)
cross join lateral unnest(concept.terms) as term (name)
on conflict (term, concept) do nothing;

create table private.search_filter_words (
  term text primary key,
  facet text not null
    constraint search_filter_words_facet_check check (facet in ('contract_type', 'remote_policy')),
  filter_values text[] not null
);
comment on table private.search_filter_words is
  'Query words that are filters ("CDI", "alternance", "télétravail"): facet and values.';
alter table private.search_filter_words enable row level security;

insert into private.search_filter_words (term, facet, filter_values)
select private.fold_text(private.search_normalize(term.name)), word.facet, word.filter_values
from (values
  ('contract_type', array['cdi'], array['cdi', 'contrat à durée indéterminée', 'permanent']),
  ('contract_type', array['cdd'], array['cdd', 'contrat à durée déterminée', 'temporary']),
  ('contract_type', array['alternance'], array['alternance', 'alternant', 'alternante',
    'apprentissage', 'apprenti', 'apprentie', 'contrat pro', 'contrat de professionnalisation',
    'work-study']),
  ('contract_type', array['stage'], array['stage', 'stages', 'stagiaire', 'internship', 'intern']),
  ('contract_type', array['freelance'], array['freelance', 'free-lance', 'free lance',
    'indépendant', 'indépendante', 'freelancer', 'mission freelance']),
  ('remote_policy', array['remote', 'hybrid'], array['télétravail', 'teletravail', 'remote',
    'à distance', 'home office', 'télétravail partiel']),
  ('remote_policy', array['remote'], array['full remote', '100% remote', '100 remote',
    '100% télétravail', 'télétravail complet', 'télétravail total', 'fully remote']),
  ('remote_policy', array['hybrid'], array['hybride', 'hybrid']),
  ('remote_policy', array['onsite'], array['présentiel', 'sur site', 'on site', 'onsite'])
) as word (facet, filter_values, terms)
cross join lateral unnest(word.terms) as term (name)
on conflict (term) do nothing;

-- Words of published offers (title, skills, location), unstemmed, normal form folded.
create table private.search_vocabulary (
  word text primary key,
  documents integer not null
);
comment on table private.search_vocabulary is
  'Words of published offers (title, skills, place) and how many offers use them (typo and '
  'prefix expansion). Recounted hourly; published offers count their words at once.';
create index search_vocabulary_trgm_idx on private.search_vocabulary
  using gin (word extensions.gin_trgm_ops);
create index search_vocabulary_prefix_idx on private.search_vocabulary (word text_pattern_ops);
alter table private.search_vocabulary enable row level security;

-- Offers' counts of known words not added yet (see private.add_job_search_words).
create table private.search_vocabulary_counts (
  word text not null,
  documents integer not null
);
comment on table private.search_vocabulary_counts is
  'Offers counted for search_vocabulary words and not added yet '
  '(private.apply_search_vocabulary_counts).';
alter table private.search_vocabulary_counts enable row level security;

-- The words of an offer that the vocabulary keeps (three letters or more, not only digits).
create function private.search_words(
  p_title text, p_skills text[], p_location text
)
returns setof text
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return query
  select distinct word
  from regexp_split_to_table(
    private.fold_text(private.search_normalize(
      concat_ws(' ', p_title, private.skills_text(p_skills), p_location))),
    '[^a-z0-9+#]+'
  ) as word
  where char_length(word) between 3 and 40 and word !~ '^[0-9]+$';
end;
$$;

-- Recounts the vocabulary from the published offers (hourly, and after bulk loads), without ever
-- making a publication or the 5-second count application wait or fail. Counting reads every
-- published offer (seconds at 100,000) and takes no row lock. Then the rows whose count is wrong are
-- locked in word order, skipping those another transaction holds (counted again next hour), and
-- updated or deleted; the missing words are added in word order. Waiting is possible only where
-- another transaction adds the same new word or applies the pending counts being dropped; should
-- that one wait in turn for a row the recount holds, the recount gives up after 100 ms
-- (lock_timeout, well below the 1 s deadlock_timeout after which Postgres would choose a victim
-- itself) and tries again.
create function private.recount_search_vocabulary()
returns integer
language sql security definer
set search_path = ''
set lock_timeout = '100ms'
as $$
  with dropped as (
    -- Counted below: pending counts would count their offers twice.
    delete from private.search_vocabulary_counts
  ),
  counted as materialized (
    select word, count(*)::integer as documents
    from public.jobs as job
    cross join lateral private.search_words(
      job.title, job.required_skills || job.nice_to_have_skills, job.location
    ) as word
    where job.status = 'published'
    group by word
  ),
  wrong as (
    select stored.word, coalesce(counted.documents, 0) as documents
    from private.search_vocabulary as stored
    left join counted on counted.word = stored.word
    where stored.documents is distinct from counted.documents
    order by stored.word
    for no key update of stored skip locked
  ),
  removed as (
    delete from private.search_vocabulary as vocabulary
    using wrong
    where vocabulary.word = wrong.word and wrong.documents = 0
  ),
  corrected as (
    update private.search_vocabulary as vocabulary
    set documents = wrong.documents
    from wrong
    where vocabulary.word = wrong.word and wrong.documents > 0
  ),
  added as (
    insert into private.search_vocabulary (word, documents)
    select counted.word, counted.documents
    from counted
    where not exists (
      select from private.search_vocabulary as stored where stored.word = counted.word
    )
    order by counted.word
    on conflict (word) do nothing
  )
  select count(*)::integer from counted;
$$;

create function private.refresh_search_vocabulary()
returns integer
language plpgsql security definer
set search_path = ''
as $$
begin
  for attempt in 1..5 loop
    begin
      return private.recount_search_vocabulary();
    exception when lock_not_available then
      perform pg_sleep(attempt * 0.5);
    end;
  end loop;
  raise exception using
    errcode = 'lock_not_available',
    message = 'search vocabulary: five recounts in a row waited for other transactions',
    hint = 'The next hourly run recounts; nothing is lost meanwhile.';
end;
$$;
grant execute on function private.refresh_search_vocabulary() to service_role;

-- A published offer counts its words at once, without locking a row other offers share: its new
-- words are inserted (typo corrections know them at once; a known word is not locked: the insert
-- does nothing), and one increment per word is appended to private.search_vocabulary_counts, added
-- to the vocabulary every 5 seconds (private.apply_search_vocabulary_counts). Incrementing the
-- shared rows in the offer's transaction locked them until it ended, and an offer published and
-- matched in one transaction held them through its matching: two such offers sharing a word
-- ("développeur", "postgresql") ran one after the other. The hourly recount corrects what edits and
-- unpublished offers leave behind.
create function private.add_job_search_words()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.status = 'published' then
    with words as materialized (
      select word
      from private.search_words(
        new.title, new.required_skills || new.nice_to_have_skills, new.location
      ) as word
    ),
    added as (
      insert into private.search_vocabulary (word, documents)
      select words.word, 1
      from words
      where not exists (
        select 1 from private.search_vocabulary as known where known.word = words.word
      )
      order by words.word
      on conflict (word) do nothing
      returning word
    )
    insert into private.search_vocabulary_counts (word, documents)
    select words.word, 1
    from words
    where words.word not in (select added.word from added);
  end if;
  return null;
end;
$$;

-- Adds the pending counts to their words (words the recount removed meanwhile are dropped).
-- Returns the number of words updated.
create function private.apply_search_vocabulary_counts()
returns integer
language sql security definer
set search_path = ''
as $$
  with applied as (
    delete from private.search_vocabulary_counts as pending
    returning pending.word, pending.documents
  ),
  totals as (
    select applied.word, sum(applied.documents)::integer as documents
    from applied
    group by applied.word
    order by applied.word
  ),
  updated as (
    update private.search_vocabulary as vocabulary
    set documents = vocabulary.documents + totals.documents
    from totals
    where vocabulary.word = totals.word
    returning 1
  )
  select count(*)::integer from updated;
$$;

create trigger jobs_add_search_words
  after insert or update of title, required_skills, nice_to_have_skills, location, status
  on public.jobs
  for each row execute function private.add_job_search_words();

select private.refresh_search_vocabulary();
select cron.schedule(
  'refresh-search-vocabulary', '23 * * * *', 'select private.refresh_search_vocabulary()'
);
select cron.schedule(
  'apply-search-vocabulary-counts', '5 seconds', 'select private.apply_search_vocabulary_counts()'
);

-- Main French cities: key (as private.location_key gives it), display name, département and
-- coordinates. Data in code, so the function is truly immutable. PL/pgSQL, whose plan is kept for
-- the session: an SQL function with a SET clause plans its 70 rows again in each transaction
-- (0.5 ms, three times a radius search).
create function private.french_cities()
returns table (key text, name text, departement text, latitude double precision,
  longitude double precision)
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return query
  select city.key, city.name, city.departement, city.latitude::double precision,
    city.longitude::double precision
  from (values
    ('paris', 'Paris', '75', 48.857, 2.352), ('marseille', 'Marseille', '13', 43.296, 5.370),
    ('lyon', 'Lyon', '69', 45.764, 4.836), ('toulouse', 'Toulouse', '31', 43.605, 1.444),
    ('nice', 'Nice', '06', 43.710, 7.262), ('nantes', 'Nantes', '44', 47.218, -1.554),
    ('montpellier', 'Montpellier', '34', 43.611, 3.877),
    ('strasbourg', 'Strasbourg', '67', 48.573, 7.752),
    ('bordeaux', 'Bordeaux', '33', 44.838, -0.579), ('lille', 'Lille', '59', 50.629, 3.057),
    ('rennes', 'Rennes', '35', 48.117, -1.678), ('reims', 'Reims', '51', 49.258, 4.032),
    ('toulon', 'Toulon', '83', 43.124, 5.928),
    ('saint-etienne', 'Saint-Étienne', '42', 45.440, 4.387),
    ('le havre', 'Le Havre', '76', 49.494, 0.108), ('grenoble', 'Grenoble', '38', 45.188, 5.724),
    ('dijon', 'Dijon', '21', 47.322, 5.041), ('angers', 'Angers', '49', 47.478, -0.563),
    ('nimes', 'Nîmes', '30', 43.837, 4.360),
    ('villeurbanne', 'Villeurbanne', '69', 45.767, 4.880),
    ('clermont-ferrand', 'Clermont-Ferrand', '63', 45.778, 3.087),
    ('le mans', 'Le Mans', '72', 48.006, 0.199),
    ('aix-en-provence', 'Aix-en-Provence', '13', 43.529, 5.447),
    ('brest', 'Brest', '29', 48.390, -4.486), ('tours', 'Tours', '37', 47.394, 0.684),
    ('amiens', 'Amiens', '80', 49.894, 2.296), ('limoges', 'Limoges', '87', 45.834, 1.261),
    ('annecy', 'Annecy', '74', 45.899, 6.129), ('perpignan', 'Perpignan', '66', 42.699, 2.895),
    ('boulogne-billancourt', 'Boulogne-Billancourt', '92', 48.835, 2.240),
    ('metz', 'Metz', '57', 49.119, 6.176), ('besancon', 'Besançon', '25', 47.238, 6.024),
    ('orleans', 'Orléans', '45', 47.903, 1.909),
    ('saint-denis', 'Saint-Denis', '93', 48.936, 2.357),
    ('argenteuil', 'Argenteuil', '95', 48.947, 2.248), ('rouen', 'Rouen', '76', 49.443, 1.099),
    ('mulhouse', 'Mulhouse', '68', 47.750, 7.336),
    ('montreuil', 'Montreuil', '93', 48.864, 2.443), ('caen', 'Caen', '14', 49.183, -0.370),
    ('nancy', 'Nancy', '54', 48.692, 6.184), ('nanterre', 'Nanterre', '92', 48.892, 2.207),
    ('versailles', 'Versailles', '78', 48.804, 2.130),
    ('creteil', 'Créteil', '94', 48.790, 2.455), ('avignon', 'Avignon', '84', 43.949, 4.806),
    ('poitiers', 'Poitiers', '86', 46.580, 0.340),
    ('la rochelle', 'La Rochelle', '17', 46.160, -1.151), ('pau', 'Pau', '64', 43.295, -0.370),
    ('bayonne', 'Bayonne', '64', 43.493, -1.475), ('lorient', 'Lorient', '56', 47.748, -3.370),
    ('vannes', 'Vannes', '56', 47.658, -2.760),
    ('saint-malo', 'Saint-Malo', '35', 48.649, -2.026),
    ('chambery', 'Chambéry', '73', 45.564, 5.917), ('valence', 'Valence', '26', 44.933, 4.892),
    ('courbevoie', 'Courbevoie', '92', 48.897, 2.253),
    ('issy-les-moulineaux', 'Issy-les-Moulineaux', '92', 48.824, 2.270),
    ('levallois-perret', 'Levallois-Perret', '92', 48.893, 2.287),
    ('massy', 'Massy', '91', 48.731, 2.271), ('cergy', 'Cergy', '95', 49.036, 2.063),
    ('antibes', 'Antibes', '06', 43.580, 7.125), ('cannes', 'Cannes', '06', 43.552, 7.017),
    ('troyes', 'Troyes', '10', 48.297, 4.074), ('calais', 'Calais', '62', 50.951, 1.858),
    ('dunkerque', 'Dunkerque', '59', 51.034, 2.377),
    ('roubaix', 'Roubaix', '59', 50.690, 3.181), ('tourcoing', 'Tourcoing', '59', 50.724, 3.161),
    ('ajaccio', 'Ajaccio', '2a', 41.919, 8.738), ('bastia', 'Bastia', '2b', 42.697, 9.450)
  ) as city (key, name, departement, latitude, longitude);
end;
$$;

-- The département a location names: from its postcode ("75011 Paris") or in brackets ("Lyon
-- (69)"). (A city's own département is resolved when searching, through private.french_cities:
-- a lookup here would cost each offer written a query.)
create function private.location_departement(p_location text)
returns text
language sql immutable parallel safe
set search_path = ''
as $$
  select case
    when code.postcode like '97%' then left(code.postcode, 3)
    when code.postcode like '20%' then case when code.postcode < '20200' then '2a' else '2b' end
    when code.postcode is not null then left(code.postcode, 2)
    else lower((regexp_match(p_location, '\((0[1-9]|[1-8][0-9]|9[0-5]|2[abAB]|97[1-6])\)'))[1])
  end
  from (select (regexp_match(p_location, '(?:^|[^0-9])([0-9]{5})(?:[^0-9]|$)'))[1] as postcode)
    as code;
$$;
grant execute on function private.location_departement(text) to anon, authenticated, service_role;

-- {a, b} -> {<prefix>a, <prefix>b}; null stays null (a filter not given). Pure, and called by the
-- generated column below with the writer's rights.
create function private.prefixed(p_values text[], p_prefix text)
returns text[]
language sql immutable parallel safe
set search_path = ''
as $$
  select case when p_values is not null
    then array(select p_prefix || value from unnest(p_values) as value) end;
$$;
grant execute on function private.prefixed(text[], text) to anon, authenticated, service_role;

-- Filter keys of an offer: "contract:cdi", "remote:hybrid", "level:senior" (or "level:none"),
-- "city:lyon" (matching's city key, set by its BEFORE trigger, which runs before generated
-- columns are computed), "dept:69" (from a postcode) and "skill:react" (matching's canonical
-- skills, set by the same trigger), in that order: facet counts read the first four
-- (private.search_facet_counts). Written out here rather than in a helper:
-- a generated column runs with the writer's rights, who may not look up names in `private`, and
-- a helper's body is looked up by name.
alter table public.jobs add column search_filters text[] not null generated always as (
  array_remove(array[
    'contract:' || private.enum_label(contract_type),
    'remote:' || private.enum_label(remote_policy),
    'level:' || coalesce(private.enum_label(experience_level), 'none'),
    'city:' || match_location,
    'dept:' || private.location_departement(location)
  ], null)
  || private.prefixed(match_required_skills || match_nice_to_have_skills, 'skill:')
) stored;
comment on column public.jobs.search_filters is
  'Filter keys of the offer (contract:, remote:, level:, city:, dept:, skill:), for '
  'search_jobs().';
-- One GIN index for the text and the filter keys: a search with words and filters is one index
-- scan that intersects both inside the index and reads only the offers matching all of them
-- (two indexes left the planner reading the matches of the filters and checking the words on each
-- row: 4,352 rows read for 1,456 matches of "développeur, CDI, Lyon 20 km" at 100,000 offers).
create index jobs_search_idx on public.jobs using gin (search, search_filters)
  where status = 'published';
-- The walks of search_jobs (private.search_hits) follow these, in the order of the page: by date,
-- and by salary (the top of the range first, offers without salary last). The filter keys and
-- salaries are in them, so a walk checks the filters without reading the offers (an index-only
-- scan), and reads an offer only when it passes them: "Lyon 20 km, stage" by salary at a million
-- offers checks 7,575 index entries for its 20 rows instead of reading 7,575 offers.
create index jobs_search_date_idx on public.jobs (published_at desc, id desc)
  include (search_filters, salary_min, salary_max)
  where status = 'published' and moderation_status = 'approved';
create index jobs_salary_idx on public.jobs
  ((coalesce(salary_max, salary_min, -1)) desc, id desc)
  include (published_at, salary_min, salary_max, search_filters)
  where status = 'published' and moderation_status = 'approved';
