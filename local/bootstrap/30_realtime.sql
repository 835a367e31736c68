-- The `realtime` schema as the hosted Realtime service migrates it into a project database:
-- `realtime.messages` (authorization probes + database broadcasts), `realtime.topic()`,
-- `realtime.send()`, `realtime.send_binary()` and `realtime.broadcast_changes()`.
-- Local stand-in only: on hosted Supabase the Realtime service owns these objects.
-- Applied after 10_roles.sql and the auth schema, before product migrations. Idempotent.
--
-- One local-only addition: the `local_announce_message` trigger. Hosted Realtime reads new rows
-- of realtime.messages from a logical replication slot; the local server (local/realtime/) is told
-- about them by NOTIFY instead, which Postgres delivers at commit, in commit order, and never for
-- a rolled-back transaction (such as the authorization probes).

create schema if not exists realtime;
grant usage on schema realtime to postgres, anon, authenticated, service_role;
grant all privileges on schema realtime to supabase_realtime_admin;

-- Partitioned by day of inserted_at, as hosted; the local Realtime server creates the partitions
-- around today and drops the ones older than 72 hours (its janitor job).
create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp not null default now(),
  inserted_at timestamp not null default now(),
  id uuid not null default gen_random_uuid(),
  binary_payload bytea,
  constraint messages_payload_exclusive check (payload is null or binary_payload is null),
  primary key (id, inserted_at)
) partition by range (inserted_at);

create index if not exists messages_inserted_at_topic_index
  on realtime.messages (inserted_at desc, topic)
  where extension = 'broadcast' and private is true;

alter table realtime.messages owner to supabase_realtime_admin;
alter table realtime.messages enable row level security;
grant select, insert, update on realtime.messages to postgres, anon, authenticated, service_role;
grant all privileges on realtime.messages to supabase_realtime_admin;

do $$
declare
  day date;
  partition_name text;
begin
  for day in
    select generate_series(
      (now() at time zone 'utc')::date - 1,
      (now() at time zone 'utc')::date + 3,
      interval '1 day'
    )::date
  loop
    partition_name := 'messages_' || to_char(day, 'YYYY_MM_DD');
    execute format(
      'create table if not exists realtime.%I partition of realtime.messages for values from (%L) to (%L)',
      partition_name, day, day + 1
    );
    execute format('alter table realtime.%I owner to supabase_realtime_admin', partition_name);
  end loop;
end
$$;

-- The channel topic being authorized, for RLS policies on realtime.messages.
create or replace function realtime.topic() returns text
language sql stable
as $$
  select nullif(current_setting('realtime.topic', true), '')::text;
$$;

-- Broadcasts `payload` as `event` to subscribers of `topic`. Adds an `id` to the payload when it
-- has none. Never fails the caller's transaction: an insert refused (e.g. by RLS, since this runs
-- with the caller's rights) is only reported as a warning, as hosted.
create or replace function realtime.send(
  payload jsonb,
  event text,
  topic text,
  private boolean default true
) returns void
language plpgsql
as $$
declare
  message_id uuid := gen_random_uuid();
  message_payload jsonb;
begin
  begin
    if payload ? 'id' then
      message_payload := payload;
    else
      message_payload := jsonb_set(payload, '{id}', to_jsonb(message_id));
    end if;

    execute format('set local realtime.topic to %L', topic);

    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (message_id, message_payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

-- Same as realtime.send for a binary payload (delivered to clients as a binary broadcast).
create or replace function realtime.send_binary(
  payload bytea,
  event text,
  topic text,
  private boolean default true
) returns void
language plpgsql
as $$
declare
  message_id uuid := gen_random_uuid();
begin
  begin
    execute format('set local realtime.topic to %L', topic);

    insert into realtime.messages (id, binary_payload, event, topic, private, extension)
    values (message_id, payload, event, topic, private, 'broadcast');
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

-- Called from a row trigger: broadcasts the change as
-- {operation, table, schema, record, old_record} (+ id) on a private topic.
create or replace function realtime.broadcast_changes(
  topic_name text,
  event_name text,
  operation text,
  table_name text,
  table_schema text,
  new record,
  old record,
  level text default 'ROW'
) returns void
language plpgsql
as $$
declare
  change jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation in ('INSERT', 'UPDATE', 'DELETE') then
    change := jsonb_build_object(
      'old_record', old,
      'record', new,
      'operation', operation,
      'table', table_name,
      'schema', table_schema
    );
    perform realtime.send(change, event_name, topic_name);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
exception
  when others then
    raise exception 'Failed to process the row: %', sqlerrm;
end;
$$;

-- Local only (see the header): tells the local Realtime server which row to deliver.
create or replace function realtime.local_announce_message() returns trigger
language plpgsql
as $$
begin
  perform pg_notify('realtime_local_messages', new.id::text);
  return null;
end;
$$;

comment on function realtime.local_announce_message() is
  'Local stand-in only (not on hosted Supabase): NOTIFYs the local Realtime server of new messages.';

create or replace trigger local_announce_message
  after insert on realtime.messages
  for each row execute function realtime.local_announce_message();

alter function realtime.topic() owner to supabase_realtime_admin;
alter function realtime.send(jsonb, text, text, boolean) owner to supabase_realtime_admin;
alter function realtime.send_binary(bytea, text, text, boolean) owner to supabase_realtime_admin;
alter function realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  owner to supabase_realtime_admin;
alter function realtime.local_announce_message() owner to supabase_realtime_admin;
grant execute on all functions in schema realtime to postgres, anon, authenticated, service_role;

-- The publication hosted projects have for `postgres_changes`: empty until a table is added
-- (`alter publication supabase_realtime add table …`); the local Realtime server streams the
-- changes of its tables (local/realtime/postgres_changes.ts).
do $$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end;
$$;
