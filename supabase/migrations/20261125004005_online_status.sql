-- Messaging: who is connected right now, and the online status of contacts
-- (docs/messaging.md, "Online status" and "Connected or not").
--
-- Realtime Presence lives in the Realtime servers' memory, which the database cannot ask. So a
-- connected client calls presence_heartbeat() every 25 s; a member whose last heartbeat is less
-- than 60 s old counts as connected, is not sent push notifications for new messages, and is shown
-- online to their contacts. A member sees the status of their contacts only (the people they
-- converse with; for a company, its applicants), announced on their own `user:<id>` topic as
-- `contact_presence` when it changes: the cost of a change is proportional to the contacts online,
-- not to everyone online (there is no global `online` topic: with N members online its traffic
-- grew as N², and it let anyone list everyone online).

-- Unlogged: ephemeral state rewritten all the time; after a crash everybody simply counts as
-- offline (a push too many).
create unlogged table private.user_presence (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  last_seen_at timestamptz not null
);
comment on table private.user_presence is
  'Last presence heartbeat of each connected member (presence_heartbeat); ephemeral.';

-- Connected = a heartbeat in the last 60 s (two missed 25 s beats are tolerated).
create function private.is_connected(p_user_id uuid)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select 1 from private.user_presence
    where user_id = p_user_id and last_seen_at > now() - interval '60 seconds'
  );
$$;

-- Who may see whose online status (watcher → member): the two current participants of a
-- conversation see each other; a company sees the candidates who applied to its offers.
create view private.presence_links as
select mine.user_id as watcher_id, other.user_id as member_id
from public.conversation_participants as mine
join public.conversation_participants as other
  on other.conversation_id = mine.conversation_id
  and other.user_id <> mine.user_id
  and other.left_at is null
where mine.left_at is null
union
select job.company_id as watcher_id, application.candidate_id as member_id
from public.job_applications as application
join public.jobs as job on job.id = application.job_id
where application.status <> 'withdrawn';
comment on view private.presence_links is
  'Who may see whose online status: conversation partners both ways, a company its applicants.';

-- Tells the connected watchers of p_user_ids that these came online or went offline: one
-- `contact_presence` broadcast per (watcher, member) pair, on the watcher's user topic. Returns
-- how many were sent.
create function private.announce_presence(p_user_ids uuid[], p_online boolean)
returns integer
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  sent integer;
begin
  perform realtime.send(
    jsonb_build_object('user_id', link.member_id, 'online', p_online, 'at', now()),
    'contact_presence',
    'user:' || link.watcher_id::text,
    true
  )
  from private.presence_links as link
  where link.member_id = any(p_user_ids) and private.is_connected(link.watcher_id);
  get diagnostics sent = row_count;
  return sent;
end;
$$;

-- Heartbeat of a connected client; p_online = false when the app goes to the background or signs
-- out, so that pushes resume at once and contacts see the member offline. A beat from a member
-- who was not connected announces them online. Several tabs or devices beating together write at
-- most once per 5 s.
create function public.presence_heartbeat(p_online boolean default true)
returns void
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_signed_in('presence_heartbeat');
  was_connected boolean := private.is_connected(caller);
begin
  if coalesce(p_online, true) then
    insert into private.user_presence as presence (user_id, last_seen_at)
    values (caller, now())
    on conflict (user_id) do update
      set last_seen_at = excluded.last_seen_at
      where presence.last_seen_at < excluded.last_seen_at - interval '5 seconds';
    if not was_connected then
      perform private.announce_presence(array[caller], true);
    end if;
  else
    delete from private.user_presence where user_id = caller;
    if was_connected then
      perform private.announce_presence(array[caller], false);
    end if;
  end if;
end;
$$;
comment on function public.presence_heartbeat(boolean) is
  'Call every 25 s while the app is in the foreground (false when leaving it): connected members '
  'get no push for new messages and are shown online to their contacts.';
grant execute on function public.presence_heartbeat(boolean) to authenticated, service_role;

-- Members whose heartbeat stopped (closed tab, lost network) go offline here: rows older than the
-- 60 s window are removed and announced, by the cron job below.
create function private.expire_presence()
returns integer
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  expired uuid[];
begin
  with gone as (
    delete from private.user_presence as presence
    where presence.last_seen_at <= now() - interval '60 seconds'
    returning presence.user_id
  )
  select array_agg(gone.user_id) into expired from gone;
  if expired is null then
    return 0;
  end if;
  perform private.announce_presence(expired, false);
  return cardinality(expired);
end;
$$;

select cron.schedule('expire-presence', '10 seconds', 'select private.expire_presence()');

-- The online status of the signed-in member's contacts, to draw the first screen; later changes
-- arrive as `contact_presence` events on the member's user topic.
create function public.get_contacts_presence()
returns table (user_id uuid, online boolean)
language sql stable security definer
set search_path = ''
as $$
  select link.member_id, private.is_connected(link.member_id)
  from private.presence_links as link
  where link.watcher_id = (select auth.uid());
$$;
comment on function public.get_contacts_presence() is
  'Online status of the signed-in member''s contacts (conversation partners; a company''s '
  'applicants). Changes arrive as contact_presence events on user:<id>.';
grant execute on function public.get_contacts_presence() to authenticated, service_role;
