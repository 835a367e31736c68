-- The matching profiles in skill order: profiles written since the last rewrite lie where they
-- arrived, and the nightly job (private.order_match_profiles) rewrites both tables in the order of
-- their skills. (That it gives up on a table another transaction holds, rather than queue:
-- tests/pipeline_matching_test.ts, which needs two connections.)
begin;
select plan(7);

select tests.create_user('order_company', 'company');

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
  (select jsonb_object_agg(profile_table.key, profile_table.value ->> 'status')
   from jsonb_each(private.order_match_profiles()) as profile_table),
  '{"job_match_profiles": "ordered", "candidate_match_profiles": "ordered"}'::jsonb,
  'the nightly job rewrites both profile tables');
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
select is(
  (select schedule || ' ' || command from cron.job where jobname = 'order-match-profiles'),
  '40 2 * * * select private.order_match_profiles()',
  'the job runs every night');

select * from finish();
rollback;
