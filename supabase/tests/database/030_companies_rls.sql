-- companies: public employer pages. Everyone reads them, visitors included; a company edits its
-- own page; pages are created at sign-up and deleted with the account (service role).
begin;
select plan(29);
select tests.create_world();

-- SELECT
select tests.results_as(actor,
  'select name from public.companies where id = any (tests.persona_ids())',
  array['Company A', 'Company B'], description)
from (values
  ('anon', 'a visitor reads every company page'),
  ('candidate_a', 'candidate A reads every company page'),
  ('candidate_b', 'candidate B reads every company page'),
  ('company_a', 'company A reads every company page'),
  ('company_b', 'company B reads every company page'),
  ('admin', 'the admin reads every company page'),
  ('service_role', 'the service role reads every company page')
) as expected (actor, description);

-- INSERT: pages come from sign-up. candidate_b has a profile but no page: nobody but the service
-- role may give it one.
select tests.outcome_as(actor,
  format('insert into public.companies (id, name) values (%L, %L)', tests.user_id('candidate_b'),
    'Nouvelle'),
  outcome, description)
from (values
  ('anon', '42501', 'a visitor cannot create a company page'),
  ('candidate_b', '42501', 'candidate B cannot turn himself into a company'),
  ('candidate_a', '42501', 'candidate A cannot create a company page'),
  ('company_a', '42501', 'company A cannot create a second company page'),
  ('company_b', '42501', 'company B cannot create a company page'),
  ('admin', '42501', 'the admin cannot create a company page'),
  ('service_role', '1 row', 'the service role creates a company page')
) as expected (actor, outcome, description);

-- UPDATE (the description names the role that wrote it)
select tests.outcome_as(actor,
  format(
    'update public.companies set description = ''Édité par '' || current_user where id = %L',
    tests.user_id(company)),
  outcome, description)
from (values
  ('anon', 'company_a', '42501', 'a visitor cannot edit a company page'),
  ('candidate_a', 'company_a', '0 rows', 'candidate A cannot edit company A''s page'),
  ('candidate_b', 'company_b', '0 rows', 'candidate B cannot edit company B''s page'),
  ('company_a', 'company_a', '1 row', 'company A edits its own page'),
  ('company_a', 'company_b', '0 rows', 'company A cannot edit company B''s page'),
  ('company_b', 'company_b', '1 row', 'company B edits its own page'),
  ('admin', 'company_a', '0 rows', 'the admin cannot edit a company page'),
  ('service_role', 'company_a', '1 row', 'the service role edits any company page')
) as expected (actor, company, outcome, description);
select tests.outcome_as('company_a',
  format('update public.companies set website = %L where id = %L', 'ftp://acme',
    tests.user_id('company_a')),
  '23514', 'a website must be an http(s) URL');

-- DELETE
select tests.outcome_as(actor,
  format('delete from public.companies where id = %L', tests.user_id(company)), outcome,
  description)
from (values
  ('anon', 'company_a', '42501', 'a visitor cannot delete a company page'),
  ('candidate_a', 'company_a', '42501', 'candidate A cannot delete a company page'),
  ('company_a', 'company_a', '42501', 'company A cannot delete its page (it deletes its account)'),
  ('admin', 'company_b', '42501', 'the admin cannot delete a company page'),
  ('service_role', 'candidate_b', '1 row', 'the service role deletes a company page')
) as expected (actor, company, outcome, description);
select set_eq($$ select name || ': ' || coalesce(description, '-') from public.companies
    where id = any (tests.persona_ids()) $$,
  array['Company A: Édité par service_role', 'Company B: Édité par authenticated'],
  'only the allowed edits happened');

select * from finish();
rollback;
