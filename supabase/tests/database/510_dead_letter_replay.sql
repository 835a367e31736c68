-- Dead letters: get_dead_letters and replay_dead_letters are for admins and the service role;
-- a replay sends the original message back to its queue, once, and is recorded.
begin;
select plan(19);
select tests.create_personas();
-- The doorbell's settings, as a deployed project has them (rolled back with the rest).
delete from vault.secrets where name in ('project_url', 'webhook_secret');
select vault.create_secret('http://127.0.0.1:54321', 'project_url');
select vault.create_secret('pgtap-webhook-secret', 'webhook_secret');
select pgmq.purge_queue('job_matching_dlq');
select pgmq.purge_queue('job_matching');

create function pg_temp.dead_letter(p_job text) returns bigint
language sql as $$
  select * from pgmq.send('job_matching_dlq', jsonb_build_object(
    'original_msg_id', 41, 'attempts', 3, 'error', 'boom ' || p_job,
    'failed_at', '2026-12-01T10:00:00Z', 'message', jsonb_build_object('jobId', p_job)))
$$;
create temp table letters as
  select pg_temp.dead_letter('first') as first_id, pg_temp.dead_letter('second') as second_id;
grant select on letters to authenticated, service_role;

select tests.authenticate_as_anon();
select throws_ok(
  $$ select public.replay_dead_letters('job_matching') $$, '42501', null,
  'A visitor cannot replay dead letters'
);
select throws_ok(
  $$ select * from public.get_dead_letters('job_matching') $$, '42501', null,
  'A visitor cannot list dead letters'
);
select tests.authenticate_as('candidate_a');
select throws_ok(
  $$ select public.replay_dead_letters('job_matching') $$, '42501',
  'replay_dead_letters: reserved to admins and the service role',
  'Candidate A cannot replay dead letters'
);
select tests.authenticate_as('candidate_b');
select throws_ok(
  $$ select * from public.get_dead_letters('job_matching') $$, '42501',
  'get_dead_letters: reserved to admins and the service role',
  'Candidate B cannot list dead letters'
);
select tests.authenticate_as('company_a');
select throws_ok(
  $$ select public.replay_dead_letters('job_matching') $$, '42501', null,
  'A company cannot replay dead letters'
);

select tests.authenticate_as('admin');
select results_eq(
  $$ select msg_id, original_msg_id, attempts, error, failed_at, message
     from public.get_dead_letters('job_matching') $$,
  $$ select first_id, 41::bigint, 3, 'boom first'::text, '2026-12-01T10:00:00Z'::timestamptz,
       '{"jobId": "first"}'::jsonb from letters
     union all
     select second_id, 41::bigint, 3, 'boom second'::text, '2026-12-01T10:00:00Z'::timestamptz,
       '{"jobId": "second"}'::jsonb from letters $$,
  'An admin lists the dead letters of a queue with their error, attempts and message'
);
select throws_ok(
  $$ select public.replay_dead_letters('job_matching_dlq') $$, '22023',
  'p_queue: job_matching_dlq is not a work queue; one of candidate_matching, job_matching, notifications, post_moderation',
  'Only work queues can be replayed, and the error names them'
);
select throws_ok(
  $$ select public.replay_dead_letters('job_matching', array[null]::bigint[]) $$, '22023',
  'p_msg_ids: ids must not be null', 'Null ids are refused'
);
select throws_ok(
  $$ select * from public.get_dead_letters('job_matching', 0) $$, '22023',
  'p_limit: between 1 and 1000', 'The list size is bounded'
);
select is(
  public.replay_dead_letters('job_matching', array[(select first_id from letters), 999999]), 1,
  'An admin replays one dead letter by id (unknown ids are skipped)'
);
select is(
  public.replay_dead_letters('job_matching', array[(select first_id from letters)]), 0,
  'Replaying it again sends nothing: it is no longer a dead letter'
);
select tests.clear_authentication();
select results_eq(
  $$ select message from pgmq.q_job_matching $$, $$ values ('{"jobId": "first"}'::jsonb) $$,
  'The original message is back in its queue, once'
);
select results_eq(
  $$ select replay.queue_name, replay.dead_letter_msg_id, replay.original_msg_id, replay.error,
       replay.replayed_by, replay.replayed_by_role,
       replay.replayed_msg_id = (select msg_id from pgmq.q_job_matching)
     from private.dead_letter_replays as replay
     where replay.queue_name = 'job_matching'
       and replay.dead_letter_msg_id = (select first_id from letters) $$,
  $$ select 'job_matching'::text, first_id, 41::bigint, 'boom first'::text,
       tests.user_id('admin'), 'admin'::text, true from letters $$,
  'The replay is recorded: which dead letter, which new message, by which admin'
);
select ok(
  exists (select from net.http_request_queue where url like '%/functions/v1/queue-worker'
          and convert_from(body, 'UTF8')::jsonb = '{"queue": "job_matching"}'),
  'The queue worker''s doorbell is rung for the queue'
);

select tests.authenticate_as_service_role();
select is(public.replay_dead_letters('job_matching'), 1, 'The service role replays all the rest');
select is_empty(
  $$ select * from public.get_dead_letters('job_matching') $$, 'No dead letter is left'
);
select tests.clear_authentication();
select results_eq(
  $$ select replay.replayed_by, replay.replayed_by_role, replay.dead_letter_msg_id
     from private.dead_letter_replays as replay
     where replay.queue_name = 'job_matching'
       and replay.dead_letter_msg_id = (select second_id from letters) $$,
  $$ select null::uuid, 'service_role'::text, second_id from letters $$,
  'The service role''s replay is recorded too'
);
select set_eq(
  $$ select message ->> 'jobId' from pgmq.q_job_matching $$, array['first', 'second'],
  'Both messages are back in the queue'
);
select ok(
  not has_table_privilege('authenticated', 'private.dead_letter_replays', 'select'),
  'Members cannot read the replay records'
);

select * from finish();
rollback;
