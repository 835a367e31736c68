-- The realtime schema stand-in keeps the SQL surface of hosted Supabase Realtime.
begin;
select plan(8);

select has_table('realtime', 'messages', 'realtime.messages exists');
select ok(
  (select relrowsecurity from pg_class where oid = 'realtime.messages'::regclass),
  'row-level security is enabled on realtime.messages'
);
select has_function('realtime', 'topic', 'realtime.topic() exists');
select has_function(
  'realtime', 'send', array['jsonb', 'text', 'text', 'boolean'],
  'realtime.send(payload, event, topic, private) has the real signature'
);
select has_function(
  'realtime', 'broadcast_changes',
  array['text', 'text', 'text', 'text', 'text', 'record', 'record', 'text'],
  'realtime.broadcast_changes has the real signature'
);

select realtime.send('{"hello": "world"}'::jsonb, 'greeting', 'room:stand-in-test');
select results_eq(
  $$ select topic, event, private, extension, payload->>'hello'
     from realtime.messages where topic = 'room:stand-in-test' $$,
  $$ values ('room:stand-in-test'::text, 'greeting'::text, true, 'broadcast'::text, 'world'::text) $$,
  'realtime.send writes a private broadcast row with its topic, event and payload'
);
select ok(
  (select payload ? 'id' from realtime.messages where topic = 'room:stand-in-test'),
  'the payload carries the message id, as the real function adds it'
);

select realtime.send('{}'::jsonb, 'public-event', 'room:stand-in-public', false);
select is(
  (select private from realtime.messages where topic = 'room:stand-in-public'),
  false,
  'realtime.send honours private => false'
);

select * from finish();
rollback;
