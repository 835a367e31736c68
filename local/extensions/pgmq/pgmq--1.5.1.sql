-- Local stand-in for pgmq 1.5.1, written in plain SQL and PL/pgSQL.
--
-- Product code talks to it exactly as to the real extension on hosted Supabase: the same
-- schema (pgmq), tables (pgmq.meta, pgmq.q_<queue>, pgmq.a_<queue>), composite types and
-- function signatures. Each queue is a table; a message is a row whose `vt` (visibility
-- timeout) says when it may be read again. Readers claim rows with FOR UPDATE SKIP LOCKED,
-- so concurrent readers never receive the same message.
--
-- Every queue table name is derived from a validated queue name and spliced into SQL with
-- format('%I'); every value travels as a bind parameter (EXECUTE ... USING).

\echo Use "CREATE EXTENSION pgmq" to load this file. \quit

------------------------------------------------------------------------------------------
-- Catalog and types
------------------------------------------------------------------------------------------

-- One row per queue.
create table pgmq.meta (
  queue_name varchar unique not null,
  is_partitioned boolean not null,
  is_unlogged boolean not null,
  created_at timestamptz not null default now()
);

-- A message as returned by read, read_with_poll, pop and set_vt.
create type pgmq.message_record as (
  msg_id bigint,
  read_ct integer,
  enqueued_at timestamptz,
  vt timestamptz,
  message jsonb,
  headers jsonb
);

-- A row of pgmq.meta, as returned by list_queues.
create type pgmq.queue_record as (
  queue_name varchar,
  is_partitioned boolean,
  is_unlogged boolean,
  created_at timestamptz
);

-- Returned by metrics and metrics_all.
create type pgmq.metrics_result as (
  queue_name text,
  queue_length bigint,
  newest_msg_age_sec integer,
  oldest_msg_age_sec integer,
  total_messages bigint,
  scrape_time timestamptz,
  queue_visible_length bigint
);

------------------------------------------------------------------------------------------
-- Queue names
------------------------------------------------------------------------------------------

-- Refuses names that could not safely become part of a table name. Like pgmq, at most 47
-- characters (so "q_<name>_msg_id_seq" and friends fit Postgres's 63-byte identifiers).
-- Only lower-case letters, digits and underscores: stricter than pgmq (which only refuses
-- $, ;, -- and ', and folds case), so a name accepted here is accepted on hosted Supabase
-- and two names never share a table.
create function pgmq.validate_queue_name(queue_name text)
returns void
language plpgsql
immutable
as $$
begin
  if queue_name is null or queue_name = '' then
    raise exception 'queue name must not be empty';
  end if;
  if length(queue_name) > 47 then
    raise exception 'queue name % is too long: the maximum length is 47 characters',
      quote_literal(left(queue_name, 60) || '...');
  end if;
  if queue_name !~ '^[a-z0-9_]+$' then
    raise exception 'queue name % contains invalid characters', quote_literal(queue_name)
      using hint = 'Use only lower-case letters, digits and underscores.';
  end if;
end;
$$;

-- Name of a queue's table: 'q' = messages waiting or in flight, 'a' = archive.
create function pgmq.format_table_name(queue_name text, prefix text)
returns text
language plpgsql
immutable
as $$
begin
  perform pgmq.validate_queue_name(queue_name);
  return prefix || '_' || queue_name;
end;
$$;

------------------------------------------------------------------------------------------
-- Internal helpers
------------------------------------------------------------------------------------------

create function pgmq._belongs_to_pgmq(relation regclass)
returns boolean
language sql
stable
as $$
  select exists (
    select
    from pg_depend
    where classid = 'pg_class'::regclass
      and objid = relation
      and refclassid = 'pg_extension'::regclass
      and refobjid = (select oid from pg_extension where extname = 'pgmq')
      and deptype = 'e'
  );
$$;

-- Like the real pgmq, queue tables become members of the extension (so schema diffs and
-- dumps treat them as the extension's). Hosted Supabase later detaches them for its logical
-- backups, so dropping a queue must cope with tables that are no longer members.
create function pgmq._set_extension_member(relation regclass, is_member boolean)
returns void
language plpgsql
as $$
begin
  if relation is not null and pgmq._belongs_to_pgmq(relation) <> is_member then
    execute format(
      'alter extension pgmq %s %s %s',
      case when is_member then 'add' else 'drop' end,
      case when (select relkind from pg_class where oid = relation) = 'S'
        then 'sequence' else 'table' end,
      relation
    );
  end if;
end;
$$;

-- pgmq grants pg_monitor read access to its tables and nothing else: the queues are for their
-- owner (and superusers). Like on hosted Supabase, other roles get only what a migration grants.
create function pgmq._grant_queue_access(relations regclass[])
returns void
language plpgsql
as $$
declare
  relation regclass;
begin
  foreach relation in array relations loop
    execute format('grant select on %s to pg_monitor', relation);
  end loop;
end;
$$;

-- Idempotent. Its "already exists, skipping" notices are silenced: creating a queue that
-- exists is the normal case in migrations.
create function pgmq._create_queue(queue_name text, is_unlogged boolean)
returns void
language plpgsql
set client_min_messages = warning
as $$
declare
  queue_table text := pgmq.format_table_name(queue_name, 'q');
  archive_table text := pgmq.format_table_name(queue_name, 'a');
  queue_relation regclass;
  queue_sequence regclass;
  archive_relation regclass;
begin
  execute format(
    'create %s table if not exists pgmq.%I (
       msg_id bigint primary key generated always as identity,
       read_ct integer not null default 0,
       enqueued_at timestamptz not null default now(),
       vt timestamptz not null,
       message jsonb,
       headers jsonb
     )',
    case when is_unlogged then 'unlogged' else '' end,
    queue_table
  );
  -- Archived messages are kept (logged) even for an unlogged queue.
  execute format(
    'create table if not exists pgmq.%I (
       msg_id bigint primary key,
       read_ct integer not null default 0,
       enqueued_at timestamptz not null default now(),
       archived_at timestamptz not null default now(),
       vt timestamptz not null,
       message jsonb,
       headers jsonb
     )',
    archive_table
  );
  execute format(
    'create index if not exists %I on pgmq.%I (vt)', queue_table || '_vt_idx', queue_table
  );
  execute format(
    'create index if not exists %I on pgmq.%I (archived_at)',
    'archived_at_idx_' || queue_name,
    archive_table
  );

  queue_relation := format('pgmq.%I', queue_table)::regclass;
  queue_sequence := pg_get_serial_sequence(queue_relation::text, 'msg_id')::regclass;
  archive_relation := format('pgmq.%I', archive_table)::regclass;
  perform pgmq._set_extension_member(queue_relation, true);
  perform pgmq._set_extension_member(queue_sequence, true);
  perform pgmq._set_extension_member(archive_relation, true);
  perform pgmq._grant_queue_access(array[queue_relation, queue_sequence, archive_relation]);

  insert into pgmq.meta (queue_name, is_partitioned, is_unlogged)
  values (_create_queue.queue_name, false, _create_queue.is_unlogged)
  on conflict do nothing;
end;
$$;

------------------------------------------------------------------------------------------
-- Creating and dropping queues
------------------------------------------------------------------------------------------

-- Creates the queue if it does not exist yet (calling it twice is harmless).
create function pgmq.create(queue_name text)
returns void
language sql
as $$
  select pgmq._create_queue(queue_name, false);
$$;

create function pgmq.create_non_partitioned(queue_name text)
returns void
language sql
as $$
  select pgmq._create_queue(queue_name, false);
$$;

-- Faster, but its messages are lost if Postgres crashes.
create function pgmq.create_unlogged(queue_name text)
returns void
language sql
as $$
  select pgmq._create_queue(queue_name, true);
$$;

-- Partitioned queues need pg_partman, which the local platform does not provide.
create function pgmq.create_partitioned(
  queue_name text,
  partition_interval text default '10000',
  retention_interval text default '100000'
)
returns void
language plpgsql
as $$
begin
  raise exception 'cannot create queue %: partitioned queues need pg_partman, which the local '
    'pgmq stand-in does not provide', quote_literal(queue_name)
    using errcode = 'feature_not_supported',
      hint = 'Use pgmq.create(queue_name) instead.';
end;
$$;

-- Drops the queue, its archive and its pgmq.meta row; returns true. Like pgmq 1.5.1, an unknown
-- queue is an error (its first step, detaching the queue table from the extension, fails).
create function pgmq.drop_queue(queue_name text)
returns boolean
language plpgsql
as $$
declare
  queue_table text := format('pgmq.%I', pgmq.format_table_name(queue_name, 'q'));
  archive_table text := format('pgmq.%I', pgmq.format_table_name(queue_name, 'a'));
  queue_relation regclass := to_regclass(queue_table);
  archive_relation regclass := to_regclass(archive_table);
begin
  if queue_relation is null then
    raise exception 'relation "%" does not exist', queue_table using errcode = 'undefined_table';
  end if;
  perform pgmq._set_extension_member(queue_relation, false);
  perform pgmq._set_extension_member(
    pg_get_serial_sequence(queue_relation::text, 'msg_id')::regclass, false
  );
  execute format('drop table %s', queue_relation);
  if archive_relation is not null then
    perform pgmq._set_extension_member(archive_relation, false);
    execute format('drop table %s', archive_relation);
  end if;
  delete from pgmq.meta where meta.queue_name = drop_queue.queue_name;
  return true;
end;
$$;

-- Deletes every message still in the queue (not the archive); returns how many there were.
-- The real pgmq truncates; a delete gives the same result without an exclusive lock.
create function pgmq.purge_queue(queue_name text)
returns bigint
language plpgsql
as $$
declare
  purged bigint;
begin
  execute format('delete from pgmq.%I', pgmq.format_table_name(queue_name, 'q'));
  get diagnostics purged = row_count;
  return purged;
end;
$$;

------------------------------------------------------------------------------------------
-- Sending
------------------------------------------------------------------------------------------

-- The one implementation of send: the message becomes readable at `delay`.
create function pgmq.send(queue_name text, msg jsonb, headers jsonb, delay timestamptz)
returns setof bigint
language plpgsql
as $$
begin
  return query execute format(
    'insert into pgmq.%I (vt, message, headers) values ($1, $2, $3) returning msg_id',
    pgmq.format_table_name(queue_name, 'q')
  ) using delay, msg, headers;
end;
$$;

create function pgmq.send(queue_name text, msg jsonb)
returns setof bigint
language sql
as $$
  select * from pgmq.send(queue_name, msg, null, clock_timestamp());
$$;

create function pgmq.send(queue_name text, msg jsonb, headers jsonb)
returns setof bigint
language sql
as $$
  select * from pgmq.send(queue_name, msg, headers, clock_timestamp());
$$;

-- `delay` in seconds.
create function pgmq.send(queue_name text, msg jsonb, delay integer)
returns setof bigint
language sql
as $$
  select * from pgmq.send(queue_name, msg, null, clock_timestamp() + make_interval(secs => delay));
$$;

create function pgmq.send(queue_name text, msg jsonb, delay timestamptz)
returns setof bigint
language sql
as $$
  select * from pgmq.send(queue_name, msg, null, delay);
$$;

create function pgmq.send(queue_name text, msg jsonb, headers jsonb, delay integer)
returns setof bigint
language sql
as $$
  select * from pgmq.send(
    queue_name, msg, headers, clock_timestamp() + make_interval(secs => delay)
  );
$$;

-- The one implementation of send_batch: message ids follow the order of `msgs`; headers[i]
-- goes with msgs[i].
create function pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[], delay timestamptz)
returns setof bigint
language plpgsql
as $$
begin
  if headers is not null and cardinality(headers) <> cardinality(msgs) then
    raise exception 'send_batch got % messages but % headers',
      cardinality(msgs), cardinality(headers);
  end if;
  return query execute format(
    'with inserted as (
       insert into pgmq.%I (vt, message, headers)
       select $1, batch.message, batch.headers
       from unnest($2, $3) with ordinality as batch (message, headers, position)
       order by batch.position
       returning msg_id
     )
     select msg_id from inserted order by msg_id',
    pgmq.format_table_name(queue_name, 'q')
  ) using delay, msgs, headers;
end;
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[])
returns setof bigint
language sql
as $$
  select * from pgmq.send_batch(queue_name, msgs, null, clock_timestamp());
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[])
returns setof bigint
language sql
as $$
  select * from pgmq.send_batch(queue_name, msgs, headers, clock_timestamp());
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer)
returns setof bigint
language sql
as $$
  select * from pgmq.send_batch(
    queue_name, msgs, null, clock_timestamp() + make_interval(secs => delay)
  );
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], delay timestamptz)
returns setof bigint
language sql
as $$
  select * from pgmq.send_batch(queue_name, msgs, null, delay);
$$;

create function pgmq.send_batch(queue_name text, msgs jsonb[], headers jsonb[], delay integer)
returns setof bigint
language sql
as $$
  select * from pgmq.send_batch(
    queue_name, msgs, headers, clock_timestamp() + make_interval(secs => delay)
  );
$$;

------------------------------------------------------------------------------------------
-- Reading
------------------------------------------------------------------------------------------

-- Claims up to `qty` visible messages, oldest first, and hides them for `vt` seconds: unless
-- deleted or archived by then, they are delivered again with read_ct one higher.
-- `conditional` keeps only messages whose body contains it (jsonb @>).
create function pgmq.read(queue_name text, vt integer, qty integer, conditional jsonb default '{}')
returns setof pgmq.message_record
language plpgsql
as $$
begin
  return query execute format(
    'with visible as (
       select msg_id
       from pgmq.%1$I
       where vt <= clock_timestamp()
         and ($3 is null or $3 = ''{}''::jsonb or message @> $3)
       order by msg_id
       limit $1
       for update skip locked
     ),
     claimed as (
       update pgmq.%1$I as queued
       set vt = clock_timestamp() + make_interval(secs => $2),
           read_ct = queued.read_ct + 1
       from visible
       where queued.msg_id = visible.msg_id
       returning queued.msg_id, queued.read_ct, queued.enqueued_at, queued.vt,
                 queued.message, queued.headers
     )
     select * from claimed order by msg_id',
    pgmq.format_table_name(queue_name, 'q')
  ) using qty, vt, conditional;
end;
$$;

-- Like read, but when the queue is empty keeps trying every `poll_interval_ms` for up to
-- `max_poll_seconds` before returning nothing.
create function pgmq.read_with_poll(
  queue_name text,
  vt integer,
  qty integer,
  max_poll_seconds integer default 5,
  poll_interval_ms integer default 100,
  conditional jsonb default '{}'
)
returns setof pgmq.message_record
language plpgsql
as $$
declare
  give_up_at timestamptz := clock_timestamp() + make_interval(secs => max_poll_seconds);
begin
  loop
    return query
      select * from pgmq.read(
        read_with_poll.queue_name, read_with_poll.vt, read_with_poll.qty, read_with_poll.conditional
      );
    if found or clock_timestamp() >= give_up_at then
      return;
    end if;
    perform pg_sleep(poll_interval_ms / 1000.0);
  end loop;
end;
$$;

-- Reads and deletes the oldest visible message in one step (at-most-once delivery).
create function pgmq.pop(queue_name text)
returns setof pgmq.message_record
language plpgsql
as $$
begin
  return query execute format(
    'with next_message as (
       select msg_id
       from pgmq.%1$I
       where vt <= clock_timestamp()
       order by msg_id
       limit 1
       for update skip locked
     )
     delete from pgmq.%1$I as queued
     using next_message
     where queued.msg_id = next_message.msg_id
     returning queued.msg_id, queued.read_ct, queued.enqueued_at, queued.vt,
               queued.message, queued.headers',
    pgmq.format_table_name(queue_name, 'q')
  );
end;
$$;

-- Makes a message visible again in `vt` seconds from now (0 = at once); returns it, or no
-- row if there is no such message.
create function pgmq.set_vt(queue_name text, msg_id bigint, vt integer)
returns setof pgmq.message_record
language plpgsql
as $$
begin
  return query execute format(
    'update pgmq.%I
     set vt = clock_timestamp() + make_interval(secs => $2)
     where msg_id = $1
     returning msg_id, read_ct, enqueued_at, vt, message, headers',
    pgmq.format_table_name(queue_name, 'q')
  ) using msg_id, vt;
end;
$$;

------------------------------------------------------------------------------------------
-- Finishing with messages
------------------------------------------------------------------------------------------

-- Deletes the given messages; returns the ids that existed.
create function pgmq.delete(queue_name text, msg_ids bigint[])
returns setof bigint
language plpgsql
as $$
begin
  return query execute format(
    'delete from pgmq.%I where msg_id = any($1) returning msg_id',
    pgmq.format_table_name(queue_name, 'q')
  ) using msg_ids;
end;
$$;

-- True when the message existed.
create function pgmq.delete(queue_name text, msg_id bigint)
returns boolean
language sql
as $$
  select exists (select from pgmq.delete(queue_name, array[msg_id]));
$$;

-- Moves the given messages to the queue's archive table; returns the ids that existed.
create function pgmq.archive(queue_name text, msg_ids bigint[])
returns setof bigint
language plpgsql
as $$
begin
  return query execute format(
    'with moved as (
       delete from pgmq.%I
       where msg_id = any($1)
       returning msg_id, read_ct, enqueued_at, vt, message, headers
     )
     insert into pgmq.%I (msg_id, read_ct, enqueued_at, vt, message, headers)
     select msg_id, read_ct, enqueued_at, vt, message, headers from moved
     returning msg_id',
    pgmq.format_table_name(queue_name, 'q'),
    pgmq.format_table_name(queue_name, 'a')
  ) using msg_ids;
end;
$$;

-- True when the message existed.
create function pgmq.archive(queue_name text, msg_id bigint)
returns boolean
language sql
as $$
  select exists (select from pgmq.archive(queue_name, array[msg_id]));
$$;

------------------------------------------------------------------------------------------
-- Observing queues
------------------------------------------------------------------------------------------

-- Like pgmq, ages and visibility are measured at now() (the start of the transaction), and
-- total_messages is the number of messages ever sent (the msg_id sequence).
create function pgmq.metrics(queue_name text)
returns pgmq.metrics_result
language plpgsql
as $$
declare
  queue_table text := format('pgmq.%I', pgmq.format_table_name(queue_name, 'q'));
  result pgmq.metrics_result;
begin
  execute format(
    'select
       $1,
       count(*),
       extract(epoch from now() - max(enqueued_at))::integer,
       extract(epoch from now() - min(enqueued_at))::integer,
       (select case when is_called then last_value else 0 end from %s),
       now(),
       count(*) filter (where vt <= now())
     from %s',
    pg_get_serial_sequence(queue_table, 'msg_id'),
    queue_table
  ) into result using queue_name;
  return result;
end;
$$;

create function pgmq.metrics_all()
returns setof pgmq.metrics_result
language sql
as $$
  select queue_metrics.*
  from pgmq.meta
  cross join lateral pgmq.metrics(meta.queue_name) as queue_metrics
  order by meta.queue_name;
$$;

create function pgmq.list_queues()
returns setof pgmq.queue_record
language sql
as $$
  select queue_name, is_partitioned, is_unlogged, created_at
  from pgmq.meta
  order by queue_name;
$$;

------------------------------------------------------------------------------------------
-- Privileges
------------------------------------------------------------------------------------------

-- Who may use the schema at all; each queue's tables are granted by pgmq.create.
grant usage on schema pgmq to pg_monitor;
select pgmq._grant_queue_access(array['pgmq.meta'::regclass]);
