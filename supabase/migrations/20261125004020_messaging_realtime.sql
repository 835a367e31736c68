-- Messaging, part 3: Realtime (docs/messaging.md).
--   * Triggers tell a conversation's private topic `conversation:<id>` what happens in it:
--     message_created / message_edited / message_deleted, read_receipt, participant_left /
--     participant_joined (realtime.send). The message events carry ids and times, never a body:
--     a client reads the message through row-level security (current participants only), so a
--     channel that stays open after its member left (Realtime authorizes a channel when it joins
--     and when its token changes, not per event) delivers no content, and no stored broadcast
--     holds a body that an edit or a deletion would have to erase.
--   * A new message reaches each other participant who is connected as `message_received` on
--     their topic `user:<id>` (to refresh the conversation list), and each one who is not as a
--     push notification (private.request_notification), collapsed per conversation.
--   * RLS policies on realtime.messages decide who joins, receives, broadcasts and tracks
--     presence on the private topics: conversation:<id> (the database's events: participants
--     read, nobody writes, so a client's fake message_created is refused),
--     conversation:<id>:activity (typing broadcasts and presence: participants read and write),
--     user:<id> and role:<role> (read-only).

-- The conversation of a topic `conversation:<uuid>` followed by p_suffix (lower-case, as ids are
-- printed), else null: p_suffix '' for the database's events, ':activity' for what clients send.
create function private.conversation_id_of_topic(p_topic text, p_suffix text default '')
returns uuid
language sql immutable
set search_path = ''
as $$
  select case
    when p_topic ~ ('^conversation:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
      || p_suffix || '$')
      then substr(p_topic, length('conversation:') + 1, 36)::uuid
  end;
$$;
grant execute on function private.conversation_id_of_topic(text, text)
  to authenticated, service_role;

-- What a message event says of a message: which one, whose, and when; never its body, which
-- the client reads through row-level security.
create function private.message_event(p_message public.messages)
returns jsonb
language sql immutable
set search_path = ''
as $$
  select jsonb_build_object(
    'conversation_id', p_message.conversation_id,
    'message_id', p_message.id,
    'sender_id', p_message.sender_id,
    'created_at', p_message.created_at
  );
$$;

-- A new message: the conversation's activity time, the broadcast, and the other participants
-- told, live or by push. Push notifications carry no message text: a deleted message must not
-- survive in anyone's notification inbox.
create function private.on_message_created()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  recipient record;
  offline_recipients uuid[] := '{}'::uuid[];
  sender_name text;
begin
  update public.conversations
  set last_message_at = greatest(last_message_at, new.created_at)
  where id = new.conversation_id;

  perform realtime.send(
    private.message_event(new), 'message_created', 'conversation:' || new.conversation_id
  );

  for recipient in
    select
      participant.user_id,
      private.is_connected(participant.user_id) as connected,
      coalesce(preferences.messages_enabled, true) as wants_notifications
    from public.conversation_participants as participant
    left join public.notification_preferences as preferences
      on preferences.user_id = participant.user_id
    where participant.conversation_id = new.conversation_id
      and participant.user_id <> new.sender_id
      and participant.left_at is null
  loop
    if recipient.connected then
      perform realtime.send(
        private.message_event(new), 'message_received', 'user:' || recipient.user_id
      );
    elsif recipient.wants_notifications then
      offline_recipients := offline_recipients || recipient.user_id;
    end if;
  end loop;

  -- A message stored with an old date (an import, the demo seed) is history, not news.
  if cardinality(offline_recipients) > 0 and new.created_at > now() - interval '10 minutes' then
    -- A name is shown only once moderation approved it, quoted and bounded.
    select coalesce(
      private.quote_member_text(nullif(case when company.moderation_status = 'approved'
        then company.name end, ''), 60),
      private.quote_member_text(nullif(profile.public_name, ''), 60),
      'un membre')
    into sender_name
    from public.profiles as profile
    left join public.companies as company on company.id = profile.id
    where profile.id = new.sender_id;
    perform private.request_notification(
      p_type => 'message',
      p_title => format('Nouveau message de %s', sender_name),
      p_body => 'Ouvrez Emploi+ pour le lire.',
      p_user_ids => offline_recipients,
      p_data => jsonb_build_object(
        'conversationId', new.conversation_id,
        'messageId', new.id,
        'senderId', new.sender_id
      ),
      p_dedupe_key => 'message:' || new.id,
      p_collapse_key => 'conversation:' || new.conversation_id
    );
  end if;
  return null;
end;
$$;

create trigger messages_on_created
  after insert on public.messages
  for each row execute function private.on_message_created();

-- An edited or deleted message, told to the conversation (the new body, if any, is read through
-- row-level security).
create function private.on_message_changed()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  event text := case
    when new.deleted_at is not null and old.deleted_at is null then 'message_deleted'
    when new.deleted_at is null and new.body is distinct from old.body then 'message_edited'
  end;
begin
  if event is not null then
    perform realtime.send(
      private.message_event(new)
        || jsonb_build_object('edited_at', new.edited_at, 'deleted_at', new.deleted_at),
      event,
      'conversation:' || new.conversation_id
    );
  end if;
  return null;
end;
$$;

create trigger messages_on_changed
  after update of body, deleted_at on public.messages
  for each row
  when (old.body is distinct from new.body or old.deleted_at is distinct from new.deleted_at)
  execute function private.on_message_changed();

-- Read receipts, and participants leaving or coming back.
create function private.on_participant_changed()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  conversation_topic text := 'conversation:' || new.conversation_id;
begin
  if new.last_read_message_id is distinct from old.last_read_message_id
    and new.last_read_message_id is not null then
    perform realtime.send(
      jsonb_build_object(
        'conversation_id', new.conversation_id,
        'user_id', new.user_id,
        'last_read_message_id', new.last_read_message_id,
        'last_read_at', new.last_read_at
      ),
      'read_receipt',
      conversation_topic
    );
  end if;
  if (old.left_at is null) <> (new.left_at is null) then
    perform realtime.send(
      jsonb_build_object(
        'conversation_id', new.conversation_id,
        'user_id', new.user_id,
        'at', coalesce(new.left_at, now())
      ),
      case when new.left_at is null then 'participant_joined' else 'participant_left' end,
      conversation_topic
    );
  end if;
  return null;
end;
$$;

create trigger conversation_participants_on_changed
  after update of last_read_message_id, left_at on public.conversation_participants
  for each row
  when (
    old.last_read_message_id is distinct from new.last_read_message_id
    or old.left_at is distinct from new.left_at
  )
  execute function private.on_participant_changed();

-- Who may use which private topic. Realtime asks these policies when a client joins a private
-- channel (SELECT: may receive broadcasts / presence) and when it first broadcasts or tracks
-- presence (INSERT: may send), with realtime.topic() set to the channel's topic, and again when
-- the channel's access token changes; not per event (docs/messaging.md, "Leaving"). Database
-- broadcasts (the triggers above) run as the table owner and need no policy; the service role
-- bypasses RLS. Anonymous visitors join no private topic.

-- The database's events of a conversation: participants receive them, nobody sends them.
create policy "Participants receive their conversation's events"
  on realtime.messages for select
  to authenticated
  using (
    realtime.messages.extension = 'broadcast'
    and (select private.conversation_id_of_topic((select realtime.topic())))
      in (select private.my_conversation_ids())
  );

-- Typing indicators (client broadcasts) and presence of the participants.
create policy "Participants receive their conversation's typing and presence"
  on realtime.messages for select
  to authenticated
  using (
    realtime.messages.extension in ('broadcast', 'presence')
    and (select private.conversation_id_of_topic((select realtime.topic()), ':activity'))
      in (select private.my_conversation_ids())
  );

create policy "Participants send typing and presence in their conversation"
  on realtime.messages for insert
  to authenticated
  with check (
    realtime.messages.extension in ('broadcast', 'presence')
    and (select private.conversation_id_of_topic((select realtime.topic()), ':activity'))
      in (select private.my_conversation_ids())
  );

-- In-app notifications and the conversation list's live updates, sent by the database only.
create policy "Members receive their own user topic"
  on realtime.messages for select
  to authenticated
  using ((select realtime.topic()) = 'user:' || (select auth.uid())::text);

-- Broadcasts to every member of a role (notify Edge Function), sent by the service role only.
create policy "Members receive the topic of their role"
  on realtime.messages for select
  to authenticated
  using ((select realtime.topic()) = 'role:' || (select private.current_user_role()));
