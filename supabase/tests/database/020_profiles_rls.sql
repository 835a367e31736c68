-- profiles: the public card of every member. Signed-in members read every profile and edit their
-- own name and avatar; visitors read nothing; only the service role creates or deletes a profile
-- (sign-up trigger, account deletion) or changes a role.
begin;
select plan(30);
select tests.create_world();

create function pg_temp.visible_profiles() returns setof text
language sql as $$
  select public_name from public.profiles where id = any (tests.persona_ids())
$$;
create function pg_temp.rename(p_identifier text, p_name text) returns text
language sql as $$
  select format('update public.profiles set full_name = %L where id = %L',
    p_name, tests.user_id(p_identifier))
$$;

-- SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.profiles $$, '42501', null,
  'a visitor cannot read profiles');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_profiles()',
  array['Candidate A', 'Candidate B', 'Company A', 'Company B', 'Admin'],
  'candidate A reads every profile');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_profiles()',
  array['Candidate A', 'Candidate B', 'Company A', 'Company B', 'Admin'],
  'candidate B reads every profile');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_profiles()',
  array['Candidate A', 'Candidate B', 'Company A', 'Company B', 'Admin'],
  'company A reads every profile');
select tests.authenticate_as('company_b');
select set_eq('select * from pg_temp.visible_profiles()',
  array['Candidate A', 'Candidate B', 'Company A', 'Company B', 'Admin'],
  'company B reads every profile');
select tests.authenticate_as('admin');
select set_eq('select * from pg_temp.visible_profiles()',
  array['Candidate A', 'Candidate B', 'Company A', 'Company B', 'Admin'],
  'the admin reads every profile');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_profiles()',
  array['Candidate A', 'Candidate B', 'Company A', 'Company B', 'Admin'],
  'the service role reads every profile');

-- INSERT: profiles come from the sign-up trigger only.
select tests.clear_authentication();
insert into auth.users (id, email) values ('00000000-0000-4000-8000-000000000001', 'late@test.emploi.fr');
delete from public.profiles where id = '00000000-0000-4000-8000-000000000001';
select tests.authenticate_as_anon();
select throws_ok($$ insert into public.profiles (id, full_name)
  values ('00000000-0000-4000-8000-000000000001', 'Intrus') $$,
  '42501', null, 'a visitor cannot create a profile');
select tests.authenticate_as('candidate_a');
select throws_ok($$ insert into public.profiles (id, full_name)
  values ('00000000-0000-4000-8000-000000000001', 'Intrus') $$,
  '42501', null, 'candidate A cannot create a profile');
select tests.authenticate_as('company_a');
select throws_ok($$ insert into public.profiles (id, full_name)
  values ('00000000-0000-4000-8000-000000000001', 'Intrus') $$,
  '42501', null, 'company A cannot create a profile');
select tests.authenticate_as('admin');
select throws_ok($$ insert into public.profiles (id, full_name)
  values ('00000000-0000-4000-8000-000000000001', 'Intrus') $$,
  '42501', null, 'the admin cannot create a profile');
select tests.authenticate_as_service_role();
select is(tests.rows_affected($$ insert into public.profiles (id, full_name)
  values ('00000000-0000-4000-8000-000000000001', 'Retard') $$),
  1, 'the service role can create a profile');

-- UPDATE: one's own name and avatar only.
select tests.authenticate_as_anon();
select throws_ok(pg_temp.rename('candidate_a', 'Pirate'), '42501', null,
  'a visitor cannot edit a profile');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected(pg_temp.rename('candidate_a', 'Alice')), 1,
  'candidate A edits her own profile');
select is(tests.rows_affected(pg_temp.rename('candidate_b', 'Pirate')), 0,
  'candidate A cannot edit candidate B''s profile');
select is(tests.rows_affected(pg_temp.rename('company_a', 'Pirate')), 0,
  'candidate A cannot edit company A''s profile');
select throws_ok(format('update public.profiles set avatar_url = %L where id = %L',
    'javascript:alert(1)', tests.user_id('candidate_a')),
  '23514', null, 'an avatar must be an http(s) URL');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected(pg_temp.rename('candidate_b', 'Bruno')), 1,
  'candidate B edits his own profile');
select is(tests.rows_affected(pg_temp.rename('candidate_a', 'Pirate')), 0,
  'candidate B cannot edit candidate A''s profile');
select tests.authenticate_as('company_a');
select is(tests.rows_affected(pg_temp.rename('company_a', 'Acme RH')), 1,
  'company A edits its own profile');
select is(tests.rows_affected(pg_temp.rename('candidate_a', 'Pirate')), 0,
  'company A cannot edit a candidate''s profile');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(pg_temp.rename('company_a', 'Pirate')), 0,
  'company B cannot edit company A''s profile');
select tests.authenticate_as('admin');
select is(tests.rows_affected(pg_temp.rename('candidate_a', 'Pirate')), 0,
  'the admin cannot edit someone else''s profile');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.rename('candidate_b', 'Bruno B.')), 1,
  'the service role edits any profile');
select tests.clear_authentication();
select set_eq('select full_name from public.profiles where id = any (tests.persona_ids())',
  array['Alice', 'Bruno B.', 'Acme RH', 'Company B', 'Admin'],
  'only the allowed edits happened');

-- DELETE: accounts are deleted through auth.users (service role), never from profiles by users.
select tests.authenticate_as_anon();
select throws_ok(format('delete from public.profiles where id = %L', tests.user_id('candidate_a')),
  '42501', null, 'a visitor cannot delete a profile');
select tests.authenticate_as('candidate_a');
select throws_ok(format('delete from public.profiles where id = %L', tests.user_id('candidate_a')),
  '42501', null, 'candidate A cannot delete her profile directly');
select tests.authenticate_as('company_b');
select throws_ok(format('delete from public.profiles where id = %L', tests.user_id('company_b')),
  '42501', null, 'company B cannot delete its profile directly');
select tests.authenticate_as('admin');
select throws_ok(format('delete from public.profiles where id = %L', tests.user_id('candidate_b')),
  '42501', null, 'the admin cannot delete a profile');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(
    $$ delete from public.profiles where id = '00000000-0000-4000-8000-000000000001' $$),
  1, 'the service role deletes a profile');

select * from finish();
rollback;
