-- public.notifications.user_id is a member's profile without a foreign key
-- (20261125001100_notifications.sql): a statement writing a row of no member is refused with the
-- foreign key's error, a profile's deletion deletes the member's rows, user_id never changes, and
-- writers and deletions take the advisory lock that orders them (shared, exclusive). The
-- dispatcher writes no row for a member deleted since the expansion.
begin;
select plan(9);
select tests.create_user('member_a', 'candidate');
select tests.create_user('member_b', 'candidate');
select tests.create_user('member_c', 'candidate');

create function pg_temp.member_lock_modes() returns setof text
language sql as $$
  select mode from pg_catalog.pg_locks
  where locktype = 'advisory' and pid = pg_backend_pid()
    and objid = 'public.notifications'::regclass::oid
$$;

select throws_ok(
  format('insert into public.notifications (user_id, type, title) values (%L, %L, %L)',
    gen_random_uuid(), 'system', 'Personne'),
  '23503', 'notifications.user_id must be a member (public.profiles.id)',
  'a row of no member is refused, as by a foreign key');
select throws_ok(
  format('insert into public.notifications (user_id, type, title) values (%L, %L, %L), (%L, %L, %L)',
    tests.user_id('member_a'), 'system', 'Mélange', gen_random_uuid(), 'system', 'Mélange'),
  '23503', null,
  'a statement with one row of no member writes none');
select is_empty($$ select 1 from public.notifications where title = 'Mélange' $$,
  'not even the member''s');

insert into public.notifications (user_id, type, title)
values (tests.user_id('member_a'), 'system', 'Pour A'), (tests.user_id('member_b'), 'system', 'Pour B');
select set_eq('select * from pg_temp.member_lock_modes()', array['ShareLock'],
  'a write takes the members'' lock shared');
select throws_ok(
  format('update public.notifications set user_id = %L where title = %L',
    tests.user_id('member_b'), 'Pour A'),
  '42501', 'notifications.user_id cannot be changed',
  'a row never moves to another member');

savepoint before_deletion;
delete from auth.users where id = tests.user_id('member_a');
select set_eq(
  $$ select title from public.notifications where title in ('Pour A', 'Pour B') $$,
  array['Pour B'],
  'deleting a member''s account deletes their rows, and only theirs');
select set_eq('select * from pg_temp.member_lock_modes()', array['ShareLock', 'ExclusiveLock'],
  'a deletion takes the members'' lock exclusively');
rollback to savepoint before_deletion;

-- The dispatcher: a member deleted between the expansion and the chunk gets no row
create temporary table expanded on commit drop as
select * from private.prepare_notification_delivery(
  jsonb_build_object(
    'requestId', gen_random_uuid(), 'type', 'system', 'title', 'Après départ',
    'audience', jsonb_build_object('userIds', jsonb_build_array(
      tests.user_id('member_a'), tests.user_id('member_b'), tests.user_id('member_c')))
  ),
  10, 10, true);
delete from auth.users where id = tests.user_id('member_c');
select is(
  (select written from private.deliver_in_app_chunk((select request_id from expanded limit 1), 0)),
  2,
  'the in-app chunk writes the rows of the members still there');
select set_eq(
  $$ select tests.name_of(user_id) from public.notifications where title = 'Après départ' $$,
  array['member_a', 'member_b'],
  'and none for the one who left');

select * from finish();
rollback;
