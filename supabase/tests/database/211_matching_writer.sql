-- The matching writer beyond the hand-checked scores (210): one run for offers and candidates at
-- once, the matches of deleted offers and candidates removed without foreign keys, the matched
-- counts, the lists of best offers and candidates, and job alerts asked for many offers
-- in one call.
begin;
select plan(30);

update public.candidates set open_to_work = false;
update public.jobs set status = 'closed' where status = 'published';

create function pg_temp.offer(p_title text, p_skills text[]) returns uuid
language sql as $$
  insert into public.jobs (company_id, title, required_skills, location, status)
  values (tests.user_id('writer_company'), p_title, p_skills, 'Lyon', 'published')
  returning id;
$$;
create function pg_temp.count_of(p_job_id uuid) returns integer
language sql as $$ select matched_candidates_count from public.jobs where id = p_job_id $$;

select tests.create_user('writer_company', 'company');
select tests.matching_candidate('rust_one', array['Rust']);
select tests.matching_candidate('rust_two', array['Rust', 'Go']);
select tests.matching_candidate('go_one', array['Go']);
select pg_temp.offer('Offre Rust', array['Rust']);
select pg_temp.offer('Offre Go', array['Go']);

select is(
  private.rematch(array[tests.job_id('Offre Rust')], array[tests.user_id('go_one')]) - 'ms',
  '{"jobs": 1, "candidates": 1, "matches": 3, "added": 3, "rescored": 0, "removed": 0,
    "alerts": 3, "candidates_scored_beyond_reach": 1}'::jsonb,
  'one run matches an offer against every candidate and a candidate against every offer');
select results_eq(
  $$ select tests.name_of(candidate_id) from public.job_matches
     where job_id = tests.job_id('Offre Rust') order by 1 $$,
  array['rust_one', 'rust_two'], 'the offer matched both Rust candidates');
select results_eq(
  $$ select (select title from public.jobs where id = job_id) from public.job_matches
     where candidate_id = tests.user_id('go_one') $$,
  array['Offre Go'], 'the candidate matched the Go offer');
select is(pg_temp.count_of(tests.job_id('Offre Rust')), 2,
  'the rematched offer''s count is applied at once');
select is(pg_temp.count_of(tests.job_id('Offre Go')), 0,
  'a candidate''s run leaves the count of an offer it touched as the offer''s last analysis gave');
select is((private.rematch(array[tests.job_id('Offre Go')], '{}') ->> 'added')::integer, 1,
  'matching that offer adds the candidate no run had scored with it (rust_two)');
select is(pg_temp.count_of(tests.job_id('Offre Go')), 2, 'and counts both matches');

-- Lists: each side keeps its best pairs. Two per list here (the product keeps 200), so that a
-- handful of rows shows every case; redefined for this transaction only.
select tests.set_match_list_sizes(2, 10);
create function pg_temp.offer_in(p_title text, p_location text, p_level text) returns uuid
language sql as $$
  insert into public.jobs (company_id, title, required_skills, location, experience_level, status)
  values (tests.user_id('writer_company'), p_title, array['Elixir'], p_location,
    p_level::public.experience_level, 'published')
  returning id;
$$;
create function pg_temp.listed(p_job_id uuid) returns setof text
language sql as $$
  select tests.name_of(candidate_id) || ' ' || match_score from public.job_matches
  where job_id = p_job_id order by match_score desc, 1
$$;
create function pg_temp.list_of(p_candidate text) returns setof text
language sql as $$
  select (select title from public.jobs where id = job_id) || ' ' || match_score
  from public.job_matches where candidate_id = tests.user_id(p_candidate) order by 1
$$;
-- For a candidate in Lyon without a level: 100 in Lyon, 85 in Paris, 75 in Paris for a lead.
select pg_temp.offer_in('Offre E1', 'Lyon', null);
select pg_temp.offer_in('Offre E2', 'Lyon', null);
select pg_temp.offer_in('Offre E3', 'Paris', null);
select pg_temp.offer_in('Offre E4', 'Paris', 'lead');
select tests.matching_candidate('elixir_a', array['Elixir']);
select is((private.rematch('{}', array[tests.user_id('elixir_a')]) ->> 'added')::integer, 2,
  'a candidate with four matching offers stores two');
select results_eq($$ select * from pg_temp.list_of('elixir_a') $$,
  array['Offre E1 100', 'Offre E2 100'],
  'their best two');
select is(
  (select list_floor from private.candidate_match_profiles
   where candidate_id = tests.user_id('elixir_a')),
  100, 'and their list''s floor is the score of its last place');
select pg_temp.offer_in('Offre E5', 'Lyon', null);
select private.rematch('{}', array[tests.user_id('elixir_a')]);
select results_eq($$ select * from pg_temp.list_of('elixir_a') $$,
  array['Offre E1 100', 'Offre E2 100', 'Offre E5 100'],
  'offers tied with the last place share it');

-- An offer in Lyon for a lead: 90 for a candidate in Lyon without a level, 75 in Paris.
select pg_temp.offer_in('Offre X', 'Lyon', 'lead');
select tests.matching_candidate('elixir_b', array['Elixir']);
select tests.matching_candidate('elixir_c', array['Elixir']);
select tests.matching_candidate('elixir_d', array['Elixir']);
update public.candidates set location = 'Paris'
where id in (tests.user_id('elixir_c'), tests.user_id('elixir_d'));
select is(private.rematch(array[tests.job_id('Offre X')], '{}') - 'ms',
  '{"jobs": 1, "candidates": 0, "matches": 4, "added": 2, "rescored": 0, "removed": 0,
    "alerts": 4, "candidates_scored_beyond_reach": 0}'::jsonb,
  'an offer with four matches lists two and alerts all four, listed or not');
select results_eq($$ select * from pg_temp.listed(tests.job_id('Offre X')) $$,
  array['elixir_a 90', 'elixir_b 90'], 'its best two');
select is(pg_temp.count_of(tests.job_id('Offre X')), 4, 'and counts its four matches');
select is(private.rematch(array[tests.job_id('Offre X')], '{}') - 'ms',
  '{"jobs": 1, "candidates": 0, "matches": 4, "added": 0, "rescored": 0, "removed": 0,
    "alerts": 0, "candidates_scored_beyond_reach": 0}'::jsonb,
  'matching the same offer again alerts nobody, not even the candidates outside its list');

select tests.matching_candidate('elixir_e', array['Elixir']);
select private.rematch('{}', array[tests.user_id('elixir_e')]);
select results_eq($$ select * from pg_temp.list_of('elixir_e') $$,
  array['Offre E1 100', 'Offre E2 100', 'Offre E5 100', 'Offre X 90'],
  'a candidate''s run stores their best offers, and enters the list of an offer whose floor '
  'they reach (X, 90), not of those whose lists were never made (E3, E4)');

select is((private.rematch('{}', array[tests.user_id('elixir_e')]) ->> 'alerts')::integer, 0,
  'matching the same candidate again alerts nothing, not even of offers outside their list');

update public.candidates set location = 'Paris' where id = tests.user_id('elixir_b');
select is(private.rematch(array[tests.job_id('Offre X')], '{}') - 'ms',
  '{"jobs": 1, "candidates": 0, "matches": 5, "added": 0, "rescored": 0, "removed": 1,
    "alerts": 0, "candidates_scored_beyond_reach": 0}'::jsonb,
  'a pair that falls out of every list is removed');
select results_eq($$ select * from pg_temp.listed(tests.job_id('Offre X')) $$,
  array['elixir_a 90', 'elixir_e 90'], 'the offer lists its best two again');

-- Applicants keep their score: the company ranks its applicants by it.
insert into public.job_applications (job_id, candidate_id)
values (tests.job_id('Offre X'), tests.user_id('elixir_c'));
select results_eq($$ select * from pg_temp.listed(tests.job_id('Offre X')) $$,
  array['elixir_a 90', 'elixir_e 90', 'elixir_c 75'],
  'an application stores the pair''s score at once, outside the lists');
select is((private.rematch(array[tests.job_id('Offre X')], '{}') ->> 'removed')::integer, 0,
  'and matching the offer again keeps it');

-- Without foreign keys, deletions still take their matches along.
delete from public.candidates where id = tests.user_id('rust_two');
select is_empty(
  $$ select 1 from public.job_matches where candidate_id = tests.user_id('rust_two') $$,
  'a deleted candidate''s matches are removed');
select private.rematch(array[tests.job_id('Offre Rust')], '{}');
select is(pg_temp.count_of(tests.job_id('Offre Rust')), 1,
  'and the offer counts one less once matched again');
create temporary table deleted_offer as select tests.job_id('Offre Go') as id;
delete from public.jobs where id = (select id from deleted_offer);
select is_empty(
  $$ select 1 from public.job_matches where job_id = (select id from deleted_offer) $$,
  'a deleted offer''s matches are removed');

-- Alerts for many offers in one call: one request per offer (and per 1,000 candidates).
select is(
  private.request_job_alerts(
    array[tests.job_id('Offre Rust'), tests.job_id('Offre Rust'), tests.job_id('Offre Rust')]
      || array_fill(tests.job_id('Offre Rust'), array[1000]),
    array[tests.user_id('rust_one'), tests.user_id('go_one'), tests.user_id('writer_company')]
      || array(select gen_random_uuid() from generate_series(1, 1000)),
    'saved_search'),
  2, 'one offer and 1,003 candidates: two requests');
select results_eq(
  $$ select jsonb_array_length(message -> 'audience' -> 'userIds'),
       message -> 'audience' -> 'userIds' -> 0 = to_jsonb(tests.user_id('rust_one'))
     from pgmq.q_notifications order by msg_id desc limit 2 $$,
  $$ values (3, false), (1000, true) $$,
  'the first 1,000 in the order given, then the other 3, each a message of its own');
select is(
  private.request_job_alerts(
    array[tests.job_id('Offre Rust'), tests.job_id('Offre E1'), tests.job_id('Offre Rust')],
    array[tests.user_id('rust_one'), tests.user_id('go_one'), tests.user_id('writer_company')],
    'profile_match'),
  2, 'two offers interleaved: a request each');
select results_eq(
  $$ select message -> 'data' ->> 'jobId', message -> 'audience' -> 'userIds'
     from (select message from pgmq.q_notifications order by msg_id desc limit 2) as sent
     order by 1 $$,
  $$ select * from (values
       (tests.job_id('Offre E1')::text, jsonb_build_array(tests.user_id('go_one'))),
       (tests.job_id('Offre Rust')::text,
         jsonb_build_array(tests.user_id('rust_one'), tests.user_id('writer_company'))))
     as expected (job_id, recipients)
     order by 1 $$,
  'each with its own candidates, in the order given');
select is(private.enqueue_batch('notifications', '{}'), 0, 'an empty batch enqueues nothing');

select throws_ok(
  $$ select private.rematch(array(select gen_random_uuid() from generate_series(1, 101)), '{}') $$,
  '22023', 'rematch takes at most 100 offers and 100 candidates a call (got 101 and 0)',
  'a batch of more than 100 offers is refused: the lists'' floors read the pairs once per offer');

select * from finish();
rollback;
