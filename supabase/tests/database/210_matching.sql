-- Matching on a hand-checked data set. Weights: required skills 50, nice-to-have 15, experience 20,
-- location 15; pairs under 40 are not stored.
--
-- Offer "Développeur React senior" (Lyon, hybrid, senior): required {node.js, react, typescript},
-- nice-to-have {docker, graphql, postgresql} (docker listed; GraphQL and Postgres found in the
-- description). Expected, by hand:
--   alice   ReactJS, TypeScript, Node JS, Postgres, GraphQL; senior; Lyon; any
--           50 + 15*2/3 = 10 + 20 + 15                                      = 95
--   gaelle  react, node.js, typescript, docker; no level; no city; any
--           50 + 5 + 20*0.5 = 10 + 15*0.5 = 7.5                              = 72.5 -> 73
--   chloe   react, typescript, node.js; lead (one above: full); Paris; remote
--           50 + 0 + 20 + 0 (other city)                                     = 70
--   bruno   React.js, TypeScript, Docker; mid (one below: half); "Lyon 3e"; onsite
--           50*2/3 = 33.3 + 5 + 10 + 15                                      = 63.3 -> 63
--   david   TypeScript; junior (two below: 0); Lyon                           = 16.7 + 15 = 32 (< 40)
--   emma    Java, Spring Boot: no shared skill, not scored
--   fabien  every skill but not open to work: not matched
-- Alerts: threshold 60 by default; bruno asks 70, chloe turned job alerts off -> alice, gaelle.
begin;
select plan(31);

-- Whatever the database already holds (demo data) stays out of the data set.
update public.candidates set open_to_work = false;
update public.jobs set status = 'closed' where status = 'published';

create function pg_temp.candidate(
  p_name text, p_skills text[], p_level public.experience_level, p_location text,
  p_remote public.remote_preference, p_open boolean default true
) returns void
language sql as $$
  select tests.create_user(p_name, 'candidate');
  update public.candidates
  set skills = p_skills, experience_level = p_level, location = p_location,
      remote_preference = p_remote, open_to_work = p_open
  where id = tests.user_id(p_name);
$$;

select pg_temp.candidate('alice', array['ReactJS', 'TypeScript', 'Node JS', 'Postgres', 'GraphQL'],
  'senior', 'Lyon', 'any');
select pg_temp.candidate('gaelle', array['react', 'node.js', 'typescript', 'docker'],
  null, null, 'any');
select pg_temp.candidate('chloe', array['react', 'typescript', 'node.js'], 'lead', 'Paris', 'remote');
select pg_temp.candidate('bruno', array['React.js', 'TypeScript', 'Docker'], 'mid', 'Lyon 3e',
  'onsite');
select pg_temp.candidate('david', array['TypeScript'], 'junior', 'Lyon', 'any');
select pg_temp.candidate('emma', array['Java', 'Spring Boot'], 'senior', 'Lyon', 'any');
select pg_temp.candidate('fabien', array['React', 'TypeScript', 'Node.js', 'Docker', 'PostgreSQL',
  'GraphQL'], 'senior', 'Lyon', 'any', false);
update public.candidates set match_threshold = 70 where id = tests.user_id('bruno');
update public.notification_preferences set job_alerts_enabled = false
where user_id = tests.user_id('chloe');
select tests.create_user('hiring_company', 'company');

create function pg_temp.the_job() returns uuid
language sql as $$ select tests.job_id('Développeur React senior') $$;
create function pg_temp.matches() returns setof text
language sql as $$
  select tests.name_of(candidate_id) || ' ' || match_score
  from public.job_matches where job_id = pg_temp.the_job()
  order by match_score desc, tests.name_of(candidate_id)
$$;
create function pg_temp.explanation(p_candidate text) returns jsonb
language sql as $$
  select explanation from private.job_candidate_scores
  where job_id = pg_temp.the_job() and candidate_id = tests.user_id(p_candidate)
$$;
create function pg_temp.alerted() returns setof text
language sql as $$
  select tests.name_of(alerted.user_id::uuid)
  from pgmq.q_notifications
  cross join lateral jsonb_array_elements_text(message -> 'audience' -> 'userIds')
    with ordinality as alerted (user_id, position)
  where message ->> 'type' = 'job_alert' and message -> 'data' ->> 'jobId' = pg_temp.the_job()::text
  order by msg_id, position
$$;

insert into public.jobs (
  company_id, title, description, required_skills, nice_to_have_skills, experience_level,
  location, remote_policy, status
) values (
  tests.user_id('hiring_company'), 'Développeur React senior',
  'Équipe produit à Lyon, GraphQL et Postgres appréciés.', array['TypeScript', 'Node.js'],
  array['Docker'], 'senior', 'Lyon', 'hybrid', 'published'
);

select is(
  (select message from pgmq.q_job_matching
   where message ->> 'jobId' = pg_temp.the_job()::text),
  jsonb_build_object('jobId', pg_temp.the_job(), 'reason', 'published'),
  'publishing the offer put it on the job_matching queue in the same transaction');
select is((select analysis_completed from public.jobs where id = pg_temp.the_job()), false,
  'the offer is not analysed yet');

select is(private.rematch(array[pg_temp.the_job()], '{}') - 'ms',
  '{"jobs": 1, "candidates": 0, "matches": 4, "added": 4, "rescored": 0, "removed": 0,
    "alerts": 2, "candidates_scored_beyond_reach": 0}'::jsonb,
  'matching the offer stores four matches and asks for two alerts');
select results_eq('select * from pg_temp.matches()',
  array['alice 95', 'gaelle 73', 'chloe 70', 'bruno 63'],
  'the matches and their order are the hand-computed ones');
select is(
  pg_temp.explanation('alice'),
  '{
    "required_skills": {"points": 50.0, "max": 50, "matched": ["node.js", "react", "typescript"],
                        "missing": []},
    "nice_to_have_skills": {"points": 10.0, "max": 15, "matched": ["graphql", "postgresql"]},
    "experience": {"points": 20.0, "max": 20, "job_level": "senior", "candidate_level": "senior"},
    "location": {"points": 15.0, "max": 15, "remote_policy": "hybrid", "remote_preference": "any",
                 "same_city": true}
  }'::jsonb,
  'the explanation gives each criterion its points, the skills held and missing');
select is(
  pg_temp.explanation('bruno') -> 'required_skills' -> 'missing',
  '["node.js"]'::jsonb, 'the explanation names the missing required skills');
select is(
  pg_temp.explanation('chloe') -> 'location',
  '{"points": 0.0, "max": 15, "remote_policy": "hybrid", "remote_preference": "remote",
    "same_city": false}'::jsonb,
  'the explanation says the city differs');
select is_empty(
  $$ select 1 from public.job_matches as match
     where match.job_id = pg_temp.the_job()
       and match.match_score is distinct from (
         select fit.match_score from private.job_candidate_scores as fit
         where fit.job_id = match.job_id and fit.candidate_id = match.candidate_id) $$,
  'the stored scores are those of the view the explanations come from');
select set_config('tests.explanation', pg_temp.explanation('alice')::text, true);
select tests.authenticate_as('alice');
select is(
  (select explanation from public.v_candidate_job_matches where job_id = pg_temp.the_job()),
  current_setting('tests.explanation')::jsonb,
  'the candidate reads the explanation of their match in v_candidate_job_matches');
select tests.clear_authentication();
select results_eq(
  $$ select analysis_completed, matched_candidates_count, analyzed_at is not null
     from public.jobs where id = pg_temp.the_job() $$,
  $$ values (true, 4, true) $$,
  'the offer is analysed and counts its matched candidates');
select results_eq('select * from pg_temp.alerted()', array['alice', 'gaelle'],
  'candidates above their own threshold who want job alerts are alerted, best first');
select is(
  (select message - 'requestId' from pgmq.q_notifications
   where message ->> 'type' = 'job_alert'
     and message -> 'data' ->> 'jobId' = pg_temp.the_job()::text),
  jsonb_build_object(
    'type', 'job_alert',
    'title', 'Offre correspondant à votre profil : « Développeur React senior »',
    'body', 'Publiée par « Hiring Company », « Lyon ».',
    'data', jsonb_build_object('jobId', pg_temp.the_job(), 'reason', 'profile_match'),
    'audience', jsonb_build_object('userIds',
      jsonb_build_array(tests.user_id('alice'), tests.user_id('gaelle'))),
    'dedupeKey', format('job_match:%s', pg_temp.the_job())
  ),
  'one request alerts them all, with a key that reaches each candidate once per offer');

-- Idempotence: a redelivered message changes nothing and alerts nobody again.
create temporary table computed_before as
select candidate_id, computed_at from public.job_matches where job_id = pg_temp.the_job();
select is(private.rematch(array[pg_temp.the_job()], '{}') - 'ms',
  '{"jobs": 1, "candidates": 0, "matches": 4, "added": 0, "rescored": 0, "removed": 0,
    "alerts": 0, "candidates_scored_beyond_reach": 0}'::jsonb,
  'matching the offer again adds, rescores, removes and alerts nothing');
select is_empty(
  $$ select 1 from public.job_matches as match join computed_before using (candidate_id)
     where match.job_id = pg_temp.the_job() and match.computed_at <> computed_before.computed_at $$,
  'unchanged matches are not rewritten');
select is((select count(*)::integer from pg_temp.alerted()), 2, 'no second alert');

-- Candidate-side changes.
update public.candidates set skills = array['TypeScript', 'React', 'Node.js']
where id = tests.user_id('david');
select ok(
  exists (select 1 from pgmq.q_candidate_matching
          where message = jsonb_build_object('candidateId', tests.user_id('david'),
            'reason', 'updated')),
  'a skills change puts the candidate on the candidate_matching queue');
select is(private.rematch('{}', array[tests.user_id('david')]) - 'ms',
  '{"jobs": 0, "candidates": 1, "matches": 1, "added": 1, "rescored": 0, "removed": 0,
    "alerts": 1, "candidates_scored_beyond_reach": 1}'::jsonb,
  'the candidate update finds the offer that now matches');
update public.candidates set open_to_work = false where id = tests.user_id('chloe');
select is(private.rematch('{}', array[tests.user_id('chloe')]) - 'ms',
  '{"jobs": 0, "candidates": 1, "matches": 0, "added": 0, "rescored": 0, "removed": 1,
    "alerts": 0, "candidates_scored_beyond_reach": 0}'::jsonb,
  'a candidate who stops looking loses their matches');
update public.candidates set skills = array['TypeScript', 'Docker'] where id = tests.user_id('bruno');
select private.rematch('{}', array[tests.user_id('bruno')]);
update public.candidates set location = 'Paris' where id = tests.user_id('alice');
select private.rematch('{}', array[tests.user_id('alice')]);
select results_eq('select * from pg_temp.matches()',
  array['alice 80', 'gaelle 73', 'david 65', 'bruno 47'],
  'after the updates: david added (50 + 15), chloe removed, bruno and alice rescored');
select results_eq('select * from pg_temp.alerted()', array['alice', 'gaelle', 'david'],
  'david, now above his threshold, is alerted once');
update public.candidates set open_to_work = false where id = tests.user_id('gaelle');
select private.rematch('{}', array[tests.user_id('gaelle')]);
select is((select matched_candidates_count from public.jobs where id = pg_temp.the_job()), 4,
  'the matched count is the offer''s last analysis: candidate-side changes do not move it');
select is((private.rematch(array[pg_temp.the_job()], '{}') ->> 'matches')::integer, 3,
  'matching the offer again finds three matches');
select is((select matched_candidates_count from public.jobs where id = pg_temp.the_job()), 3,
  'and counts them');
update public.candidates set open_to_work = true where id = tests.user_id('gaelle');
select private.rematch('{}', array[tests.user_id('gaelle')]);
select private.rematch(array[pg_temp.the_job()], '{}');

-- Offer-side changes.
update public.jobs set required_skills = array['TypeScript'], title = 'Développeur TypeScript senior'
where id = pg_temp.the_job();
create or replace function pg_temp.the_job() returns uuid
language sql as $$ select tests.job_id('Développeur TypeScript senior') $$;
select is((select analysis_completed from public.jobs where id = pg_temp.the_job()), false,
  'editing the skills marks the offer for analysis again');
select is(
  (select count(*)::integer from pgmq.q_job_matching
   where message = jsonb_build_object('jobId', pg_temp.the_job(), 'reason', 'updated')),
  1, 'and puts it on the job_matching queue');
update public.jobs set salary_min = 40000, salary_max = 50000 where id = pg_temp.the_job();
select is(
  (select count(*)::integer from pgmq.q_job_matching
   where message ->> 'jobId' = pg_temp.the_job()::text),
  2, 'a change matching does not read (salary) enqueues nothing');
select private.rematch(array[pg_temp.the_job()], '{}');
select ok(
  exists (select 1 from public.job_matches
          where job_id = pg_temp.the_job() and candidate_id = tests.user_id('emma')) = false
  and exists (select 1 from public.job_matches
          where job_id = pg_temp.the_job() and candidate_id = tests.user_id('david')),
  'the offer is rematched against the new skills');
update public.jobs set status = 'closed' where id = pg_temp.the_job();
select is(
  (select count(*)::integer from pgmq.q_job_matching
   where message = jsonb_build_object('jobId', pg_temp.the_job(), 'reason', 'unpublished')),
  1, 'closing the offer enqueues it too');
select is((private.rematch(array[pg_temp.the_job()], '{}')) ->> 'removed', '4',
  'matching a closed offer removes its four matches');
select results_eq(
  $$ select (select count(*)::integer from public.job_matches where job_id = pg_temp.the_job()),
            matched_candidates_count from public.jobs where id = pg_temp.the_job() $$,
  $$ values (0, 0) $$,
  'and removes its matches');
select is(private.rematch(array[gen_random_uuid()], array[gen_random_uuid()]) - 'ms',
  '{"jobs": 0, "candidates": 0, "matches": 0, "added": 0, "rescored": 0, "removed": 0,
    "alerts": 0, "candidates_scored_beyond_reach": 0}'::jsonb,
  'a deleted offer or candidate is skipped, not an error (the message is done)');

select * from finish();
rollback;
