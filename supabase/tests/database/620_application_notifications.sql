-- Application notifications (type application) go through the notifications queue: the candidate
-- for each status change the company makes, the company for new applications and withdrawals —
-- the first one on an offer at once, the following ones of the period grouped into one digest per
-- offer, sent by private.flush_application_digests (pg_cron, every minute).
-- World: company_a's 'A published' has candidate_a's application; candidate_b applies below.
begin;
select plan(17);
select tests.create_world();
delete from pgmq.q_notifications;
delete from private.application_digests;

create function pg_temp.requests() returns setof jsonb
language sql as $$
  select message from pgmq.q_notifications order by msg_id
$$;
create function pg_temp.application_id(p_title text, p_candidate text) returns uuid
language sql as $$
  select id from public.job_applications
  where job_id = tests.job_id(p_title) and candidate_id = tests.user_id(p_candidate)
$$;

-- The candidate is told of a status change.
select tests.authenticate_as('company_a');
select public.set_application_status(
  pg_temp.application_id('A published', 'candidate_a'), 'interview', 'Entretien mardi');
select tests.clear_authentication();
select is((select count(*)::int from pg_temp.requests()), 1, 'a status change asks for one notification');
select is((select r -> 'audience' -> 'userIds' from pg_temp.requests() as r),
  jsonb_build_array(tests.user_id('candidate_a')), 'addressed to the candidate');
select is((select r ->> 'type' from pg_temp.requests() as r), 'application', 'of type application');
select is((select r ->> 'title' from pg_temp.requests() as r), 'Candidature retenue pour un entretien',
  'titled with the new status');
select is((select r -> 'data' ->> 'message' from pg_temp.requests() as r), 'Entretien mardi',
  'carrying the company''s message');
select is((select r ->> 'dedupeKey' from pg_temp.requests() as r),
  (select 'application_event:' || max(id) from public.job_application_events),
  'deduplicated per history row (a redelivery is one inbox row)');

-- The company: the first application at once, the next ones of the period in one digest.
delete from pgmq.q_notifications;
select tests.authenticate_as('candidate_b');
insert into public.job_applications (job_id) values (tests.job_id('A published'));
select tests.clear_authentication();
select is((select r -> 'audience' -> 'userIds' from pg_temp.requests() as r),
  jsonb_build_array(tests.user_id('company_a')), 'a new application notifies the company at once');
select is((select r ->> 'title' from pg_temp.requests() as r),
  format('Nouvelle candidature de %s',
    (select full_name from public.profiles where id = tests.user_id('candidate_b'))),
  'naming the candidate');

delete from pgmq.q_notifications;
select tests.create_user('candidate_c'), tests.create_user('candidate_d');
select tests.authenticate_as('candidate_c');
insert into public.job_applications (job_id) values (tests.job_id('A published'));
select tests.authenticate_as('candidate_d');
insert into public.job_applications (job_id) values (tests.job_id('A published'));
select tests.authenticate_as('candidate_b');
select public.set_application_status(pg_temp.application_id('A published', 'candidate_b'), 'withdrawn');
select tests.clear_authentication();
select is_empty($$ select * from pg_temp.requests() $$,
  'within the period, applications and withdrawals wait for the digest');
select is((select row(pending_applications, pending_withdrawals)::text from private.application_digests
    where job_id = tests.job_id('A published')), '(2,1)', 'the offer''s digest counts them');
select is(private.flush_application_digests(), 0, 'nothing is sent before the period ends');

update private.application_digests set due_at = now() - interval '1 second';
select is(private.flush_application_digests(), 1, 'when it ends, one digest per offer is sent');
select is((select r ->> 'title' from pg_temp.requests() as r),
  '2 nouvelles candidatures, 1 retrait', 'it sums up the period');
select is((select (r -> 'data' ->> 'digest')::boolean from pg_temp.requests() as r), true,
  'and is marked as a digest');
select is(private.flush_application_digests(), 0, 'a digest is sent once');

-- A company that wants every application as it comes sets the period to 0.
delete from pgmq.q_notifications;
update public.notification_preferences set application_digest_minutes = 0
where user_id = tests.user_id('company_a');
select tests.create_user('candidate_e');
select tests.authenticate_as('candidate_e');
insert into public.job_applications (job_id) values (tests.job_id('A published'));
select tests.clear_authentication();
select is((select count(*)::int from pg_temp.requests()), 1,
  'with a period of 0 minutes, every application is sent at once');

select is((select schedule from cron.job where jobname = 'flush-application-digests'), '* * * * *',
  'pg_cron flushes due digests every minute');

select * from finish();
rollback;
