-- pgTAP tests of the local pgmq stand-in (local/extensions/pgmq): the same behaviour product
-- code relies on from pgmq 1.5 on hosted Supabase. Every queue here is named pgtap_* and
-- everything is rolled back at the end.
-- Concurrent readers (FOR UPDATE SKIP LOCKED) need two sessions, so they are tested by a deno
-- test instead.
begin;
select plan(87);

-- The extension's catalog ---------------------------------------------------------------

select has_schema('pgmq', 'The pgmq schema exists');
select has_table('pgmq', 'meta', 'pgmq.meta lists the queues');
select has_composite('pgmq', 'message_record', 'pgmq.message_record is the shape of a message');
select has_composite('pgmq', 'queue_record', 'pgmq.queue_record is the shape of a listed queue');
select has_composite('pgmq', 'metrics_result', 'pgmq.metrics_result is the shape of metrics');
select has_function(
  'pgmq', 'send', array['text', 'jsonb', 'integer'], 'send accepts a delay in seconds'
);
select has_function(
  'pgmq', 'send', array['text', 'jsonb', 'timestamp with time zone'],
  'send accepts a delay as a timestamp'
);
select has_function(
  'pgmq', 'send', array['text', 'jsonb', 'jsonb', 'integer'], 'send accepts headers and a delay'
);
select function_returns(
  'pgmq', 'read', array['text', 'integer', 'integer', 'jsonb'], 'setof pgmq.message_record',
  'read returns message records'
);
select function_returns(
  'pgmq', 'delete', array['text', 'bigint[]'], 'setof bigint',
  'delete of many returns the deleted ids'
);
select function_returns(
  'pgmq', 'metrics', array['text'], 'pgmq.metrics_result', 'metrics returns a metrics_result'
);

-- Creating queues -----------------------------------------------------------------------

select lives_ok($$ select pgmq.create('pgtap_orders') $$, 'A queue can be created');
select lives_ok(
  $$ select pgmq.create('pgtap_orders') $$, 'Creating an existing queue again is harmless'
);
select has_table('pgmq', 'q_pgtap_orders', 'The queue keeps its messages in pgmq.q_<name>');
select has_table('pgmq', 'a_pgtap_orders', 'The queue keeps its archive in pgmq.a_<name>');
select columns_are(
  'pgmq', 'q_pgtap_orders', array['msg_id', 'read_ct', 'enqueued_at', 'vt', 'message', 'headers'],
  'The message table has the columns of pgmq 1.5'
);
select columns_are(
  'pgmq', 'a_pgtap_orders',
  array['msg_id', 'read_ct', 'enqueued_at', 'archived_at', 'vt', 'message', 'headers'],
  'The archive table has the columns of pgmq 1.5'
);
select results_eq(
  $$ select queue_name::text, is_partitioned, is_unlogged
     from pgmq.list_queues() where queue_name = 'pgtap_orders' $$,
  $$ values ('pgtap_orders', false, false) $$,
  'list_queues shows the new queue once'
);
select ok(
  exists (
    select
    from pg_depend
    where objid = 'pgmq.q_pgtap_orders'::regclass
      and refobjid = (select oid from pg_extension where extname = 'pgmq')
      and deptype = 'e'
  ),
  'Queue tables belong to the pgmq extension, as with the real pgmq'
);
select lives_ok(
  $$ select pgmq.create_unlogged('pgtap_unlogged') $$, 'An unlogged queue can be created'
);
select is(
  (select relpersistence from pg_class where oid = 'pgmq.q_pgtap_unlogged'::regclass),
  'u'::"char",
  'An unlogged queue keeps its messages in an unlogged table'
);
select is(
  (select is_unlogged from pgmq.meta where queue_name = 'pgtap_unlogged'),
  true,
  'pgmq.meta records that the queue is unlogged'
);
select throws_like(
  $$ select pgmq.create_partitioned('pgtap_partitioned') $$,
  '%partitioned queues need pg_partman%',
  'Partitioned queues are refused with a clear error'
);

-- Sending and reading -------------------------------------------------------------------

select results_eq(
  $$ select pgmq.send('pgtap_orders', '{"order": 1}') $$,
  array[1::bigint],
  'send returns the id of the new message'
);
select results_eq(
  $$ select pgmq.send('pgtap_orders', '{"order": 2}')
     union all select pgmq.send('pgtap_orders', '{"order": 3}') $$,
  array[2::bigint, 3],
  'Message ids grow in the order messages are sent'
);
select results_eq(
  $$ select msg_id, read_ct, message from pgmq.read('pgtap_orders', 30, 2) $$,
  $$ values (1::bigint, 1, '{"order": 1}'::jsonb), (2, 1, '{"order": 2}') $$,
  'read returns the oldest messages first, with read_ct 1'
);
select results_eq(
  $$ select msg_id from pgmq.read('pgtap_orders', 30, 10) $$,
  array[3::bigint],
  'Messages being processed are hidden from the next read'
);
select is_empty(
  $$ select * from pgmq.read('pgtap_orders', 30, 10) $$,
  'A queue whose messages are all being processed reads empty'
);

do $$
begin
  perform pgmq.create('pgtap_delayed');
  perform pgmq.send('pgtap_delayed', '{"later": "seconds"}', 60);
  perform pgmq.send('pgtap_delayed', '{"later": "timestamp"}', now() + interval '1 hour');
end;
$$;
select is_empty(
  $$ select * from pgmq.read('pgtap_delayed', 30, 10) $$,
  'Delayed messages are not readable before their delay'
);
select is(
  (pgmq.metrics('pgtap_delayed')).queue_length,
  2::bigint,
  'Delayed messages are nevertheless in the queue'
);

do $$
begin
  perform pgmq.create('pgtap_conditional');
  perform pgmq.send('pgtap_conditional', '{"kind": "email", "to": "a"}');
  perform pgmq.send('pgtap_conditional', '{"kind": "sms", "to": "b"}');
end;
$$;
select results_eq(
  $$ select message from pgmq.read('pgtap_conditional', 30, 10, '{"kind": "sms"}') $$,
  $$ values ('{"kind": "sms", "to": "b"}'::jsonb) $$,
  'read with a condition returns only the messages that contain it'
);

do $$
begin
  perform pgmq.create('pgtap_headers');
  perform pgmq.send('pgtap_headers', '{"body": 1}', '{"trace_id": "t-1"}'::jsonb);
end;
$$;
select results_eq(
  $$ select message, headers from pgmq.read('pgtap_headers', 30, 1) $$,
  $$ values ('{"body": 1}'::jsonb, '{"trace_id": "t-1"}'::jsonb) $$,
  'A message is read back with its headers'
);

-- Visibility timeout and redelivery -----------------------------------------------------

do $$
begin
  perform pgmq.create('pgtap_redelivery');
  perform pgmq.send('pgtap_redelivery', '{"job": "a"}');
end;
$$;
select results_eq(
  $$ select msg_id, read_ct from pgmq.read('pgtap_redelivery', 1, 1) $$,
  $$ values (1::bigint, 1) $$,
  'The first read delivers the message with read_ct 1 and hides it for 1 second'
);
select is_empty(
  $$ select * from pgmq.read('pgtap_redelivery', 1, 1) $$,
  'Within its visibility timeout the message is not delivered again'
);
do $$ begin perform pg_sleep(1.2); end; $$;
select results_eq(
  $$ select msg_id, read_ct, message from pgmq.read('pgtap_redelivery', 30, 1) $$,
  $$ values (1::bigint, 2, '{"job": "a"}'::jsonb) $$,
  'After its visibility timeout an unfinished message is delivered again with read_ct 2'
);
select is_empty(
  $$ select * from pgmq.read_with_poll('pgtap_redelivery', 30, 1, max_poll_seconds => 1) $$,
  'read_with_poll gives up after max_poll_seconds when nothing is visible'
);
do $$ begin perform pgmq.set_vt('pgtap_redelivery', 1, 0); end; $$;
select results_eq(
  $$ select msg_id, read_ct from pgmq.read_with_poll('pgtap_redelivery', 30, 5) $$,
  $$ values (1::bigint, 3) $$,
  'read_with_poll returns visible messages at once'
);

-- send_batch ----------------------------------------------------------------------------

select lives_ok($$ select pgmq.create('pgtap_batch') $$, 'A queue for batches can be created');
select results_eq(
  $$ select * from pgmq.send_batch(
       'pgtap_batch', array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]
     ) $$,
  array[1::bigint, 2, 3],
  'send_batch returns one id per message, in order'
);
select results_eq(
  $$ select message from pgmq.q_pgtap_batch order by msg_id $$,
  $$ values ('{"n": 1}'::jsonb), ('{"n": 2}'), ('{"n": 3}') $$,
  'send_batch stores the messages in the order given'
);
do $$
begin
  perform pgmq.send_batch(
    'pgtap_batch', array['{"n": 4}', '{"n": 5}']::jsonb[], array['{"h": 4}', '{"h": 5}']::jsonb[]
  );
end;
$$;
select results_eq(
  $$ select message, headers from pgmq.q_pgtap_batch where msg_id > 3 order by msg_id $$,
  $$ values ('{"n": 4}'::jsonb, '{"h": 4}'::jsonb), ('{"n": 5}', '{"h": 5}') $$,
  'send_batch pairs each message with its headers'
);
select throws_like(
  $$ select pgmq.send_batch('pgtap_batch', array['{}', '{}']::jsonb[], array['{}']::jsonb[]) $$,
  '%2 messages but 1 headers%',
  'send_batch refuses headers that do not match the messages one to one'
);

-- pop -----------------------------------------------------------------------------------

do $$
begin
  perform pgmq.create('pgtap_pop');
  perform pgmq.send('pgtap_pop', '{"p": 1}');
  perform pgmq.send('pgtap_pop', '{"p": 2}');
end;
$$;
select results_eq(
  $$ select msg_id, message from pgmq.pop('pgtap_pop') $$,
  $$ values (1::bigint, '{"p": 1}'::jsonb) $$,
  'pop returns the oldest message'
);
select is(
  (select count(*) from pgmq.q_pgtap_pop), 1::bigint, 'pop deletes the message it returns'
);
do $$ begin perform pgmq.read('pgtap_pop', 30, 1); end; $$;
select is_empty($$ select * from pgmq.pop('pgtap_pop') $$, 'pop skips messages being processed');

-- set_vt --------------------------------------------------------------------------------

select results_eq(
  $$ select msg_id from pgmq.set_vt('pgtap_orders', 2, 0) $$,
  array[2::bigint],
  'set_vt returns the message it changed'
);
select results_eq(
  $$ select msg_id, read_ct from pgmq.read('pgtap_orders', 30, 10) $$,
  $$ values (2::bigint, 2) $$,
  'After set_vt to 0 a message is delivered again at once'
);
select is_empty(
  $$ select * from pgmq.set_vt('pgtap_orders', 999, 0) $$,
  'set_vt of an unknown message returns nothing'
);
do $$ begin perform pgmq.set_vt('pgtap_conditional', 1, 3600); end; $$;
select is_empty(
  $$ select * from pgmq.read('pgtap_conditional', 30, 10) $$,
  'set_vt can hide a visible message'
);

-- delete --------------------------------------------------------------------------------

select ok(pgmq.delete('pgtap_orders', 1::bigint), 'delete returns true for an existing message');
select ok(
  not pgmq.delete('pgtap_orders', 1::bigint), 'delete returns false when the message is gone'
);
select results_eq(
  $$ select * from pgmq.delete('pgtap_orders', array[2, 3, 999]::bigint[]) order by 1 $$,
  array[2::bigint, 3],
  'delete of many returns the ids that existed'
);
select is_empty($$ select * from pgmq.q_pgtap_orders $$, 'Deleted messages leave the queue');
select is_empty($$ select * from pgmq.a_pgtap_orders $$, 'Deleted messages are not archived');

-- archive -------------------------------------------------------------------------------

select ok(pgmq.archive('pgtap_batch', 1::bigint), 'archive returns true for an existing message');
select results_eq(
  $$ select msg_id, message, archived_at is not null from pgmq.a_pgtap_batch $$,
  $$ values (1::bigint, '{"n": 1}'::jsonb, true) $$,
  'An archived message is kept in the archive table with its body and archive time'
);
select is_empty(
  $$ select * from pgmq.q_pgtap_batch where msg_id = 1 $$, 'An archived message leaves the queue'
);
select ok(
  not pgmq.archive('pgtap_batch', 1::bigint), 'archive returns false when the message is gone'
);
select results_eq(
  $$ select * from pgmq.archive('pgtap_batch', array[2, 3, 999]::bigint[]) order by 1 $$,
  array[2::bigint, 3],
  'archive of many returns the ids that existed'
);

-- metrics and list_queues ---------------------------------------------------------------

select results_eq(
  $$ select queue_name, queue_length, total_messages from pgmq.metrics('pgtap_batch') $$,
  $$ values ('pgtap_batch'::text, 2::bigint, 5::bigint) $$,
  'metrics counts the waiting messages and every message ever sent'
);
select results_eq(
  $$ select queue_name from pgmq.metrics_all() where queue_name like 'pgtap\_%' $$,
  $$ values ('pgtap_batch'::text), ('pgtap_conditional'), ('pgtap_delayed'), ('pgtap_headers'),
            ('pgtap_orders'), ('pgtap_pop'), ('pgtap_redelivery'), ('pgtap_unlogged') $$,
  'metrics_all reports every queue'
);
select results_eq(
  $$ select queue_name::text from pgmq.list_queues() where queue_name like 'pgtap\_%' $$,
  $$ select queue_name from pgmq.metrics_all() where queue_name like 'pgtap\_%' $$,
  'list_queues lists the same queues'
);

-- purge_queue ---------------------------------------------------------------------------

select is(
  pgmq.purge_queue('pgtap_delayed'), 2::bigint, 'purge_queue returns how many messages it deleted'
);
select is_empty($$ select * from pgmq.q_pgtap_delayed $$, 'purge_queue empties the queue');
select is(pgmq.purge_queue('pgtap_batch'), 2::bigint, 'purge_queue also deletes hidden messages');
select is(
  (select count(*) from pgmq.a_pgtap_batch), 3::bigint, 'purge_queue leaves the archive alone'
);

-- drop_queue ----------------------------------------------------------------------------

select ok(pgmq.drop_queue('pgtap_pop'), 'drop_queue returns true for an existing queue');
select hasnt_table('pgmq', 'q_pgtap_pop', 'drop_queue drops the message table');
select hasnt_table('pgmq', 'a_pgtap_pop', 'drop_queue drops the archive table');
select is_empty(
  $$ select * from pgmq.list_queues() where queue_name = 'pgtap_pop' $$,
  'A dropped queue is no longer listed'
);
select throws_ok(
  $$ select pgmq.drop_queue('pgtap_pop') $$, '42P01', 'relation "pgmq.q_pgtap_pop" does not exist',
  'drop_queue of an unknown queue fails, as in pgmq 1.5.1'
);
select throws_ok(
  $$ select pgmq.send('pgtap_pop', '{}') $$, '42P01', null, 'Sending to a dropped queue fails'
);

-- Queue names ---------------------------------------------------------------------------

select throws_like(
  $$ select pgmq.create('bad;name') $$, '%invalid characters%',
  'A queue name with a semicolon is refused'
);
select throws_like(
  $$ select pgmq.create('x''; drop table pgmq.meta; --') $$, '%invalid characters%',
  'A queue name carrying SQL is refused'
);
select throws_like(
  $$ select pgmq.send('orders"; drop table pgmq.meta; --', '{}') $$, '%invalid characters%',
  'A queue name carrying a quoted identifier is refused by send'
);
select throws_like(
  $$ select * from pgmq.read('a b', 30, 1) $$, '%invalid characters%',
  'A queue name with a space is refused by read'
);
select throws_like(
  $$ select pgmq.create('Orders') $$, '%invalid characters%',
  'Upper-case queue names are refused, so two names never share a table'
);
select throws_like(
  $$ select pgmq.create(repeat('a', 48)) $$, '%too long%',
  'A queue name longer than 47 characters is refused'
);
select lives_ok(
  $$ select pgmq.create(repeat('a', 47)) $$, 'A queue name of 47 characters is accepted'
);
select throws_like(
  $$ select pgmq.create('') $$, '%must not be empty%', 'An empty queue name is refused'
);
select throws_like(
  $$ select pgmq.create(null) $$, '%must not be empty%', 'A null queue name is refused'
);
select has_table('pgmq', 'meta', 'pgmq.meta survives the injection attempts');

-- Privileges (the Supabase roles exist on the platform's database) ----------------------

select ok(
  not has_schema_privilege('service_role', 'pgmq', 'usage'),
  'service_role may not use the pgmq schema: pgmq grants nothing, migrations grant what is needed'
);
select ok(
  has_table_privilege('pg_monitor', 'pgmq.q_pgtap_orders', 'select'),
  'pg_monitor may read the queues, as pgmq grants'
);
select ok(
  not has_schema_privilege('anon', 'pgmq', 'usage'), 'anon may not use the pgmq schema'
);
select throws_ok(
  $$ set local role anon;
     select pgmq.send('pgtap_orders', '{"from": "anon"}') $$,
  '42501',
  null,
  'anon cannot send to a queue'
);
select ok(
  not has_schema_privilege('authenticated', 'pgmq', 'usage'),
  'authenticated may not use the pgmq schema'
);

select * from finish();
rollback;
