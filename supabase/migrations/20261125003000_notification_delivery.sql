-- Notification delivery: what the dispatcher (queue-worker, `notifications` queue) does with a
-- notification request (see 20261125000800_notification_requests.sql for the message shape).
--
-- One request is expanded ONCE, in one transaction (private.prepare_notification_delivery):
-- the audience is expanded with set-based SQL and each member's preferences applied (channel,
-- type, quiet hours: private.notification_audience), and the recipients of each channel are cut
-- into chunks stored in private.notification_deliveries, so that every retry delivers exactly
-- the same chunks (with the same OneSignal idempotency keys). A role-wide announcement also goes
-- to the `role:<role>` Realtime topic.
-- The dispatcher then delivers the pending chunks, in parallel:
--   - in_app: private.deliver_in_app_chunk writes the chunk's public.notifications rows (one
--     insert … select) and their `user:<id>` Realtime broadcasts (one private.send_broadcasts
--     call; a role's large audience gets one `inbox` event on `role:<role>` instead, with the
--     last chunk), and marks the chunk sent, in one transaction;
--   - push, email, sms: one OneSignal request each; every attempt is recorded
--     (private.record_notification_attempt).
-- A dispatcher killed at any point loses nothing and duplicates nothing: the expansion either
-- committed or did not, and a chunk is pending until its delivery is recorded.
--
-- Support: private.notification_history(user) answers "was this user notified?".
-- Who may listen to `user:<id>` and `role:<role>` is decided by the Realtime policies of
-- 20261125004020_messaging_realtime.sql.

-- A request as the dispatcher saw it, and how it ended.
create table private.notification_requests (
  request_id uuid primary key,
  type text not null,
  title text not null,
  body text,
  data jsonb not null default '{}',
  audience jsonb not null,
  dedupe_key text,
  recipient_count integer not null default 0,
  in_app_count integer not null default 0,
  chunk_count integer not null default 0,
  -- How the in-app rows are announced over Realtime. Null: one `notification` event per member
  -- on `user:<id>` with the row, in the chunk's transaction. A role's audience with more in-app
  -- recipients than the dispatcher broadcasts to one by one (p_member_broadcasts_max of
  -- prepare_notification_delivery): one `inbox` event on this topic (`role:<role>`), in the
  -- transaction of the last in-app chunk written, when every row is in its inbox.
  inbox_topic text,
  -- In-app chunks not written yet: the one that brings it to 0 sends the `inbox` event.
  in_app_chunks_left integer not null default 0,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  -- Set when the request went to notifications_dlq because a chunk failed permanently.
  dead_lettered_at timestamptz
);
comment on table private.notification_requests is
  'Notification requests expanded by the dispatcher (one per requestId), with their totals.';

-- A chunk of recipients of one channel and its fate. in_app chunks are written by the database;
-- a push, email or SMS chunk is one OneSignal request (external ids = user ids).
--   pending       not delivered yet (never tried, or a transient failure: 429, 5xx, time-out)
--   sent          OneSignal created the notification (invalid_recipients were not reachable)
--   undeliverable OneSignal answered that none of the recipients is subscribed on the channel
--   failed        permanent error (4xx other than 429): not retried
--   skipped       OneSignal is not configured (no credentials): nothing was sent
create table private.notification_deliveries (
  request_id uuid not null references private.notification_requests (request_id) on delete cascade,
  channel text not null
    constraint notification_deliveries_channel_check
    check (channel in ('in_app', 'push', 'email', 'sms')),
  chunk_index integer not null,
  -- Null: at once. Otherwise the end of the recipients' quiet hours (OneSignal's send_after).
  send_after timestamptz,
  recipients uuid[] not null,
  status text not null default 'pending'
    constraint notification_deliveries_status_check
    check (status in ('pending', 'sent', 'undeliverable', 'failed', 'skipped')),
  idempotency_key uuid,
  attempts integer not null default 0,
  provider_notification_id text,
  invalid_recipients uuid[] not null default '{}',
  last_http_status integer,
  last_response jsonb,
  last_error text,
  updated_at timestamptz not null default now(),
  primary key (request_id, channel, chunk_index)
);
comment on table private.notification_deliveries is
  'Chunks of push/email/SMS recipients, one OneSignal request each, with their delivery status.';

-- "Was this user notified?" looks a user up in the recipients of every provider chunk (in-app
-- is answered by public.notifications). A fan-out adds 100,000s of entries at once: they go to
-- the index's pending list, merged into the index by (auto)vacuum, not by the fan-out's
-- transaction (a default 4 MB list fills within one large fan-out and is merged there).
create index notification_deliveries_recipients_idx
  on private.notification_deliveries using gin (recipients)
  with (gin_pending_list_limit = 65536)
  where channel <> 'in_app';
create index notification_deliveries_pending_idx
  on private.notification_deliveries (request_id) where status = 'pending';

-- Every HTTP attempt of every chunk, as OneSignal answered it (or why there was no answer).
create table private.notification_delivery_attempts (
  id bigint generated always as identity primary key,
  request_id uuid not null,
  channel text not null,
  chunk_index integer not null,
  attempted_at timestamptz not null default now(),
  duration_ms integer,
  -- Null when no HTTP answer came (network error, time-out).
  http_status integer,
  outcome text not null
    constraint notification_delivery_attempts_outcome_check
    check (outcome in ('sent', 'undeliverable', 'transient', 'permanent')),
  response jsonb,
  error text,
  foreign key (request_id, channel, chunk_index)
    references private.notification_deliveries (request_id, channel, chunk_index)
    on delete cascade
);
comment on table private.notification_delivery_attempts is
  'Log of every OneSignal request made for a delivery chunk, with the provider''s answer.';
create index notification_delivery_attempts_chunk_idx
  on private.notification_delivery_attempts (request_id, channel, chunk_index);

-- A dedupeKey ("job_match:<job>") reaches each user once, whatever the number of requests that
-- carry it (a job re-analysed after an edit must not alert the same candidates again).
create table private.notification_dedupe_keys (
  dedupe_key text not null,
  user_id uuid not null,
  request_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (dedupe_key, user_id)
);
comment on table private.notification_dedupe_keys is
  'Which users a dedupeKey already reached (across requests).';

-- Only the dispatcher (the project owner, through the database URL) touches these tables.
alter table private.notification_requests enable row level security;
alter table private.notification_deliveries enable row level security;
alter table private.notification_delivery_attempts enable row level security;
alter table private.notification_dedupe_keys enable row level security;
revoke all on table private.notification_requests, private.notification_deliveries,
  private.notification_delivery_attempts, private.notification_dedupe_keys
  from public, anon, authenticated;

-- The in-app row remembers the request it came from (support, and the link to the chunks).
alter table public.notifications add column request_id uuid;
comment on column public.notifications.request_id is
  'The notification request (processingId) that wrote this row, when written by the dispatcher.';

-- The audience of a request with each member's channels, after preferences:
--   audience {userIds: [...]}                         those users (unknown ids are ignored)
--   audience {role, filters: {skills?, location?}}    every member of the role; skills keeps the
--                                                     candidates with at least one of the skills,
--                                                     location those whose candidate or company
--                                                     location contains it (accents and case
--                                                     folded)
-- Type switches: job_alert, message, application, marketing follow the member's opt-ins;
-- moderation and system always go through, and always in-app. Quiet hours (local to the
-- member's time zone, possibly wrapping past midnight) hold push and SMS back until they end
-- (quiet_until); in-app and email are not intrusive and go at once. A member without a
-- preferences row gets the defaults of notification_preferences.
create function private.notification_audience(
  p_type text,
  p_audience jsonb,
  p_at timestamptz default now()
) returns table (
  user_id uuid,
  in_app boolean,
  push boolean,
  email boolean,
  sms boolean,
  quiet_until timestamptz
)
language plpgsql stable security definer
set search_path = ''
-- Planned with this call's audience: the branch it does not use is dropped, the filters are
-- constants (folded once, not once per member) and the estimates are the real ones (an
-- audience of 100,000 joins the preferences by hash, a handful of user ids by index).
set plan_cache_mode = force_custom_plan
as $$
#variable_conflict use_column
declare
  wanted_skills text[] := case when jsonb_typeof(p_audience #> '{filters,skills}') = 'array'
    then private.normalize_skills(array(
      select jsonb_array_elements_text(p_audience #> '{filters,skills}')
    ))
  end;
  wanted_location text :=
    private.fold_text(nullif(btrim(p_audience #>> '{filters,location}'), ''));
  wanted_ids uuid[] := case when p_audience ? 'userIds' then array(
    select distinct element::uuid
    from jsonb_array_elements_text(p_audience -> 'userIds') as element
  ) end;
  wanted_role public.profile_role :=
    case when p_audience ? 'role' then (p_audience ->> 'role')::public.profile_role end;
begin
  return query
  with members as (
    select profile.id
    from public.profiles as profile
    where profile.id = any (wanted_ids)
    union all
    select profile.id
    from public.profiles as profile
    left join public.candidates as candidate on candidate.id = profile.id
    left join public.companies as company on company.id = profile.id
    where profile.role = wanted_role
      and (wanted_skills is null or candidate.skill_keys && wanted_skills)
      and (
        wanted_location is null
        -- Folded when the location was written (a stored column), not once per member here.
        or strpos(
          coalesce(candidate.location_folded, company.location_folded), wanted_location
        ) > 0
      )
  )
  select
    member.id,
    wanted.type_on and (coalesce(preference.in_app_enabled, true) or wanted.always),
    wanted.type_on and coalesce(preference.push_enabled, true),
    wanted.type_on and coalesce(preference.email_enabled, true),
    wanted.type_on and coalesce(preference.sms_enabled, false),
    quiet.until
  from members as member
  left join public.notification_preferences as preference on preference.user_id = member.id
  cross join lateral (
    select
      p_type in ('moderation', 'system') as always,
      case p_type
        when 'job_alert' then coalesce(preference.job_alerts_enabled, true)
        when 'message' then coalesce(preference.messages_enabled, true)
        when 'application' then coalesce(preference.applications_enabled, true)
        when 'marketing' then coalesce(preference.marketing_enabled, false)
        else true
      end as type_on
  ) as wanted
  cross join lateral (
    -- The member's local time is computed only for members with quiet hours (most have none).
    select case
      when preference.quiet_hours_start is null
        or preference.quiet_hours_start = preference.quiet_hours_end then null
      else (
        select case
          when (
            preference.quiet_hours_start < preference.quiet_hours_end
            and clock.local_now::time >= preference.quiet_hours_start
            and clock.local_now::time < preference.quiet_hours_end
          ) or (
            preference.quiet_hours_start > preference.quiet_hours_end
            and (clock.local_now::time >= preference.quiet_hours_start
              or clock.local_now::time < preference.quiet_hours_end)
          ) then (
            clock.local_now::date + preference.quiet_hours_end
            + case when clock.local_now::time >= preference.quiet_hours_end
                then interval '1 day' else interval '0' end
          ) at time zone preference.timezone
        end
        from (select p_at at time zone preference.timezone as local_now) as clock
      )
    end as until
  ) as quiet;
end;
$$;
grant execute on function private.notification_audience(text, jsonb, timestamptz) to service_role;

-- Expands a request once (idempotent: a request already expanded is left as it is) and returns
-- its chunks still to deliver. p_provider_configured false (no OneSignal credentials): push,
-- email and SMS chunks are recorded as skipped; in-app chunks are delivered all the same.
-- p_in_app_lanes: how many in-app chunks the dispatcher writes at once (their count is a
-- multiple of it when there is more than one). p_member_broadcasts_max: above this many in-app
-- recipients, a role's audience hears of its rows by one `inbox` event on `role:<role>` instead
-- of one `notification` per member (null: always one per member; see inbox_topic).
create function private.prepare_notification_delivery(
  p_request jsonb,
  p_provider_chunk_size integer,
  p_in_app_chunk_size integer,
  p_provider_configured boolean,
  p_in_app_lanes integer default 1,
  p_member_broadcasts_max integer default null
) returns setof private.notification_deliveries
language plpgsql security definer
set search_path = ''
-- Cutting 100,000s of recipients into chunks sorts them: in memory, not on disk. The plan is
-- cheap to run but estimated dear (100,000s of rows): compiling it (JIT) would cost more than
-- running it.
set work_mem = '64MB'
set jit = off
as $$
declare
  this_request_id uuid := (p_request ->> 'requestId')::uuid;
  notification_type text := p_request ->> 'type';
  dedupe text := nullif(p_request ->> 'dedupeKey', '');
  role_name text := p_request #>> '{audience,role}';
  not_configured constant text :=
    'OneSignal is not configured (ONESIGNAL_APP_ID / ONESIGNAL_REST_API_KEY unset)';
begin
  if p_provider_chunk_size is null or p_provider_chunk_size < 1
    or p_in_app_chunk_size is null or p_in_app_chunk_size < 1
    or p_in_app_lanes is null or p_in_app_lanes < 1
  then
    raise exception using errcode = '22023',
      message = 'chunk sizes and lanes must be positive';
  end if;

  insert into private.notification_requests (
    request_id, type, title, body, data, audience, dedupe_key
  ) values (
    this_request_id, notification_type, p_request ->> 'title', p_request ->> 'body',
    coalesce(p_request -> 'data', '{}'), p_request -> 'audience', dedupe
  ) on conflict do nothing;

  if found then
    with unreached as materialized (
      select member.*
      from private.notification_audience(notification_type, p_request -> 'audience') as member
      where dedupe is null or not exists (
        select 1 from private.notification_dedupe_keys as reached
        where reached.dedupe_key = dedupe and reached.user_id = member.user_id
      )
    ),
    -- Two requests with one key prepared at once both see a user unreached: the key's row is
    -- what decides, so only the users whose row this request inserted are in its audience.
    remembered as (
      insert into private.notification_dedupe_keys (dedupe_key, user_id, request_id)
      select dedupe, unreached.user_id, this_request_id from unreached where dedupe is not null
      on conflict do nothing
      returning user_id
    ),
    audience as materialized (
      select unreached.* from unreached
      where dedupe is null or unreached.user_id in (select remembered.user_id from remembered)
    ),
    -- Each channel's recipients in user id order (the inbox index leads with user_id: rows
    -- written in that order touch its pages in order), each channel's ids sorted as bare uuids
    -- by its own aggregate, in one pass over the audience for in-app and email (sent at once)
    -- and one per end of quiet hours for push and SMS (their send_after); not one row per
    -- (member, channel) sorted by channel name, which took several times longer.
    -- In-app recipients that need more than one chunk are cut into chunks of even sizes, as many
    -- as a multiple of the p_in_app_lanes the dispatcher writes them with, so that every lane
    -- has the same work to the end (100,000 in chunks of at most 12,500 over 3 lanes: 9 chunks
    -- of 11,112, not 8 of 12,500 with a lane idle for the last one).
    channel_groups as (
      select channel.name, grouped.send_after, channel.members,
        case
          when channel.name <> 'in_app' then p_provider_chunk_size
          when cardinality(channel.members) <= p_in_app_chunk_size then p_in_app_chunk_size
          else ceil(cardinality(channel.members)::numeric / (p_in_app_lanes
            * ceil(cardinality(channel.members)::numeric
              / (p_in_app_lanes * p_in_app_chunk_size))))::integer
        end as size
      from (
        select null::timestamptz as send_after,
          array_agg(user_id order by user_id) filter (where in_app) as in_app,
          array_agg(user_id order by user_id) filter (where email) as email,
          null::uuid[] as push,
          null::uuid[] as sms
        from audience
        union all
        select quiet_until, null, null,
          array_agg(user_id order by user_id) filter (where push),
          array_agg(user_id order by user_id) filter (where sms)
        from audience
        group by quiet_until
      ) as grouped
      cross join lateral (
        values
          ('in_app', grouped.in_app),
          ('push', grouped.push),
          ('email', grouped.email),
          ('sms', grouped.sms)
      ) as channel (name, members)
      where channel.members is not null
    ),
    chunks as (
      select channel_groups.name, channel_groups.send_after, slice,
        channel_groups.members[slice * channel_groups.size + 1:(slice + 1) * channel_groups.size]
          as recipients
      from channel_groups
      cross join lateral generate_series(
        0, (cardinality(channel_groups.members) - 1) / channel_groups.size
      ) as slice
    ),
    stored_chunks as (
      insert into private.notification_deliveries (
        request_id, channel, chunk_index, send_after, recipients, status, last_error
      )
      select this_request_id, chunks.name,
        (row_number() over (partition by chunks.name order by send_after nulls first, slice) - 1)::int,
        chunks.send_after, chunks.recipients,
        case when chunks.name = 'in_app' or p_provider_configured then 'pending' else 'skipped' end,
        case when chunks.name <> 'in_app' and not p_provider_configured then not_configured end
      from chunks
      returning channel, cardinality(recipients) as size
    ),
    stored as (
      select count(*) as chunks,
        count(*) filter (where channel = 'in_app') as in_app_chunks,
        coalesce(sum(size) filter (where channel = 'in_app'), 0) as in_app_recipients
      from stored_chunks
    )
    update private.notification_requests as request
    set recipient_count = (select count(*) from audience),
        chunk_count = stored.chunks,
        in_app_chunks_left = stored.in_app_chunks,
        inbox_topic = case when role_name is not null
          and stored.in_app_recipients > p_member_broadcasts_max then 'role:' || role_name end
    from stored
    where request.request_id = this_request_id;

    -- Everyone of a role, unfiltered: also an announcement on the role's topic.
    if role_name is not null
      and coalesce(p_request #> '{audience,filters}', '{}') in ('{}', 'null')
    then
      perform realtime.send(
        jsonb_build_object(
          'request_id', this_request_id, 'type', notification_type, 'title', p_request ->> 'title',
          'body', p_request ->> 'body', 'data', coalesce(p_request -> 'data', '{}')
        ),
        'announcement',
        'role:' || role_name,
        true
      );
    end if;
  elsif not p_provider_configured then
    -- Credentials removed since the expansion: what was left to send is skipped.
    update private.notification_deliveries as delivery
    set status = 'skipped', last_error = not_configured, updated_at = now()
    where delivery.request_id = this_request_id
      and delivery.channel <> 'in_app'
      and delivery.status = 'pending';
  end if;

  return query
    select * from private.notification_deliveries as delivery
    where delivery.request_id = this_request_id
      and delivery.status = 'pending'
    order by delivery.channel, delivery.chunk_index;
end;
$$;
grant execute on function private.prepare_notification_delivery(
  jsonb, integer, integer, boolean, integer, integer
) to service_role;

-- Many broadcasts in one statement: the set-based counterpart of realtime.send, with its
-- contract. Each (payload, topic) pair becomes one realtime.messages row (extension 'broadcast',
-- the given event and private flag), the payload given an `id` when it has none, as realtime.send
-- does. Like realtime.send it never fails its caller: when the insert fails (on hosted Supabase,
-- today's partition of realtime.messages missing, say) it warns and writes nothing, and the
-- caller's own writes stand. Returns the number of messages written. One statement and one
-- subtransaction for the whole set, where realtime.send costs a PL/pgSQL call and a
-- subtransaction per message (docs/notifications.md). Called by the definer functions that
-- broadcast to many topics at once (the notification fan-out); not granted to any client role.
create function private.send_broadcasts(
  p_payloads jsonb[],
  p_event text,
  p_topics text[],
  p_private boolean default true
) returns integer
language plpgsql
set search_path = ''
as $$
declare
  written integer;
begin
  if cardinality(p_payloads) is distinct from cardinality(p_topics) then
    raise exception using errcode = '22023',
      message = format('%s payloads for %s topics', cardinality(p_payloads),
        cardinality(p_topics));
  end if;
  begin
    insert into realtime.messages (id, topic, extension, event, private, payload)
    select message.id, message.topic, 'broadcast', p_event, p_private,
      case when message.payload ? 'id' then message.payload
        else jsonb_set(message.payload, '{id}', to_jsonb(message.id)) end
    from (
      select gen_random_uuid() as id, pair.payload, pair.topic
      from unnest(p_payloads, p_topics) as pair (payload, topic)
    ) as message;
    get diagnostics written = row_count;
    return written;
  exception
    when others then
      raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
      return 0;
  end;
end;
$$;

-- Delivers one in-app chunk, exactly once: its public.notifications rows and their Realtime
-- broadcasts are written in the transaction that marks the chunk sent (a concurrent or later call
-- finds it sent and does nothing). Two statements whatever the chunk's size: one insert … select
-- of the rows and, for a request announced member by member, one private.send_broadcasts of
-- their `notification` broadcasts to `user:<id>` (which, like realtime.send, cannot fail the
-- rows). A request announced on its role's topic (inbox_topic) writes no broadcast per row: the
-- last of its in-app chunks sends the one `inbox` event there. The chunks' updates of the request
-- row queue on its row lock, so exactly one of them sees no chunk left, whatever their order.
-- Returns the rows written, the Realtime messages written, and how long the rows and the
-- broadcasts took, in milliseconds (the dispatcher's log, bench/notifications' breakdown).
create function private.deliver_in_app_chunk(p_request_id uuid, p_chunk_index integer)
returns table (
  written integer,
  broadcasts integer,
  rows_ms double precision,
  broadcasts_ms double precision
)
language plpgsql security definer
set search_path = ''
as $$
declare
  request private.notification_requests;
  chunk_recipients uuid[];
  per_member boolean;
  rows_written integer;
  topics text[];
  payloads jsonb[];
  chunks_left integer;
  messages integer := 0;
  id_prefix text;
  started timestamptz;
  rows_done timestamptz;
begin
  update private.notification_deliveries as delivery
  set status = 'sent', attempts = delivery.attempts + 1, updated_at = now()
  where delivery.request_id = p_request_id
    and delivery.channel = 'in_app'
    and delivery.chunk_index = p_chunk_index
    and delivery.status = 'pending'
  returning delivery.recipients into chunk_recipients;
  if not found then
    return query select 0, 0, 0::double precision, 0::double precision;
    return;
  end if;
  select * into request
  from private.notification_requests as stored
  where stored.request_id = p_request_id;
  per_member := request.inbox_topic is null;

  started := clock_timestamp();
  -- Only members whose profile exists, read after the lock a profile's deletion waits for (see
  -- public.notifications' member triggers): a member deleted since the expansion gets no row.
  -- The profiles are filtered by the chunk's ids (hashed, or probed in the index when the chunk
  -- is a small part of them), not joined by hashing every profile for each chunk.
  -- The rows' ids share one random prefix per chunk (a version 4 UUID's first 74 random bits)
  -- and end with the row's number: consecutive in the primary key, a chunk's entries fill a few
  -- pages in order instead of one random page each (a third of the row's cost in the index).
  -- Ids are not secrets (row-level security guards the rows).
  perform private.lock_notification_members(false);
  id_prefix := left(gen_random_uuid()::text, 24);
  with in_app as (
    insert into public.notifications (
      id, user_id, type, title, body, data, dedupe_key, request_id
    )
    select (id_prefix || lpad(to_hex(member.n), 12, '0'))::uuid, member.id,
      request.type::public.notification_type, request.title, request.body, request.data,
      request.dedupe_key, request.request_id
    from (
      select profile.id, row_number() over () as n
      from public.profiles as profile
      where profile.id = any (chunk_recipients)
    ) as member
    on conflict (user_id, dedupe_key) where dedupe_key is not null do nothing
    returning id, user_id, type, title, body, data, created_at
  )
  select
    count(*),
    coalesce(array_agg('user:' || in_app.user_id) filter (where per_member), '{}'),
    coalesce(array_agg(jsonb_build_object(
      'id', in_app.id, 'type', in_app.type, 'title', in_app.title, 'body', in_app.body,
      'data', in_app.data, 'created_at', in_app.created_at, 'read_at', null
    )) filter (where per_member), '{}')
  into rows_written, topics, payloads
  from in_app;
  rows_done := clock_timestamp();
  if per_member then
    messages := private.send_broadcasts(payloads, 'notification', topics);
  end if;

  update private.notification_requests as stored
  set in_app_count = stored.in_app_count + rows_written,
      in_app_chunks_left = stored.in_app_chunks_left - 1
  where stored.request_id = p_request_id
  returning stored.in_app_chunks_left into chunks_left;
  if not per_member and chunks_left = 0 then
    perform realtime.send(
      jsonb_build_object(
        'request_id', request.request_id, 'type', request.type, 'title', request.title,
        'body', request.body, 'data', request.data
      ),
      'inbox',
      request.inbox_topic,
      true
    );
    messages := 1;
  end if;
  return query select rows_written, messages,
    (extract(epoch from rows_done - started) * 1000)::double precision,
    (extract(epoch from clock_timestamp() - rows_done) * 1000)::double precision;
end;
$$;
grant execute on function private.deliver_in_app_chunk(uuid, integer) to service_role;

-- Records one OneSignal attempt of a chunk and moves the chunk on: sent / undeliverable /
-- failed (permanent) end it; a transient failure leaves it pending. A chunk already ended (sent
-- by a concurrent dispatcher, say) keeps its status; the attempt is logged all the same.
create function private.record_notification_attempt(
  p_request_id uuid,
  p_channel text,
  p_chunk_index integer,
  p_idempotency_key uuid,
  p_outcome text,
  p_http_status integer,
  p_response jsonb,
  p_error text,
  p_duration_ms integer,
  p_provider_notification_id text default null,
  p_invalid_recipients uuid[] default '{}'
) returns void
language plpgsql security definer
set search_path = ''
as $$
begin
  insert into private.notification_delivery_attempts (
    request_id, channel, chunk_index, duration_ms, http_status, outcome, response, error
  ) values (
    p_request_id, p_channel, p_chunk_index, p_duration_ms, p_http_status, p_outcome, p_response,
    left(p_error, 2000)
  );
  update private.notification_deliveries as delivery
  set attempts = delivery.attempts + 1,
      idempotency_key = p_idempotency_key,
      status = case p_outcome
        when 'sent' then 'sent'
        when 'undeliverable' then 'undeliverable'
        when 'permanent' then 'failed'
        else 'pending'
      end,
      provider_notification_id = coalesce(p_provider_notification_id,
        delivery.provider_notification_id),
      invalid_recipients = coalesce(p_invalid_recipients, '{}'),
      last_http_status = p_http_status,
      last_response = p_response,
      last_error = left(p_error, 2000),
      updated_at = now()
  where delivery.request_id = p_request_id
    and delivery.channel = p_channel
    and delivery.chunk_index = p_chunk_index
    and delivery.status = 'pending';
end;
$$;
grant execute on function private.record_notification_attempt(
  uuid, text, integer, uuid, text, integer, jsonb, text, integer, text, uuid[]
) to service_role;

-- Closes a request once no chunk is pending, and returns its chunks' statuses.
create function private.finish_notification_request(p_request_id uuid)
returns table (pending integer, failed integer, failures jsonb)
language plpgsql security definer
set search_path = ''
as $$
begin
  return query
    with counts as (
      select
        count(*) filter (where status = 'pending')::int as pending,
        count(*) filter (where status = 'failed')::int as failed,
        coalesce(jsonb_agg(jsonb_build_object(
          'channel', channel, 'chunk', chunk_index, 'recipients', cardinality(recipients),
          'http_status', last_http_status, 'error', last_error
        ) order by channel, chunk_index) filter (where status = 'failed'), '[]') as failures
      from private.notification_deliveries
      where request_id = p_request_id
    ),
    closed as (
      update private.notification_requests as request
      set completed_at = coalesce(request.completed_at, now())
      where request.request_id = p_request_id and (select counts.pending from counts) = 0
    )
    select counts.pending, counts.failed, counts.failures from counts;
end;
$$;
grant execute on function private.finish_notification_request(uuid) to service_role;

-- A request with permanently failed chunks goes to notifications_dlq once (with the failed
-- chunks, so that an operator sees what to fix), and leaves the queue, in one transaction.
create function private.dead_letter_notification_request(
  p_request_id uuid,
  p_msg_id bigint,
  p_attempts integer,
  p_message jsonb,
  p_error text,
  p_failures jsonb
) returns boolean
language plpgsql security definer
set search_path = ''
as $$
declare
  first_time boolean;
begin
  update private.notification_requests
  set dead_lettered_at = now()
  where request_id = p_request_id and dead_lettered_at is null;
  first_time := found;
  if first_time then
    perform pgmq.send('notifications_dlq', jsonb_build_object(
      'original_msg_id', p_msg_id,
      'attempts', p_attempts,
      'error', left(p_error, 2000),
      'failed_at', now(),
      'message', p_message,
      'failures', p_failures
    ));
  end if;
  perform pgmq.delete('notifications', p_msg_id);
  return first_time;
end;
$$;
grant execute on function private.dead_letter_notification_request(
  uuid, bigint, integer, jsonb, text, jsonb
) to service_role;

-- Support: "was this user notified?" Every notification the user was a recipient of since
-- p_since, per channel, newest first. status: in_app delivered | read; push/email/sms pending |
-- sent | invalid_recipient (OneSignal knows no subscription of theirs on that channel) |
-- undeliverable | failed | skipped. A channel absent for a request was not used for that user
-- (preferences, or not targeted).
create function private.notification_history(
  p_user_id uuid,
  p_since timestamptz default now() - interval '30 days'
) returns table (
  request_id uuid,
  requested_at timestamptz,
  type text,
  title text,
  channel text,
  status text,
  details jsonb
)
language sql stable security definer
set search_path = ''
as $$
  select delivery.request_id, request.created_at, request.type, request.title, delivery.channel,
    case
      when p_user_id = any (delivery.invalid_recipients) then 'invalid_recipient'
      else delivery.status
    end,
    jsonb_strip_nulls(jsonb_build_object(
      'chunk', delivery.chunk_index,
      'attempts', delivery.attempts,
      'send_after', delivery.send_after,
      'provider_notification_id', delivery.provider_notification_id,
      'idempotency_key', delivery.idempotency_key,
      'http_status', delivery.last_http_status,
      'error', delivery.last_error,
      'updated_at', delivery.updated_at
    ))
  from private.notification_deliveries as delivery
  join private.notification_requests as request on request.request_id = delivery.request_id
  where delivery.channel <> 'in_app'
    and delivery.recipients @> array[p_user_id]
    and request.created_at >= p_since
  union all
  select notification.request_id, notification.created_at, notification.type::text,
    notification.title,
    'in_app',
    case when notification.read_at is null then 'delivered' else 'read' end,
    jsonb_strip_nulls(jsonb_build_object(
      'notification_id', notification.id, 'read_at', notification.read_at
    ))
  from public.notifications as notification
  where notification.user_id = p_user_id and notification.created_at >= p_since
  order by 2 desc, 5;
$$;
grant execute on function private.notification_history(uuid, timestamptz) to service_role;

-- Deliveries of the last p_window per channel and status (for queue-health and dashboards).
create function private.notification_delivery_stats(p_window interval default interval '1 hour')
returns jsonb
language sql stable security definer
set search_path = ''
as $$
  select coalesce(jsonb_object_agg(channel, statuses), '{}')
  from (
    select channel, jsonb_object_agg(status, jsonb_build_object(
      'chunks', chunks, 'recipients', recipients
    )) as statuses
    from (
      select delivery.channel, delivery.status, count(*) as chunks,
        sum(cardinality(delivery.recipients)) as recipients
      from private.notification_deliveries as delivery
      where delivery.updated_at >= now() - p_window
      group by delivery.channel, delivery.status
    ) as counted
    group by channel
  ) as per_channel;
$$;
grant execute on function private.notification_delivery_stats(interval) to service_role;

-- Delivery records are kept 30 days: OneSignal's idempotency keys are valid that long, so older
-- chunks could not be retried safely anyway. Dedupe keys are kept 90 days.
create function private.prune_notification_records() returns void
language sql security definer
set search_path = ''
as $$
  delete from private.notification_requests where created_at < now() - interval '30 days';
  delete from private.notification_dedupe_keys where created_at < now() - interval '90 days';
$$;

select cron.schedule(
  'prune-notification-records', '17 3 * * *', 'select private.prune_notification_records()'
);
