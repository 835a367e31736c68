-- companies: public employer pages. Everyone reads them, visitors included; a company edits its
-- own page; pages are created at sign-up and deleted with the account (service role).
begin;
select plan(29);
select tests.create_world();

create function pg_temp.visible_companies() returns setof text
language sql as $$
  select name from public.companies where id = any (tests.persona_ids())
$$;
create function pg_temp.describe(p_identifier text) returns text
language sql as $$
  select format('update public.companies set description = %L where id = %L',
    'Édité par ' || current_user, tests.user_id(p_identifier))
$$;
create function pg_temp.insert_company(p_id uuid) returns text
language sql as $$
  select format('insert into public.companies (id, name) values (%L, %L)', p_id, 'Nouvelle')
$$;

-- SELECT
select tests.authenticate_as_anon();
select set_eq('select * from pg_temp.visible_companies()', array['Company A', 'Company B'],
  'a visitor reads every company page');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_companies()', array['Company A', 'Company B'],
  'candidate A reads every company page');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_companies()', array['Company A', 'Company B'],
  'candidate B reads every company page');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_companies()', array['Company A', 'Company B'],
  'company A reads every company page');
select tests.authenticate_as('company_b');
select set_eq('select * from pg_temp.visible_companies()', array['Company A', 'Company B'],
  'company B reads every company page');
select tests.authenticate_as('admin');
select set_eq('select * from pg_temp.visible_companies()', array['Company A', 'Company B'],
  'the admin reads every company page');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_companies()', array['Company A', 'Company B'],
  'the service role reads every company page');

-- INSERT: pages come from sign-up. candidate_b has a profile but no page: nobody but the service
-- role may give it one.
select tests.authenticate_as_anon();
select throws_ok(pg_temp.insert_company(tests.user_id('candidate_b')), '42501', null,
  'a visitor cannot create a company page');
select tests.authenticate_as('candidate_b');
select throws_ok(pg_temp.insert_company(tests.user_id('candidate_b')), '42501', null,
  'candidate B cannot turn himself into a company');
select tests.authenticate_as('candidate_a');
select throws_ok(pg_temp.insert_company(tests.user_id('candidate_b')), '42501', null,
  'candidate A cannot create a company page');
select tests.authenticate_as('company_a');
select throws_ok(pg_temp.insert_company(tests.user_id('candidate_b')), '42501', null,
  'company A cannot create a second company page');
select tests.authenticate_as('company_b');
select throws_ok(pg_temp.insert_company(tests.user_id('candidate_b')), '42501', null,
  'company B cannot create a company page');
select tests.authenticate_as('admin');
select throws_ok(pg_temp.insert_company(tests.user_id('candidate_b')), '42501', null,
  'the admin cannot create a company page');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.insert_company(tests.user_id('candidate_b'))), 1,
  'the service role creates a company page');

-- UPDATE
select tests.authenticate_as_anon();
select throws_ok(pg_temp.describe('company_a'), '42501', null,
  'a visitor cannot edit a company page');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected(pg_temp.describe('company_a')), 0,
  'candidate A cannot edit company A''s page');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected(pg_temp.describe('company_b')), 0,
  'candidate B cannot edit company B''s page');
select tests.authenticate_as('company_a');
select is(tests.rows_affected(pg_temp.describe('company_a')), 1,
  'company A edits its own page');
select is(tests.rows_affected(pg_temp.describe('company_b')), 0,
  'company A cannot edit company B''s page');
select throws_ok(
  format('update public.companies set website = %L where id = %L', 'ftp://acme', tests.user_id('company_a')),
  '23514', null, 'a website must be an http(s) URL');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(pg_temp.describe('company_b')), 1,
  'company B edits its own page');
select tests.authenticate_as('admin');
select is(tests.rows_affected(pg_temp.describe('company_a')), 0,
  'the admin cannot edit a company page');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.describe('company_a')), 1,
  'the service role edits any company page');

-- DELETE
select tests.authenticate_as_anon();
select throws_ok(format('delete from public.companies where id = %L', tests.user_id('company_a')),
  '42501', null, 'a visitor cannot delete a company page');
select tests.authenticate_as('candidate_a');
select throws_ok(format('delete from public.companies where id = %L', tests.user_id('company_a')),
  '42501', null, 'candidate A cannot delete a company page');
select tests.authenticate_as('company_a');
select throws_ok(format('delete from public.companies where id = %L', tests.user_id('company_a')),
  '42501', null, 'company A cannot delete its page (it deletes its account)');
select tests.authenticate_as('admin');
select throws_ok(format('delete from public.companies where id = %L', tests.user_id('company_b')),
  '42501', null, 'the admin cannot delete a company page');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(
    format('delete from public.companies where id = %L', tests.user_id('candidate_b'))),
  1, 'the service role deletes a company page');
select tests.clear_authentication();
select set_eq($$ select name || ': ' || coalesce(description, '-') from public.companies
    where id = any (tests.persona_ids()) $$,
  array['Company A: Édité par service_role', 'Company B: Édité par authenticated'],
  'only the allowed edits happened');

select * from finish();
rollback;
