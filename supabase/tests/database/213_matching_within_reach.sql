-- A candidate's run scores the offers within reach of their skills first (two shared key skills,
-- or one that can earn a place in the offer's list, plus the pairs already stored), and every
-- offer sharing a key skill only when those do not settle the result. Either way the stored
-- lists, floors and alerts are the ones scoring every offer gives (compared with the view here).
begin;
select plan(27);

update public.candidates set open_to_work = false;
update public.jobs set status = 'closed' where status = 'published';

-- Two places per list and two alerts per candidate change (the product: 200, 200, 10), so that a
-- handful of offers fills a list; for this transaction only.
select tests.set_match_list_sizes(2, 2);

-- An offer in Lyon with the given floor (as if matched before: null for never).
create function pg_temp.offer(p_title text, p_skills text[], p_floor integer) returns uuid
language sql as $$
  insert into public.jobs (company_id, title, required_skills, location, status)
  values (tests.user_id('reach_company'), p_title, p_skills, 'Lyon', 'published');
  update private.job_match_profiles set list_floor = p_floor
  where job_id = tests.job_id(p_title);
  select tests.job_id(p_title);
$$;
create function pg_temp.skill(p_name text) returns bigint
language sql as $$ select id from private.skill_ids where skill = p_name $$;
create function pg_temp.stored_of(p_candidate text) returns setof text
language sql as $$
  select (select title from public.jobs where id = job_id) || ' ' || match_score
  from public.job_matches where candidate_id = tests.user_id(p_candidate) order by 1
$$;
-- What scoring every offer stores for a candidate who has just been matched: the pairs at or
-- above their new floor or the offer's, and the applicants' pairs.
create function pg_temp.expected_of(p_candidate text) returns setof text
language sql as $$
  select (select title from public.jobs where id = fit.job_id) || ' ' || fit.match_score
  from private.job_candidate_scores as fit
  where fit.candidate_id = tests.user_id(p_candidate) and fit.match_score >= 40
    and (fit.match_score >= fit.candidate_list_floor or fit.match_score >= fit.job_list_floor
      or exists (select 1 from public.job_applications as application
                 where application.job_id = fit.job_id
                   and application.candidate_id = fit.candidate_id))
  order by 1
$$;

select tests.create_user('reach_company', 'company');
-- For a candidate in Lyon holding Rust and Go: 100 with the offers requiring both or one of them
-- alone, 68 with those requiring Rust and another skill.
select pg_temp.offer('Rust Go 1', array['Rust', 'Go'], 90);
select pg_temp.offer('Rust Go 2', array['Rust', 'Go'], 90);
select pg_temp.offer('Rust Go 3', array['Rust', 'Go'], 90);
select pg_temp.offer('Go seul', array['Go'], 90);
select pg_temp.offer('Rust Elixir, liste pleine', array['Rust', 'Elixir'], 90);
select pg_temp.offer('Rust Haskell, liste ouverte', array['Rust', 'Haskell'], 40);
select pg_temp.offer('Rust Scala, candidature', array['Rust', 'Scala'], 90);

select results_eq(
  $$ select private.best_score_with_one_key_skill(required, nice)
     from (values (1, 0), (2, 0), (2, 1), (3, 2), (0, 2)) as offer (required, nice) $$,
  array[100, 68, 75, 67, 68],
  'one key skill earns at most 100 of one, 68 of two required, 75 with nice-to-have ones too');
select is_empty(
  $$ select 1 from private.job_candidate_scores as fit
     join private.job_match_profiles as job on job.job_id = fit.job_id
     join private.candidate_match_profiles as candidate on candidate.candidate_id = fit.candidate_id
     where extensions.icount(job.key_skill_ids operator(extensions.&) candidate.skill_ids) = 1
       and fit.match_score > private.best_score_with_one_key_skill(job.required_count,
         job.nice_to_have_count) $$,
  'and no pair sharing one key skill scores more (every pair of this test)');

select is(
  (select reach_keys from private.job_match_profiles where job_id = tests.job_id('Rust Go 1')),
  array[(least(pg_temp.skill('rust'), pg_temp.skill('go')) << 32)
    | greatest(pg_temp.skill('rust'), pg_temp.skill('go'))],
  'an offer whose list one skill cannot enter is reached by the pair of its key skills');
select is(
  (select cardinality(reach_keys) from private.job_match_profiles
   where job_id = tests.job_id('Rust Haskell, liste ouverte')),
  3, 'one whose floor one skill can reach, by each key skill alone too');
select is(
  (select reach_keys from private.job_match_profiles where job_id = tests.job_id('Go seul')),
  array[pg_temp.skill('go') << 32], 'one with a single key skill, by that skill');

select tests.matching_candidate('ada', array['Rust', 'Go']);
insert into public.job_applications (job_id, candidate_id)
values (tests.job_id('Rust Scala, candidature'), tests.user_id('ada'));

select is(
  private.rematch('{}', array[tests.user_id('ada')]) - 'ms',
  '{"jobs": 0, "candidates": 1, "matches": 6, "added": 5, "rescored": 0, "removed": 0,
    "alerts": 2, "candidates_scored_beyond_reach": 0}'::jsonb,
  'a candidate with a full list within reach is not scored against every offer');
select results_eq($$ select * from pg_temp.stored_of('ada') $$,
  array['Go seul 100', 'Rust Go 1 100', 'Rust Go 2 100', 'Rust Go 3 100',
    'Rust Haskell, liste ouverte 68', 'Rust Scala, candidature 68'],
  'they store their best offers, enter the list one skill could enter, keep their application');
select results_eq($$ select * from pg_temp.stored_of('ada') $$,
  $$ select * from pg_temp.expected_of('ada') $$,
  'exactly what scoring every offer stores (not the full list they share one skill with)');
select results_eq(
  $$ select message -> 'data' ->> 'jobId' from pgmq.q_notifications
     where message ->> 'type' = 'job_alert'
       and message -> 'audience' -> 'userIds' ? tests.user_id('ada')::text
     order by 1 $$,
  $$ select best.job_id::text
     from (
       select fit.job_id from private.job_candidate_scores as fit
       where fit.candidate_id = tests.user_id('ada') and fit.match_score >= fit.match_threshold
       order by fit.match_score desc, fit.job_id limit 2
     ) as best
     order by 1 $$,
  'their two alerts are for their two best offers, ties broken by offer');
select is(
  (select list_floor from private.candidate_match_profiles
   where candidate_id = tests.user_id('ada')),
  100, 'their floor is their second best');

select is(
  private.rematch('{}', array[tests.user_id('ada')]) - 'ms',
  '{"jobs": 0, "candidates": 1, "matches": 6, "added": 0, "rescored": 0, "removed": 0,
    "alerts": 0, "candidates_scored_beyond_reach": 0}'::jsonb,
  'matching them again changes nothing');

-- The open list fills up: one shared skill no longer reaches its floor, nor the offer ada.
update private.job_match_profiles set list_floor = 90
where job_id = tests.job_id('Rust Haskell, liste ouverte');
select is(
  private.rematch('{}', array[tests.user_id('ada')]) - 'ms',
  '{"jobs": 0, "candidates": 1, "matches": 5, "added": 0, "rescored": 0, "removed": 1,
    "alerts": 0, "candidates_scored_beyond_reach": 0}'::jsonb,
  'a stored pair the reach no longer finds is not scored again');
select results_eq($$ select * from pg_temp.stored_of('ada') $$,
  $$ select * from pg_temp.expected_of('ada') $$,
  'and is removed, as scoring every offer removes it (it is in neither list)');
update private.job_match_profiles set list_floor = 40
where job_id = tests.job_id('Rust Haskell, liste ouverte');
update public.candidates set location = 'Paris' where id = tests.user_id('ada');
select private.rematch('{}', array[tests.user_id('ada')]);
select results_eq($$ select * from pg_temp.stored_of('ada') $$,
  $$ select * from pg_temp.expected_of('ada') $$,
  'after a move to another city, again what scoring every offer stores');

-- Rust alone: no offer within reach scores above 75, so the reach settles nothing.
select tests.matching_candidate('bob', array['Rust']);
select is(
  (private.rematch('{}', array[tests.user_id('bob')]) ->> 'candidates_scored_beyond_reach')::integer,
  1, 'a candidate whose best offers are not all within reach is scored against every offer');
select results_eq($$ select * from pg_temp.stored_of('bob') $$,
  $$ select * from pg_temp.expected_of('bob') $$, 'and stores what that gives');

-- Ten alerts per change: the four offers above 75 do not say which ten are the best new ones.
select tests.set_match_list_sizes(2, 10);
select tests.matching_candidate('chloe', array['Rust', 'Go']);
select is(
  private.rematch('{}', array[tests.user_id('chloe')]) - 'ms',
  '{"jobs": 0, "candidates": 1, "matches": 7, "added": 5, "rescored": 0, "removed": 0,
    "alerts": 7, "candidates_scored_beyond_reach": 1}'::jsonb,
  'a candidate wanting more alerts than their offers within reach above 75 give is scored '
  'against every offer, and hears of the 68s too');

select tests.matching_candidate('dan', array['Rust', 'Go']);
update public.notification_preferences set job_alerts_enabled = false
where user_id = tests.user_id('dan');
select is(
  (private.rematch('{}', array[tests.user_id('dan')]) ->> 'candidates_scored_beyond_reach')::integer,
  0, 'one who wants no alerts is settled within reach');

-- Rust, Go and 29 tools: 31 skills, past the 30 whose pairs are reach keys.
select tests.matching_candidate('eve',
  array['Rust', 'Go'] || array(select 'outil ' || tool from generate_series(1, 29) as tool));
select is(
  (private.rematch('{}', array[tests.user_id('eve')]) ->> 'candidates_scored_beyond_reach')::integer,
  1, 'a candidate listing more than 30 skills is scored against every offer');
select results_eq($$ select * from pg_temp.stored_of('eve') $$,
  $$ select * from pg_temp.expected_of('eve') $$, 'and stores what that gives');

-- Beyond reach, only what can reach a candidate's bar. Rust alone (two places, two alerts): two
-- open lists within reach give 68 each, so no offer under 68 enters the list; the alerts go to
-- two of those 68s. Three required skills with Rust earn at most 57: those offers are not scored,
-- unless applied to.
select tests.set_match_list_sizes(2, 2);
select pg_temp.offer('Rust Kotlin, liste ouverte', array['Rust', 'Kotlin'], 40);
select pg_temp.offer('Rust Swift Dart', array['Rust', 'Swift', 'Dart'], 90);
select pg_temp.offer('Rust Swift Dart, candidature', array['Rust', 'Swift', 'Dart'], 90);
select tests.matching_candidate('farid', array['Rust']);
insert into public.job_applications (job_id, candidate_id)
values (tests.job_id('Rust Swift Dart, candidature'), tests.user_id('farid'));
select is(
  (select count(*)::integer from private.job_candidate_scores as fit
   where fit.candidate_id = tests.user_id('farid') and fit.match_score >= 40),
  9, 'a candidate holding Rust alone matches nine offers');
select is(
  private.rematch('{}', array[tests.user_id('farid')]) - 'ms',
  '{"jobs": 0, "candidates": 1, "matches": 8, "added": 7, "rescored": 0, "removed": 0,
    "alerts": 2, "candidates_scored_beyond_reach": 1}'::jsonb,
  'their run beyond reach leaves out the offer whose best with one skill is under their bar');
select results_eq($$ select * from pg_temp.stored_of('farid') $$,
  $$ select * from pg_temp.expected_of('farid') $$,
  'and stores what scoring every offer stores: every 68 (ties share the floor), the application');

-- Ten alerts from a threshold of 50: the 57s can be among the best new offers, so the bar is
-- the threshold and they are scored.
select tests.set_match_list_sizes(2, 10);
select tests.matching_candidate('gael', array['Rust']);
update public.candidates set match_threshold = 50 where id = tests.user_id('gael');
select is(
  (private.rematch('{}', array[tests.user_id('gael')]) ->> 'matches')::integer,
  9, 'a candidate wanting alerts the offers over the bar cannot fill has the others scored too');
select results_eq(
  $$ select message -> 'data' ->> 'jobId' from pgmq.q_notifications
     where message ->> 'type' = 'job_alert'
       and message -> 'audience' -> 'userIds' ? tests.user_id('gael')::text
     order by 1 $$,
  $$ select fit.job_id::text from private.job_candidate_scores as fit
     where fit.candidate_id = tests.user_id('gael') and fit.match_score >= 50
     order by 1 $$,
  'and hears of all nine, the 57s included');

-- A new threshold (no floor again): the seven 68s stored are old news, and the best new offers
-- are the two 57s, under the seventh offer within reach: the stored pairs lower the bar.
select tests.set_match_list_sizes(2, 2);
update public.candidates set match_threshold = 49 where id = tests.user_id('gael');
select is(
  (private.rematch('{}', array[tests.user_id('gael')]) - 'ms') -> 'alerts',
  '2'::jsonb, 'a candidate whose best offers are old news');
select results_eq(
  $$ select title from public.jobs
     where id in (
       select (message -> 'data' ->> 'jobId')::uuid from pgmq.q_notifications
       where message ->> 'type' = 'job_alert'
         and message -> 'audience' -> 'userIds' ? tests.user_id('gael')::text
       order by msg_id desc limit 2)
     order by 1 $$,
  array['Rust Swift Dart', 'Rust Swift Dart, candidature'],
  'hears of their best new ones, under the offers they already had');

select * from finish();
rollback;
