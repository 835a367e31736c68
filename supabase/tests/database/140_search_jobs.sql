-- search_jobs() and search_jobs_facets(): published offers only; French as people write it
-- (inclusive and feminine forms, accents, synonyms, contract and remote words), prefixes and typos
-- that never outrank exact matches; filters, sorts, keyset pages, totals and facets; clear errors.
set client_min_messages = warning;
begin;
select plan(66);

do $$ begin perform tests.create_user('search_co', 'company'); end $$;
update public.companies set name = 'Étoile Numérique' where id = tests.user_id('search_co');
insert into public.jobs (company_id, title, description, required_skills, nice_to_have_skills,
  experience_level, location, remote_policy, salary_min, salary_max, contract_type, status,
  published_at)
select tests.user_id('search_co'), title, description || ' Zéphyrin vous attend.', required_skills,
  nice_to_have_skills, experience_level::public.experience_level, location,
  remote_policy::public.remote_policy, salary_min, salary_max, contract_type::public.contract_type,
  status::public.job_status, now() - days_ago * interval '1 day'
from (values
  ('Ingénieur logiciel', 'Vous concevrez des services en Go.', '{Go, PostgreSQL}'::text[],
    '{Kubernetes}'::text[], 'senior', 'Saint-Étienne', 'hybrid', 55000, 70000, 'cdi',
    'published', 9),
  ('Développeur·se React', 'Rejoignez une équipe produit. Un ingénieur vous accompagne.',
    '{ReactJS, TypeScript}', '{}', 'mid', 'Lyon', 'remote', 40000, 50000, 'cdi', 'published', 6),
  ('Développeur Java', 'Applications bancaires en Java.', '{Java, Spring}', '{}', 'junior',
    'Paris 100%', 'onsite', 32000, null, 'cdd', 'published', 8),
  ('Data analyst', 'Tableaux de bord et SQL. Poste de devloppeur.', '{SQL}', '{Python, TypeScript}',
    'junior', 'Lille', 'onsite', null, null, 'stage', 'published', 2),
  ('Chef·fe de projet digital', 'Pilotage de projets web.', '{Jira}', '{}', 'lead',
    '69003 Lyon', 'hybrid', 38000, 45000, 'alternance', 'published', 7),
  ('Chargé(e) de recrutement', 'Recrutement de profils tech.', '{Recrutement}', '{}', 'mid',
    'Villeurbanne', 'onsite', 30000, 36000, 'freelance', 'published', 4),
  ('Ingénieur brouillon', 'Offre non publiée.', '{Go}', '{}', 'senior', 'Lyon', 'remote',
    90000, 99000, 'cdi', 'draft', null)
) as job(title, description, required_skills, nice_to_have_skills, experience_level, location,
  remote_policy, salary_min, salary_max, contract_type, status, days_ago);
select private.refresh_search_vocabulary();

-- Titles found by a search, restricted to this file's offers, in ranking order.
create function pg_temp.found(p_search text) returns setof text
language plpgsql as $$
begin
  return query execute format(
    'select result.title from %s as result where result.company_id = %L',
    p_search, tests.user_id('search_co'));
end;
$$;

select tests.authenticate_as_anon();
select set_eq($$ select * from pg_temp.found('public.search_jobs()') $$,
  array['Ingénieur logiciel', 'Développeur·se React', 'Développeur Java', 'Data analyst',
    'Chef·fe de projet digital', 'Chargé(e) de recrutement'],
  'a visitor searches published offers; drafts never show');
select results_eq(
  $$ select company_name from public.search_jobs(p_query => 'logiciel')
     where company_id = tests.user_id('search_co') $$,
  $$ values ('Étoile Numérique') $$, 'results carry the company name');

-- French as people write it
select results_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''ingenieur'')') $$,
  $$ values ('Ingénieur logiciel'), ('Développeur·se React') $$,
  'ingenieur finds Ingénieur, the title match ranked before the description match');
select results_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''INGÉNIEURS'')') $$,
  $$ values ('Ingénieur logiciel'), ('Développeur·se React') $$,
  'upper case and plural find the same offers');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''développeuse'')') $$,
  array['Développeur·se React', 'Développeur Java'],
  'the feminine form finds the inclusive and the masculine titles');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''cheffe de projet'')') $$,
  array['Chef·fe de projet digital'], 'cheffe de projet finds Chef·fe de projet');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''chargée de recrutement'')') $$,
  array['Chargé(e) de recrutement'], 'chargée finds Chargé(e)');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''dev react'')') $$,
  array['Développeur·se React'], 'dev is an abbreviation of développeur');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''react developer'')') $$,
  array['Développeur·se React'], 'English titles words find French offers');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''développeur -java'')') $$,
  array['Développeur·se React'], 'a word after - excludes');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''postgres'')') $$,
  array['Ingénieur logiciel'], 'skill aliases find the canonical skill (postgres -> PostgreSQL)');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''ingénieur à Saint-Étienne'')') $$,
  array['Ingénieur logiciel'],
  'the location is searchable too, and accented stop words (à) need not appear in the offer');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''de la'')') $$,
  array['Ingénieur logiciel', 'Développeur·se React', 'Développeur Java', 'Data analyst',
    'Chef·fe de projet digital', 'Chargé(e) de recrutement'],
  'a query of stop words only filters nothing');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''CDI'')') $$,
  array['Ingénieur logiciel', 'Développeur·se React'], 'CDI in the text is the contract filter');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''développeur télétravail'')') $$,
  array['Développeur·se React'], 'télétravail in the text keeps remote and hybrid offers');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''data alternance'')') $$,
  '{}'::text[], 'contract words combine with the other words');

-- As you type, with typos
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''reac'')') $$,
  array['Développeur·se React'], 'the word being typed matches as a prefix');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''recru'')') $$,
  array['Chargé(e) de recrutement'], 'a few letters find the words they begin');
select is_empty($$ select * from pg_temp.found('public.search_jobs(p_query => ''recru '')') $$,
  'a word followed by a space is complete: no prefix');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''typescrpt'')') $$,
  array['Développeur·se React', 'Data analyst'], 'a typo of a known word is corrected (typescrpt)');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''devloppeur java'')') $$,
  array['Développeur Java'], 'typos combine with other words (devloppeur)');
select results_eq(
  $$ select * from pg_temp.found('public.search_jobs(p_query => ''devloppeur'')') limit 1 $$,
  $$ values ('Data analyst') $$,
  'the offer holding the word as typed comes before the corrected matches');
select tests.clear_authentication();
select ok((select text_query.match_query = text_query.exact_query
    from private.search_text('développeur ') as text_query),
  'a known word is not expanded with corrections');
select tests.authenticate_as_anon();

-- Filters
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_skills => ''{react.js, " PYTHON "}'')') $$,
  array['Développeur·se React', 'Data analyst'],
  'skills go through the alias dictionary (react.js = ReactJS), case and spaces ignored');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_contract_type => ''cdd, stage'')') $$,
  array['Développeur Java', 'Data analyst'], 'p_contract_type takes one value or a list');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''cdi'', p_contract_type => ''cdd'')') $$,
  array['Développeur Java'], 'an explicit contract filter wins over a contract word');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_experience_level => ''junior'')') $$,
  array['Développeur Java', 'Data analyst'], 'the level filter keeps that level');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_location => ''saint-etienne'')') $$,
  array['Ingénieur logiciel'], 'the location filter ignores accents and case');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_location => ''100%'')') $$,
  array['Développeur Java'], 'a % in the location is a literal character');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_location => ''Lyon'', p_radius_km => 15)') $$,
  array['Développeur·se React', 'Chef·fe de projet digital', 'Chargé(e) de recrutement'],
  'a radius around a city keeps the cities within it (Villeurbanne is 4 km from Lyon)');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_departement => ''69'')') $$,
  array['Développeur·se React', 'Chef·fe de projet digital', 'Chargé(e) de recrutement'],
  'a département from the postcode or the city');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_remote => true)') $$,
  array['Ingénieur logiciel', 'Développeur·se React', 'Chef·fe de projet digital'],
  'p_remote => true: remote or hybrid offers');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_remote_policy => ''remote'')') $$,
  array['Développeur·se React'], 'p_remote_policy keeps the given policies');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_salary_min => 45000)') $$,
  array['Ingénieur logiciel', 'Développeur·se React', 'Chef·fe de projet digital'],
  'p_salary_min keeps offers whose range reaches it (38-45k reaches 45k)');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_salary_min => 35000, p_salary_max => 39000)') $$,
  array['Chef·fe de projet digital', 'Chargé(e) de recrutement'],
  'a salary range keeps the offers whose range overlaps it; offers without salary are left out');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_posted_since => now() - interval ''6 days 12 hours'')') $$,
  array['Data analyst', 'Chargé(e) de recrutement', 'Développeur·se React'],
  'p_posted_since keeps the offers published since then');
select set_eq(
  $$ select * from pg_temp.found('public.search_jobs(p_query => ''ingénieur'', p_remote => true, '
     'p_skills => ''{go}'', p_salary_min => 60000)') $$,
  array['Ingénieur logiciel'], 'filters combine');

-- Sorts and pages
select results_eq($$ select * from pg_temp.found('public.search_jobs(p_sort => ''salary'')') $$,
  $$ values ('Ingénieur logiciel'), ('Développeur·se React'), ('Chef·fe de projet digital'),
    ('Chargé(e) de recrutement'), ('Développeur Java'), ('Data analyst') $$,
  'the salary sort puts the highest top of range first, offers without salary last');
select ok((select bool_and(rank = 0) from public.search_jobs()),
  'without a query every result ranks 0 and the newest offers come first');
-- Every page of a search, two rows at a time, each page starting at the cursor of the last row
-- of the one before; this file's titles only.
create function pg_temp.all_pages(p_arguments text) returns setof text
language plpgsql as $$
declare
  next text;
  page_rows integer;
begin
  loop
    return query execute format('select result.title from public.search_jobs(%s, p_limit => 2, '
      'p_cursor => %L) as result where result.company_id = %L', p_arguments, next,
      tests.user_id('search_co'));
    execute format('select (array_agg(result.cursor))[count(*)], count(*) '
      'from public.search_jobs(%s, p_limit => 2, p_cursor => %L) as result', p_arguments, next)
      into next, page_rows;
    exit when page_rows < 2;
  end loop;
end;
$$;
select results_eq($$ select * from pg_temp.all_pages('p_sort => ''date''') $$,
  $$ select * from pg_temp.found('public.search_jobs(p_sort => ''date'')') $$,
  'date pages follow each other through their cursors: no gap, no repeat');
select results_eq($$ select * from pg_temp.all_pages('p_sort => ''salary''') $$,
  $$ select * from pg_temp.found('public.search_jobs(p_sort => ''salary'')') $$,
  'salary pages follow each other through their cursors');
select results_eq($$ select * from pg_temp.all_pages('p_query => ''zéphyrin ingénieur''') $$,
  $$ select * from pg_temp.found('public.search_jobs(p_query => ''zéphyrin ingénieur'')') $$,
  'relevance pages follow each other through their cursors');
select results_eq(
  $$ select title from public.search_jobs(p_query => 'zéphyrin', p_sort => 'date', p_limit => 1,
     p_offset => 1) $$,
  $$ values ('Chargé(e) de recrutement') $$, 'p_offset still pages');

-- Totals and facets
select results_eq(
  $$ select count, exact from public.search_jobs_facets(p_query => 'zéphyrin') where facet = 'total' $$,
  $$ values (6::bigint, true) $$, 'the total of a small search is exact');
select results_eq(
  $$ select value, count from public.search_jobs_facets(p_departement => '69')
     where facet = 'contract_type' order by value $$,
  $$ select contract_type::text, count(*)
     from public.search_jobs(p_departement => '69', p_limit => 100) group by 1 order by 1 $$,
  'contract type facets count the offers search_jobs finds');
select results_eq(
  $$ select distinct value, label from public.search_jobs_facets()
     where facet = 'contract_type' and value in ('cdi', 'alternance') order by value $$,
  $$ values ('alternance', 'Alternance'), ('cdi', 'CDI') $$, 'facet values carry a label');
select ok(
  (select count(*) from public.search_jobs_facets() where facet = 'city') between 1 and 10,
  'at most ten cities');
select ok((select bool_and(facet in ('total', 'contract_type', 'remote_policy', 'experience_level',
    'city')) from public.search_jobs_facets()), 'facets are total, contract_type, remote_policy, '
  'experience_level and city');

-- Beyond the relevance window (here shrunk to 2 offers, the exact-count limit to 3), older matches
-- follow by date, and totals and facets are estimates that say so.
select tests.clear_authentication();
create or replace function private.search_settings(
  out relevance_window integer, out exact_count_limit integer,
  out freshness_per_30_days double precision)
language sql immutable set search_path = '' as $$ select 2, 3, 0.05::double precision; $$;
select tests.authenticate_as_anon();
select results_eq($$ select * from pg_temp.all_pages('p_query => ''zéphyrin''') $$,
  $$ values ('Data analyst'), ('Chargé(e) de recrutement'), ('Développeur·se React'),
    ('Chef·fe de projet digital'), ('Développeur Java'), ('Ingénieur logiciel') $$,
  'past the window, pages go on by date through their cursors');
select ok((select bool_and(cursor like 'o,%') from public.search_jobs(p_query => 'zéphyrin',
    p_offset => 2, p_limit => 4)), 'rows past the window carry cursors of the older tier');
select results_eq(
  $$ select exact from public.search_jobs_facets(p_query => 'zéphyrin') where facet = 'total' $$,
  $$ values (false) $$, 'above the exact-count limit the total is an estimate, and says so');
select ok((select bool_and(not exact) from public.search_jobs_facets(p_query => 'zéphyrin')),
  'estimated facets say so');

-- The company sees its draft in its dashboard, not in the public search.
select tests.authenticate_as('search_co');
select is_empty($$ select * from pg_temp.found('public.search_jobs(p_query => ''brouillon'')') $$,
  'a company does not find its own draft in the public search');

-- Bad arguments
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.search_jobs(p_limit => 0) $$, '22023',
  'p_limit must be between 1 and 100 (got 0)', 'p_limit must be at least 1');
select throws_ok($$ select * from public.search_jobs(p_limit => 500) $$, '22023',
  'p_limit must be between 1 and 100 (got 500)', 'p_limit is at most 100');
select throws_ok($$ select * from public.search_jobs(p_offset => -1) $$, '22023', null,
  'p_offset must not be negative');
select throws_ok($$ select * from public.search_jobs(p_experience_level => 'expert') $$, '22023',
  'p_experience_level must be junior, mid, senior or lead (got ''expert'')',
  'an unknown level is refused with the accepted values');
select throws_ok($$ select * from public.search_jobs(p_contract_type => 'cdi,interim') $$, '22023',
  'p_contract_type must be cdi, cdd, freelance, stage or alternance (got ''cdi,interim'')',
  'an unknown contract type is refused with the accepted values');
select throws_ok($$ select * from public.search_jobs(p_query => repeat('a', 201)) $$, '22023',
  'p_query: at most 200 characters', 'an oversize query is refused');
select throws_ok(
  $$ select * from public.search_jobs(p_skills => array(select 's' || n from generate_series(1, 21) as n)) $$,
  '22023', 'p_skills: at most 20 skills', 'too many skills are refused');
select throws_ok($$ select * from public.search_jobs(p_salary_min => -5) $$, '22023',
  'p_salary_min must not be negative', 'a negative salary is refused');
select throws_ok($$ select * from public.search_jobs(p_salary_min => 50000, p_salary_max => 40000) $$,
  '22023', 'p_salary_min (50000) must not exceed p_salary_max (40000)', 'an empty salary range is refused');
select throws_ok($$ select * from public.search_jobs(p_location => 'Trifouilly', p_radius_km => 10) $$,
  '22023', null, 'a radius around an unknown city is refused');
select throws_ok($$ select * from public.search_jobs(p_sort => 'price') $$, '22023',
  'p_sort must be relevance, date or salary (got ''price'')', 'an unknown sort is refused');
select throws_ok($$ select * from public.search_jobs(p_cursor => 'd,1,not-a-uuid') $$, '22023',
  'p_cursor is not a cursor of a search sorted by date', 'a forged cursor is refused');

-- The RPCs run as their owner: they must expose published offers only, whatever the caller.
select tests.clear_authentication();
select ok(
  (select bool_and(prosecdef and proconfig @> array['search_path=""']
     and has_function_privilege('anon', oid, 'execute')
     and has_function_privilege('authenticated', oid, 'execute'))
   from pg_proc where proname in ('search_jobs', 'search_jobs_facets')
     and pronamespace = 'public'::regnamespace),
  'search_jobs and search_jobs_facets are security definer with an empty search_path, '
  'granted to visitors and members');

select * from finish();
rollback;
