-- The matching profiles in skill order: profiles written since the last rewrite lie where they
-- arrived, and the nightly jobs (private.order_match_profiles) rewrite each table in the order of
-- its skills. (That it gives up on a table another transaction holds, rather than queue:
-- tests/pipeline_matching_test.ts, which needs two connections.)
begin;
select plan(8);

select tests.create_user('order_company', 'company');
-- From a table just rewritten (no free-space map yet), new rows are appended in the order they
-- arrive, whatever free space earlier tests and the demo data left on its pages.
select private.order_match_profiles('job_match_profiles');
select private.order_match_profiles('candidate_match_profiles');

-- Four skills registered in this order (ascending ids, canonical names), then offers requiring
-- them published in the reverse order.
select private.register_skills(private.canonical_skills(array['ordre-a']));
select private.register_skills(private.canonical_skills(array['ordre-b']));
select private.register_skills(private.canonical_skills(array['ordre-c']));
select private.register_skills(private.canonical_skills(array['ordre-d']));
insert into public.jobs (company_id, title, required_skills, location, status)
select tests.user_id('order_company'), 'Offre ' || skill, array[skill], 'Lyon', 'published'
from unnest(array['ordre-d', 'ordre-c', 'ordre-b', 'ordre-a']) with ordinality as wanted (skill, n)
order by wanted.n;
select tests.matching_candidate('ordre_d', array['ordre-d']);
select tests.matching_candidate('ordre_a', array['ordre-a']);

-- The offers' titles (candidates' names) in the order their profiles lie in the table.
create function pg_temp.offers_as_stored() returns setof text
language sql as $$
  select job.title
  from private.job_match_profiles as profile
  join public.jobs as job on job.id = profile.job_id
  where job.title like 'Offre ordre-%'
  order by profile.ctid
$$;
create function pg_temp.candidates_as_stored() returns setof text
language sql as $$
  select tests.name_of(profile.candidate_id)
  from private.candidate_match_profiles as profile
  where profile.candidate_id in (tests.user_id('ordre_a'), tests.user_id('ordre_d'))
  order by profile.ctid
$$;

select results_eq('select * from pg_temp.offers_as_stored()',
  array['Offre ordre-d', 'Offre ordre-c', 'Offre ordre-b', 'Offre ordre-a'],
  'offers published since the last rewrite lie in the order they arrived');
select results_eq('select * from pg_temp.candidates_as_stored()', array['ordre_d', 'ordre_a'],
  'and so do candidates');

select is(
  array[private.order_match_profiles('job_match_profiles') ->> 'status',
    private.order_match_profiles('candidate_match_profiles') ->> 'status'],
  array['ordered', 'ordered'],
  'the nightly jobs rewrite each profile table');
select results_eq('select * from pg_temp.offers_as_stored()',
  array['Offre ordre-a', 'Offre ordre-b', 'Offre ordre-c', 'Offre ordre-d'],
  'then the offers lie in the order of their key skills');
select results_eq('select * from pg_temp.candidates_as_stored()', array['ordre_a', 'ordre_d'],
  'and the candidates in the order of theirs');

select is(
  (select array_agg(reloptions[1] order by relname) from pg_class
   where oid in ('private.job_match_profiles'::regclass,
     'private.candidate_match_profiles'::regclass)),
  array['fillfactor=90', 'fillfactor=90'],
  'both tables leave room on each page for a profile''s new list floor');
-- (jobname is a name, collated "C": given the default collation to be compared.)
select results_eq(
  $$ select format('%s: %s %s', jobname::text collate "default", schedule, command) from cron.job
     where jobname in ('order-offer-profiles', 'order-candidate-profiles') order by 1 $$,
  array[
    'order-candidate-profiles: 45 2 * * * select private.order_match_profiles(''candidate_match_profiles'')',
    'order-offer-profiles: 40 2 * * * select private.order_match_profiles(''job_match_profiles'')'],
  'one job a table, every night, each in its own transaction');
select throws_ok($$ select private.order_match_profiles('jobs') $$, '22023',
  'p_table: job_match_profiles | candidate_match_profiles (got jobs)',
  'no other table is rewritten');
select * from finish();
rollback;
