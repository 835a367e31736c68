-- get_job_candidates (the company's ranked applicants and matches of an offer, keyset-paginated,
-- within the privacy rules), v_candidate_applications (the candidate's applications with offer,
-- company and history) and the file references (avatar_path, logo_path, resume_path).
-- World: 'A published' (company_a): candidate_a applied (match 80), candidate_b matched (70) but
-- is not open to work; 'B published' (company_b): candidate_b applied, candidate_a matched (65).
begin;
select plan(23);
select tests.create_world();

create function pg_temp.ranked(p_title text, p_limit integer default 20,
  p_after_score integer default null, p_after uuid default null) returns setof text
language sql as $$
  select concat_ws(' ', tests.name_of(candidate_id), coalesce(match_score, -1),
    coalesce(application_status::text, 'not applied'))
  from public.get_job_candidates(tests.job_id(p_title), p_limit, p_after_score, p_after)
$$;

-- get_job_candidates
select tests.authenticate_as('company_a');
select results_eq($$ select * from pg_temp.ranked('A published') $$,
  array['candidate_a 80 submitted'],
  'company A sees its applicant; a matched candidate who is not open to work is left out');
select tests.clear_authentication();
update public.candidates set open_to_work = true where id = tests.user_id('candidate_b');
select tests.create_user('candidate_c');
insert into public.job_applications (job_id, candidate_id)
values (tests.job_id('A published'), tests.user_id('candidate_c'));
select tests.authenticate_as('company_a');
select results_eq($$ select * from pg_temp.ranked('A published') $$,
  array['candidate_a 80 submitted', 'candidate_b 70 not applied', 'candidate_c -1 submitted'],
  'open to work, a matched candidate appears; applicants not scored yet come last');
select results_eq($$ select * from pg_temp.ranked('A published', 1) $$,
  array['candidate_a 80 submitted'], 'p_limit cuts the page');
select results_eq(
  format($$ select * from pg_temp.ranked('A published', 1, 80, %L) $$, tests.user_id('candidate_a')),
  array['candidate_b 70 not applied'], 'the next page starts after the last row''s (score, id)');
select results_eq(
  format($$ select * from pg_temp.ranked('A published', 5, 70, %L) $$, tests.user_id('candidate_b')),
  array['candidate_c -1 submitted'], 'past the last score, the page goes on with the unscored');
select results_eq(
  format($$ select * from pg_temp.ranked('A published', 5, -1, %L) $$, tests.user_id('candidate_c')),
  '{}'::text[], 'and the last page is empty after it');
select is(
  (select count(*)::int from public.get_job_candidates(tests.job_id('A published'),
    p_applicants_only => true)),
  2, 'p_applicants_only keeps the applicants');
select is(
  (select public_name from public.get_job_candidates(tests.job_id('A published'))
    where candidate_id = tests.user_id('candidate_b')),
  'Candidate B', 'with the candidate''s approved name and profile');
select throws_ok(
  format($$ select * from public.get_job_candidates(%L) $$, tests.job_id('B published')),
  'PT404', format('get_job_candidates: offer %s not found among your offers',
    tests.job_id('B published')),
  'another company''s offer is refused');
select throws_ok(
  format($$ select * from public.get_job_candidates(%L, 0) $$, tests.job_id('A published')),
  '22023', 'p_limit: between 1 and 100', 'a page size out of range is refused');
select throws_ok(
  format($$ select * from public.get_job_candidates(%L, 10, 50) $$, tests.job_id('A published')),
  '22023', 'p_after_score and p_after_candidate_id: give both (the last row''s) or neither',
  'half a cursor is refused');
select tests.authenticate_as('candidate_a');
select throws_ok(
  format($$ select * from public.get_job_candidates(%L) $$, tests.job_id('A published')),
  'PT404', null, 'a candidate cannot rank an offer''s candidates');
select tests.authenticate_as_anon();
select throws_ok(
  format($$ select * from public.get_job_candidates(%L) $$, tests.job_id('A published')),
  '42501', null, 'nor can a visitor');

-- v_candidate_applications
select tests.authenticate_as('company_a');
select public.set_application_status(id, 'interview', 'À mardi')
from public.job_applications where candidate_id = tests.user_id('candidate_a')
  and job_id = tests.job_id('A published');
select tests.authenticate_as('candidate_a');
select results_eq($$ select job_title from public.v_candidate_applications order by applied_at desc, job_title $$,
  array['A closed', 'A published'], 'the candidate lists her applications, with their offers');
select is(
  (select jsonb_path_query_array(history, '$[*].to_status') from public.v_candidate_applications
    where job_title = 'A published'),
  '["submitted", "interview"]'::jsonb, 'each with its history, oldest first');
select is(
  (select history -> 1 ->> 'message' from public.v_candidate_applications
    where job_title = 'A published'),
  'À mardi', 'including the company''s message');
select is((select company_name from public.v_candidate_applications where job_title = 'A closed'),
  (select name from public.companies where id = tests.user_id('company_a')),
  'and the company, also for a closed offer');
select tests.authenticate_as('candidate_b');
select results_eq($$ select job_title from public.v_candidate_applications $$,
  array['B published'], 'another candidate lists only his own');
select tests.authenticate_as('company_a');
select is_empty($$ select * from public.v_candidate_applications $$,
  'a company has no applications of its own there');

-- File references: an existing file in the owner's folder only.
select tests.clear_authentication();
insert into storage.objects (bucket_id, name) values
  ('resumes', tests.user_id('candidate_a') || '/cv.pdf'),
  ('avatars', tests.user_id('candidate_a') || '/photo.png');
select tests.authenticate_as('candidate_a');
select lives_ok(
  format($$ update public.candidates set resume_path = %L where id = auth.uid() $$,
    tests.user_id('candidate_a') || '/cv.pdf'),
  'a candidate points her profile at her CV');
select lives_ok(
  format($$ update public.profiles set avatar_path = %L where id = auth.uid() $$,
    tests.user_id('candidate_a') || '/photo.png'),
  'and her profile at her photo');
select throws_ok(
  format($$ update public.candidates set resume_path = %L where id = auth.uid() $$,
    tests.user_id('candidate_b') || '/cv.pdf'),
  '22023', format('resume_path: a file of the resumes bucket under %s/ is expected, not %L',
    tests.user_id('candidate_a'), tests.user_id('candidate_b') || '/cv.pdf'),
  'not at a file of someone else''s folder');
select throws_ok(
  format($$ update public.candidates set resume_path = %L where id = auth.uid() $$,
    tests.user_id('candidate_a') || '/missing.pdf'),
  '22023', format('resume_path: there is no file %L in the resumes bucket (upload it first)',
    tests.user_id('candidate_a') || '/missing.pdf'),
  'nor at a file that does not exist');

select * from finish();
rollback;
