-- conversations, conversation_participants, messages: only current participants read them;
-- every write goes through the messaging RPCs (security definer), so no API user writes them
-- directly; the service role does everything. A deleted message has no body for anyone.
-- World: candidate_a <-> company_a: 'Bonjour A' (company_a), 'Merci' (candidate_a), one message
--        deleted by candidate_a; candidate_b <-> company_b, which company_b left: 'Bonjour B'.
begin;
select plan(86);
select tests.create_world();

create function pg_temp.conversation_name(p_id uuid) returns text
language sql security definer as $$
  select case direct_key
    when tests.direct_key('candidate_a', 'company_a') then 'A'
    when tests.direct_key('candidate_b', 'company_b') then 'B'
  end
  from public.conversations where id = p_id
$$;
create function pg_temp.conversation_id(p_name text) returns uuid
language sql security definer as $$
  select id from public.conversations where direct_key = case p_name
    when 'A' then tests.direct_key('candidate_a', 'company_a')
    when 'B' then tests.direct_key('candidate_b', 'company_b')
  end
$$;
create function pg_temp.visible_conversations() returns setof text
language sql as $$
  select pg_temp.conversation_name(id) from public.conversations
  where id in (pg_temp.conversation_id('A'), pg_temp.conversation_id('B'))
$$;
create function pg_temp.visible_participants() returns setof text
language sql as $$
  select pg_temp.conversation_name(conversation_id) || ': ' || tests.name_of(user_id)
  from public.conversation_participants where user_id = any (tests.persona_ids())
$$;
create function pg_temp.visible_messages() returns setof text
language sql as $$
  select pg_temp.conversation_name(conversation_id) || ': ' || coalesce(body, '(supprimé)')
  from public.messages where sender_id = any (tests.persona_ids())
$$;

-- conversations: SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.conversations $$, '42501', null,
  'a visitor cannot read conversations');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_conversations()', array['A'],
  'candidate A reads her conversation only');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_conversations()', array['B'],
  'candidate B reads his conversation only');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_conversations()', array['A'],
  'company A reads its conversation only');
select tests.authenticate_as('company_b');
select is_empty('select * from pg_temp.visible_conversations()',
  'company B no longer reads the conversation it left');
select tests.authenticate_as('admin');
select is_empty('select * from pg_temp.visible_conversations()',
  'the admin reads no conversation');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_conversations()', array['A', 'B'],
  'the service role reads every conversation');

-- conversation_participants: SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.conversation_participants $$, '42501', null,
  'a visitor cannot read participants');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_participants()',
  array['A: candidate_a', 'A: company_a'], 'candidate A sees who takes part in her conversation');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_participants()',
  array['B: candidate_b', 'B: company_b'],
  'candidate B sees the participants of his conversation, including the one who left');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_participants()',
  array['A: candidate_a', 'A: company_a'], 'company A sees the participants of its conversation');
select tests.authenticate_as('company_b');
select is_empty('select * from pg_temp.visible_participants()',
  'company B sees no participant once it left');
select tests.authenticate_as('admin');
select is_empty('select * from pg_temp.visible_participants()', 'the admin sees no participant');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_participants()',
  array['A: candidate_a', 'A: company_a', 'B: candidate_b', 'B: company_b'],
  'the service role sees every participant');

-- messages: SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.messages $$, '42501', null,
  'a visitor cannot read messages');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_messages()',
  array['A: Bonjour A', 'A: Merci', 'A: (supprimé)'],
  'candidate A reads the messages of her conversation; the deleted one has no body');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_messages()', array['B: Bonjour B'],
  'candidate B reads the messages of his conversation only');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_messages()',
  array['A: Bonjour A', 'A: Merci', 'A: (supprimé)'],
  'company A reads the messages of its conversation only');
select tests.authenticate_as('company_b');
select is_empty('select * from pg_temp.visible_messages()',
  'company B no longer reads the conversation it left');
select tests.authenticate_as('admin');
select is_empty('select * from pg_temp.visible_messages()', 'the admin reads no message');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_messages()',
  array['A: Bonjour A', 'A: Merci', 'A: (supprimé)', 'B: Bonjour B'],
  'the service role reads every message');

-- Writes: through the messaging RPCs only.
select tests.clear_authentication();
select * from tests.refused_to_everyone_but_the_service_role(
  $$ insert into public.conversations (direct_key) values (null) $$,
  'create a conversation directly');
select * from tests.refused_to_everyone_but_the_service_role(
  format('update public.conversations set last_message_at = now() where id = %L',
    pg_temp.conversation_id('A')),
  'change a conversation directly');
select * from tests.refused_to_everyone_but_the_service_role(
  format('delete from public.conversations where id = %L', pg_temp.conversation_id('A')),
  'delete a conversation directly');
select * from tests.refused_to_everyone_but_the_service_role(
  format('insert into public.conversation_participants (conversation_id, user_id) values (%L, %L)',
    pg_temp.conversation_id('A'), tests.user_id('candidate_b')),
  'join a conversation directly');
select * from tests.refused_to_everyone_but_the_service_role(
  format('update public.conversation_participants set last_read_at = now() where conversation_id = %L',
    pg_temp.conversation_id('A')),
  'move a read receipt directly');
select * from tests.refused_to_everyone_but_the_service_role(
  format('delete from public.conversation_participants where conversation_id = %L',
    pg_temp.conversation_id('A')),
  'remove a participant directly');
select * from tests.refused_to_everyone_but_the_service_role(
  format('insert into public.messages (conversation_id, sender_id, body) values (%L, %L, %L)',
    pg_temp.conversation_id('A'), tests.user_id('candidate_a'), 'direct'),
  'insert a message directly');
select * from tests.refused_to_everyone_but_the_service_role(
  format('update public.messages set body = %L where conversation_id = %L', 'modifié',
    pg_temp.conversation_id('A')),
  'edit a message directly');
select * from tests.refused_to_everyone_but_the_service_role(
  format('delete from public.messages where conversation_id = %L', pg_temp.conversation_id('A')),
  'delete a message directly');

select tests.authenticate_as_service_role();
select is(tests.rows_affected(format(
    'insert into public.conversation_participants (conversation_id, user_id) values (%L, %L)',
    pg_temp.conversation_id('B'), tests.user_id('admin'))),
  1, 'the service role adds a participant');
select is(tests.rows_affected(format(
    'insert into public.messages (conversation_id, sender_id, body) values (%L, %L, %L)',
    pg_temp.conversation_id('B'), tests.user_id('admin'), 'Bonjour de l''équipe')),
  1, 'the service role inserts a message');
select is(tests.rows_affected(format(
    'update public.messages set body = null, deleted_at = now() where body = %L', 'Bonjour B')),
  1, 'the service role soft-deletes a message');
select throws_ok(
  $$ update public.messages set deleted_at = now() where body = 'Merci' $$, '23514', null,
  'a deleted message cannot keep its body');
select is(tests.rows_affected(format(
    'update public.conversation_participants set last_read_at = now() where conversation_id = %L',
    pg_temp.conversation_id('A'))),
  2, 'the service role moves read receipts');
select is(tests.rows_affected(format(
    'update public.conversations set last_message_at = now() where id = %L',
    pg_temp.conversation_id('B'))),
  1, 'the service role updates a conversation');
select is(tests.rows_affected(format(
    'insert into public.conversations (direct_key) values (%L)',
    tests.direct_key('candidate_a', 'company_b'))),
  1, 'the service role creates a conversation');
select throws_ok(
  format('insert into public.conversations (direct_key) values (%L)',
    tests.direct_key('company_a', 'candidate_a')),
  '23505', null, 'a pair of users has a single direct conversation');
select is(tests.rows_affected(format(
    'delete from public.conversation_participants where conversation_id = %L and user_id = %L',
    pg_temp.conversation_id('B'), tests.user_id('admin'))),
  1, 'the service role removes a participant');
select is(tests.rows_affected(format('delete from public.conversations where id = %L',
    pg_temp.conversation_id('A'))),
  1, 'the service role deletes a conversation');
select tests.clear_authentication();
select is((select count(*)::int from public.messages where sender_id = tests.user_id('candidate_a')),
  0, 'deleting a conversation deletes its messages');

select * from finish();
rollback;
