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
select tests.outcome_as('anon', 'select 1 from public.job_applications', '42501',
  'a visitor cannot read applications');
select tests.results_as(actor, 'select * from pg_temp.visible_applications()', seen, description)
from (values
  ('candidate_a', array['A published <- candidate_a', 'A closed <- candidate_a'],
    'candidate A reads her applications only'),
  ('candidate_b', array['B published <- candidate_b'], 'candidate B reads his application only'),
  ('company_a', array['A published <- candidate_a', 'A closed <- candidate_a'],
    'company A reads the applications to its offers only'),
  ('company_b', array['B published <- candidate_b'],
    'company B reads the applications to its offer only'),
  ('admin', '{}', 'the admin reads no application'),
  ('service_role',
    array['A published <- candidate_a', 'A closed <- candidate_a', 'B published <- candidate_b'],
    'the service role reads every application')
) as expected (actor, seen, description);

-- INSERT
select tests.outcome_as(actor, statement, outcome, description)
from (values
  ('anon', format('insert into public.job_applications (job_id, candidate_id) values (%L, %L)',
      tests.job_id('A published'), tests.user_id('candidate_b')),
    '42501', 'a visitor cannot apply'),
  ('candidate_b', pg_temp.apply('A published'), '1 row',
    'candidate B applies to a published offer'),
  ('candidate_b', format('insert into public.job_applications (job_id) values (%L)',
      tests.job_id('A draft')),
    '42501', 'candidate B cannot apply to a draft'),
  ('candidate_b', format('insert into public.job_applications (job_id) values (%L)',
      tests.job_id('A closed')),
    '42501', 'candidate B cannot apply to a closed offer'),
  ('candidate_b', format('insert into public.job_applications (job_id, status) values (%L, %L)',
      tests.job_id('B published'), 'hired'),
    '42501', 'candidate B cannot choose the status of his application'),
  ('candidate_a', pg_temp.apply('A published'), '23505',
    'candidate A cannot apply twice to the same offer'),
  ('candidate_a', pg_temp.apply('B published', 'candidate_b'), '42501',
    'candidate A cannot apply on behalf of candidate B'),
  ('company_a', pg_temp.apply('B published'), '42501', 'company A cannot apply'),
  ('company_b', pg_temp.apply('A published', 'candidate_a'), '42501',
    'company B cannot apply on behalf of a candidate'),
  ('admin', pg_temp.apply('B published'), '42501', 'the admin cannot apply'),
  ('service_role', pg_temp.apply('B published', 'candidate_a'), '1 row',
    'the service role records an application')
) as expected (actor, statement, outcome, description);

-- UPDATE: the company moves through its steps, the candidate withdraws.
select tests.outcome_as(actor, statement, outcome, description)
from (values
  ('anon', pg_temp.move('A closed', 'candidate_a', 'withdrawn'), '42501',
    'a visitor cannot change an application'),
  ('company_a', pg_temp.move('A closed', 'candidate_a', 'interview'), '1 row',
    'company A moves an application to interview'),
  ('company_a', pg_temp.move('A closed', 'candidate_a', 'withdrawn'),
    '42501: a company moves an application to reviewing, interview, offer, hired or rejected',
    'company A cannot withdraw an application for the candidate'),
  ('company_a', pg_temp.move('B published', 'candidate_b', 'rejected'), '0 rows',
    'company A cannot change an application to company B'),
  ('company_a', format(
      'update public.job_applications set cover_letter = %L where candidate_id = %L',
      'réécrite', tests.user_id('candidate_a')),
    '42501', 'company A cannot rewrite a cover letter'),
  ('company_b', pg_temp.move('B published', 'candidate_b', 'reviewing'), '1 row',
    'company B reviews the application to its offer'),
  ('company_b', pg_temp.move('A closed', 'candidate_a', 'rejected'), '0 rows',
    'company B cannot change an application to company A'),
  ('candidate_a', pg_temp.move('A closed', 'candidate_a', 'hired'),
    '42501: a candidate can only withdraw their application (status ''withdrawn'')',
    'candidate A cannot hire herself'),
  ('candidate_a', pg_temp.move('A published', 'candidate_a', 'withdrawn'), '1 row',
    'candidate A withdraws her application'),
  ('candidate_a', pg_temp.move('B published', 'candidate_b', 'withdrawn'), '0 rows',
    'candidate A cannot withdraw candidate B''s application'),
  ('company_a', pg_temp.move('A published', 'candidate_a', 'interview'), '42501',
    'a withdrawn application can no longer change'),
  ('admin', pg_temp.move('A closed', 'candidate_a', 'rejected'), '0 rows',
    'the admin cannot change an application'),
  ('service_role', pg_temp.move('A published', 'candidate_a', 'submitted'), '1 row',
    'the service role may correct any application')
) as expected (actor, statement, outcome, description);
select set_eq(
  $$ select tests.name_of(candidate_id) || ' -> ' || tests.name_of(job_id) || ': ' || status
     from public.job_applications where candidate_id = any (tests.persona_ids()) $$,
  array['candidate_a -> A published: submitted', 'candidate_a -> A closed: interview',
    'candidate_a -> B published: submitted', 'candidate_b -> A published: submitted',
    'candidate_b -> B published: reviewing'],
  'only the allowed status changes happened');

-- DELETE: withdrawal is a status; rows stay for both sides' history.
select tests.outcome_as(actor, coalesce(statement, 'delete from public.job_applications'), outcome,
  description)
from (values
  ('anon', null, '42501', 'a visitor cannot delete an application'),
  ('candidate_a', null, '42501', 'candidate A cannot delete her application'),
  ('company_a', null, '42501', 'company A cannot delete an application'),
  ('admin', null, '42501', 'the admin cannot delete an application'),
  ('service_role', format('delete from public.job_applications where candidate_id = %L',
      tests.user_id('candidate_b')),
    '2 rows', 'the service role deletes applications')
) as expected (actor, statement, outcome, description);

select * from finish();
rollback;
