-- search_jobs(): published offers only, French full text with accents folded, ranked, plus
-- filters on skills, level, location, remote work and salary; clear errors on bad arguments.
set client_min_messages = warning;
begin;
select plan(28);

do $$ begin perform tests.create_user('search_co', 'company'); end $$;
update public.companies set name = 'Étoile Numérique' where id = tests.user_id('search_co');
insert into public.jobs (company_id, title, description, required_skills, nice_to_have_skills,
  experience_level, location, remote_policy, salary_min, salary_max, status)
select tests.user_id('search_co'), title, description, required_skills, nice_to_have_skills,
  experience_level, location, remote_policy, salary_min, salary_max, status
from (values
  ('Ingénieur logiciel', 'Vous concevrez des services en Go.', '{Go, PostgreSQL}'::text[],
    '{Kubernetes}'::text[], 'senior', 'Saint-Étienne', 'hybrid', 55000, 70000, 'published'),
  ('Développeur React', 'Rejoignez une équipe produit. Un ingénieur vous accompagne.',
    '{React, TypeScript}', '{}', 'mid', 'Lyon', 'remote', 40000, 50000, 'published'),
  ('Développeur Java', 'Applications bancaires en Java.', '{Java, Spring}', '{}', 'junior',
    'Paris 100%', 'onsite', 32000, null, 'published'),
  ('Data analyst', 'Tableaux de bord et SQL.', '{SQL}', '{Python}', 'junior', 'Lille',
    'onsite', null, null, 'published'),
  ('Ingénieur brouillon', 'Offre non publiée.', '{Go}', '{}', 'senior', 'Lyon', 'remote',
    90000, 99000, 'draft')
) as job(title, description, required_skills, nice_to_have_skills, experience_level, location,
  remote_policy, salary_min, salary_max, status);

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
  array['Ingénieur logiciel', 'Développeur React', 'Développeur Java', 'Data analyst'],
  'a visitor searches published offers; drafts never show');
select results_eq(
  $$ select company_name from public.search_jobs(p_query => 'logiciel')
     where company_id = tests.user_id('search_co') $$,
  $$ values ('Étoile Numérique') $$, 'results carry the company name');

-- Full text: accents and case folded, French stemming, title first.
select results_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''ingenieur'')') $$,
  $$ values ('Ingénieur logiciel'), ('Développeur React') $$,
  'ingenieur finds Ingénieur, the title match ranked before the description match');
select results_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''INGÉNIEURS'')') $$,
  $$ values ('Ingénieur logiciel'), ('Développeur React') $$,
  'upper case and plural find the same offers');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''developpeur'')') $$,
  array['Développeur React', 'Développeur Java'], 'developpeur finds Développeur');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''développeur -java'')') $$,
  array['Développeur React'], 'web-search syntax excludes a word with -');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''postgresql'')') $$,
  array['Ingénieur logiciel'], 'skills are searchable as text');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''ingénieur à Saint-Étienne'')') $$,
  array['Ingénieur logiciel'],
  'the location is searchable too, and accented stop words (à) need not appear in the offer');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_query => ''de la'')') $$,
  array['Ingénieur logiciel', 'Développeur React', 'Développeur Java', 'Data analyst'],
  'a query of stop words only filters nothing');
select ok((select bool_and(rank = 0) from public.search_jobs()),
  'without a query every result ranks 0 and recent offers come first');

-- Filters
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_skills => ''{react, " PYTHON "}'')') $$,
  array['Développeur React', 'Data analyst'],
  'skills match required or nice-to-have skills, case and spaces ignored');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_experience_level => ''junior'')') $$,
  array['Développeur Java', 'Data analyst'], 'the level filter keeps that level');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_location => ''saint-etienne'')') $$,
  array['Ingénieur logiciel'], 'the location filter ignores accents and case');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_location => ''100%'')') $$,
  array['Développeur Java'], 'a % in the location is a literal character');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_remote => true)') $$,
  array['Ingénieur logiciel', 'Développeur React'], 'remote => true: remote or hybrid offers');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_remote => false)') $$,
  array['Développeur Java', 'Data analyst'], 'remote => false: on-site offers');
select set_eq($$ select * from pg_temp.found('public.search_jobs(p_salary_min => 45000)') $$,
  array['Ingénieur logiciel', 'Développeur React'],
  'the salary filter keeps offers whose range reaches the amount');
select set_eq(
  $$ select * from pg_temp.found('public.search_jobs(p_query => ''ingénieur'', p_remote => true, '
     'p_skills => ''{go}'', p_salary_min => 60000)') $$,
  array['Ingénieur logiciel'], 'filters combine');
select is((select count(*)::int from pg_temp.found('public.search_jobs(p_limit => 1)')
    as title), 1, 'p_limit bounds the page');

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
select throws_ok($$ select * from public.search_jobs(p_query => repeat('a', 201)) $$, '22023',
  'p_query: at most 200 characters', 'an oversize query is refused');
select throws_ok(
  $$ select * from public.search_jobs(p_skills => array(select 's' || n from generate_series(1, 21) as n)) $$,
  '22023', 'p_skills: at most 20 skills', 'too many skills are refused');
select throws_ok($$ select * from public.search_jobs(p_salary_min => -5) $$, '22023',
  'p_salary_min must not be negative', 'a negative salary is refused');

-- search_jobs runs as its owner: it must expose published offers only, whatever the caller.
select tests.clear_authentication();
select is(
  (select prosecdef and proconfig @> array['search_path=""']
   from pg_proc where oid = 'public.search_jobs(text, text[], text, text, boolean, integer, integer, integer)'::regprocedure),
  true, 'search_jobs is security definer with an empty search_path');

select * from finish();
rollback;
