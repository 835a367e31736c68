-- The messaging RPCs: send_message, edit_message, delete_message, mark_as_read,
-- leave_conversation, get_messages, get_conversations, presence_heartbeat.
-- World: conversation A = candidate_a <-> company_a with 'Bonjour A' (company_a), 'Merci'
-- (candidate_a) and a message candidate_a deleted; conversation B = candidate_b <-> company_b,
-- which company_b left, with 'Bonjour B' (company_b).
-- Every statement of a test shares one transaction time, so messages sent here get ids that
-- sort after the world's (ff…) to be the latest ones.
begin;
select plan(77);
select tests.create_world();

create function pg_temp.a() returns uuid language sql stable as $$
  select tests.conversation_id('candidate_a', 'company_a')
$$;
create function pg_temp.b() returns uuid language sql stable as $$
  select tests.conversation_id('candidate_b', 'company_b')
$$;
create function pg_temp.stored(p_id uuid) returns public.messages
language sql stable security definer as $$
  select * from public.messages where id = p_id
$$;
create function pg_temp.message_with_body(p_body text) returns uuid
language sql stable security definer as $$
  select id from public.messages where body = p_body
$$;
create function pg_temp.any_message_of(p_conversation uuid) returns uuid
language sql stable security definer as $$
  select id from public.messages where conversation_id = p_conversation limit 1
$$;
create function pg_temp.count_messages(p_ids uuid[]) returns integer
language sql stable security definer as $$
  select count(*)::integer from public.messages where id = any (p_ids)
$$;

-- send_message
select tests.authenticate_as('company_a');
select is(
  (select row(sender_id, conversation_id, body)::text
   from public.send_message(pg_temp.a(), E'  Bonjour,\n\ton se voit mardi ?  \n', tests.message_id(1))),
  row(tests.user_id('company_a'), pg_temp.a(), E'Bonjour,\n\ton se voit mardi ?')::text,
  'send_message stores the trimmed body from the caller');
select is(
  (select id from public.send_message(pg_temp.a(), 'Bonjour,', tests.message_id(1))),
  tests.message_id(1), 'a retry with the same id returns the stored message');
select is(pg_temp.count_messages(array[tests.message_id(1)]), 1, 'and stores nothing more');
select is((pg_temp.stored(tests.message_id(1))).body, E'Bonjour,\n\ton se voit mardi ?',
  'the first body is kept');
select isnt((select id from public.send_message(pg_temp.a(), 'Sans id')), null,
  'the id is optional (then sends are not idempotent)');
select lives_ok(
  format('select public.send_message(%L, %L, %L)', pg_temp.a(), repeat('é', 4000), tests.message_id(2)),
  'a message of 4000 characters is accepted');
select throws_ok(
  format('select public.send_message(%L, %L)', pg_temp.a(), repeat('a', 4001)), '22001',
  'p_body: the message has 4001 characters, at most 4000 are allowed',
  'a longer one is refused');
select throws_ok(format('select public.send_message(%L, %L)', pg_temp.a(), E' \n\t '), '22023',
  'p_body: the message is empty', 'a blank message is refused');
select throws_ok(format('select public.send_message(%L, null)', pg_temp.a()), '22023', null,
  'a missing body is refused');
select throws_ok(format('select public.send_message(%L, %L)', pg_temp.a(), E'bip\x07'), '22023',
  'p_body: control characters are not allowed (only tabs and line breaks)',
  'control characters are refused');
select throws_ok(format('select public.send_message(null, %L)', 'Bonjour'), '22023', null,
  'the conversation is required');

select tests.authenticate_as('candidate_a');
select throws_ok(
  format('select public.send_message(%L, %L, %L)', pg_temp.a(), 'Même id', tests.message_id(1)),
  '23505', null, 'another sender cannot reuse a message id');
select tests.authenticate_as('company_a');
select throws_ok(
  format('select public.send_message(%L, %L, %L)', pg_temp.b(), 'Ailleurs', tests.message_id(1)),
  '42501', null, 'company A cannot send into a conversation it is not part of');
select tests.authenticate_as('candidate_b');
select throws_ok(format('select public.send_message(%L, %L)', pg_temp.a(), 'Intrus'), '42501',
  format('send_message: you do not take part in conversation %s', pg_temp.a()),
  'an outsider cannot send');
select throws_ok(format('select public.send_message(%L, %L)', pg_temp.b(), 'Allô ?'), 'P0001',
  'send_message: everybody else left this conversation',
  'nobody can send where everybody else left');
select tests.authenticate_as('company_b');
select throws_ok(format('select public.send_message(%L, %L)', pg_temp.b(), 'Re'), '42501', null,
  'a member who left cannot send');
select tests.authenticate_as_anon();
select throws_ok(format('select public.send_message(%L, %L)', pg_temp.a(), 'Anonyme'), '42501',
  null, 'visitors cannot send');

-- Rate limit: 60 messages per minute per sender, then PT429 (HTTP 429).
select tests.authenticate_as('candidate_a');
create function pg_temp.send_burst(p_count integer) returns text
language plpgsql as $$
declare
  sent integer := 0;
begin
  for i in 1..p_count loop
    perform public.send_message(pg_temp.a(), 'rafale ' || i);
    sent := sent + 1;
  end loop;
  return sent || ' sent';
exception when sqlstate 'PT429' then
  return sent || ' sent, then ' || sqlerrm;
end;
$$;
select is(pg_temp.send_burst(61),
  '60 sent, then send_message: too many messages, at most 60 per minute',
  'the 61st message in a burst is refused with PT429');

-- edit_message
select tests.authenticate_as('company_a');
select is((select body from public.edit_message(tests.message_id(1), ' Mardi 10 h ? ')), 'Mardi 10 h ?',
  'the sender edits their message');
select isnt((pg_temp.stored(tests.message_id(1))).edited_at, null, 'edited_at is set');
select is((select edited_at from public.edit_message(tests.message_id(2), repeat('é', 4000))), null,
  'an edit that changes nothing is not an edit');
select throws_ok(format('select public.edit_message(%L, %L)', tests.message_id(1), ''), '22023', null,
  'an edit keeps the limits');
select tests.authenticate_as('candidate_a');
select throws_ok(format('select public.edit_message(%L, %L)', tests.message_id(1), 'Non'), '42501',
  'edit_message: you can only edit your own messages', 'nobody else edits it');
select throws_ok(
  format('select public.edit_message(%L, %L)',
    (select id from public.messages where conversation_id = pg_temp.a() and body is null), 'Ré'),
  '22023', 'edit_message: the message was deleted', 'a deleted message cannot be edited');

-- delete_message
select tests.authenticate_as('company_a');
select is(
  (select row(body, deleted_at is not null)::text from public.delete_message(tests.message_id(2))),
  row(null::text, true)::text, 'the sender deletes their message: the body is erased');
select is(
  (select deleted_at from public.delete_message(tests.message_id(2))),
  (pg_temp.stored(tests.message_id(2))).deleted_at, 'deleting twice changes nothing');
select tests.authenticate_as('candidate_a');
select is((select body from public.messages where id = tests.message_id(2)), null,
  'the other participant no longer reads the body');
select throws_ok(format('select public.delete_message(%L)', tests.message_id(1)), '42501',
  'delete_message: you can only delete your own messages', 'nobody else deletes it');
select throws_ok(format('select public.delete_message(%L)', gen_random_uuid()), '42501', null,
  'an unknown message gets the same answer');
select is((pg_temp.stored(tests.message_id(1))).deleted_at, null, 'and the message is intact');
select tests.authenticate_as('company_b');
select lives_ok(
  format('select public.delete_message(%L)',
    pg_temp.message_with_body('Bonjour B')),
  'a sender who left the conversation still deletes their messages');

-- mark_as_read and unread counts
select tests.clear_authentication();
delete from public.messages where id <> all (array[tests.message_id(1), tests.message_id(2)])
  and conversation_id = pg_temp.a() and body like 'rafale %';
delete from public.messages where conversation_id = pg_temp.a() and body = 'Sans id';
-- A: 'Bonjour A' (company_a), 'Merci' (candidate_a), a deleted one (candidate_a),
--    mid(1) (company_a), mid(2) deleted (company_a).
select tests.authenticate_as('candidate_a');
select is(
  (select unread_count from public.get_conversations() where conversation_id = pg_temp.a()), 2,
  'candidate A has 2 unread messages: others'', not deleted');
select is(public.mark_as_read(pg_temp.a(), tests.message_id(1)), 0, 'reading up to mid(1) leaves 0');
select is(
  (select last_read_message_id from public.conversation_participants
   where conversation_id = pg_temp.a() and user_id = tests.user_id('candidate_a')),
  tests.message_id(1), 'the read position is mid(1)');
select tests.authenticate_as('company_a');
select is((select id from public.send_message(pg_temp.a(), 'Trois', tests.message_id(3))),
  tests.message_id(3), 'company A sends another message');
select is((select id from public.send_message(pg_temp.a(), 'Quatre', tests.message_id(4))),
  tests.message_id(4), 'and another');
select tests.authenticate_as('candidate_a');
select is(
  (select unread_count from public.get_conversations() where conversation_id = pg_temp.a()), 2,
  'two new unread messages');
select is(public.mark_as_read(pg_temp.a(), tests.message_id(3)), 1, 'reading the first leaves one');
select is(public.mark_as_read(pg_temp.a(), tests.message_id(1)), 1, 'the position never moves back');
select is(
  (select last_read_message_id from public.conversation_participants
   where conversation_id = pg_temp.a() and user_id = tests.user_id('candidate_a')),
  tests.message_id(3), 'it is still mid(3)');
select is(public.mark_as_read(pg_temp.a()), 0, 'reading everything leaves none');
select is(
  (select last_read_message_id from public.conversation_participants
   where conversation_id = pg_temp.a() and user_id = tests.user_id('candidate_a')),
  tests.message_id(4), 'the position is the latest message');
select throws_ok(
  format('select public.mark_as_read(%L, %L)', pg_temp.a(), pg_temp.any_message_of(pg_temp.b())),
  '22023', null, 'a message of another conversation is refused');
select tests.authenticate_as('candidate_b');
select throws_ok(format('select public.mark_as_read(%L)', pg_temp.a()), '42501', null,
  'an outsider cannot mark it read');
-- get_conversations
select tests.authenticate_as('candidate_a');
select is(
  (select participants from public.get_conversations() where conversation_id = pg_temp.a()),
  jsonb_build_array(jsonb_build_object(
    'id', tests.user_id('company_a'), 'name', 'Company A', 'avatar_url', null,
    'role', 'company', 'has_left', false)),
  'each conversation lists the other participants');
select is(
  (select last_message ->> 'body' from public.get_conversations()
   where conversation_id = pg_temp.a()),
  'Quatre', 'and the last message');
select tests.clear_authentication();
insert into public.messages (conversation_id, sender_id, body, created_at)
select pg_temp.a(), tests.user_id('company_a'), 'Relance ' || n, now() + interval '1 second'
from generate_series(1, 150) as n;
select tests.authenticate_as('candidate_a');
select is(
  (select unread_count from public.get_conversations() where conversation_id = pg_temp.a()), 100,
  'unread counts stop at 100 ("99+")');

select tests.authenticate_as('candidate_b');
select is(array(select conversation_id from public.get_conversations()), array[pg_temp.b()],
  'candidate B lists only his conversation');
select is(
  (select participants -> 0 ->> 'has_left' from public.get_conversations()), 'true',
  'and sees that company B left');
select tests.authenticate_as('company_b');
select is_empty('select * from public.get_conversations()',
  'a conversation one left is not listed');
select tests.authenticate_as('admin');
select is_empty('select * from public.get_conversations()', 'the admin takes part in none');
select throws_ok('select * from public.get_conversations(p_limit => 0)', '22023', null,
  'p_limit is checked');
select throws_ok('select * from public.get_conversations(p_cursor_id => gen_random_uuid())',
  '22023', null, 'the cursor goes in pairs');
select tests.authenticate_as_anon();
select throws_ok('select * from public.get_conversations()', '42501', null,
  'visitors have no conversations');

-- get_messages
select tests.authenticate_as('candidate_a');
select is(
  array(select id from public.get_messages(pg_temp.a(), p_limit => 3)),
  array(select id from public.messages where conversation_id = pg_temp.a()
        order by created_at desc, id desc limit 3),
  'the first page holds the newest messages, newest first');
select is(
  array(select id from public.get_messages(pg_temp.a(), now(), tests.message_id(3), 2)),
  array[tests.message_id(2), tests.message_id(1)], 'the next page starts after the cursor');
select is(
  (select body from public.get_messages(pg_temp.a(), p_limit => 100) where id = tests.message_id(2)),
  null, 'deleted messages come without body');
select throws_ok(format('select * from public.get_messages(%L, p_limit => 101)', pg_temp.a()),
  '22023', null, 'p_limit is checked');
select throws_ok(
  format('select * from public.get_messages(%L, p_cursor_created_at => now())', pg_temp.a()),
  '22023', null, 'the cursor goes in pairs');
select tests.authenticate_as('candidate_b');
select throws_ok(format('select * from public.get_messages(%L)', pg_temp.a()), '42501', null,
  'an outsider cannot read the history');
select is_empty(format('select * from public.messages where conversation_id = %L', pg_temp.a()),
  'nor the messages table');

-- leave_conversation
select tests.authenticate_as('candidate_a');
select is(public.leave_conversation(pg_temp.a()), true, 'candidate A leaves conversation A');
select is(public.leave_conversation(pg_temp.a()), false, 'leaving twice says so');
select is_empty(format('select * from public.messages where conversation_id = %L', pg_temp.a()),
  'she no longer reads its messages');
select throws_ok(format('select * from public.get_messages(%L)', pg_temp.a()), '42501', null,
  'nor its history');
select is(
  (select count(*)::int from public.get_conversations() where conversation_id = pg_temp.a()), 0,
  'it left her list');
select tests.authenticate_as('candidate_b');
select throws_ok(format('select public.leave_conversation(%L)', pg_temp.a()), '42501', null,
  'an outsider cannot leave it');

-- presence_heartbeat
select tests.authenticate_as('candidate_a');
select lives_ok('select public.presence_heartbeat()', 'a member sends a heartbeat');
select tests.clear_authentication();
select ok(private.is_connected(tests.user_id('candidate_a')), 'and counts as connected');
select ok(not private.is_connected(tests.user_id('candidate_b')), 'others do not');
update private.user_presence set last_seen_at = now() - interval '61 seconds'
where user_id = tests.user_id('candidate_a');
select ok(not private.is_connected(tests.user_id('candidate_a')),
  'a heartbeat older than 60 s no longer counts');
select tests.authenticate_as('candidate_a');
select lives_ok('select public.presence_heartbeat(false)', 'going offline');
select tests.clear_authentication();
select is_empty(
  format('select 1 from private.user_presence where user_id = %L', tests.user_id('candidate_a')),
  'removes the heartbeat');
select tests.authenticate_as_anon();
select throws_ok('select public.presence_heartbeat()', '42501', null,
  'visitors send no heartbeat');

-- The service role is nobody: the RPCs that act for a member want one.
select tests.authenticate_as_service_role();
select throws_ok(format('select public.edit_message(%L, %L)', tests.message_id(1), 'Service'), '42501',
  'edit_message: sign in first', 'the service role edits no message');
select throws_ok(format('select public.delete_message(%L)', tests.message_id(1)), '42501',
  'delete_message: sign in first', 'nor deletes one');
select throws_ok(format('select * from public.get_messages(%L)', pg_temp.a()), '42501',
  'get_messages: sign in first', 'nor reads a conversation it does not take part in');

select * from finish();
rollback;
