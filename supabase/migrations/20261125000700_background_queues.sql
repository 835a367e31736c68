-- Background work: pgmq queues (the source of truth), a pg_net doorbell that wakes the worker at
-- once, and a pg_cron sweep so a lost doorbell costs seconds, never an event.
--
-- Deployment settings live in Vault (never in code):
--   project_url     base URL of the project's API, e.g. https://<ref>.supabase.co
--   webhook_secret  the WEBHOOK_SECRET the Edge Functions expect in x-webhook-secret

create schema if not exists private;
revoke all on schema private from public, anon, authenticated;
grant usage on schema private to service_role;

-- Every work queue has a dead-letter queue `<name>_dlq` for messages whose last attempt failed.
do $$
declare
  queue_name text;
begin
  foreach queue_name in array array[
    'job_matching', 'candidate_matching', 'post_moderation', 'notifications'
  ] loop
    perform pgmq.create(queue_name);
    perform pgmq.create(queue_name || '_dlq');
  end loop;
end
$$;

create table private.work_queues (
  queue_name text primary key,
  description text not null
);
comment on table private.work_queues is 'The queues drained by the queue-worker Edge Function.';
insert into private.work_queues (queue_name, description) values
  ('job_matching', 'A published job to (re)match against candidates'),
  ('candidate_matching', 'A candidate whose profile changed, to match against open jobs'),
  ('post_moderation', 'A new or edited post to moderate'),
  ('notifications', 'A notification to expand to its audience and deliver');

-- The value of a Vault secret, or null when it is not set.
create function private.vault_setting(p_name text) returns text
language sql
stable
security definer
set search_path = ''
as $$
  select decrypted_secret from vault.decrypted_secrets where name = p_name limit 1;
$$;
revoke all on function private.vault_setting(text) from public, anon, authenticated;

-- Rings the queue worker's doorbell: an HTTP request that pg_net sends after commit, at most
-- once per queue per transaction (a transaction-local setting remembers it), so a transaction
-- that enqueues a thousand messages sends one request. Without the Vault settings (a fresh
-- project) it does nothing: the sweep drains the queue once they are set.
create function private.ring_queue_doorbell(p_queue_name text) returns void
language plpgsql
security definer
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
revoke all on function private.ring_queue_doorbell(text) from public, anon, authenticated;

-- Enqueues work in the caller's transaction and rings the doorbell (sent only if it commits).
create function private.enqueue(p_queue_name text, p_message jsonb) returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  message_id bigint;
begin
  select * into message_id from pgmq.send(p_queue_name, p_message);
  perform private.ring_queue_doorbell(p_queue_name);
  return message_id;
end
$$;
revoke all on function private.enqueue(text, jsonb) from public, anon, authenticated;
grant execute on function private.enqueue(text, jsonb) to service_role;

-- The sweep: rings the doorbell of every queue holding visible messages.
create function private.sweep_queues() returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  queue record;
begin
  for queue in
    select w.queue_name
    from private.work_queues w
    cross join lateral pgmq.metrics(w.queue_name) m
    where m.queue_visible_length > 0
  loop
    perform private.ring_queue_doorbell(queue.queue_name);
  end loop;
  perform private.prune_rate_limit_buckets();
end
$$;
revoke all on function private.sweep_queues() from public, anon, authenticated;

-- The sweep runs every 5 seconds. pg_cron >= 1.5 (hosted Supabase) schedules that directly.
-- Debian's pg_cron 1.4 knows only cron expressions (one minute at best), so there the sweep is
-- twelve minutely jobs, each sleeping a different multiple of 5 seconds before it sweeps: the same
-- cadence, each sweep in its own transaction so its doorbells leave at once. (A looping procedure
-- would need COMMIT, which Postgres forbids in a function with a fixed search_path.)
do $$
declare
  sweep_seconds constant integer := 5;
  cron_version text := (select extversion from pg_extension where extname = 'pg_cron');
  slot integer;
begin
  if string_to_array(split_part(cron_version, '-', 1), '.')::int[] >= array[1, 5] then
    perform cron.schedule('sweep-queues', sweep_seconds || ' seconds', 'select private.sweep_queues()');
  else
    for slot in 0 .. 60 / sweep_seconds - 1 loop
      perform cron.schedule(
        format('sweep-queues-%s', slot),
        '* * * * *',
        format('select pg_sleep(%s); select private.sweep_queues()', slot * sweep_seconds)
      );
    end loop;
  end if;
end
$$;

-- Queue health for the queue-health Edge Function, derived from pgmq's own counters:
-- waiting = visible now, active = read and still invisible (in flight or backing off),
-- failed = in the dead-letter queue, completed = every message ever sent minus the other three.
create function private.queue_health() returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object(
    'queues', (
      select jsonb_object_agg(w.queue_name, jsonb_build_object(
        'waiting', m.queue_visible_length,
        'active', m.queue_length - m.queue_visible_length,
        'completed', greatest(0, m.total_messages - m.queue_length - d.total_messages),
        'failed', d.queue_length
      ) order by w.queue_name)
      from private.work_queues w
      cross join lateral pgmq.metrics(w.queue_name) m
      cross join lateral pgmq.metrics(w.queue_name || '_dlq') d
    ),
    'cron', (
      select coalesce(jsonb_agg(jsonb_build_object(
        'job', j.jobname,
        'schedule', j.schedule,
        'active', j.active,
        'last_status', r.status,
        'last_started_at', r.start_time
      ) order by j.jobname), '[]'::jsonb)
      from cron.job j
      left join lateral (
        select status, start_time from cron.job_run_details d
        where d.jobid = j.jobid order by d.runid desc limit 1
      ) r on true
    )
  );
$$;
revoke all on function private.queue_health() from public, anon, authenticated;
