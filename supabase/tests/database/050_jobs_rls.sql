-- jobs: published offers are public (visitors too); drafts only to their company; closed offers
-- to their company and to the candidates who applied. Only the company writes its offers, and
-- deletes only drafts; the analysis columns belong to the matching pipeline (service role).
begin;
select plan(44);
select tests.create_world();

create function pg_temp.visible_jobs() returns setof text
language sql as $$
  select title from public.jobs
  where company_id in (tests.user_id('company_a'), tests.user_id('company_b'))
$$;
create function pg_temp.touch(p_title text) returns text
language sql as $$
  select format('update public.jobs set description = description || %L where title = %L',
    ' (édité)', p_title)
$$;
create function pg_temp.post_job(p_company text, p_title text) returns text
language sql as $$
  select format('insert into public.jobs (company_id, title, status) values (%L, %L, %L)',
    tests.user_id(p_company), p_title, 'published')
$$;

-- SELECT
select tests.authenticate_as_anon();
select set_eq('select * from pg_temp.visible_jobs()', array['A published', 'B published'],
  'a visitor reads published offers only');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_jobs()',
  array['A published', 'B published', 'A closed'],
  'candidate A reads published offers and the closed one she applied to');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_jobs()', array['A published', 'B published'],
  'candidate B reads published offers only');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_jobs()',
  array['A published', 'A draft', 'A closed', 'B published'],
  'company A reads all its offers and the published ones of others');
select tests.authenticate_as('company_b');
select set_eq('select * from pg_temp.visible_jobs()', array['A published', 'B published'],
  'company B does not read company A''s draft or closed offer');
select tests.authenticate_as('admin');
select set_eq('select * from pg_temp.visible_jobs()', array['A published', 'B published'],
  'the admin reads published offers only');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_jobs()',
  array['A published', 'A draft', 'A closed', 'B published'], 'the service role reads every offer');

-- INSERT
select tests.authenticate_as_anon();
select throws_ok(pg_temp.post_job('company_a', 'Par un visiteur'), '42501', null,
  'a visitor cannot post an offer');
select tests.authenticate_as('candidate_a');
select throws_ok(pg_temp.post_job('company_a', 'Par candidate A'), '42501', null,
  'candidate A cannot post an offer for company A');
select throws_ok(
  $$ insert into public.jobs (title, status) values ('Au nom de candidate A', 'published') $$,
  '42501', null, 'candidate A cannot post an offer under her own id');
select tests.authenticate_as('candidate_b');
select throws_ok(pg_temp.post_job('company_b', 'Par candidate B'), '42501', null,
  'candidate B cannot post an offer');
select tests.authenticate_as('company_a');
select is(tests.rows_affected(
    $$ insert into public.jobs (title, required_skills, status) values ('A new', '{SQL}', 'published') $$),
  1, 'company A posts an offer (company_id defaults to itself)');
select throws_ok(pg_temp.post_job('company_b', 'A pour B'), '42501', null,
  'company A cannot post an offer for company B');
select throws_ok(
  $$ insert into public.jobs (title, analysis_completed) values ('A triche', true) $$,
  '42501', null, 'company A cannot mark its offer as analysed');
select throws_ok(
  $$ insert into public.jobs (title, salary_min, salary_max) values ('A salaire', 50000, 40000) $$,
  '23514', null, 'a salary range must not be inverted');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(pg_temp.post_job('company_b', 'B new')), 1,
  'company B posts an offer');
select tests.authenticate_as('admin');
select throws_ok(
  $$ insert into public.jobs (title, status) values ('Par l''admin', 'published') $$,
  '42501', null, 'the admin cannot post an offer');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.post_job('company_b', 'B par le service')), 1,
  'the service role posts an offer for any company');
select tests.clear_authentication();
select ok((select bool_and(published_at is not null and not analysis_completed
    and matched_candidates_count = 0) from public.jobs where title in ('A new', 'B new')),
  'a published offer gets published_at, and starts unanalysed with no match');
select is((select skill_keys from public.jobs where title = 'A new'), '{sql}'::text[],
  'skill keys are the normalised skills');

-- UPDATE
select tests.authenticate_as_anon();
select throws_ok(pg_temp.touch('A published'), '42501', null, 'a visitor cannot edit an offer');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected(pg_temp.touch('A published')), 0,
  'candidate A cannot edit an offer');
select is(tests.rows_affected(pg_temp.touch('A closed')), 0,
  'candidate A cannot edit the closed offer she can read');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected(pg_temp.touch('B published')), 0,
  'candidate B cannot edit an offer');
select tests.authenticate_as('company_a');
select is(tests.rows_affected(pg_temp.touch('A published')), 1, 'company A edits its offer');
select is(tests.rows_affected(pg_temp.touch('A draft')), 1, 'company A edits its draft');
select is(tests.rows_affected(pg_temp.touch('B published')), 0,
  'company A cannot edit company B''s offer');
select throws_ok(
  $$ update public.jobs set matched_candidates_count = 500 where title = 'A published' $$,
  '42501', null, 'company A cannot set the matched-candidates count');
select throws_ok(
  format('update public.jobs set company_id = %L where title = %L', tests.user_id('company_b'),
    'A draft'),
  '42501', null, 'company A cannot hand an offer to another company');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(pg_temp.touch('A draft')), 0,
  'company B cannot edit company A''s draft');
select is(tests.rows_affected(pg_temp.touch('B published')), 1, 'company B edits its offer');
select tests.authenticate_as('admin');
select is(tests.rows_affected(pg_temp.touch('A published')), 0, 'the admin cannot edit an offer');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(
    $$ update public.jobs set analysis_completed = true, matched_candidates_count = 2
       where title = 'A published' $$),
  1, 'the service role records the analysis of an offer');
select tests.clear_authentication();
select set_eq($$ select title from public.jobs where description like '%(édité)' $$,
  array['A published', 'A draft', 'B published'], 'only the allowed edits happened');

-- Publishing a draft stamps published_at once; closing keeps it.
select tests.authenticate_as('company_a');
select is(tests.rows_affected($$ update public.jobs set status = 'published' where title = 'A draft' $$),
  1, 'company A publishes its draft');
select tests.clear_authentication();
select isnt((select published_at from public.jobs where title = 'A draft'), null,
  'publishing a draft stamps published_at');

-- DELETE: drafts only, by their company.
select tests.clear_authentication();
insert into public.jobs (company_id, title) values (tests.user_id('company_a'), 'A second draft');
select tests.authenticate_as_anon();
select throws_ok($$ delete from public.jobs where title = 'A second draft' $$, '42501', null,
  'a visitor cannot delete an offer');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected($$ delete from public.jobs where title = 'A second draft' $$), 0,
  'candidate A cannot delete an offer');
select tests.authenticate_as('company_b');
select is(tests.rows_affected($$ delete from public.jobs where title = 'A second draft' $$), 0,
  'company B cannot delete company A''s draft');
select tests.authenticate_as('admin');
select is(tests.rows_affected($$ delete from public.jobs where title = 'A second draft' $$), 0,
  'the admin cannot delete an offer');
select tests.authenticate_as('company_a');
select is(tests.rows_affected($$ delete from public.jobs where title = 'A published' $$), 0,
  'company A cannot delete a published offer (it closes it)');
select is(tests.rows_affected($$ delete from public.jobs where title = 'A second draft' $$), 1,
  'company A deletes its draft');
select tests.clear_authentication();
insert into public.jobs (company_id, title, status)
values (tests.user_id('company_b'), 'B without applications', 'published');
select tests.authenticate_as_service_role();
select is(
  tests.rows_affected($$ delete from public.jobs where title = 'B without applications' $$), 1,
  'the service role deletes any offer without applications');
select throws_ok($$ delete from public.jobs where title = 'B published' $$, '23503',
  format('offer %s has applications and cannot be deleted', tests.job_id('B published')),
  'not even the service role deletes an offer with applications (610 tests the rule in full)');

select * from finish();
rollback;
