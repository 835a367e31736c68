-- job_matches: the candidate reads their matches; the company those of its offers, for the
-- candidates it may read (open to work or applicants); nobody but the service role writes them.
-- v_candidate_job_matches: the signed-in candidate's matches on published offers.
-- World: candidate_a x 'A published' 80, candidate_a x 'B published' 65,
--        candidate_b x 'A published' 70 (candidate_b is not open to work).
begin;
select plan(33);
select tests.create_world();

create function pg_temp.visible_matches() returns setof text
language sql as $$
  select tests.name_of(candidate_id) || ' x ' || tests.name_of(job_id) || ' = ' || match_score
  from public.job_matches where candidate_id = any (tests.persona_ids())
$$;
create function pg_temp.insert_match(p_title text, p_candidate text) returns text
language sql as $$
  select format('insert into public.job_matches (job_id, candidate_id, match_score) values (%L, %L, 99)',
    tests.job_id(p_title), tests.user_id(p_candidate))
$$;

-- SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.job_matches $$, '42501', null,
  'a visitor cannot read matches');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_matches()',
  array['candidate_a x A published = 80', 'candidate_a x B published = 65'],
  'candidate A reads her matches only');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_matches()',
  array['candidate_b x A published = 70'], 'candidate B reads his match only');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_matches()',
  array['candidate_a x A published = 80'],
  'company A reads the matches of its offer, except the candidate who is not open to work');
select tests.authenticate_as('company_b');
select set_eq('select * from pg_temp.visible_matches()',
  array['candidate_a x B published = 65'], 'company B reads the match of its offer');
select tests.authenticate_as('admin');
select is_empty('select * from pg_temp.visible_matches()', 'the admin reads no match');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_matches()',
  array['candidate_a x A published = 80', 'candidate_a x B published = 65',
    'candidate_b x A published = 70'],
  'the service role reads every match');

-- INSERT
select tests.authenticate_as_anon();
select throws_ok(pg_temp.insert_match('A draft', 'candidate_a'), '42501', null,
  'a visitor cannot write a match');
select tests.authenticate_as('candidate_a');
select throws_ok(pg_temp.insert_match('A draft', 'candidate_a'), '42501', null,
  'candidate A cannot match herself with an offer');
select tests.authenticate_as('candidate_b');
select throws_ok(pg_temp.insert_match('B published', 'candidate_b'), '42501', null,
  'candidate B cannot write a match');
select tests.authenticate_as('company_a');
select throws_ok(pg_temp.insert_match('A draft', 'candidate_b'), '42501', null,
  'company A cannot write a match for its offer');
select tests.authenticate_as('company_b');
select throws_ok(pg_temp.insert_match('B published', 'candidate_b'), '42501', null,
  'company B cannot write a match');
select tests.authenticate_as('admin');
select throws_ok(pg_temp.insert_match('A draft', 'candidate_a'), '42501', null,
  'the admin cannot write a match');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.insert_match('A closed', 'candidate_a')), 1,
  'the service role writes a match');
select throws_ok(
  format('insert into public.job_matches (job_id, candidate_id, match_score) values (%L, %L, 101)',
    tests.job_id('A draft'), tests.user_id('candidate_a')),
  '23514', null, 'a match score stays within 0-100');

-- UPDATE
select tests.authenticate_as_anon();
select throws_ok($$ update public.job_matches set match_score = 100 $$, '42501', null,
  'a visitor cannot change a match');
select tests.authenticate_as('candidate_a');
select throws_ok($$ update public.job_matches set match_score = 100 $$, '42501', null,
  'candidate A cannot raise her score');
select tests.authenticate_as('candidate_b');
select throws_ok($$ update public.job_matches set match_score = 100 $$, '42501', null,
  'candidate B cannot change a match');
select tests.authenticate_as('company_a');
select throws_ok($$ update public.job_matches set match_score = 0 $$, '42501', null,
  'company A cannot change a match of its offer');
select tests.authenticate_as('company_b');
select throws_ok($$ update public.job_matches set match_score = 0 $$, '42501', null,
  'company B cannot change a match');
select tests.authenticate_as('admin');
select throws_ok($$ update public.job_matches set match_score = 0 $$, '42501', null,
  'the admin cannot change a match');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(format(
    'update public.job_matches set match_score = 85 where candidate_id = %L and job_id = %L',
    tests.user_id('candidate_a'), tests.job_id('A published'))),
  1, 'the service role rescores a match');

-- DELETE
select tests.authenticate_as_anon();
select throws_ok($$ delete from public.job_matches $$, '42501', null,
  'a visitor cannot delete a match');
select tests.authenticate_as('candidate_a');
select throws_ok($$ delete from public.job_matches $$, '42501', null,
  'candidate A cannot delete a match');
select tests.authenticate_as('company_a');
select throws_ok($$ delete from public.job_matches $$, '42501', null,
  'company A cannot delete a match');
select tests.authenticate_as('admin');
select throws_ok($$ delete from public.job_matches $$, '42501', null,
  'the admin cannot delete a match');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(format('delete from public.job_matches where candidate_id = %L',
    tests.user_id('candidate_b'))),
  1, 'the service role removes a stale match');

-- v_candidate_job_matches: the signed-in candidate's matches on published offers.
select tests.clear_authentication();
select is(
  (select reloptions from pg_class where oid = 'public.v_candidate_job_matches'::regclass),
  array['security_invoker=true'], 'v_candidate_job_matches is security_invoker');
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.v_candidate_job_matches $$, '42501', null,
  'a visitor cannot read v_candidate_job_matches');
select tests.authenticate_as('candidate_a');
select results_eq(
  $$ select title, company_name, match_score, has_applied from public.v_candidate_job_matches
     order by match_score desc $$,
  $$ values ('A published', 'Company A', 85, true), ('B published', 'Company B', 65, false) $$,
  'candidate A sees her matches on published offers, best first, with her applications');
select tests.authenticate_as('company_a');
select is_empty($$ select 1 from public.v_candidate_job_matches $$,
  'a company has no candidate matches of its own in the view');
select tests.authenticate_as('admin');
select is_empty($$ select 1 from public.v_candidate_job_matches $$,
  'the admin sees no match in the view');
select tests.clear_authentication();
update public.jobs set status = 'closed' where title = 'B published';
select tests.authenticate_as('candidate_a');
select results_eq($$ select title from public.v_candidate_job_matches $$,
  $$ values ('A published') $$, 'a closed offer leaves the candidate''s matches');

select * from finish();
rollback;
