-- Who may message whom (private.may_open_conversation, can_message) and start_conversation.
-- World: candidate_a applied to 'A published' and 'A closed' (company_a) and matched
-- 'B published' (company_b) while open to work; candidate_b applied to 'B published' and matched
-- 'A published' but is not open to work. Conversations: candidate_a <-> company_a;
-- candidate_b <-> company_b, which company_b left.
begin;
select plan(35);
select tests.create_world();

create function pg_temp.may(p_initiator text, p_recipient text) returns boolean
language sql as $$
  select private.may_open_conversation(tests.user_id(p_initiator), tests.user_id(p_recipient))
$$;
create function pg_temp.start(p_recipient text) returns uuid
language sql as $$
  select public.start_conversation(tests.user_id(p_recipient))
$$;
-- Who takes part in the conversation of two members (those who left it excepted).
create function pg_temp.active_participants(p_first text, p_second text) returns setof text
language sql security definer as $$
  select tests.name_of(user_id) from public.conversation_participants
  where conversation_id = tests.conversation_id(p_first, p_second) and left_at is null
$$;

-- The rule
select ok(pg_temp.may('company_a', 'candidate_a'),
  'a company may write to a candidate who applied to its offer');
select ok(pg_temp.may('company_b', 'candidate_a'),
  'a company may write to a candidate open to work who matched its offer');
select ok(not pg_temp.may('company_a', 'candidate_b'),
  'a company may not write to a matched candidate who is not open to work');
select ok(pg_temp.may('candidate_a', 'company_a'),
  'a candidate may write to a company they applied to');
select ok(not pg_temp.may('candidate_a', 'company_b'),
  'a candidate may not write to a company they only matched');
select ok(not pg_temp.may('candidate_a', 'candidate_b'), 'candidates do not write to each other');
select ok(not pg_temp.may('company_a', 'company_b'), 'companies do not write to each other');
select ok(pg_temp.may('admin', 'candidate_b'), 'an admin may write to any member');
select ok(not pg_temp.may('candidate_a', 'admin'), 'a member may not open a conversation with an admin');
select ok(not pg_temp.may('candidate_a', 'candidate_a'), 'nobody writes to themselves');
select ok(not private.may_open_conversation(tests.user_id('admin'), gen_random_uuid()),
  'not even an admin writes to someone who does not exist');

update public.job_applications set status = 'withdrawn'
where candidate_id = tests.user_id('candidate_b');
select ok(not pg_temp.may('candidate_b', 'company_b'),
  'a withdrawn application no longer lets the candidate write first');
select ok(not pg_temp.may('company_b', 'candidate_b'),
  'nor the company write first to the candidate who withdrew');
update public.job_applications set status = 'submitted'
where candidate_id = tests.user_id('candidate_b');

-- can_message
select tests.authenticate_as('candidate_a');
select ok(public.can_message(tests.user_id('company_a')), 'can_message: allowed by the rule');
select ok(not public.can_message(tests.user_id('company_b')), 'can_message: refused by the rule');
select tests.authenticate_as('company_b');
select ok(public.can_message(tests.user_id('candidate_b')),
  'can_message: a conversation the member takes part in, even after leaving it');
select tests.authenticate_as_anon();
select throws_ok($$ select public.can_message(gen_random_uuid()) $$, '42501', null,
  'visitors cannot call can_message');

-- start_conversation
select tests.clear_authentication();
create temporary table conversations_before as select count(*)::int as n from public.conversations;
select tests.authenticate_as('company_a');
select is(pg_temp.start('candidate_a'), tests.conversation_id('candidate_a', 'company_a'),
  'asking again returns the existing conversation');
select tests.authenticate_as('candidate_a');
select is(pg_temp.start('company_a'), tests.conversation_id('candidate_a', 'company_a'),
  'from either side');
select tests.clear_authentication();
select is((select count(*)::int from public.conversations),
  (select n from conversations_before), 'and creates nothing');
select tests.authenticate_as('candidate_a');

select tests.authenticate_as('company_b');
select isnt(pg_temp.start('candidate_a'), null,
  'a company opens a conversation with a matched candidate');
select tests.authenticate_as('candidate_a');
select set_eq(
  $$ select * from pg_temp.active_participants('candidate_a', 'company_b') $$,
  array['candidate_a', 'company_b'], 'both members take part in the new conversation');
select is(
  (select count(*)::int from public.conversations
   where id = tests.conversation_id('candidate_a', 'company_b')),
  1, 'the candidate sees it');
select is(pg_temp.start('company_b'), tests.conversation_id('candidate_a', 'company_b'),
  'the candidate may now answer although the rule would not let her write first');

select throws_ok($$ select pg_temp.start('candidate_b') $$, '42501',
  'start_conversation: you may not start a conversation with this member',
  'a candidate cannot cold-message another candidate');
select throws_ok($$ select public.start_conversation(tests.user_id('candidate_a')) $$, '22023',
  'start_conversation: you cannot message yourself', 'nor themselves');
select throws_ok($$ select public.start_conversation(null) $$, '22023', null,
  'the other member is required');
select tests.authenticate_as('candidate_b');
select throws_ok($$ select pg_temp.start('company_a') $$, '42501', null,
  'a candidate cannot write first to a company they only matched');
select tests.authenticate_as('admin');
select isnt(pg_temp.start('candidate_b'), null, 'an admin opens a conversation with anyone');
select tests.authenticate_as_anon();
select throws_ok($$ select public.start_conversation(gen_random_uuid()) $$, '42501', null,
  'visitors cannot start conversations');

-- Coming back to a conversation one left
select tests.authenticate_as('candidate_b');
select is(pg_temp.start('company_b'), tests.conversation_id('candidate_b', 'company_b'),
  'candidate B gets the conversation company B left');
select set_eq(
  $$ select * from pg_temp.active_participants('candidate_b', 'company_b') $$,
  array['candidate_b'], 'which does not bring company B back');
select tests.authenticate_as('company_b');
select is(pg_temp.start('candidate_b'), tests.conversation_id('candidate_b', 'company_b'),
  'company B reopens it');
select set_eq(
  $$ select * from pg_temp.active_participants('candidate_b', 'company_b') $$,
  array['candidate_b', 'company_b'], 'and takes part again');
select is(
  (select count(*)::int from public.messages
   where conversation_id = tests.conversation_id('candidate_b', 'company_b')),
  1, 'and reads the history again');

select * from finish();
rollback;
