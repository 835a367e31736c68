-- Messaging, part 2: the RPCs (docs/messaging.md). Every write to conversations, participants and
-- messages goes through them: they are security definer, check who the caller is and what they
-- may do, and leave broadcasting and push notifications to the triggers of the next migration.
--
-- Errors: 42501 (HTTP 403) for what the caller may not do, 22023 / 22001 (400) for bad input,
-- 23505 (409) for a message id already used by another message, PT429 (429) when sending too fast.

-- The signed-in caller, who must currently take part in the conversation.
create function private.require_participant(p_conversation_id uuid, p_action text)
returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_signed_in(p_action);
begin
  if p_conversation_id is null then
    raise exception using
      errcode = '22023', message = format('%s: p_conversation_id is required', p_action);
  end if;
  if not exists (
    select 1 from public.conversation_participants
    where conversation_id = p_conversation_id and user_id = caller and left_at is null
  ) then
    raise exception using
      errcode = '42501',
      message = format('%s: you do not take part in conversation %s', p_action, p_conversation_id);
  end if;
  return caller;
end;
$$;

-- The limits of a message body: trimmed, 1 to 4000 characters, no control characters other than
-- tab and line breaks. Returns the body as stored.
create function private.checked_message_body(p_body text)
returns text
language plpgsql immutable
set search_path = ''
as $$
declare
  body text := btrim(p_body, E' \t\r\n');
begin
  if body is null or body = '' then
    raise exception using errcode = '22023', message = 'p_body: the message is empty';
  end if;
  if char_length(body) > 4000 then
    raise exception using
      errcode = '22001',
      message = format('p_body: the message has %s characters, at most 4000 are allowed',
        char_length(body));
  end if;
  if body ~ '[\x01-\x08\x0B\x0C\x0E-\x1F\x7F]' then
    raise exception using
      errcode = '22023',
      message = 'p_body: control characters are not allowed (only tabs and line breaks)';
  end if;
  return body;
end;
$$;

-- The page arguments of a keyset-paginated RPC: p_limit from 1 to 100, and the two parts of its
-- cursor (p_cursor_names; p_cursor_parts_given of them are not null) given together or not at all.
-- get_feed checks the same in its own body: it runs with the caller's rights, which cannot reach
-- private.
create function private.check_page_arguments(
  p_limit integer,
  p_cursor_parts_given integer,
  p_cursor_names text
)
returns void
language plpgsql immutable
set search_path = ''
as $$
begin
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception using
      errcode = '22023', message = format('p_limit must be between 1 and 100 (got %s)', p_limit);
  end if;
  if p_cursor_parts_given = 1 then
    raise exception using
      errcode = '22023', message = format('%s go together: pass both or neither', p_cursor_names);
  end if;
end;
$$;

-- Unread messages of a member in a conversation: messages of others, not deleted, after the
-- member's read position. Counted up to 100 (the list shows "99+"), so the cost stays bounded.
create function private.unread_count(p_conversation_id uuid, p_user_id uuid)
returns integer
language sql stable security definer
set search_path = ''
as $$
  with read_position as (
    select
      coalesce(last_read.created_at, '-infinity') as created_at,
      coalesce(last_read.id, '00000000-0000-0000-0000-000000000000') as id
    from (select) as one
    left join public.conversation_participants as participant
      on participant.conversation_id = p_conversation_id and participant.user_id = p_user_id
    left join public.messages as last_read on last_read.id = participant.last_read_message_id
  )
  select count(*)::integer
  from (
    select
    from public.messages as message
    where message.conversation_id = p_conversation_id
      and (message.created_at, message.id) > (select created_at, id from read_position)
      and message.sender_id <> p_user_id
      and message.deleted_at is null
    limit 100
  ) as unread;
$$;

-- Opens the direct conversation of the caller with p_user_id, or returns it if it exists: a pair
-- of members has one conversation. A caller who had left it takes part again. Opening a new one
-- is ruled by private.may_open_conversation.
create function public.start_conversation(p_user_id uuid)
returns uuid
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_signed_in('start_conversation');
  pair_key text;
  opened_id uuid;
begin
  if p_user_id is null then
    raise exception using errcode = '22023', message = 'start_conversation: p_user_id is required';
  end if;
  if p_user_id = caller then
    raise exception using
      errcode = '22023', message = 'start_conversation: you cannot message yourself';
  end if;
  pair_key := private.direct_key(caller, p_user_id);

  select conversation.id into opened_id
  from public.conversations as conversation
  join public.conversation_participants as me
    on me.conversation_id = conversation.id and me.user_id = caller
  where conversation.direct_key = pair_key;
  if found then
    update public.conversation_participants as me
    set left_at = null
    where me.conversation_id = opened_id
      and me.user_id = caller
      and me.left_at is not null;
    return opened_id;
  end if;

  if not private.may_open_conversation(caller, p_user_id) then
    raise exception using
      errcode = '42501',
      message = 'start_conversation: you may not start a conversation with this member',
      hint = 'Companies write to candidates who applied to or matched one of their offers; '
        || 'candidates write to companies they applied to.';
  end if;

  -- Two first messages at once: one insert wins, the other reads its row.
  insert into public.conversations (direct_key) values (pair_key)
  on conflict (direct_key) do nothing
  returning id into opened_id;
  if opened_id is null then
    select conversation.id into opened_id
    from public.conversations as conversation
    where conversation.direct_key = pair_key;
  end if;
  insert into public.conversation_participants (conversation_id, user_id)
  values (opened_id, caller), (opened_id, p_user_id)
  on conflict do nothing;
  return opened_id;
end;
$$;
comment on function public.start_conversation(uuid) is
  'Opens (or returns) the direct conversation with p_user_id, if the messaging rule allows it.';
grant execute on function public.start_conversation(uuid) to authenticated, service_role;

-- Sends a message. p_message_id is generated by the client (crypto.randomUUID()) before the first
-- attempt and reused on retries: a retry returns the message stored the first time instead of
-- storing it again. At most 60 messages per minute per sender (bursts of 60).
create function public.send_message(
  p_conversation_id uuid,
  p_body text,
  p_message_id uuid default null
)
returns public.messages
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_participant(p_conversation_id, 'send_message');
  checked_body text := private.checked_message_body(p_body);
  message public.messages;
  rate record;
begin
  if p_message_id is not null then
    select * into message from public.messages where id = p_message_id;
    if found then
      if message.sender_id = caller and message.conversation_id = p_conversation_id then
        return message; -- a retry
      end if;
      raise exception using
        errcode = '23505',
        message = format('send_message: message id %s is already used', p_message_id),
        hint = 'Generate a new id for each new message.';
    end if;
  end if;

  if not exists (
    select 1 from public.conversation_participants as participant
    where participant.conversation_id = p_conversation_id
      and participant.user_id <> caller
      and participant.left_at is null
  ) then
    raise exception using
      errcode = 'P0001',
      message = 'send_message: everybody else left this conversation';
  end if;

  select * into rate from private.take_rate_limit_token('send_message:' || caller, 60, 60);
  if not rate.allowed then
    raise exception using
      errcode = 'PT429',
      message = 'send_message: too many messages, at most 60 per minute',
      hint = format('Retry after %s seconds.', rate.retry_after_seconds);
  end if;

  insert into public.messages (id, conversation_id, sender_id, body)
  values (coalesce(p_message_id, gen_random_uuid()), p_conversation_id, caller, checked_body)
  on conflict (id) do nothing
  returning * into message;
  if not found then
    -- The same id was inserted concurrently: a retry racing the first attempt.
    select * into message from public.messages where id = p_message_id;
    if message.sender_id is distinct from caller
      or message.conversation_id is distinct from p_conversation_id then
      raise exception using
        errcode = '23505',
        message = format('send_message: message id %s is already used', p_message_id);
    end if;
  end if;
  return message;
end;
$$;
comment on function public.send_message(uuid, text, uuid) is
  'Sends p_body to a conversation; idempotent on the client-generated p_message_id.';
grant execute on function public.send_message(uuid, text, uuid) to authenticated, service_role;

-- Changes the body of one of the caller's messages, in a conversation they take part in.
create function public.edit_message(p_message_id uuid, p_body text)
returns public.messages
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_signed_in('edit_message');
  checked_body text := private.checked_message_body(p_body);
  message public.messages;
begin
  select * into message from public.messages where id = p_message_id for update;
  if not found or message.sender_id is distinct from caller then
    raise exception using
      errcode = '42501', message = 'edit_message: you can only edit your own messages';
  end if;
  perform private.require_participant(message.conversation_id, 'edit_message');
  if message.deleted_at is not null then
    raise exception using errcode = '22023', message = 'edit_message: the message was deleted';
  end if;
  if message.body = checked_body then
    return message;
  end if;
  update public.messages
  set body = checked_body, edited_at = now()
  where id = p_message_id
  returning * into message;
  return message;
end;
$$;
comment on function public.edit_message(uuid, text) is
  'Changes the body of one of the caller''s messages (edited_at is set).';
grant execute on function public.edit_message(uuid, text) to authenticated, service_role;

-- Soft-deletes one of the caller's messages: the body is erased for everyone (the row stays, so
-- the history shows "message deleted"). Deleting twice is harmless. A sender who left the
-- conversation may still delete their messages.
create function public.delete_message(p_message_id uuid)
returns public.messages
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_signed_in('delete_message');
  message public.messages;
begin
  select * into message from public.messages where id = p_message_id for update;
  if not found or message.sender_id is distinct from caller then
    raise exception using
      errcode = '42501', message = 'delete_message: you can only delete your own messages';
  end if;
  if message.deleted_at is not null then
    return message;
  end if;
  update public.messages
  set body = null, deleted_at = now()
  where id = p_message_id
  returning * into message;
  return message;
end;
$$;
comment on function public.delete_message(uuid) is
  'Soft-deletes one of the caller''s messages: its body is erased for everyone.';
grant execute on function public.delete_message(uuid) to authenticated, service_role;

-- Moves the caller's read position forward to p_message_id (the latest message when null); it
-- never moves back. Returns the caller's unread count left in the conversation (up to 100).
create function public.mark_as_read(p_conversation_id uuid, p_message_id uuid default null)
returns integer
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_participant(p_conversation_id, 'mark_as_read');
  target record;
begin
  if p_message_id is null then
    select message.id, message.created_at into target
    from public.messages as message
    where message.conversation_id = p_conversation_id
    order by message.created_at desc, message.id desc
    limit 1;
  else
    select message.id, message.created_at into target
    from public.messages as message
    where message.id = p_message_id and message.conversation_id = p_conversation_id;
    if not found then
      raise exception using
        errcode = '22023',
        message = format('mark_as_read: message %s is not in conversation %s',
          p_message_id, p_conversation_id);
    end if;
  end if;

  if target.id is not null then
    update public.conversation_participants as participant
    set last_read_message_id = target.id, last_read_at = now()
    where participant.conversation_id = p_conversation_id
      and participant.user_id = caller
      and (
        select (read.created_at, read.id) < (target.created_at, target.id)
        from public.messages as read
        where read.id = participant.last_read_message_id
      ) is not false;
  end if;
  return private.unread_count(p_conversation_id, caller);
end;
$$;
comment on function public.mark_as_read(uuid, uuid) is
  'Marks the conversation read up to p_message_id (default: the latest); returns unread left.';
grant execute on function public.mark_as_read(uuid, uuid) to authenticated, service_role;

-- The caller leaves the conversation: it disappears from their list and they stop reading it,
-- and the others can no longer write to them there. start_conversation brings them back.
-- Returns false when they had already left.
create function public.leave_conversation(p_conversation_id uuid)
returns boolean
language plpgsql volatile security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_signed_in('leave_conversation');
begin
  update public.conversation_participants
  set left_at = now()
  where conversation_id = p_conversation_id and user_id = caller and left_at is null;
  if found then
    return true;
  end if;
  if exists (
    select 1 from public.conversation_participants
    where conversation_id = p_conversation_id and user_id = caller
  ) then
    return false;
  end if;
  raise exception using
    errcode = '42501',
    message = format('leave_conversation: you do not take part in conversation %s',
      p_conversation_id);
end;
$$;
comment on function public.leave_conversation(uuid) is
  'The caller leaves the conversation (false if they had already left).';
grant execute on function public.leave_conversation(uuid) to authenticated, service_role;

-- History of a conversation, newest first, p_limit (1-100) at a time. The next page starts after
-- the oldest message received: pass its created_at and id as the cursor (keyset pagination).
create function public.get_messages(
  p_conversation_id uuid,
  p_cursor_created_at timestamptz default null,
  p_cursor_id uuid default null,
  p_limit integer default 50
)
returns setof public.messages
language plpgsql stable security definer
set search_path = ''
as $$
begin
  perform private.require_participant(p_conversation_id, 'get_messages');
  perform private.check_page_arguments(
    p_limit, num_nonnulls(p_cursor_created_at, p_cursor_id), 'p_cursor_created_at and p_cursor_id'
  );

  -- No cursor: the first page, everything before the greatest possible key. One condition that
  -- messages_conversation_history_idx answers, whichever plan PL/pgSQL caches.
  return query
    select message.*
    from public.messages as message
    where message.conversation_id = p_conversation_id
      and (message.created_at, message.id) < (
        coalesce(p_cursor_created_at, 'infinity'),
        coalesce(p_cursor_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
      )
    order by message.created_at desc, message.id desc
    limit p_limit;
end;
$$;
comment on function public.get_messages(uuid, timestamptz, uuid, integer) is
  'Messages of a conversation, newest first, by keyset pagination on (created_at, id).';
grant execute on function public.get_messages(uuid, timestamptz, uuid, integer)
  to authenticated, service_role;

-- The caller's conversations, most recent activity first, p_limit (1-100) at a time, each with
-- the other participants, the last message and the caller's unread count (up to 100). Keyset
-- pagination on (last_activity_at, conversation_id): pass those of the last row as the cursor.
create function public.get_conversations(
  p_cursor_last_activity_at timestamptz default null,
  p_cursor_id uuid default null,
  p_limit integer default 20
)
returns table (
  conversation_id uuid,
  last_activity_at timestamptz,
  participants jsonb,
  last_message jsonb,
  unread_count integer,
  last_read_message_id uuid
)
language plpgsql stable security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_signed_in('get_conversations');
begin
  perform private.check_page_arguments(
    p_limit,
    num_nonnulls(p_cursor_last_activity_at, p_cursor_id),
    'p_cursor_last_activity_at and p_cursor_id'
  );

  return query
    with page as (
      select
        conversation.id,
        coalesce(conversation.last_message_at, conversation.created_at) as activity_at,
        me.last_read_message_id as read_up_to
      from public.conversation_participants as me
      join public.conversations as conversation on conversation.id = me.conversation_id
      where me.user_id = caller
        and me.left_at is null
        and (
          p_cursor_id is null
          or (coalesce(conversation.last_message_at, conversation.created_at), conversation.id)
            < (p_cursor_last_activity_at, p_cursor_id)
        )
      order by activity_at desc, conversation.id desc
      limit p_limit
    )
    select
      page.id,
      page.activity_at,
      (
        select coalesce(jsonb_agg(jsonb_build_object(
          'id', profile.id,
          -- Names are shown once moderation approved them (docs/trust-and-safety.md).
          'name', coalesce(
            case when company.moderation_status = 'approved' then company.name end,
            profile.public_name),
          'avatar_url', profile.avatar_url,
          'role', profile.role,
          'has_left', other.left_at is not null
        ) order by profile.id), '[]')
        from public.conversation_participants as other
        join public.profiles as profile on profile.id = other.user_id
        left join public.companies as company on company.id = other.user_id
        where other.conversation_id = page.id and other.user_id <> caller
      ),
      (
        select to_jsonb(message)
        from public.messages as message
        where message.conversation_id = page.id
        order by message.created_at desc, message.id desc
        limit 1
      ),
      private.unread_count(page.id, caller),
      page.read_up_to
    from page
    order by page.activity_at desc, page.id desc;
end;
$$;
comment on function public.get_conversations(timestamptz, uuid, integer) is
  'The caller''s conversations with other participants, last message and unread count (<= 100).';
grant execute on function public.get_conversations(timestamptz, uuid, integer)
  to authenticated, service_role;
