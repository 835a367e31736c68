-- Dead letters can be replayed: an admin or the service role lists the dead letters of a work
-- queue and sends them back to it, all or some by id; every replay is recorded. The processors
-- are idempotent, so replaying work that partly succeeded before does it once.

create table private.dead_letter_replays (
  id bigint generated always as identity primary key,
  queue_name text not null references private.work_queues (queue_name),
  -- the dead letter's id in <queue>_dlq, the failed message's id in <queue>, the new message's id
  dead_letter_msg_id bigint not null,
  original_msg_id bigint,
  replayed_msg_id bigint not null,
  error text,
  -- the admin who replayed it; null for the service role
  replayed_by uuid references auth.users (id) on delete set null,
  replayed_by_role text not null check (replayed_by_role in ('admin', 'service_role')),
  replayed_at timestamptz not null default now()
);
alter table private.dead_letter_replays enable row level security;
create index dead_letter_replays_queue_name_replayed_at_idx
  on private.dead_letter_replays (queue_name, replayed_at);
create index dead_letter_replays_replayed_by_idx on private.dead_letter_replays (replayed_by);
comment on table private.dead_letter_replays is
  'Every dead letter sent back to its queue by public.replay_dead_letters: which, when and by whom.';

-- 'admin' or 'service_role' for the callers allowed to handle dead letters; 42501 for others.
create function private.require_dead_letter_handler(p_rpc text) returns text
language plpgsql stable security definer
set search_path = ''
as $$
begin
  if (select auth.role()) = 'service_role' then
    return 'service_role';
  end if;
  if (select private.is_admin()) then
    return 'admin';
  end if;
  raise exception using
    errcode = '42501', message = format('%s: reserved to admins and the service role', p_rpc);
end
$$;

-- 22023 naming p_queue and the allowed values unless it is a work queue.
create function private.require_work_queue(p_queue text) returns void
language plpgsql stable security definer
set search_path = ''
as $$
begin
  if not exists (select from private.work_queues as queue where queue.queue_name = p_queue) then
    raise exception using
      errcode = '22023',
      message = format(
        'p_queue: %s is not a work queue; one of %s',
        coalesce(p_queue, 'null'),
        (select string_agg(queue.queue_name, ', ' order by queue.queue_name)
         from private.work_queues as queue)
      );
  end if;
end
$$;

-- The dead letters of a work queue, oldest first.
create function public.get_dead_letters(p_queue text, p_limit integer default 100)
returns table (
  msg_id bigint,
  original_msg_id bigint,
  attempts integer,
  error text,
  failed_at timestamptz,
  message jsonb
)
language plpgsql stable security definer
set search_path = ''
as $$
begin
  perform private.require_dead_letter_handler('get_dead_letters');
  perform private.require_work_queue(p_queue);
  if p_limit is null or p_limit not between 1 and 1000 then
    raise exception using errcode = '22023', message = 'p_limit: between 1 and 1000';
  end if;
  return query execute format(
    'select dead_letter.msg_id,
       (dead_letter.message ->> ''original_msg_id'')::bigint,
       (dead_letter.message ->> ''attempts'')::integer,
       dead_letter.message ->> ''error'',
       coalesce((dead_letter.message ->> ''failed_at'')::timestamptz, dead_letter.enqueued_at),
       dead_letter.message -> ''message''
     from pgmq.%I as dead_letter
     order by dead_letter.msg_id
     limit $1',
    'q_' || p_queue || '_dlq'
  ) using p_limit;
end
$$;
comment on function public.get_dead_letters(text, integer) is
  'Admins and the service role: the dead letters of work queue p_queue (at most p_limit), oldest first.';
grant execute on function public.get_dead_letters(text, integer) to authenticated, service_role;

-- Sends the dead letters of p_queue back to it (those of p_msg_ids, their ids in <queue>_dlq, or
-- all when null), rings its doorbell and records each replay. Returns how many went back; ids that
-- are not dead letters of the queue (already replayed, say) are skipped.
create function public.replay_dead_letters(p_queue text, p_msg_ids bigint[] default null)
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  caller_role text := private.require_dead_letter_handler('replay_dead_letters');
  dead_letter_id bigint;
  dead_letter jsonb;
  replayed integer := 0;
begin
  perform private.require_work_queue(p_queue);
  if cardinality(p_msg_ids) > 1000 then
    raise exception using
      errcode = '22023', message = 'p_msg_ids: at most 1000 ids per call (pass null to replay all)';
  end if;
  if array_position(p_msg_ids, null) is not null then
    raise exception using errcode = '22023', message = 'p_msg_ids: ids must not be null';
  end if;

  for dead_letter_id, dead_letter in execute format(
    'delete from pgmq.%I as dead_letter
     where ($1 is null or dead_letter.msg_id = any ($1)) and dead_letter.message ? ''message''
     returning dead_letter.msg_id, dead_letter.message',
    'q_' || p_queue || '_dlq'
  ) using p_msg_ids
  loop
    insert into private.dead_letter_replays (
      queue_name, dead_letter_msg_id, original_msg_id, replayed_msg_id, error, replayed_by,
      replayed_by_role
    ) values (
      p_queue,
      dead_letter_id,
      (dead_letter ->> 'original_msg_id')::bigint,
      private.enqueue(p_queue, dead_letter -> 'message'),
      dead_letter ->> 'error',
      case when caller_role = 'admin' then (select auth.uid()) end,
      caller_role
    );
    replayed := replayed + 1;
  end loop;
  return replayed;
end
$$;
comment on function public.replay_dead_letters(text, bigint[]) is
  'Admins and the service role: sends the dead letters p_msg_ids (all when null) of work queue p_queue back to it; returns how many.';
grant execute on function public.replay_dead_letters(text, bigint[]) to authenticated, service_role;
