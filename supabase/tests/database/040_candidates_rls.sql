-- candidates: a candidate's professional profile is theirs. A company reads it, read-only, once
-- the candidate applied to one of its offers or matched one while open to work; nobody else does.
-- World: candidate_a applied to A's offers and matched B's; candidate_b (not open to work)
-- applied to B's offer and matched A's. The admin account also has a candidates row (admins
-- are promoted candidates) and sees only that one.
begin;
select plan(30);
select tests.create_world();

create function pg_temp.visible_candidates() returns setof uuid
language sql as $$
  select id from public.candidates where id = any (tests.persona_ids())
$$;
create function pg_temp.retitle(p_identifier text) returns text
language sql as $$
  select format('update public.candidates set headline = %L where id = %L',
    'Titre de ' || current_user, tests.user_id(p_identifier))
$$;

-- SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.candidates $$, '42501', null,
  'a visitor cannot read candidates');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_candidates()', array[tests.user_id('candidate_a')],
  'candidate A reads only herself');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_candidates()', array[tests.user_id('candidate_b')],
  'candidate B reads only himself');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_candidates()', array[tests.user_id('candidate_a')],
  'company A reads its applicant, not the matched candidate who is not open to work');
select tests.authenticate_as('company_b');
select set_eq('select * from pg_temp.visible_candidates()',
  array[tests.user_id('candidate_a'), tests.user_id('candidate_b')],
  'company B reads its applicant and the matched candidate open to work');
select tests.authenticate_as('admin');
select set_eq('select * from pg_temp.visible_candidates()', array[tests.user_id('admin')],
  'the admin reads no candidate but their own row');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_candidates()',
  array[tests.user_id('candidate_a'), tests.user_id('candidate_b'), tests.user_id('admin')],
  'the service role reads every candidate');

-- Visibility follows the candidate's availability and applications.
select tests.clear_authentication();
update public.candidates set open_to_work = true where id = tests.user_id('candidate_b');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_candidates()',
  array[tests.user_id('candidate_a'), tests.user_id('candidate_b')],
  'once open to work, a matched candidate becomes visible to the company');
select tests.clear_authentication();
update public.candidates set open_to_work = false where id = tests.user_id('candidate_b');
delete from public.job_applications where candidate_id = tests.user_id('candidate_b');
select tests.authenticate_as('company_b');
select set_eq('select * from pg_temp.visible_candidates()', array[tests.user_id('candidate_a')],
  'a company no longer reads a candidate who neither applied nor is open to work');

-- INSERT: candidate rows come from sign-up. company_a has a profile but no candidates row.
select tests.authenticate_as_anon();
select throws_ok(format('insert into public.candidates (id) values (%L)', tests.user_id('company_a')),
  '42501', null, 'a visitor cannot create a candidate');
select tests.authenticate_as('candidate_a');
select throws_ok(format('insert into public.candidates (id) values (%L)', tests.user_id('company_a')),
  '42501', null, 'candidate A cannot create a candidate');
select tests.authenticate_as('company_a');
select throws_ok(format('insert into public.candidates (id) values (%L)', tests.user_id('company_a')),
  '42501', null, 'company A cannot make itself a candidate');
select tests.authenticate_as('company_b');
select throws_ok(format('insert into public.candidates (id) values (%L)', tests.user_id('company_a')),
  '42501', null, 'company B cannot create a candidate');
select tests.authenticate_as('admin');
select throws_ok(format('insert into public.candidates (id) values (%L)', tests.user_id('company_a')),
  '42501', null, 'the admin cannot create a candidate');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(
    format('insert into public.candidates (id) values (%L)', tests.user_id('company_a'))),
  1, 'the service role creates a candidate');

-- UPDATE
select tests.authenticate_as_anon();
select throws_ok(pg_temp.retitle('candidate_a'), '42501', null, 'a visitor cannot edit a candidate');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected(pg_temp.retitle('candidate_a')), 1,
  'candidate A edits her own profile');
select is(tests.rows_affected(pg_temp.retitle('candidate_b')), 0,
  'candidate A cannot edit candidate B');
select throws_ok(
  format('update public.candidates set match_threshold = 101 where id = %L', tests.user_id('candidate_a')),
  '23514', null, 'the match threshold stays within 0-100');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected(pg_temp.retitle('candidate_a')), 0,
  'candidate B cannot edit candidate A');
select tests.authenticate_as('company_a');
select is(tests.rows_affected(pg_temp.retitle('candidate_a')), 0,
  'company A reads its applicant but cannot edit her');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(pg_temp.retitle('candidate_a')), 0,
  'company B cannot edit a matched candidate');
select tests.authenticate_as('admin');
select is(tests.rows_affected(pg_temp.retitle('candidate_a')), 0,
  'the admin cannot edit a candidate');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.retitle('candidate_b')), 1,
  'the service role edits any candidate');
select tests.clear_authentication();
select set_eq($$ select headline from public.candidates where headline is not null
    and id = any (tests.persona_ids()) $$,
  array['Titre de authenticated', 'Titre de service_role'], 'only the allowed edits happened');

-- DELETE
select tests.authenticate_as_anon();
select throws_ok(format('delete from public.candidates where id = %L', tests.user_id('candidate_a')),
  '42501', null, 'a visitor cannot delete a candidate');
select tests.authenticate_as('candidate_a');
select throws_ok(format('delete from public.candidates where id = %L', tests.user_id('candidate_a')),
  '42501', null, 'candidate A cannot delete her candidate row (she deletes her account)');
select tests.authenticate_as('company_a');
select throws_ok(format('delete from public.candidates where id = %L', tests.user_id('candidate_a')),
  '42501', null, 'company A cannot delete a candidate');
select tests.authenticate_as('admin');
select throws_ok(format('delete from public.candidates where id = %L', tests.user_id('candidate_b')),
  '42501', null, 'the admin cannot delete a candidate');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(
    format('delete from public.candidates where id = %L', tests.user_id('company_a'))),
  1, 'the service role deletes a candidate');

select * from finish();
rollback;
