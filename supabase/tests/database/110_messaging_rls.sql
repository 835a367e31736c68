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
-- What the caller reads of each table, named by conversation ('A', 'B').
create function pg_temp.visible(p_table text) returns setof text
language plpgsql as $$
begin
  return query execute case p_table
    when 'conversations' then $q$
      select pg_temp.conversation_name(id) from public.conversations
      where id in (pg_temp.conversation_id('A'), pg_temp.conversation_id('B')) $q$
    when 'participants' then $q$
      select pg_temp.conversation_name(conversation_id) || ': ' || tests.name_of(user_id)
      from public.conversation_participants where user_id = any (tests.persona_ids()) $q$
    when 'messages' then $q$
      select pg_temp.conversation_name(conversation_id) || ': ' || coalesce(body, '(supprimé)')
      from public.messages where sender_id = any (tests.persona_ids()) $q$
  end;
end;
$$;

-- SELECT
select tests.outcome_as('anon', format('select 1 from public.%I', name), '42501', description)
from (values
  ('conversations', 'a visitor cannot read conversations'),
  ('conversation_participants', 'a visitor cannot read participants'),
  ('messages', 'a visitor cannot read messages')
) as expected (name, description);
select tests.results_as(actor, format('select * from pg_temp.visible(%L)', name), seen,
  description)
from (values
  ('conversations', 'candidate_a', array['A'], 'candidate A reads her conversation only'),
  ('conversations', 'candidate_b', array['B'], 'candidate B reads his conversation only'),
  ('conversations', 'company_a', array['A'], 'company A reads its conversation only'),
  ('conversations', 'company_b', '{}', 'company B no longer reads the conversation it left'),
  ('conversations', 'admin', '{}', 'the admin reads no conversation'),
  ('conversations', 'service_role', array['A', 'B'], 'the service role reads every conversation'),
  ('participants', 'candidate_a', array['A: candidate_a', 'A: company_a'],
    'candidate A sees who takes part in her conversation'),
  ('participants', 'candidate_b', array['B: candidate_b', 'B: company_b'],
    'candidate B sees the participants of his conversation, including the one who left'),
  ('participants', 'company_a', array['A: candidate_a', 'A: company_a'],
    'company A sees the participants of its conversation'),
  ('participants', 'company_b', '{}', 'company B sees no participant once it left'),
  ('participants', 'admin', '{}', 'the admin sees no participant'),
  ('participants', 'service_role',
    array['A: candidate_a', 'A: company_a', 'B: candidate_b', 'B: company_b'],
    'the service role sees every participant'),
  ('messages', 'candidate_a', array['A: Bonjour A', 'A: Merci', 'A: (supprimé)'],
    'candidate A reads the messages of her conversation; the deleted one has no body'),
  ('messages', 'candidate_b', array['B: Bonjour B'],
    'candidate B reads the messages of his conversation only'),
  ('messages', 'company_a', array['A: Bonjour A', 'A: Merci', 'A: (supprimé)'],
    'company A reads the messages of its conversation only'),
  ('messages', 'company_b', '{}', 'company B no longer reads the conversation it left'),
  ('messages', 'admin', '{}', 'the admin reads no message'),
  ('messages', 'service_role', array['A: Bonjour A', 'A: Merci', 'A: (supprimé)', 'B: Bonjour B'],
    'the service role reads every message')
) as expected (name, actor, seen, description);

-- Writes: through the messaging RPCs only.
select tests.refused_to_everyone_but_the_service_role(statement, action)
from (values
  ($$ insert into public.conversations (direct_key) values (null) $$,
    'create a conversation directly'),
  (format('update public.conversations set last_message_at = now() where id = %L',
      pg_temp.conversation_id('A')),
    'change a conversation directly'),
  (format('delete from public.conversations where id = %L', pg_temp.conversation_id('A')),
    'delete a conversation directly'),
  (format('insert into public.conversation_participants (conversation_id, user_id) values (%L, %L)',
      pg_temp.conversation_id('A'), tests.user_id('candidate_b')),
    'join a conversation directly'),
  (format(
      'update public.conversation_participants set last_read_at = now() where conversation_id = %L',
      pg_temp.conversation_id('A')),
    'move a read receipt directly'),
  (format('delete from public.conversation_participants where conversation_id = %L',
      pg_temp.conversation_id('A')),
    'remove a participant directly'),
  (format('insert into public.messages (conversation_id, sender_id, body) values (%L, %L, %L)',
      pg_temp.conversation_id('A'), tests.user_id('candidate_a'), 'direct'),
    'insert a message directly'),
  (format('update public.messages set body = %L where conversation_id = %L', 'modifié',
      pg_temp.conversation_id('A')),
    'edit a message directly'),
  (format('delete from public.messages where conversation_id = %L', pg_temp.conversation_id('A')),
    'delete a message directly')
) as refused (statement, action);

select tests.outcome_as('service_role', statement, outcome, description)
from (values
  (format('insert into public.conversation_participants (conversation_id, user_id) values (%L, %L)',
      pg_temp.conversation_id('B'), tests.user_id('admin')),
    '1 row', 'the service role adds a participant'),
  (format('insert into public.messages (conversation_id, sender_id, body) values (%L, %L, %L)',
      pg_temp.conversation_id('B'), tests.user_id('admin'), 'Bonjour de l''équipe'),
    '1 row', 'the service role inserts a message'),
  (format('update public.messages set body = null, deleted_at = now() where body = %L',
      'Bonjour B'),
    '1 row', 'the service role soft-deletes a message'),
  ($$ update public.messages set deleted_at = now() where body = 'Merci' $$, '23514',
    'a deleted message cannot keep its body'),
  (format(
      'update public.conversation_participants set last_read_at = now() where conversation_id = %L',
      pg_temp.conversation_id('A')),
    '2 rows', 'the service role moves read receipts'),
  (format('update public.conversations set last_message_at = now() where id = %L',
      pg_temp.conversation_id('B')),
    '1 row', 'the service role updates a conversation'),
  (format('insert into public.conversations (direct_key) values (%L)',
      tests.direct_key('candidate_a', 'company_b')),
    '1 row', 'the service role creates a conversation'),
  (format('insert into public.conversations (direct_key) values (%L)',
      tests.direct_key('company_a', 'candidate_a')),
    '23505', 'a pair of users has a single direct conversation'),
  (format(
      'delete from public.conversation_participants where conversation_id = %L and user_id = %L',
      pg_temp.conversation_id('B'), tests.user_id('admin')),
    '1 row', 'the service role removes a participant'),
  (format('delete from public.conversations where id = %L', pg_temp.conversation_id('A')),
    '1 row', 'the service role deletes a conversation')
) as expected (statement, outcome, description);
select is(
  (select count(*)::int from public.messages where sender_id = tests.user_id('candidate_a')), 0, 'deleting a conversation deletes its messages');

select * from finish();
rollback;
