-- jobs: published offers are public (visitors too); drafts only to their company; closed offers
-- to their company and to the candidates who applied. Only the company writes its offers, and
-- deletes only drafts; the analysis columns belong to the matching pipeline (service role).
begin;
select plan(44);
select tests.create_world();

create function pg_temp.post_job(p_company text, p_title text) returns text
language sql as $$
  select format('insert into public.jobs (company_id, title, status) values (%L, %L, %L)',
    tests.user_id(p_company), p_title, 'published')
$$;

-- SELECT
select tests.results_as(actor, $$ select title from public.jobs
    where company_id in (tests.user_id('company_a'), tests.user_id('company_b')) $$,
  titles, description)
from (values
  ('anon', array['A published', 'B published'], 'a visitor reads published offers only'),
  ('candidate_a', array['A published', 'B published', 'A closed'],
    'candidate A reads published offers and the closed one she applied to'),
  ('candidate_b', array['A published', 'B published'], 'candidate B reads published offers only'),
  ('company_a', array['A published', 'A draft', 'A closed', 'B published'],
    'company A reads all its offers and the published ones of others'),
  ('company_b', array['A published', 'B published'],
    'company B does not read company A''s draft or closed offer'),
  ('admin', array['A published', 'B published'], 'the admin reads published offers only'),
  ('service_role', array['A published', 'A draft', 'A closed', 'B published'],
    'the service role reads every offer')
) as expected (actor, titles, description);

-- INSERT
select tests.outcome_as(actor, statement, outcome, description)
from (values
  ('anon', pg_temp.post_job('company_a', 'Par un visiteur'), '42501',
    'a visitor cannot post an offer'),
  ('candidate_a', pg_temp.post_job('company_a', 'Par candidate A'), '42501',
    'candidate A cannot post an offer for company A'),
  ('candidate_a',
    $$ insert into public.jobs (title, status) values ('Au nom de candidate A', 'published') $$,
    '42501', 'candidate A cannot post an offer under her own id'),
  ('candidate_b', pg_temp.post_job('company_b', 'Par candidate B'), '42501',
    'candidate B cannot post an offer'),
  ('company_a', $$ insert into public.jobs (title, required_skills, status)
      values ('A new', '{SQL}', 'published') $$,
    '1 row', 'company A posts an offer (company_id defaults to itself)'),
  ('company_a', pg_temp.post_job('company_b', 'A pour B'), '42501',
    'company A cannot post an offer for company B'),
  ('company_a', $$ insert into public.jobs (title, analysis_completed) values ('A triche', true) $$,
    '42501', 'company A cannot mark its offer as analysed'),
  ('company_a', $$ insert into public.jobs (title, salary_min, salary_max)
      values ('A salaire', 50000, 40000) $$,
    '23514', 'a salary range must not be inverted'),
  ('company_b', pg_temp.post_job('company_b', 'B new'), '1 row', 'company B posts an offer'),
  ('admin', $$ insert into public.jobs (title, status) values ('Par l''admin', 'published') $$,
    '42501', 'the admin cannot post an offer'),
  ('service_role', pg_temp.post_job('company_b', 'B par le service'), '1 row',
    'the service role posts an offer for any company')
) as expected (actor, statement, outcome, description);
select ok((select bool_and(published_at is not null and not analysis_completed
    and matched_candidates_count = 0) from public.jobs where title in ('A new', 'B new')),
  'a published offer gets published_at, and starts unanalysed with no match');
select is((select skill_keys from public.jobs where title = 'A new'), '{sql}'::text[],
  'skill keys are the normalised skills');

-- UPDATE: a row names the offer whose description it edits, or has a statement of its own.
select tests.outcome_as(actor, coalesce(statement,
    format('update public.jobs set description = description || %L where title = %L',
      ' (édité)', title)),
  outcome, description)
from (values
  ('anon', 'A published', null, '42501', 'a visitor cannot edit an offer'),
  ('candidate_a', 'A published', null, '0 rows', 'candidate A cannot edit an offer'),
  ('candidate_a', 'A closed', null, '0 rows',
    'candidate A cannot edit the closed offer she can read'),
  ('candidate_b', 'B published', null, '0 rows', 'candidate B cannot edit an offer'),
  ('company_a', 'A published', null, '1 row', 'company A edits its offer'),
  ('company_a', 'A draft', null, '1 row', 'company A edits its draft'),
  ('company_a', 'B published', null, '0 rows', 'company A cannot edit company B''s offer'),
  ('company_a', null,
    $$ update public.jobs set matched_candidates_count = 500 where title = 'A published' $$,
    '42501', 'company A cannot set the matched-candidates count'),
  ('company_a', null, format('update public.jobs set company_id = %L where title = %L',
      tests.user_id('company_b'), 'A draft'),
    '42501', 'company A cannot hand an offer to another company'),
  ('company_b', 'A draft', null, '0 rows', 'company B cannot edit company A''s draft'),
  ('company_b', 'B published', null, '1 row', 'company B edits its offer'),
  ('admin', 'A published', null, '0 rows', 'the admin cannot edit an offer'),
  ('service_role', null, $$ update public.jobs set analysis_completed = true,
      matched_candidates_count = 2 where title = 'A published' $$,
    '1 row', 'the service role records the analysis of an offer')
) as expected (actor, title, statement, outcome, description);
select set_eq($$ select title from public.jobs where description like '%(édité)' $$,
  array['A published', 'A draft', 'B published'], 'only the allowed edits happened');

-- Publishing a draft stamps published_at once; closing keeps it.
select tests.outcome_as('company_a',
  $$ update public.jobs set status = 'published' where title = 'A draft' $$, '1 row',
  'company A publishes its draft');
select isnt((select published_at from public.jobs where title = 'A draft'), null,
  'publishing a draft stamps published_at');

-- DELETE: drafts only, by their company.
insert into public.jobs (company_id, title) values (tests.user_id('company_a'), 'A second draft');
insert into public.jobs (company_id, title, status)
values (tests.user_id('company_b'), 'B without applications', 'published');
select tests.outcome_as(actor, format('delete from public.jobs where title = %L', title), outcome,
  description)
from (values
  ('anon', 'A second draft', '42501', 'a visitor cannot delete an offer'),
  ('candidate_a', 'A second draft', '0 rows', 'candidate A cannot delete an offer'),
  ('company_b', 'A second draft', '0 rows', 'company B cannot delete company A''s draft'),
  ('admin', 'A second draft', '0 rows', 'the admin cannot delete an offer'),
  ('company_a', 'A published', '0 rows',
    'company A cannot delete a published offer (it closes it)'),
  ('company_a', 'A second draft', '1 row', 'company A deletes its draft'),
  ('service_role', 'B without applications', '1 row',
    'the service role deletes any offer without applications')
) as expected (actor, title, outcome, description);
select tests.authenticate_as_service_role();
select throws_ok($$ delete from public.jobs where title = 'B published' $$, '23503',
  format('offer %s has applications and cannot be deleted', tests.job_id('B published')),
  'not even the service role deletes an offer with applications (610 tests the rule in full)');

select * from finish();
rollback;
