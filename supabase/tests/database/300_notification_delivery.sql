-- Notification delivery (20261125003000_notification_delivery.sql): audience expansion with
-- preferences and quiet hours, the one-time expansion into chunks, in-app delivery exactly once,
-- attempt recording, dead-lettering, the support history, and who may touch any of it.
begin;
select plan(42);

select tests.create_user('notify_default', 'candidate');
select tests.create_user('notify_quiet', 'candidate');
select tests.create_user('notify_no_push', 'candidate');
select tests.create_user('notify_minimal', 'candidate');
select tests.create_user('notify_company', 'company');

update public.notification_preferences
set quiet_hours_start = '22:00', quiet_hours_end = '07:00', timezone = 'Europe/Paris'
where user_id = tests.user_id('notify_quiet');
update public.notification_preferences
set push_enabled = false, sms_enabled = true, marketing_enabled = true
where user_id = tests.user_id('notify_no_push');
update public.notification_preferences
set in_app_enabled = false, email_enabled = false, job_alerts_enabled = false
where user_id = tests.user_id('notify_minimal');
update public.candidates set skills = '{TypeScript, PostgreSQL}', location = 'Saint-Étienne'
where id in (tests.user_id('notify_default'), tests.user_id('notify_quiet'));
update public.companies set location = 'Saint-Etienne (42)' where id = tests.user_id('notify_company');

create function pg_temp.channels(p_type text, p_users text[], p_at timestamptz default now())
returns setof text
language sql as $$
  select tests.name_of(user_id) || ':'
    || concat_ws(',',
      case when in_app then 'in_app' end, case when push then 'push' end,
      case when email then 'email' end, case when sms then 'sms' end)
  from private.notification_audience(p_type, jsonb_build_object('userIds', (
    select jsonb_agg(tests.user_id(name)) from unnest(p_users) as name
  )), p_at)
$$;

create function pg_temp.request(p_type text, p_users text[], p_dedupe text default null)
returns jsonb
language sql as $$
  select jsonb_strip_nulls(jsonb_build_object(
    'requestId', gen_random_uuid(), 'type', p_type, 'title', 'Titre', 'body', 'Corps',
    'data', '{"k": 1}'::jsonb, 'dedupeKey', p_dedupe,
    'audience', jsonb_build_object('userIds', (
      select jsonb_agg(tests.user_id(name)) from unnest(p_users) as name
    ))
  ))
$$;

-- Audience: preferences per channel and per type
select set_eq(
  $$ select * from pg_temp.channels('job_alert',
       array['notify_default', 'notify_no_push', 'notify_minimal']) $$,
  array['notify_default:in_app,push,email', 'notify_no_push:in_app,email,sms', 'notify_minimal:'],
  'job alerts follow each member''s channels (push, email on by default; SMS opt-in) and opt-in');
select set_eq(
  $$ select * from pg_temp.channels('application', array['notify_minimal']) $$,
  array['notify_minimal:push'],
  'with in-app and email off, only push is left');
select set_eq(
  $$ select * from pg_temp.channels('marketing', array['notify_default', 'notify_no_push']) $$,
  array['notify_default:', 'notify_no_push:in_app,email,sms'],
  'marketing is opt-in');
select set_eq(
  $$ select * from pg_temp.channels('system', array['notify_minimal']) $$,
  array['notify_minimal:in_app,push'],
  'system notifications always reach the inbox, even with in-app off');
select is(
  (select count(*)::int from private.notification_audience('system',
    jsonb_build_object('userIds', jsonb_build_array(gen_random_uuid(), tests.user_id('notify_default'))))),
  1,
  'unknown user ids are ignored');

-- Quiet hours (22:00 -> 07:00 Paris) hold push and SMS back until they end
select is(
  (select quiet_until from private.notification_audience('system',
    jsonb_build_object('userIds', jsonb_build_array(tests.user_id('notify_quiet'))),
    '2026-11-25 23:30 Europe/Paris')),
  '2026-11-26 07:00 Europe/Paris'::timestamptz,
  'at 23:30, quiet until 07:00 the next morning');
select is(
  (select quiet_until from private.notification_audience('system',
    jsonb_build_object('userIds', jsonb_build_array(tests.user_id('notify_quiet'))),
    '2026-11-26 06:59 Europe/Paris')),
  '2026-11-26 07:00 Europe/Paris'::timestamptz,
  'at 06:59, quiet until 07:00 the same morning');
select is(
  (select quiet_until from private.notification_audience('system',
    jsonb_build_object('userIds', jsonb_build_array(tests.user_id('notify_quiet'))),
    '2026-11-26 07:00 Europe/Paris')),
  null,
  'at 07:00 quiet hours are over');
update public.notification_preferences
set quiet_hours_start = '13:00', quiet_hours_end = '14:00', timezone = 'America/New_York'
where user_id = tests.user_id('notify_default');
select is(
  (select quiet_until from private.notification_audience('system',
    jsonb_build_object('userIds', jsonb_build_array(tests.user_id('notify_default'))),
    '2026-07-01 13:30 America/New_York')),
  '2026-07-01 14:00 America/New_York'::timestamptz,
  'a window within the day, in the member''s own time zone');
update public.notification_preferences set quiet_hours_start = null, quiet_hours_end = null
where user_id = tests.user_id('notify_default');

-- Role audiences and their filters
select set_eq(
  $$ select tests.name_of(user_id) from private.notification_audience('system',
       '{"role": "candidate", "filters": {"skills": ["typescript", "Go"], "location": "saint-etienne"}}') $$,
  array['notify_default', 'notify_quiet'],
  'skills (any of them, normalised) and location (accents and case folded) narrow a role');
select set_eq(
  $$ select tests.name_of(user_id) from private.notification_audience('system',
       '{"role": "company", "filters": {"location": "SAINT-ÉTIENNE"}}') $$,
  array['notify_company'],
  'a company''s location counts too');
select is_empty(
  $$ select 1 from private.notification_audience('system',
       '{"role": "company", "filters": {"skills": ["TypeScript"]}}') $$,
  'companies have no skills: a skills filter leaves them out');
select is(
  (select count(*)::int from private.notification_audience('system', '{"role": "company"}')),
  (select count(*)::int from public.profiles where role = 'company'),
  'an unfiltered role is every member of it');

-- Expansion: once, into chunks. It runs at now(): notify_quiet's quiet hours move to a window that
-- does not contain it, so that the chunks are the same at any hour of the day.
update public.notification_preferences
set quiet_hours_start = ((now() at time zone 'Europe/Paris')::time + interval '2 hours')::time,
  quiet_hours_end = ((now() at time zone 'Europe/Paris')::time + interval '3 hours')::time
where user_id = tests.user_id('notify_quiet');
create temporary table first_call on commit drop as
select * from private.prepare_notification_delivery(
  pg_temp.request('job_alert', array['notify_default', 'notify_quiet', 'notify_no_push']),
  2, 2, true);
select set_eq(
  $$ select channel || ':' || chunk_index || ':' || cardinality(recipients) from first_call $$,
  array['in_app:0:2', 'in_app:1:1', 'push:0:2', 'email:0:2', 'email:1:1', 'sms:0:1'],
  'each channel''s recipients are cut into chunks of the given sizes');
select is(
  (select count(*)::int from first_call where status = 'pending'), 6, 'all of them pending');
select is(
  (select send_after from first_call where channel = 'push'),
  null,
  'outside quiet hours push goes at once');
select is(
  (select count(*)::int from private.prepare_notification_delivery(
    (select jsonb_build_object('requestId', request_id, 'type', 'job_alert', 'title', 'Autre',
      'audience', '{"role": "candidate"}'::jsonb) from first_call limit 1), 1, 1, true)),
  6,
  'a second call returns the same pending chunks');
select is(
  (select chunk_count || '/' || recipient_count from private.notification_requests
   where request_id = (select request_id from first_call limit 1)),
  '6/3',
  'and expands nothing again');

create temporary table unconfigured on commit drop as
select * from private.prepare_notification_delivery(
  pg_temp.request('system', array['notify_no_push']), 100, 100, false);
select set_eq(
  $$ select channel || ':' || status from private.notification_deliveries
     where request_id = (select request_id from unconfigured limit 1) $$,
  array['in_app:pending', 'email:skipped', 'sms:skipped'],
  'without OneSignal credentials push, email and SMS are skipped, in-app is not');
select matches(
  (select last_error from private.notification_deliveries
   where request_id = (select request_id from unconfigured limit 1) and channel = 'email'),
  'not configured',
  'and the reason is recorded');

-- In-app chunks: exactly once, with their Realtime broadcasts
select is(
  (select written from private.deliver_in_app_chunk((select request_id from first_call limit 1), 0)),
  2,
  'an in-app chunk writes its rows');
select is(
  (select written from private.deliver_in_app_chunk((select request_id from first_call limit 1), 0)),
  0,
  'delivering it again writes nothing');
select is(
  (select count(*)::int from public.notifications
   where request_id = (select request_id from first_call limit 1)),
  2,
  'two inbox rows');
select is(
  (select count(*)::int from realtime.messages as message
   join public.notifications as notification
     on message.topic = 'user:' || notification.user_id
    and message.payload ->> 'id' = notification.id::text
   where notification.request_id = (select request_id from first_call limit 1)
     and message.event = 'notification' and message.private),
  2,
  'each row is broadcast privately on its member''s user:<id> topic');
select is(
  (select in_app_count from private.notification_requests
   where request_id = (select request_id from first_call limit 1)),
  2,
  'the request counts its in-app rows');

-- A dedupe key reaches each member once, whatever the number of requests
select is(
  (select count(*)::int from private.prepare_notification_delivery(
    pg_temp.request('message', array['notify_default'], 'message:42'), 10, 10, true)),
  3,
  'a first request with a dedupe key is expanded');
select is(
  (select count(*)::int from private.prepare_notification_delivery(
    pg_temp.request('message', array['notify_default', 'notify_quiet'], 'message:42'), 10, 10, true)
   where 'notify_default' = any (array(select tests.name_of(unnest(recipients))))),
  0,
  'a second request with the same key leaves out who already had it');

-- Attempts
create function pg_temp.push_chunk() returns private.notification_deliveries
language sql as $$
  select * from private.notification_deliveries
  where request_id = (select request_id from first_call limit 1) and channel = 'push'
$$;
select private.record_notification_attempt((pg_temp.push_chunk()).request_id, 'push', 0,
  gen_random_uuid(), 'transient', 503, '{"errors": ["down"]}', 'HTTP 503', 12);
select is((pg_temp.push_chunk()).status || '/' || (pg_temp.push_chunk()).attempts, 'pending/1',
  'a transient failure leaves the chunk pending');
select private.record_notification_attempt((pg_temp.push_chunk()).request_id, 'push', 0,
  gen_random_uuid(), 'sent', 200, '{"id": "n1"}', null, 8, 'n1',
  array[tests.user_id('notify_quiet')]);
select is((pg_temp.push_chunk()).status || '/' || (pg_temp.push_chunk()).provider_notification_id,
  'sent/n1', 'a 2xx ends it sent');
select private.record_notification_attempt((pg_temp.push_chunk()).request_id, 'push', 0,
  gen_random_uuid(), 'transient', null, null, 'no answer within 15000 ms', 15000);
select is((pg_temp.push_chunk()).status, 'sent', 'a late attempt never reopens a sent chunk');
select is(
  (select count(*)::int from private.notification_delivery_attempts
   where request_id = (pg_temp.push_chunk()).request_id and channel = 'push'),
  3,
  'every attempt is logged');
select private.record_notification_attempt((select request_id from first_call limit 1), 'sms', 0,
  gen_random_uuid(), 'permanent', 400, '{"errors": ["no SMS"]}', 'no SMS', 5);

-- Finishing and dead-lettering
select is(
  (select pending || '/' || failed from private.finish_notification_request(
    (select request_id from first_call limit 1))),
  '3/1',
  'finish counts what is still pending and what failed');
select is(
  (select completed_at from private.notification_requests
   where request_id = (select request_id from first_call limit 1)),
  null,
  'a request with pending chunks is not completed');
select private.deliver_in_app_chunk((select request_id from first_call limit 1), 1);
select private.record_notification_attempt((select request_id from first_call limit 1), 'email', c,
  gen_random_uuid(), 'undeliverable', 200, '{"id": ""}', null, 5)
from generate_series(0, 1) as c;
select is(
  (select pending || '/' || failed from private.finish_notification_request(
    (select request_id from first_call limit 1))),
  '0/1',
  'nothing pending any more');
select isnt(
  (select completed_at from private.notification_requests
   where request_id = (select request_id from first_call limit 1)),
  null,
  'the request is completed');
select ok(
  private.dead_letter_notification_request((select request_id from first_call limit 1), -1, 1,
    '{"requestId": "r"}', '1 chunk(s) failed permanently', '[{"channel": "sms"}]'),
  'a request with a permanent failure goes to the DLQ');
select ok(
  not private.dead_letter_notification_request((select request_id from first_call limit 1), -1, 2,
    '{"requestId": "r"}', 'again', '[]'),
  'only once');
select is(
  (select count(*)::int from pgmq.q_notifications_dlq where message ->> 'original_msg_id' = '-1'),
  1,
  'one dead letter');

-- Support: "was this user notified?"
select set_eq(
  $$ select channel || ':' || status from private.notification_history(tests.user_id('notify_quiet'))
     where request_id = (select request_id from first_call limit 1) $$,
  array['in_app:delivered', 'push:invalid_recipient', 'email:undeliverable'],
  'the history tells, per channel, what happened to a member''s notification');

-- Role announcements
select private.prepare_notification_delivery(
  '{"requestId": "00000000-0000-4000-8000-0000000000aa", "type": "system", "title": "Annonce",
    "audience": {"role": "company", "filters": {}}}', 100, 100, true);
select is(
  (select count(*)::int from realtime.messages
   where topic = 'role:company' and event = 'announcement'
     and payload ->> 'request_id' = '00000000-0000-4000-8000-0000000000aa'),
  1,
  'a whole-role request is announced on role:<role>');

-- Nobody but the service role and the dispatcher touches any of it
select tests.authenticate_as('notify_default');
select throws_ok(
  $$ select private.prepare_notification_delivery('{}', 1, 1, true) $$,
  '42501', null, 'a member cannot run the dispatcher''s functions');
select throws_ok(
  $$ select private.notification_history(tests.user_id('notify_quiet')) $$,
  '42501', null, 'nor read anyone''s history');
select tests.clear_authentication();

select * from finish();
rollback;
