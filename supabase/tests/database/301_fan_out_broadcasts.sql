-- The fan-out's Realtime messages (20261125003000_notification_delivery.sql):
-- private.send_broadcasts writes many broadcasts in one statement with realtime.send's contract
-- (one private broadcast per topic, the payload's id kept or given, a warning and never a failure
-- of the caller), and an in-app fan-out is delivered with its broadcasts or, when Realtime's table
-- refuses them (today's partition missing, as in 910), without them and without failing. A role's
-- audience above p_member_broadcasts_max hears of its rows by one `inbox` event on its role's
-- topic, sent with the last in-app chunk, and by no broadcast per member.
begin;
select plan(25);
select tests.create_user('fan_a', 'candidate');
select tests.create_user('fan_b', 'candidate');
select tests.create_user('fan_c', 'candidate');
set local client_min_messages = error;

create function pg_temp.fan_out(p_title text) returns setof private.notification_deliveries
language sql as $$
  select * from private.prepare_notification_delivery(
    jsonb_build_object(
      'requestId', gen_random_uuid(), 'type', 'system', 'title', p_title,
      'audience', jsonb_build_object('userIds', jsonb_build_array(
        tests.user_id('fan_a'), tests.user_id('fan_b'), tests.user_id('fan_c')))
    ),
    10, 2, true)
$$;

-- Many broadcasts in one call
select is(
  private.send_broadcasts(array['{"id": "p1", "n": 1}', '{"n": 2}']::jsonb[], 'probe',
    array['user:one', 'user:two']),
  2,
  'two broadcasts written in one call');
select set_eq(
  $$ select topic || ':' || extension || ':' || private::text from realtime.messages
     where event = 'probe' $$,
  array['user:one:broadcast:true', 'user:two:broadcast:true'],
  'each on its topic, as a private broadcast');
select is(
  (select payload ->> 'id' from realtime.messages where event = 'probe' and topic = 'user:one'),
  'p1',
  'a payload with an id keeps it');
select is(
  (select (payload ->> 'id')::uuid = id from realtime.messages
   where event = 'probe' and topic = 'user:two'),
  true,
  'one without is given the message''s id, as realtime.send does');
select is(private.send_broadcasts('{}', 'probe', '{}'), 0, 'nothing to send writes nothing');
select throws_ok(
  $$ select private.send_broadcasts(array['{}']::jsonb[], 'probe', '{}') $$,
  '22023', null,
  'payloads and topics go in pairs');

-- An in-app fan-out in two chunks: rows and broadcasts
create temporary table with_realtime on commit drop as select * from pg_temp.fan_out('Avec Realtime');
select is(
  (select sum(delivered.written)::int from with_realtime as chunk
   cross join lateral private.deliver_in_app_chunk(chunk.request_id, chunk.chunk_index) as delivered
   where chunk.channel = 'in_app'),
  3,
  'an in-app fan-out writes its inbox rows');
select is(
  (select count(*)::int from realtime.messages as message
   join public.notifications as notification
     on message.payload ->> 'id' = notification.id::text
    and message.topic = 'user:' || notification.user_id
   where notification.title = 'Avec Realtime' and message.event = 'notification'),
  3,
  'and one broadcast of each row on its member''s topic');

-- A role's audience above the member broadcasts' limit: one `inbox` event on `role:<role>`
update public.candidates set location = 'Fanville-sur-Mer'
where id in (tests.user_id('fan_a'), tests.user_id('fan_b'), tests.user_id('fan_c'));
create function pg_temp.to_role(p_title text, p_member_broadcasts_max integer)
returns setof private.notification_deliveries
language sql as $$
  select * from private.prepare_notification_delivery(
    jsonb_build_object(
      'requestId', gen_random_uuid(), 'type', 'system', 'title', p_title,
      'audience', '{"role": "candidate", "filters": {"location": "FANVILLE"}}'::jsonb
    ),
    10, 2, true, 1, p_member_broadcasts_max)
$$;
create function pg_temp.inbox_events(p_request_id uuid) returns setof text
language sql as $$
  select topic || ':' || (payload ->> 'title') from realtime.messages
  where event = 'inbox' and payload ->> 'request_id' = p_request_id::text
$$;
create temporary table to_role on commit drop as select * from pg_temp.to_role('Au rôle', 2);
select is(
  (select inbox_topic from private.notification_requests
   where request_id = (select request_id from to_role limit 1)),
  'role:candidate',
  'three in-app recipients of a role, above a limit of two, are told on the role''s topic');
select is(
  (select written from private.deliver_in_app_chunk((select request_id from to_role limit 1), 0)),
  2,
  'its first in-app chunk writes its rows');
select is_empty(
  $$ select * from pg_temp.inbox_events((select request_id from to_role limit 1)) $$,
  'and no inbox event while a chunk is left');
select is(
  (select written from private.deliver_in_app_chunk((select request_id from to_role limit 1), 1)),
  1,
  'the last chunk writes its rows');
select set_eq(
  $$ select * from pg_temp.inbox_events((select request_id from to_role limit 1)) $$,
  array['role:candidate:Au rôle'],
  'and sends the one inbox event, on role:candidate');
select is(
  (select count(*)::int from private.deliver_in_app_chunk((select request_id from to_role limit 1), 1)
   as delivered where delivered.written = 0),
  1,
  'a chunk delivered again writes nothing, and sends no second event');
select is_empty(
  $$ select 1 from realtime.messages where event = 'notification' and payload ->> 'title' = 'Au rôle' $$,
  'no member of it got a broadcast of their own');
select is(
  (select count(*)::int from public.notifications where title = 'Au rôle'),
  3,
  'every member of it has the row in their inbox');
select is(
  (select inbox_topic from private.notification_requests
   where request_id = (select request_id from pg_temp.to_role('Au rôle, peu', 3) limit 1)),
  null,
  'as many as the limit are told one by one');
select is(
  (select inbox_topic from private.notification_requests
   where request_id = (
     select request_id from private.prepare_notification_delivery(
       jsonb_build_object(
         'requestId', gen_random_uuid(), 'type', 'system', 'title', 'Trois membres',
         'audience', jsonb_build_object('userIds', jsonb_build_array(
           tests.user_id('fan_a'), tests.user_id('fan_b'), tests.user_id('fan_c')))
       ),
       10, 2, true, 1, 2)
     limit 1)),
  null,
  'and so is an audience of user ids above the limit (it has no common topic)');

-- Today's partition goes missing
select lives_ok(
  format('alter table realtime.messages detach partition realtime.%I',
    'messages_' || to_char(now() at time zone 'UTC', 'YYYY_MM_DD')),
  'today''s partition of realtime.messages is detached');
select is(
  private.send_broadcasts(array['{}']::jsonb[], 'probe', array['user:three']),
  0,
  'send_broadcasts then writes nothing, and only warns');

create temporary table without_realtime on commit drop as
select * from pg_temp.fan_out('Sans Realtime');
select is(
  (select sum(delivered.written)::int from without_realtime as chunk
   cross join lateral private.deliver_in_app_chunk(chunk.request_id, chunk.chunk_index) as delivered
   where chunk.channel = 'in_app'),
  3,
  'an in-app fan-out writes its inbox rows all the same');
select is(
  (select in_app_count || '/' || (
     select count(*) from private.notification_deliveries as delivery
     where delivery.request_id = request.request_id and delivery.status = 'sent')
   from private.notification_requests as request
   where request.request_id = (select request_id from without_realtime limit 1)),
  '3/2',
  'counts them, and its two chunks are sent');
select is_empty(
  $$ select 1 from realtime.messages where payload ->> 'title' = 'Sans Realtime' $$,
  'nothing of it was broadcast');

-- In-app chunks as even as the dispatcher's lanes: 7 recipients, chunks of at most 2, 2 lanes
-- make 4 chunks (a multiple of the lanes) of 2, 2, 2 and 1; 3 recipients and 1 lane, 2 and 1.
select tests.create_user('fan_d', 'candidate');
select tests.create_user('fan_e', 'candidate');
select tests.create_user('fan_f', 'candidate');
select tests.create_user('fan_g', 'candidate');
select is(
  (select array_agg(cardinality(recipients) order by chunk_index)
   from private.prepare_notification_delivery(
     jsonb_build_object(
       'requestId', gen_random_uuid(), 'type', 'system', 'title', 'Par couloirs',
       'audience', jsonb_build_object('userIds', (
         select jsonb_agg(tests.user_id(name))
         from unnest(array['fan_a', 'fan_b', 'fan_c', 'fan_d', 'fan_e', 'fan_f', 'fan_g']) as name
       ))
     ),
     10, 2, true, 2)
   where channel = 'in_app'),
  array[2, 2, 2, 1],
  'a fan-out of several in-app chunks is cut into a multiple of the lanes');
select is(
  (select array_agg(cardinality(recipients) order by chunk_index)
   from pg_temp.fan_out('Un couloir') where channel = 'in_app'),
  array[2, 1],
  'one lane: chunks of the given size');

select * from finish();
rollback;
