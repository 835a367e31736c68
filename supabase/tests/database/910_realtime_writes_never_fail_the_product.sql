-- Writes to Realtime's own table never fail the product's writes (docs/messaging.md). On hosted
-- Supabase realtime.messages is partitioned by day and Realtime creates the partitions; when
-- today's is missing (Realtime not running yet, say), an insert into realtime.messages raises.
-- realtime.send catches that and warns, so messages are still stored, edited and deleted.
-- World: conversation A = candidate_a <-> company_a.
begin;
select plan(9);
select tests.create_world();
set local client_min_messages = error;

create function pg_temp.a() returns uuid language sql stable as $$
  select tests.conversation_id('candidate_a', 'company_a')
$$;

-- Today's partition goes missing.
select lives_ok(
  format('alter table realtime.messages detach partition realtime.%I',
    'messages_' || to_char(now() at time zone 'UTC', 'YYYY_MM_DD')),
  'today''s partition of realtime.messages is detached');
select throws_ok(
  $$ insert into realtime.messages (topic, extension, event, private, payload)
     values ('user:nobody', 'broadcast', 'probe', true, '{}') $$,
  '23514', null,
  'without it, a direct insert into realtime.messages raises');
select lives_ok(
  $$ select realtime.send('{}', 'probe', 'user:nobody') $$,
  'realtime.send only warns');

select tests.authenticate_as('company_a');
select lives_ok(
  format('select public.send_message(%L, %L, %L)', pg_temp.a(), 'Sans partition', tests.message_id(2)),
  'a message is sent');
select lives_ok(
  format('select public.edit_message(%L, %L)', tests.message_id(2), 'Sans partition, modifié'),
  'edited');
select lives_ok(format('select public.delete_message(%L)', tests.message_id(2)), 'and deleted');
select tests.clear_authentication();
select is(
  (select row(body, deleted_at is not null)::text from public.messages where id = tests.message_id(2)),
  row(null::text, true)::text, 'the message was stored, then deleted');
select is_empty(
  format($$ select 1 from realtime.messages where payload ->> 'message_id' = %L $$,
    tests.message_id(2)),
  'nothing of it was broadcast');

select tests.authenticate_as('candidate_a');
select lives_ok(format('select public.mark_as_read(%L)', pg_temp.a()),
  'a read receipt (realtime.send) does not fail either');

select * from finish();
rollback;
