-- The in-app inbox (notifications) and each member's delivery preferences. Only the owner reads
-- them; notifications are written by the notification dispatcher (service role), members mark
-- them read (mark_notifications_read) and dismiss them.

create type public.notification_type as enum (
  'job_alert', 'message', 'application', 'moderation', 'marketing', 'system'
);
comment on type public.notification_type is
  'Kinds of notification; members choose per kind which channels they receive (preferences).';

create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  -- A member's profile (public.profiles.id), kept so by the triggers below, not a foreign key.
  user_id uuid not null,
  type public.notification_type not null,
  title text not null
    constraint notifications_title_length check (char_length(btrim(title)) between 1 and 200),
  body text
    constraint notifications_body_length check (char_length(body) <= 2000),
  data jsonb not null default '{}'
    constraint notifications_data_is_object check (jsonb_typeof(data) = 'object'),
  -- Set by the producer (e.g. "job_match:<job>:<candidate>") so that a redelivered event does
  -- not put the same notification twice in the inbox (notifications_dedupe_key_unique).
  dedupe_key text
    constraint notifications_dedupe_key_length check (char_length(dedupe_key) <= 200),
  read_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table public.notifications is
  'In-app inbox. type: job_alert | message | application | moderation | marketing | system.';

-- A fan-out writes 100,000s of rows at once: every index entry is paid per recipient, so the
-- inbox has only what its reads need. The inbox index serves the member's list (newest first,
-- keyset) and, by its leading user_id, their unread count and "mark all read" (a member's rows
-- are few: no separate index on the unread ones). Only rows with a dedupe key can collide, so
-- only they are in the unique index.
create index notifications_inbox_idx on public.notifications (user_id, created_at desc, id desc);
create unique index notifications_dedupe_key_unique on public.notifications (user_id, dedupe_key)
  where dedupe_key is not null;

-- user_id is always a member's profile and a profile's deletion deletes the member's rows, as a
-- foreign key with `on delete cascade` would have it, but without its check of each row: that
-- check looks up and locks the member's profile row once per row, about a third of what a
-- fan-out's rows cost (docs/notifications.md). Instead:
--   - every statement writing rows checks its rows at once, set-based (a hash join with
--     profiles), and refuses a row of no member with the foreign key's error (23503);
--   - deleting profiles deletes their notifications, in the same statement's transaction;
--   - both take one advisory lock, writers shared and deletions exclusive, so that no row is
--     committed for a member whose deletion committed: a deletion waits for the writes in flight
--     (a fan-out chunk lasts under a second) and then deletes their rows; a write that waited for
--     a deletion sees the profile gone. The dispatcher takes the lock before it reads profiles, and
--     writes only the members whose profile it finds.
create function private.lock_notification_members(p_exclusive boolean)
returns void
language plpgsql
set search_path = ''
as $$
begin
  -- The lock's key: public.notifications' own oid, known to this database only.
  if p_exclusive then
    perform pg_advisory_xact_lock('public.notifications'::regclass::oid::bigint);
  else
    perform pg_advisory_xact_lock_shared('public.notifications'::regclass::oid::bigint);
  end if;
end;
$$;

create function private.check_notification_members()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.lock_notification_members(false);
  if exists (
    select 1 from written
    where not exists (select 1 from public.profiles as profile where profile.id = written.user_id)
  ) then
    raise exception using
      errcode = '23503',
      message = 'notifications.user_id must be a member (public.profiles.id)';
  end if;
  return null;
end;
$$;

create trigger notifications_member_exists
  after insert on public.notifications
  referencing new table as written
  for each statement execute function private.check_notification_members();

create function private.refuse_notification_member_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  raise exception using
    errcode = '42501', message = 'notifications.user_id cannot be changed';
end;
$$;

create trigger notifications_member_is_fixed
  before update of user_id on public.notifications
  for each row when (old.user_id is distinct from new.user_id)
  execute function private.refuse_notification_member_change();

create function private.delete_member_notifications()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  perform private.lock_notification_members(true);
  delete from public.notifications as notification
  using deleted
  where notification.user_id = deleted.id;
  return null;
end;
$$;

create trigger profiles_delete_notifications
  after delete on public.profiles
  referencing old table as deleted
  for each statement execute function private.delete_member_notifications();

-- Opt-ins per channel and per type of notification. moderation and system notifications are
-- always delivered in-app. SMS and marketing are opt-in (cost, and French consent rules for
-- commercial messages); the rest is on by default. Quiet hours are local to `timezone`.
create table public.notification_preferences (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  push_enabled boolean not null default true,
  email_enabled boolean not null default true,
  sms_enabled boolean not null default false,
  in_app_enabled boolean not null default true,
  job_alerts_enabled boolean not null default true,
  messages_enabled boolean not null default true,
  applications_enabled boolean not null default true,
  marketing_enabled boolean not null default false,
  quiet_hours_start time,
  quiet_hours_end time,
  timezone text not null default 'Europe/Paris',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint notification_preferences_quiet_hours_complete
    check ((quiet_hours_start is null) = (quiet_hours_end is null))
);
comment on table public.notification_preferences is
  'Per-user delivery preferences (channels, types, quiet hours). Created at sign-up.';
comment on column public.notification_preferences.quiet_hours_start is
  'Start of the quiet period in local time; it may wrap past midnight (22:00 -> 07:00).';

create trigger notification_preferences_set_updated_at
  before update on public.notification_preferences
  for each row execute function private.set_updated_at();

-- A time zone name Postgres does not know would break quiet-hours arithmetic later: refuse it now.
create function private.check_notification_timezone()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  -- pg_timezone_names is slow to scan (it reads the zone files): skip it for the default zone,
  -- which every sign-up inserts.
  if new.timezone = 'Europe/Paris' then
    return new;
  end if;
  if not exists (select 1 from pg_catalog.pg_timezone_names where name = new.timezone) then
    raise exception using
      errcode = '22023',
      message = format('unknown time zone %L (expected an IANA name such as Europe/Paris)',
        new.timezone);
  end if;
  return new;
end;
$$;

create trigger notification_preferences_check_timezone
  before insert or update of timezone on public.notification_preferences
  for each row execute function private.check_notification_timezone();

revoke all on table public.notifications from anon, authenticated;
grant select, delete on table public.notifications to authenticated;
grant update (read_at) on table public.notifications to authenticated;

alter table public.notifications enable row level security;

create policy "Members read their notifications"
  on public.notifications for select
  to authenticated
  using (user_id = (select auth.uid()));

create policy "Members mark their notifications read"
  on public.notifications for update
  to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "Members dismiss their notifications"
  on public.notifications for delete
  to authenticated
  using (user_id = (select auth.uid()));

revoke all on table public.notification_preferences from anon, authenticated;
grant select on table public.notification_preferences to authenticated;
grant insert (
  user_id, push_enabled, email_enabled, sms_enabled, in_app_enabled, job_alerts_enabled,
  messages_enabled, applications_enabled, marketing_enabled, quiet_hours_start, quiet_hours_end,
  timezone
) on table public.notification_preferences to authenticated;
grant update (
  push_enabled, email_enabled, sms_enabled, in_app_enabled, job_alerts_enabled,
  messages_enabled, applications_enabled, marketing_enabled, quiet_hours_start, quiet_hours_end,
  timezone
) on table public.notification_preferences to authenticated;

alter table public.notification_preferences enable row level security;

create policy "Members read their preferences"
  on public.notification_preferences for select
  to authenticated
  using (user_id = (select auth.uid()));

-- The sign-up trigger creates the row; a member may recreate theirs (upsert from the client).
create policy "Members create their preferences"
  on public.notification_preferences for insert
  to authenticated
  with check (user_id = (select auth.uid()));

create policy "Members change their preferences"
  on public.notification_preferences for update
  to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- Marks the signed-in member's notifications read: those of p_ids, or all when p_ids is null.
-- Ids that are not the caller's, or already read, are ignored. Returns how many were marked.
create function public.mark_notifications_read(p_ids uuid[] default null)
returns integer
language plpgsql security invoker
set search_path = ''
as $$
declare
  marked integer;
begin
  if (select auth.uid()) is null then
    raise exception using
      errcode = '42501', message = 'mark_notifications_read: sign in first';
  end if;
  if cardinality(p_ids) > 1000 then
    raise exception using
      errcode = '22023', message = 'p_ids: at most 1000 ids per call (pass null to mark all)';
  end if;
  if array_position(p_ids, null) is not null then
    raise exception using errcode = '22023', message = 'p_ids: ids must not be null';
  end if;
  update public.notifications
  set read_at = now()
  where user_id = (select auth.uid())
    and read_at is null
    and (p_ids is null or id = any (p_ids));
  get diagnostics marked = row_count;
  return marked;
end;
$$;
comment on function public.mark_notifications_read(uuid[]) is
  'Marks the caller''s notifications p_ids (all when null) read; returns how many were marked.';
grant execute on function public.mark_notifications_read(uuid[]) to authenticated, service_role;
