-- An offer with applications is never deleted: not directly, not after turning it back into a
-- draft, not by the service role; it is closed, and both sides keep reading it and its
-- applications. Offers without applications keep the old rules (a company deletes its drafts).
-- World: 'A published' and 'A closed' (company_a) have candidate_a's applications; 'A draft' none.
begin;
select plan(12);
select tests.create_world();

select tests.authenticate_as('company_a');
select is(tests.rows_affected($$ delete from public.jobs where title = 'A published' $$), 0,
  'company A cannot delete its published offer (RLS: drafts only)');
select throws_ok($$ update public.jobs set status = 'draft' where title = 'A published' $$,
  '23514',
  format('offer %s has applications and cannot go back to draft', tests.job_id('A published')),
  'an offer with applications cannot go back to draft (the draft-then-delete route)');
select throws_ok($$ update public.jobs set status = 'draft' where title = 'A closed' $$, '23514',
  null, 'nor can a closed offer with applications');

-- Had it become a draft another way (an application to a draft is made by the platform), the
-- delete is still refused.
select tests.clear_authentication();
insert into public.job_applications (job_id, candidate_id)
values (tests.job_id('A draft'), tests.user_id('candidate_b'));
select tests.authenticate_as('company_a');
select throws_ok($$ delete from public.jobs where title = 'A draft' $$, '23503',
  format('offer %s has applications and cannot be deleted', tests.job_id('A draft')),
  'a draft with applications cannot be deleted either');
select tests.authenticate_as_service_role();
select throws_ok($$ delete from public.jobs where title = 'A published' $$, '23503', null,
  'the service role cannot delete an offer with applications');

-- Closing is the way, and both sides keep reading.
select tests.authenticate_as('company_a');
select is(tests.rows_affected($$ update public.jobs set status = 'closed' where title = 'A published' $$),
  1, 'company A closes its offer');
select tests.authenticate_as('candidate_a');
select is((select status from public.jobs where title = 'A published'), 'closed',
  'the candidate still reads the closed offer');
select is((select count(*)::int from public.job_applications
    where job_id = tests.job_id('A published')), 1, 'and her application to it');
select tests.authenticate_as('company_a');
select is((select count(*)::int from public.job_applications
    where job_id = tests.job_id('A published')), 1, 'the company still reads the application');

-- Without applications, nothing changes.
select tests.clear_authentication();
insert into public.jobs (company_id, title, status)
values (tests.user_id('company_a'), 'A unanswered', 'published');
select tests.authenticate_as('company_a');
select lives_ok($$ update public.jobs set status = 'draft' where title = 'A unanswered' $$,
  'an offer without applications goes back to draft');
select is(tests.rows_affected($$ delete from public.jobs where title = 'A unanswered' $$), 1,
  'and its company deletes it');

-- Erasing the company account erases its offers, applications included.
select tests.clear_authentication();
delete from auth.users where id = tests.user_id('company_a');
select is((select count(*)::int from public.job_applications
    where candidate_id = tests.user_id('candidate_a')), 0,
  'erasing a company account erases its offers and their applications');

select * from finish();
rollback;
