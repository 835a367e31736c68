-- job_applications: the candidate sees and withdraws their own; the company sees those to its
-- offers and moves their status; nobody else sees them; nobody deletes them but the service role.
-- World: candidate_a -> 'A published' (submitted), 'A closed' (reviewing);
--        candidate_b -> 'B published' (submitted).
begin;
select plan(37);
select tests.create_world();

create function pg_temp.visible_applications() returns setof text
language sql as $$
  select tests.name_of(job_id) || ' <- ' || tests.name_of(candidate_id)
  from public.job_applications where candidate_id = any (tests.persona_ids())
$$;
create function pg_temp.apply(p_title text, p_candidate text default null) returns text
language sql as $$
  select format(
    'insert into public.job_applications (job_id, candidate_id, cover_letter) '
    'select id, coalesce(%L::uuid, auth.uid()), %L from public.jobs where title = %L',
    case when p_candidate is not null then tests.user_id(p_candidate) end,
    'Madame, Monsieur,', p_title)
$$;
create function pg_temp.move(p_title text, p_candidate text, p_status text) returns text
language sql as $$
  select format(
    'update public.job_applications set status = %L where candidate_id = %L and job_id = %L',
    p_status, tests.user_id(p_candidate), tests.job_id(p_title))
$$;

-- SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.job_applications $$, '42501', null,
  'a visitor cannot read applications');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_applications()',
  array['A published <- candidate_a', 'A closed <- candidate_a'],
  'candidate A reads her applications only');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_applications()',
  array['B published <- candidate_b'], 'candidate B reads his application only');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_applications()',
  array['A published <- candidate_a', 'A closed <- candidate_a'],
  'company A reads the applications to its offers only');
select tests.authenticate_as('company_b');
select set_eq('select * from pg_temp.visible_applications()',
  array['B published <- candidate_b'], 'company B reads the applications to its offer only');
select tests.authenticate_as('admin');
select is_empty('select * from pg_temp.visible_applications()',
  'the admin reads no application');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_applications()',
  array['A published <- candidate_a', 'A closed <- candidate_a', 'B published <- candidate_b'],
  'the service role reads every application');

-- INSERT
select tests.authenticate_as_anon();
select throws_ok(
  format('insert into public.job_applications (job_id, candidate_id) values (%L, %L)',
    tests.job_id('A published'), tests.user_id('candidate_b')),
  '42501', null, 'a visitor cannot apply');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected(pg_temp.apply('A published')), 1,
  'candidate B applies to a published offer');
select throws_ok(
  format('insert into public.job_applications (job_id) values (%L)',
    tests.job_id('A draft')),
  '42501', null, 'candidate B cannot apply to a draft');
select throws_ok(
  format('insert into public.job_applications (job_id) values (%L)',
    tests.job_id('A closed')),
  '42501', null, 'candidate B cannot apply to a closed offer');
select throws_ok(
  format('insert into public.job_applications (job_id, status) values (%L, %L)',
    tests.job_id('B published'), 'hired'),
  '42501', null, 'candidate B cannot choose the status of his application');
select tests.authenticate_as('candidate_a');
select throws_ok(pg_temp.apply('A published'), '23505', null,
  'candidate A cannot apply twice to the same offer');
select throws_ok(pg_temp.apply('B published', 'candidate_b'), '42501', null,
  'candidate A cannot apply on behalf of candidate B');
select tests.authenticate_as('company_a');
select throws_ok(pg_temp.apply('B published'), '42501', null, 'company A cannot apply');
select tests.authenticate_as('company_b');
select throws_ok(pg_temp.apply('A published', 'candidate_a'), '42501', null,
  'company B cannot apply on behalf of a candidate');
select tests.authenticate_as('admin');
select throws_ok(pg_temp.apply('B published'), '42501', null, 'the admin cannot apply');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.apply('B published', 'candidate_a')), 1,
  'the service role records an application');

-- UPDATE: the company moves through its steps, the candidate withdraws.
select tests.authenticate_as_anon();
select throws_ok(pg_temp.move('A closed', 'candidate_a', 'withdrawn'), '42501', null,
  'a visitor cannot change an application');
select tests.authenticate_as('company_a');
select is(tests.rows_affected(pg_temp.move('A closed', 'candidate_a', 'interview')), 1,
  'company A moves an application to interview');
select throws_ok(pg_temp.move('A closed', 'candidate_a', 'withdrawn'), '42501',
  'a company moves an application to reviewing, interview, offer, hired or rejected',
  'company A cannot withdraw an application for the candidate');
select is(tests.rows_affected(pg_temp.move('B published', 'candidate_b', 'rejected')), 0,
  'company A cannot change an application to company B');
select throws_ok(
  format('update public.job_applications set cover_letter = %L where candidate_id = %L',
    'réécrite', tests.user_id('candidate_a')),
  '42501', null, 'company A cannot rewrite a cover letter');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(pg_temp.move('B published', 'candidate_b', 'reviewing')), 1,
  'company B reviews the application to its offer');
select is(tests.rows_affected(pg_temp.move('A closed', 'candidate_a', 'rejected')), 0,
  'company B cannot change an application to company A');
select tests.authenticate_as('candidate_a');
select throws_ok(pg_temp.move('A closed', 'candidate_a', 'hired'), '42501',
  'a candidate can only withdraw their application (status ''withdrawn'')',
  'candidate A cannot hire herself');
select is(tests.rows_affected(pg_temp.move('A published', 'candidate_a', 'withdrawn')), 1,
  'candidate A withdraws her application');
select is(tests.rows_affected(pg_temp.move('B published', 'candidate_b', 'withdrawn')), 0,
  'candidate A cannot withdraw candidate B''s application');
select tests.authenticate_as('company_a');
select throws_ok(pg_temp.move('A published', 'candidate_a', 'interview'), '42501', null,
  'a withdrawn application can no longer change');
select tests.authenticate_as('admin');
select is(tests.rows_affected(pg_temp.move('A closed', 'candidate_a', 'rejected')), 0,
  'the admin cannot change an application');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.move('A published', 'candidate_a', 'submitted')), 1,
  'the service role may correct any application');
select tests.clear_authentication();
select set_eq(
  $$ select tests.name_of(candidate_id) || ' -> ' || tests.name_of(job_id) || ': ' || status
     from public.job_applications where candidate_id = any (tests.persona_ids()) $$,
  array['candidate_a -> A published: submitted', 'candidate_a -> A closed: interview',
    'candidate_a -> B published: submitted', 'candidate_b -> A published: submitted',
    'candidate_b -> B published: reviewing'],
  'only the allowed status changes happened');

-- DELETE: withdrawal is a status; rows stay for both sides' history.
select tests.authenticate_as_anon();
select throws_ok($$ delete from public.job_applications $$, '42501', null,
  'a visitor cannot delete an application');
select tests.authenticate_as('candidate_a');
select throws_ok($$ delete from public.job_applications $$, '42501', null,
  'candidate A cannot delete her application');
select tests.authenticate_as('company_a');
select throws_ok($$ delete from public.job_applications $$, '42501', null,
  'company A cannot delete an application');
select tests.authenticate_as('admin');
select throws_ok($$ delete from public.job_applications $$, '42501', null,
  'the admin cannot delete an application');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(
    format('delete from public.job_applications where candidate_id = %L', tests.user_id('candidate_b'))),
  2, 'the service role deletes applications');

select * from finish();
rollback;
