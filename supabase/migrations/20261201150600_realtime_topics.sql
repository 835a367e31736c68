-- Realtime topics that cannot be forged. The database's events of a conversation (messages,
-- edits, deletions, read receipts, participants leaving and joining) go to conversation:<id>,
-- which participants read and nobody else writes: a client broadcast of a fake message_created
-- there is refused. What clients send themselves, typing broadcasts and presence, has its own
-- topic, conversation:<id>:activity, which participants read and write. user:<id> and
-- role:<role> stay read-only for clients. Database broadcasts run as the table owner and need no
-- policy; the service role bypasses RLS.

-- The conversation of an activity topic ('conversation:<uuid>:activity'), or null.
create function private.conversation_id_of_activity_topic(p_topic text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select case
    when p_topic ~
      '^conversation:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:activity$'
      then substr(p_topic, length('conversation:') + 1, 36)::uuid
  end;
$$;
grant execute on function private.conversation_id_of_activity_topic(text)
  to authenticated, service_role;

drop policy "Participants receive their conversation's events and presence" on realtime.messages;
drop policy "Participants broadcast and track presence in their conversation"
  on realtime.messages;

create policy "Participants receive their conversation's events"
  on realtime.messages for select
  to authenticated
  using (
    realtime.messages.extension = 'broadcast'
    and (select private.conversation_id_of_topic((select realtime.topic())))
      in (select private.my_conversation_ids())
  );

create policy "Participants receive their conversation's typing and presence"
  on realtime.messages for select
  to authenticated
  using (
    realtime.messages.extension in ('broadcast', 'presence')
    and (select private.conversation_id_of_activity_topic((select realtime.topic())))
      in (select private.my_conversation_ids())
  );

create policy "Participants send typing and presence in their conversation"
  on realtime.messages for insert
  to authenticated
  with check (
    realtime.messages.extension in ('broadcast', 'presence')
    and (select private.conversation_id_of_activity_topic((select realtime.topic())))
      in (select private.my_conversation_ids())
  );
