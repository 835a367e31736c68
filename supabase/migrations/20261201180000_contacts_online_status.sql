-- Online status scoped to a member's contacts (docs/messaging.md, docs/capacity.md).
--
-- The global `online` Presence topic is retired: every join or leave there reached every member
-- online (traffic growing as N² with N members online) and let anyone list everyone online. Now
-- the presence heartbeat, which already decides offline pushes, is the source of truth: when a
-- member comes online or goes offline, the database tells their connected contacts on their own
-- `user:<id>` topics (event `contact_presence`), so the cost of a change is proportional to the
-- contacts who are online, and a member learns the status of their contacts only.
--
-- Contacts of a member: the people they currently share a conversation with and, for a company,
-- the candidates who applied to its offers (application not withdrawn).

drop policy "Members see who is online" on realtime.messages;
drop policy "Members track their presence online" on realtime.messages;

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
language plpgsql
volatile
security definer
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

-- The heartbeat, now also announcing transitions: a beat from a member who was not connected
-- (no row, or a row older than the 60 s window) announces them online; going to the background
-- or signing out announces them offline.
create or replace function public.presence_heartbeat(p_online boolean default true)
returns void
language plpgsql
volatile
security definer
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

-- Members whose heartbeat stopped (closed tab, lost network) go offline here: rows older than the
-- 60 s window are removed and announced, by the cron job below.
create function private.expire_presence()
returns integer
language plpgsql
volatile
security definer
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
language sql
stable
security definer
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
