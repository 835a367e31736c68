-- job_application_events: every status of an application is kept (who, when, from, to, message),
-- read by the candidate and the hiring company only, written by the trigger alone; the transition
-- rules (company forward or reject, candidate withdraw, final statuses) and set_application_status.
-- World: candidate_a -> 'A published' (submitted), 'A closed' (reviewing);
--        candidate_b -> 'B published' (submitted).
begin;
select plan(31);
select tests.create_world();

create function pg_temp.application_id(p_title text) returns uuid
language sql security definer as $$
  select id from public.job_applications where job_id = tests.job_id(p_title)
$$;
create function pg_temp.history(p_title text) returns setof text
language sql as $$
  select concat_ws(' ', coalesce(event.from_status::text, '-'), '->', event.to_status,
    'by', coalesce(tests.name_of(event.changed_by), 'platform'), event.message)
  from public.job_application_events as event
  where event.application_id = pg_temp.application_id(p_title)
  order by event.id
$$;
create function pg_temp.visible_histories() returns setof text
language sql as $$
  select distinct tests.name_of(application.job_id)
  from public.job_application_events as event
  join public.job_applications as application on application.id = event.application_id
  where application.candidate_id = any (tests.persona_ids())
$$;

-- The submission is the first row.
select tests.clear_authentication();
select results_eq($$ select * from pg_temp.history('A published') $$,
  array['- -> submitted by platform'], 'a submission records its first history row');

-- SELECT, as each role
select tests.outcome_as('anon', 'select 1 from public.job_application_events', '42501',
  'a visitor cannot read any history');
select tests.results_as(actor, 'select * from pg_temp.visible_histories()', seen, description)
from (values
  ('candidate_a', array['A published', 'A closed'],
    'candidate A reads the history of her applications only'),
  ('candidate_b', array['B published'], 'candidate B reads the history of his application only'),
  ('company_a', array['A published', 'A closed'],
    'company A reads the history of the applications to its offers'),
  ('company_b', array['B published'],
    'company B reads the history of the application to its offer only'),
  ('admin', '{}', 'the admin reads no history'),
  ('service_role', array['A published', 'A closed', 'B published'],
    'the service role reads every history')
) as expected (actor, seen, description);

-- Nobody writes the history directly.
select tests.outcome_as(actor, statement, '42501', description)
from (values
  ('company_a',
    format('insert into public.job_application_events (application_id, to_status) values (%L, %L)',
      pg_temp.application_id('A published'), 'hired'),
    'the company cannot write a history row'),
  ('company_a', 'update public.job_application_events set message = ''x''',
    'the company cannot edit the history'),
  ('candidate_a', 'delete from public.job_application_events',
    'the candidate cannot erase the history')
) as expected (actor, statement, description);

-- The company moves an application forward, with a message.
select tests.authenticate_as('company_a');
select is(
  (select to_status from public.set_application_status(
    pg_temp.application_id('A published'), 'interview', 'Entretien mardi à 10 h')),
  'interview', 'set_application_status returns the history row it recorded');
select results_eq($$ select * from pg_temp.history('A published') $$,
  array['- -> submitted by platform', 'submitted -> interview by company_a Entretien mardi à 10 h'],
  'the change is in the history: from, to, who and the message');
select throws_ok(
  format($$ select public.set_application_status(%L, 'reviewing') $$,
    pg_temp.application_id('A published')),
  '42501', format('application %s is at interview and cannot go back to reviewing',
    pg_temp.application_id('A published')),
  'a company cannot move an application back');
select lives_ok(
  format($$ update public.job_applications set status = 'offer' where id = %L $$,
    pg_temp.application_id('A published')),
  'a plain update (PATCH) moves it forward too');
select is(
  (select count(*)::int from public.job_application_events
    where application_id = pg_temp.application_id('A published') and to_status = 'offer'
      and changed_by = tests.user_id('company_a') and message is null),
  1, 'and is recorded, without a message');
select throws_ok(
  format($$ select public.set_application_status(%L, 'withdrawn') $$,
    pg_temp.application_id('A published')),
  '42501', 'a company moves an application to reviewing, interview, offer, hired or rejected',
  'a company cannot withdraw an application');
select throws_ok(
  format($$ select public.set_application_status(%L, 'offer') $$,
    pg_temp.application_id('A published')),
  '22023', format('application %s is already offer', pg_temp.application_id('A published')),
  'moving to the current status is refused');

-- The candidate withdraws, and nothing moves a final application.
select tests.authenticate_as('candidate_a');
select throws_ok(
  format($$ select public.set_application_status(%L, 'hired') $$,
    pg_temp.application_id('A published')),
  '42501', 'a candidate can only withdraw their application (status ''withdrawn'')',
  'a candidate cannot hire themselves');
select lives_ok(
  format($$ select public.set_application_status(%L, 'withdrawn', 'J''ai accepté une autre offre') $$,
    pg_temp.application_id('A published')),
  'the candidate withdraws, with a message');
select is((select changed_by from public.job_application_events
    where application_id = pg_temp.application_id('A published') and to_status = 'withdrawn'),
  tests.user_id('candidate_a'), 'the withdrawal is recorded as hers');
select tests.authenticate_as('company_a');
select throws_ok(
  format($$ select public.set_application_status(%L, 'hired') $$,
    pg_temp.application_id('A published')),
  '42501', format('application %s is withdrawn and can no longer change',
    pg_temp.application_id('A published')),
  'a withdrawn application can no longer change');
select lives_ok(
  format($$ select public.set_application_status(%L, 'rejected', 'Merci pour votre temps') $$,
    pg_temp.application_id('A closed')),
  'a company rejects from any open status');

-- Bad input and other callers.
select throws_ok(
  format($$ select public.set_application_status(%L, 'approved') $$,
    pg_temp.application_id('A closed')),
  '22P02', 'invalid input value for enum application_status: "approved"',
  'an unknown status is refused by its type (p_status is an application_status)');
select throws_ok(
  format($$ select public.set_application_status(%L, 'submitted') $$,
    pg_temp.application_id('A closed')),
  '22023', 'p_status: ''submitted'' is not one of reviewing, interview, offer, hired, rejected, withdrawn',
  'going back to submitted is refused with the allowed values');
select throws_ok(
  format($$ select public.set_application_status(%L, 'hired', repeat('x', 2001)) $$,
    pg_temp.application_id('A closed')),
  '22023', 'p_message: at most 2000 characters', 'an overlong message is refused');
select tests.authenticate_as('company_b');
select throws_ok(
  format($$ select public.set_application_status(%L, 'reviewing') $$,
    pg_temp.application_id('A published')),
  'PT404', format('application %s not found', pg_temp.application_id('A published')),
  'another company cannot move (nor see) the application');
select tests.authenticate_as_anon();
select throws_ok(
  format($$ select public.set_application_status(%L, 'reviewing') $$,
    pg_temp.application_id('B published')),
  '42501', null, 'a visitor cannot call set_application_status');

-- The platform (service role) is not bound by the transition rules, and is recorded as such.
select tests.authenticate_as_service_role();
select lives_ok(
  format($$ select public.set_application_status(%L, 'reviewing') $$,
    pg_temp.application_id('B published')),
  'the service role moves any application');
select tests.clear_authentication();
select results_eq($$ select * from pg_temp.history('B published') $$,
  array['- -> submitted by platform', 'submitted -> reviewing by platform'],
  'its changes are recorded without an author');
select is((select count(*)::int from public.job_application_events
    where application_id = pg_temp.application_id('A published')), 4,
  'every status of the application is kept: submitted, interview, offer, withdrawn');

select * from finish();
rollback;
