-- The matching writer beyond the hand-checked scores (210): one run for offers and candidates at
-- once, the matches of deleted offers and candidates removed without foreign keys, the lazy
-- matched counts, and job alerts asked for many offers in one call.
begin;
select plan(16);

update public.candidates set open_to_work = false;
update public.jobs set status = 'closed' where status = 'published';

create function pg_temp.candidate(p_name text, p_skills text[]) returns uuid
language sql as $$
  select tests.create_user(p_name, 'candidate');
  update public.candidates set skills = p_skills, open_to_work = true, location = 'Lyon'
  where id = tests.user_id(p_name);
  select tests.user_id(p_name);
$$;
create function pg_temp.offer(p_title text, p_skills text[]) returns uuid
language sql as $$
  insert into public.jobs (company_id, title, required_skills, location, status)
  values (tests.user_id('writer_company'), p_title, p_skills, 'Lyon', 'published')
  returning id;
$$;
create function pg_temp.count_of(p_job_id uuid) returns integer
language sql as $$ select matched_candidates_count from public.jobs where id = p_job_id $$;

select tests.create_user('writer_company', 'company');
select pg_temp.candidate('rust_one', array['Rust']);
select pg_temp.candidate('rust_two', array['Rust', 'Go']);
select pg_temp.candidate('go_one', array['Go']);
select pg_temp.offer('Offre Rust', array['Rust']);
select pg_temp.offer('Offre Go', array['Go']);

select is(
  private.rematch(array[tests.job_id('Offre Rust')], array[tests.user_id('go_one')]) - 'ms',
  '{"jobs": 1, "candidates": 1, "matches": 3, "added": 3, "rescored": 0, "removed": 0,
    "alerts": 3}'::jsonb,
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
  'a candidate''s run leaves the counts of the offers it touched to apply');
select is(private.apply_job_match_counts(), 1, 'applying the pending counts updates that offer');
select is(pg_temp.count_of(tests.job_id('Offre Go')), 1, 'whose count is now its matches');

-- A candidate's first match touching many offers appends one pending change for all of them.
select pg_temp.offer('Offre Elixir ' || n, array['Elixir']) from generate_series(1, 70) as n;
select pg_temp.candidate('elixir_one', array['Elixir']);
select is(
  (select (private.rematch('{}', array[tests.user_id('elixir_one')]) ->> 'added')::integer), 70,
  'a candidate matches 70 offers');
select is(
  (select count(*)::integer from private.job_match_count_batches
   where cardinality(job_ids) = 70 and deltas = array_fill(1, array[70])),
  1, 'and leaves one pending change for the 70 offers, one match each');
select is(
  (select count(*)::integer from private.job_match_count_changes as change
   join public.jobs as job on job.id = change.job_id where job.title like 'Offre Elixir %'),
  0, 'not one per offer');
select private.apply_job_match_counts();
select is(
  (select array_agg(distinct matched_candidates_count) from public.jobs
   where title like 'Offre Elixir %'),
  array[1], 'applied, each of the 70 offers counts its match');
select is_empty('select 1 from private.job_match_count_batches', 'and nothing is left pending');

-- Without foreign keys, deletions still take their matches along.
delete from public.candidates where id = tests.user_id('rust_two');
select is_empty(
  $$ select 1 from public.job_matches where candidate_id = tests.user_id('rust_two') $$,
  'a deleted candidate''s matches are removed');
select private.apply_job_match_counts();
select is(pg_temp.count_of(tests.job_id('Offre Rust')), 1, 'and the offer counts one less');
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

select * from finish();
rollback;
