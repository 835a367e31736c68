-- Messaging and Realtime: the broadcasts of the triggers, the push requests for participants who
-- are not connected, and the RLS policies of realtime.messages for the private topics
-- conversation:<id>, user:<id> and role:<role>, probed as the Realtime server does.
-- World: conversation A = candidate_a <-> company_a; conversation B = candidate_b <-> company_b,
-- which company_b left.
begin;
select plan(55);
select tests.create_world();
delete from realtime.messages;
delete from pgmq.q_notifications;

create function pg_temp.a() returns uuid language sql stable as $$
  select tests.conversation_id('candidate_a', 'company_a')
$$;
create function pg_temp.b() returns uuid language sql stable as $$
  select tests.conversation_id('candidate_b', 'company_b')
$$;
-- What was broadcast: the payloads of `event` on `topic`.
create function pg_temp.broadcasts(p_topic text, p_event text) returns table (payload jsonb)
language sql security definer as $$
  select payload from realtime.messages
  where topic = p_topic and event = p_event and extension = 'broadcast' and private
  order by inserted_at, id
$$;
-- The push requests of a message.
create function pg_temp.pushes(p_message_id uuid) returns setof jsonb
language sql security definer as $$
  select message from pgmq.q_notifications where message -> 'data' ->> 'messageId' = p_message_id::text
$$;

-- A new message
select tests.authenticate_as('company_a');
select lives_ok(
  format('select public.send_message(%L, %L, %L)', pg_temp.a(), 'Bonjour Camille', tests.message_id(1)),
  'company A sends a message while candidate A is not connected');
select tests.clear_authentication();
select is(
  (select payload - 'id' from pg_temp.broadcasts('conversation:' || pg_temp.a(), 'message_created')
   where payload ->> 'message_id' = tests.message_id(1)::text),
  jsonb_build_object('conversation_id', pg_temp.a(), 'message_id', tests.message_id(1),
    'sender_id', tests.user_id('company_a'), 'created_at', now()),
  'message_created is broadcast on conversation:<id>: which message, whose, when, and no body');
select is((select last_message_at from public.conversations where id = pg_temp.a()), now(),
  'the conversation''s activity time moves');
select is(
  (select count(*)::int from pg_temp.pushes(tests.message_id(1))), 1,
  'a push is requested for candidate A, who is not connected');
select is(
  (select p - 'requestId' from pg_temp.pushes(tests.message_id(1)) as p),
  jsonb_build_object(
    'type', 'message',
    'title', 'Nouveau message de « Company A »',
    'body', 'Ouvrez Emploi+ pour le lire.',
    'data', jsonb_build_object('conversationId', pg_temp.a(), 'messageId', tests.message_id(1),
      'senderId', tests.user_id('company_a')),
    'audience', jsonb_build_object('userIds', jsonb_build_array(tests.user_id('candidate_a'))),
    'dedupeKey', 'message:' || tests.message_id(1),
    'collapseKey', 'conversation:' || pg_temp.a()),
  'to her only, collapsed per conversation, without the message text');
select is_empty(
  format('select * from pg_temp.broadcasts(%L, %L)',
    'user:' || tests.user_id('candidate_a'), 'message_received'),
  'nothing is sent on her user topic');

select tests.authenticate_as('candidate_a');
select public.presence_heartbeat();
select tests.authenticate_as('company_a');
select lives_ok(
  format('select public.send_message(%L, %L, %L)', pg_temp.a(), 'Vous êtes là ?', tests.message_id(2)),
  'company A sends a message while candidate A is connected');
select tests.clear_authentication();
select is_empty(format('select * from pg_temp.pushes(%L)', tests.message_id(2)),
  'no push for a connected participant');
select is(
  (select payload - 'id' from pg_temp.broadcasts(
     'user:' || tests.user_id('candidate_a'), 'message_received')),
  jsonb_build_object('conversation_id', pg_temp.a(), 'message_id', tests.message_id(2),
    'sender_id', tests.user_id('company_a'), 'created_at', now()),
  'she is told on user:<id>, for her conversation list');

select tests.authenticate_as('candidate_a');
select public.presence_heartbeat(false);
select tests.clear_authentication();
update public.notification_preferences set messages_enabled = false
where user_id = tests.user_id('candidate_a');
select tests.authenticate_as('company_a');
select lives_ok(
  format('select public.send_message(%L, %L, %L)', pg_temp.a(), 'Relance', tests.message_id(3)),
  'a message to a participant who turned message notifications off');
select tests.clear_authentication();
select is_empty(format('select * from pg_temp.pushes(%L)', tests.message_id(3)),
  'requests no push');
update public.notification_preferences set messages_enabled = true
where user_id = tests.user_id('candidate_a');

insert into public.messages (id, conversation_id, sender_id, body, created_at)
values (tests.message_id(4), pg_temp.a(), tests.user_id('company_a'), 'Archive',
  now() - interval '1 day');
select is_empty(format('select * from pg_temp.pushes(%L)', tests.message_id(4)),
  'a message stored with an old date (import, seed) requests no push');

insert into public.messages (id, conversation_id, sender_id, body)
values (tests.message_id(5), pg_temp.b(), tests.user_id('candidate_b'), 'Toujours là ?');
select is_empty(format('select * from pg_temp.pushes(%L)', tests.message_id(5)),
  'a participant who left is not notified');

-- Edits and deletions
select tests.authenticate_as('company_a');
select public.edit_message(tests.message_id(1), 'Bonjour Camille !');
select tests.clear_authentication();
select is(
  (select payload - 'id' from pg_temp.broadcasts('conversation:' || pg_temp.a(), 'message_edited')),
  jsonb_build_object('conversation_id', pg_temp.a(), 'message_id', tests.message_id(1),
    'sender_id', tests.user_id('company_a'), 'created_at', now(), 'edited_at', now(),
    'deleted_at', null),
  'message_edited says which message was edited when, without the body');
select tests.authenticate_as('company_a');
select public.delete_message(tests.message_id(1));
select tests.clear_authentication();
select is(
  (select payload ->> 'deleted_at' from pg_temp.broadcasts(
     'conversation:' || pg_temp.a(), 'message_deleted')
   where payload ->> 'message_id' = tests.message_id(1)::text)::timestamptz,
  now(), 'message_deleted says when the message was deleted');
select is(
  (select count(*)::int from realtime.messages
   where payload::text like '%Bonjour Camille%' or payload::text like '%Vous êtes là%'),
  0, 'no stored broadcast ever held a body');
select is(
  (select count(*)::int from pg_temp.broadcasts('conversation:' || pg_temp.a(), 'message_deleted')),
  1, 'deleting twice broadcasts once');
select tests.authenticate_as('company_a');
select public.delete_message(tests.message_id(1));
select tests.clear_authentication();
select is(
  (select count(*)::int from pg_temp.broadcasts('conversation:' || pg_temp.a(), 'message_deleted')),
  1, 'deleting again broadcasts nothing');

-- Read receipts, leaving and coming back
select tests.authenticate_as('candidate_a');
select public.mark_as_read(pg_temp.a(), tests.message_id(2));
select tests.clear_authentication();
select is(
  (select payload - 'id' - 'last_read_at' from pg_temp.broadcasts(
     'conversation:' || pg_temp.a(), 'read_receipt')),
  jsonb_build_object('conversation_id', pg_temp.a(), 'user_id', tests.user_id('candidate_a'),
    'last_read_message_id', tests.message_id(2)),
  'read_receipt says who read up to which message');
select tests.authenticate_as('candidate_a');
select public.mark_as_read(pg_temp.a(), tests.message_id(2));
select tests.clear_authentication();
select is(
  (select count(*)::int from pg_temp.broadcasts('conversation:' || pg_temp.a(), 'read_receipt')),
  1, 'reading again where one was sends no receipt');

-- Policies of realtime.messages: conversation:<id>
select ok(tests.can_read_topic('candidate_a', 'conversation:' || pg_temp.a()),
  'a participant receives the conversation''s broadcasts');
select ok(not tests.can_write_topic('candidate_a', 'conversation:' || pg_temp.a()),
  'nobody broadcasts on it: its events come from the database (a fake message_created is refused)');
select ok(tests.can_read_topic('company_a', 'conversation:' || pg_temp.a() || ':activity', 'presence'),
  'participants see presence on the conversation''s activity topic');
select ok(tests.can_write_topic('candidate_a', 'conversation:' || pg_temp.a() || ':activity'),
  'and broadcast (typing) there');
select ok(tests.can_write_topic('company_a', 'conversation:' || pg_temp.a() || ':activity', 'presence'),
  'and track presence there');
select ok(not tests.can_read_topic('candidate_b', 'conversation:' || pg_temp.a()),
  'an outsider cannot join');
select ok(not tests.can_read_topic('candidate_b', 'conversation:' || pg_temp.a() || ':activity', 'presence'),
  'nor see presence');
select ok(not tests.can_write_topic('candidate_b', 'conversation:' || pg_temp.a() || ':activity'),
  'nor broadcast');
select ok(not tests.can_write_topic('candidate_b', 'conversation:' || pg_temp.a() || ':activity', 'presence'),
  'nor track presence');
select ok(not tests.can_read_topic('admin', 'conversation:' || pg_temp.a()),
  'admins do not read conversations they are not part of');
select ok(not tests.can_read_topic('anon', 'conversation:' || pg_temp.a()),
  'visitors join no conversation');
select ok(not tests.can_read_topic('company_b', 'conversation:' || pg_temp.b()),
  'a member who left no longer joins');
select ok(not tests.can_write_topic('company_b', 'conversation:' || pg_temp.b()),
  'nor broadcasts');
select ok(not tests.can_read_topic('candidate_a', 'conversation:' || upper(pg_temp.a()::text)),
  'topics are lower-case ids');
select ok(not tests.can_read_topic('candidate_a', 'conversation:not-a-uuid'),
  'a malformed topic is refused, not an error');

-- user:<id>
select ok(tests.can_read_topic('candidate_a', 'user:' || tests.user_id('candidate_a')),
  'a member receives their user topic');
select ok(not tests.can_write_topic('candidate_a', 'user:' || tests.user_id('candidate_a')),
  'but does not broadcast on it');
select ok(not tests.can_write_topic('candidate_a', 'user:' || tests.user_id('candidate_a'), 'presence'),
  'nor track presence there');
select ok(not tests.can_read_topic('candidate_b', 'user:' || tests.user_id('candidate_a')),
  'nobody else receives it');
select ok(not tests.can_read_topic('anon', 'user:'), 'visitors have no user topic');

-- role:<role>
select ok(tests.can_read_topic('candidate_a', 'role:candidate'), 'candidates receive role:candidate');
select ok(tests.can_read_topic('company_a', 'role:company'), 'companies receive role:company');
select ok(tests.can_read_topic('admin', 'role:admin'), 'admins receive role:admin');
select ok(not tests.can_read_topic('candidate_a', 'role:company'), 'a candidate not role:company');
select ok(not tests.can_read_topic('company_a', 'role:admin'), 'a company not role:admin');
select ok(not tests.can_write_topic('candidate_a', 'role:candidate'), 'role topics are read only');
select ok(not tests.can_read_topic('anon', 'role:candidate'), 'visitors have no role topic');


-- Anything else
select ok(not tests.can_read_topic('candidate_a', 'lobby'), 'other private topics are closed');
select ok(not tests.can_write_topic('candidate_a', 'lobby'), 'for writing too');

-- Leaving ends access
select tests.authenticate_as('candidate_a');
select public.leave_conversation(pg_temp.a());
select tests.clear_authentication();
select is(
  (select payload ->> 'user_id' from pg_temp.broadcasts(
     'conversation:' || pg_temp.a(), 'participant_left')),
  tests.user_id('candidate_a')::text, 'participant_left is broadcast');
select ok(not tests.can_read_topic('candidate_a', 'conversation:' || pg_temp.a()),
  'who left no longer joins the conversation''s channel');
-- A channel she joined before leaving stays open until Realtime re-authorizes it (token refresh
-- or expiry): what it still carries holds no content, and the content is read through RLS.
insert into public.conversation_participants (conversation_id, user_id)
values (pg_temp.a(), tests.user_id('candidate_b'));
select tests.authenticate_as('company_a');
select public.send_message(pg_temp.a(), 'Après son départ', tests.message_id(6));
select tests.authenticate_as('candidate_b');
select is((select body from public.messages where id = tests.message_id(6)), 'Après son départ',
  'a message after she left reaches a remaining participant');
select tests.authenticate_as('candidate_a');
select is_empty(format('select body from public.messages where id = %L', tests.message_id(6)),
  'but not her: the event her open channel may still get names a message she cannot read');
select tests.clear_authentication();
delete from public.conversation_participants
where conversation_id = pg_temp.a() and user_id = tests.user_id('candidate_b');
select tests.authenticate_as('candidate_a');
select public.start_conversation(tests.user_id('company_a'));
select tests.clear_authentication();
select is(
  (select payload ->> 'user_id' from pg_temp.broadcasts(
     'conversation:' || pg_temp.a(), 'participant_joined')),
  tests.user_id('candidate_a')::text, 'coming back broadcasts participant_joined');
select ok(tests.can_read_topic('candidate_a', 'conversation:' || pg_temp.a()),
  'and the channel is open again');

select * from finish();
rollback;
