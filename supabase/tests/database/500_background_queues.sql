-- Background queues: the one list of work queues and their dead-letter queues, the sweep as
-- hosted pg_cron runs it (every 5 seconds), and queue_health's status by its thresholds.
-- Runs of the sweep are written into cron.job_run_details by hand (rolled back at the end) so the
-- states do not depend on the clock.
begin;
select plan(20);

select set_eq(
  $$ select queue.queue_name from pgmq.list_queues() as queue $$,
  $$ select work_queue.queue_name from private.work_queues as work_queue
     union all
     select work_queue.queue_name || '_dlq' from private.work_queues as work_queue $$,
  'Every work queue has its queue and its dead-letter queue, and pgmq holds no other'
);
select set_eq(
  $$ select queue_name from private.work_queues $$,
  array['job_matching', 'candidate_matching', 'post_moderation', 'notifications'],
  'The work queues are the four of the product'
);
select results_eq(
  $$ select schedule, command, active from cron.job where jobname = 'sweep-queues' $$,
  $$ values ('5 seconds'::text, 'select private.sweep_queues()'::text, true) $$,
  'The sweep is one pg_cron job every 5 seconds, as hosted pg_cron runs it'
);
select is(
  (select count(*)::integer from cron.job where command like '%sweep_queues%'), 1,
  'No other job sweeps'
);
select is(
  private.cron_schedule_period('5 seconds'), interval '5 seconds',
  'A seconds schedule runs every so many seconds'
);
select is(
  private.cron_schedule_period('17 3 * * *'), interval '1 minute',
  'A cron expression runs every minute at best'
);

-- Thresholds as shipped, and a clean slate: no waiting message, no dead letter, a sweep just now.
select results_eq(
  $$ select sweep_late_periods, sweep_failing_after, oldest_message_degraded_after,
       oldest_message_failing_after, dead_letters_degraded_at, dead_letters_failing_at
     from private.queue_health_settings $$,
  $$ values (2::numeric, interval '1 minute', interval '1 minute', interval '10 minutes', 1, 100) $$,
  'The default thresholds: late after two periods, failing after a minute of no sweep, a message waiting a minute, any dead letter'
);
select pgmq.purge_queue(queue_name) from private.work_queues;
select pgmq.purge_queue(queue_name || '_dlq') from private.work_queues;
create function pg_temp.sweep_ran(p_ago interval, p_status text default 'succeeded')
returns void
language sql as $$
  insert into cron.job_run_details (jobid, runid, database, username, command, status, start_time, end_time)
  select job.jobid, nextval('cron.runid_seq'), 'postgres', 'postgres', job.command, p_status,
    now() - p_ago, now() - p_ago
  from cron.job as job where job.jobname = 'sweep-queues'
$$;
create function pg_temp.health() returns jsonb language sql as $$ select private.queue_health() $$;
select pg_temp.sweep_ran(interval '1 second');

select is(pg_temp.health() ->> 'status', 'healthy', 'A sweep a second ago and empty queues: healthy');
select is(pg_temp.health() -> 'reasons', '[]'::jsonb, 'Healthy has no reasons');
select is(
  array(select jsonb_object_keys(pg_temp.health() -> 'queues' -> 'job_matching') order by 1),
  array['active', 'completed', 'failed', 'oldest_visible_age_seconds', 'waiting'],
  'Each queue reports waiting, active, completed, failed and the age of its oldest visible message'
);

select pg_temp.sweep_ran(interval '11 seconds');
select is(pg_temp.health() ->> 'status', 'degraded', 'A sweep late by more than two periods: degraded');
select matches(
  pg_temp.health() ->> 'reasons', 'the sweep is late: it last started 11 s ago, every 5 s is expected',
  'The reason says how late the sweep is'
);
select pg_temp.sweep_ran(interval '2 minutes');
select is(pg_temp.health() ->> 'status', 'failing', 'No sweep for over a minute: failing');

select pg_temp.sweep_ran(interval '0 seconds', 'failed');
select is(pg_temp.health() ->> 'status', 'degraded', 'The sweep''s last run failed: degraded');
select is(
  pg_temp.health() -> 'failed_cron_jobs' -> 0 ->> 'job', 'sweep-queues',
  'The failed job is listed'
);

select pg_temp.sweep_ran(interval '0 seconds');
select pgmq.send('job_matching_dlq', '{"error": "boom", "message": {}}');
select is(pg_temp.health() ->> 'status', 'degraded', 'A dead letter waiting: degraded');
select is((pg_temp.health() -> 'dead_letters')::integer, 1, 'The dead letters are counted');
select pgmq.purge_queue('job_matching_dlq');

select pgmq.send('post_moderation', '{"postId": "00000000-0000-0000-0000-000000000000"}');
update pgmq.q_post_moderation set enqueued_at = now() - interval '90 seconds';
select is(
  (pg_temp.health() -> 'queues' -> 'post_moderation' ->> 'oldest_visible_age_seconds')::integer, 90,
  'The age of the oldest visible message is reported'
);
select is(pg_temp.health() ->> 'status', 'degraded', 'A message waiting over a minute: degraded');

select tests.authenticate_as_service_role();
select throws_ok(
  $$ select private.queue_health() $$, '42501', null,
  'queue_health is for the queue-health function''s database connection only'
);
select tests.clear_authentication();

select * from finish();
rollback;
