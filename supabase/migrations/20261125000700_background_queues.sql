-- Background work: pgmq queues (the source of truth), a pg_net doorbell that wakes the worker at
-- once, a pg_cron sweep every 5 seconds so a lost doorbell costs seconds, never an event, and the
-- health of it all for the queue-health Edge Function.
--
-- Deployment settings live in Vault (never in code):
--   project_url     base URL of the project's API, e.g. https://<ref>.supabase.co
--   webhook_secret  the WEBHOOK_SECRET the Edge Functions expect in x-webhook-secret

-- The one list of work queues. The queues and their dead-letter queues are created from it, the
-- sweep and queue-health read it, and the queue worker's processors are checked against it
-- (tests/background_queue_list_test.ts).
create table private.work_queues (
  queue_name text primary key,
  description text not null
);
alter table private.work_queues enable row level security;
comment on table private.work_queues is
  'The queues drained by the queue-worker Edge Function; each has a dead-letter queue <name>_dlq.';
insert into private.work_queues (queue_name, description) values
  ('job_matching', 'A published job to (re)match against candidates'),
  ('candidate_matching', 'A candidate whose profile changed, to match against open jobs'),
  ('post_moderation',
    'New or edited member text to moderate: a post, comment, offer, company page or profile'),
  ('notifications', 'A notification to expand to its audience and deliver');

-- A dead-letter queue `<name>_dlq` holds the messages whose last attempt failed.
select pgmq.create(work_queue.queue_name), pgmq.create(work_queue.queue_name || '_dlq')
from private.work_queues as work_queue;

-- The value of a Vault secret, or null when it is not set.
create function private.vault_setting(p_name text) returns text
language sql stable security definer
set search_path = ''
as $$
  select secret.decrypted_secret
  from vault.decrypted_secrets as secret
  where secret.name = p_name
  limit 1;
$$;

-- Rings the queue worker's doorbell: an HTTP request that pg_net sends after commit, at most
-- once per queue per transaction (a transaction-local setting remembers it), so a transaction
-- that enqueues a thousand messages sends one request. Without the Vault settings (a fresh
-- project) it does nothing: the sweep drains the queue once they are set.
create function private.ring_queue_doorbell(p_queue_name text) returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  rung_setting constant text := 'emploi.doorbell_rung_' || p_queue_name;
  project_url text;
  secret text;
begin
  if current_setting(rung_setting, true) = 'yes' then
    return;
  end if;
  project_url := private.vault_setting('project_url');
  secret := private.vault_setting('webhook_secret');
  if project_url is null or secret is null then
    return;
  end if;
  perform set_config(rung_setting, 'yes', true);
  perform net.http_post(
    url := project_url || '/functions/v1/queue-worker',
    body := jsonb_build_object('queue', p_queue_name),
    headers := jsonb_build_object('content-type', 'application/json', 'x-webhook-secret', secret),
    timeout_milliseconds := 2000
  );
end
$$;

-- Enqueues work in the caller's transaction and rings the doorbell (sent only if it commits).
create function private.enqueue(p_queue_name text, p_message jsonb) returns bigint
language plpgsql security definer
set search_path = ''
as $$
declare
  message_id bigint;
begin
  select sent.msg_id into message_id from pgmq.send(p_queue_name, p_message) as sent (msg_id);
  perform private.ring_queue_doorbell(p_queue_name);
  return message_id;
end
$$;
grant execute on function private.enqueue(text, jsonb) to service_role;

-- Enqueues many messages in one statement (one insert, one doorbell), in the order given; a
-- caller with a message per row sends them this way instead of one round of enqueue each.
-- Returns how many were enqueued.
create function private.enqueue_batch(p_queue_name text, p_messages jsonb[]) returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  enqueued integer;
begin
  if coalesce(cardinality(p_messages), 0) = 0 then
    return 0;
  end if;
  select count(*) into enqueued from pgmq.send_batch(p_queue_name, p_messages);
  perform private.ring_queue_doorbell(p_queue_name);
  return enqueued;
end
$$;
grant execute on function private.enqueue_batch(text, jsonb[]) to service_role;

-- The sweep: rings the doorbell of every queue holding visible messages.
create function private.sweep_queues() returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  work_queue record;
begin
  for work_queue in
    select queue.queue_name
    from private.work_queues as queue
    cross join lateral pgmq.metrics(queue.queue_name) as metrics
    where metrics.queue_visible_length > 0
  loop
    perform private.ring_queue_doorbell(work_queue.queue_name);
  end loop;
  perform private.prune_rate_limit_buckets();
end
$$;

-- The sweep every 5 seconds (pg_cron 1.5 and later), each run in its own transaction. pg_cron keeps
-- every run in cron.job_run_details; a week of them is plenty for queue-health.
select cron.schedule('sweep-queues', '5 seconds', 'select private.sweep_queues()');
select cron.schedule(
  'prune-cron-run-details',
  '41 3 * * *',
  $$delete from cron.job_run_details where end_time < now() - interval '7 days'$$
);

-- Thresholds of queue-health, one row. Change them with an UPDATE; docs/pipeline.md describes them.
create table private.queue_health_settings (
  singleton boolean primary key default true check (singleton),
  sweep_job_name text not null default 'sweep-queues',
  -- degraded when the sweep has not started for this many of its periods
  sweep_late_periods numeric not null default 2 check (sweep_late_periods > 0),
  -- failing when it has not started for this long
  sweep_failing_after interval not null default '1 minute',
  -- degraded / failing when a queue's oldest visible message has waited this long
  oldest_message_degraded_after interval not null default '1 minute',
  oldest_message_failing_after interval not null default '10 minutes',
  -- degraded / failing from this many dead letters (all queues together)
  dead_letters_degraded_at integer not null default 1 check (dead_letters_degraded_at > 0),
  dead_letters_failing_at integer not null default 100 check (dead_letters_failing_at > 0)
);
alter table private.queue_health_settings enable row level security;
comment on table private.queue_health_settings is
  'Thresholds of queue-health (one row): when the queues are degraded or failing.';
insert into private.queue_health_settings default values;

-- The period of a pg_cron schedule: 'N seconds' schedules run every N seconds, cron expressions
-- at best every minute.
create function private.cron_schedule_period(p_schedule text) returns interval
language sql immutable
set search_path = ''
as $$
  select coalesce(
    make_interval(secs => (substring(p_schedule from '^\s*(\d+)\s+seconds?\s*$'))::integer),
    interval '1 minute'
  );
$$;

-- Every pg_cron job with its last run (null when it has not run yet).
create function private.cron_jobs_last_run()
returns table (
  jobid bigint,
  jobname text,
  schedule text,
  active boolean,
  status text,
  start_time timestamptz,
  return_message text
)
language sql stable security definer
set search_path = ''
as $$
  select job.jobid, job.jobname::text, job.schedule, job.active, last_run.status,
    last_run.start_time, last_run.return_message
  from cron.job as job
  left join lateral (
    select run.status, run.start_time, run.return_message
    from cron.job_run_details as run
    where run.jobid = job.jobid
    order by run.runid desc
    limit 1
  ) as last_run on true;
$$;

-- The truth about the background work, for the queue-health Edge Function:
--   queues.<name>: waiting = visible now; active = read and still invisible (in flight or backing
--     off); completed = ever sent minus the rest; failed = dead letters in <name>_dlq;
--     oldest_visible_age_seconds = how long the oldest visible message has waited (null: none);
--   sweep: its job, schedule, last start and outcome;
--   failed_cron_jobs: the jobs whose last run failed;
--   status: healthy, degraded or failing by private.queue_health_settings, with the reasons.
create function private.queue_health() returns jsonb
language plpgsql stable security definer
set search_path = ''
as $$
declare
  checked_at constant timestamptz := clock_timestamp();
  settings private.queue_health_settings;
  queues jsonb := '{}';
  dead_letters bigint := 0;
  oldest_visible interval := interval '0';
  work_queue record;
  waiting bigint;
  active bigint;
  queue_oldest_visible interval;
  queue_totals record;
  sweep record;
  sweep_period interval;
  since_sweep interval;
  failed_jobs jsonb;
  degraded_reasons text[] := '{}';
  failing_reasons text[] := '{}';
begin
  select * into strict settings from private.queue_health_settings;

  for work_queue in select queue.queue_name from private.work_queues as queue order by 1 loop
    execute format(
      'select count(*) filter (where message.vt <= $1),
              count(*) filter (where message.vt > $1),
              $1 - min(message.enqueued_at) filter (where message.vt <= $1)
       from pgmq.%I as message',
      'q_' || work_queue.queue_name
    ) into waiting, active, queue_oldest_visible using checked_at;
    select
      greatest(0, queue_metrics.total_messages - queue_metrics.queue_length
        - dead_letter_metrics.total_messages) as completed,
      dead_letter_metrics.queue_length as failed
    into strict queue_totals
    from pgmq.metrics(work_queue.queue_name) as queue_metrics,
      pgmq.metrics(work_queue.queue_name || '_dlq') as dead_letter_metrics;
    queues := queues || jsonb_build_object(work_queue.queue_name, jsonb_build_object(
      'waiting', waiting,
      'active', active,
      'completed', queue_totals.completed,
      'failed', queue_totals.failed,
      'oldest_visible_age_seconds',
        floor(extract(epoch from queue_oldest_visible))::integer
    ));
    dead_letters := dead_letters + queue_totals.failed;
    oldest_visible := greatest(oldest_visible, coalesce(queue_oldest_visible, interval '0'));
  end loop;

  select * into sweep
  from private.cron_jobs_last_run() as job
  where job.jobname = settings.sweep_job_name;

  select coalesce(jsonb_agg(jsonb_build_object(
      'job', job.jobname,
      'failed_at', job.start_time,
      'message', job.return_message
    ) order by job.jobname), '[]')
  into failed_jobs
  from private.cron_jobs_last_run() as job
  where job.active and job.status = 'failed';

  if sweep.jobid is null then
    failing_reasons := failing_reasons || format('the sweep job %s is not scheduled', settings.sweep_job_name);
  else
    sweep_period := private.cron_schedule_period(sweep.schedule);
    since_sweep := checked_at - sweep.start_time;
    if not sweep.active then
      degraded_reasons := degraded_reasons || format('the sweep job %s is inactive', sweep.jobname);
    end if;
    if sweep.start_time is null then
      degraded_reasons := degraded_reasons || 'the sweep has not run yet'::text;
    elsif since_sweep > settings.sweep_failing_after then
      failing_reasons := failing_reasons
        || format('the sweep last started %s s ago', floor(extract(epoch from since_sweep)));
    elsif since_sweep > sweep_period * settings.sweep_late_periods then
      degraded_reasons := degraded_reasons
        || format('the sweep is late: it last started %s s ago, every %s s is expected',
          floor(extract(epoch from since_sweep)), extract(epoch from sweep_period)::integer);
    end if;
  end if;

  if oldest_visible > settings.oldest_message_failing_after then
    failing_reasons := failing_reasons
      || format('a message has waited %s s', floor(extract(epoch from oldest_visible)));
  elsif oldest_visible > settings.oldest_message_degraded_after then
    degraded_reasons := degraded_reasons
      || format('a message has waited %s s', floor(extract(epoch from oldest_visible)));
  end if;

  if dead_letters >= settings.dead_letters_failing_at then
    failing_reasons := failing_reasons || format('%s dead letters are waiting', dead_letters);
  elsif dead_letters >= settings.dead_letters_degraded_at then
    degraded_reasons := degraded_reasons || format('%s dead letters are waiting', dead_letters);
  end if;

  if jsonb_array_length(failed_jobs) > 0 then
    degraded_reasons := degraded_reasons || format('%s cron jobs failed their last run',
      jsonb_array_length(failed_jobs));
  end if;

  return jsonb_build_object(
    'status', case
      when cardinality(failing_reasons) > 0 then 'failing'
      when cardinality(degraded_reasons) > 0 then 'degraded'
      else 'healthy'
    end,
    'reasons', to_jsonb(failing_reasons || degraded_reasons),
    'queues', queues,
    'dead_letters', dead_letters,
    'sweep', jsonb_build_object(
      'job', sweep.jobname,
      'schedule', sweep.schedule,
      'active', sweep.active,
      'period_seconds', extract(epoch from sweep_period)::integer,
      'last_started_at', sweep.start_time,
      'last_status', sweep.status
    ),
    'failed_cron_jobs', failed_jobs
  );
end
$$;
