-- notifications (in-app inbox) and notification_preferences: the owner only. The dispatcher
-- (service role) writes notifications; members mark them read and dismiss them. Preferences are
-- created at sign-up; members read and change theirs. mark_notifications_read() marks some or
-- all of the caller's notifications read.
-- World: 'Offre pour A' (candidate_a, unread), 'Message pour A' (candidate_a, read),
--        'Offre pour B' (candidate_b, unread).
begin;
select plan(73);
select tests.create_world();

create function pg_temp.visible_notifications() returns setof text
language sql as $$
  select title from public.notifications where user_id = any (tests.persona_ids())
$$;
create function pg_temp.visible_preferences() returns setof text
language sql as $$
  select tests.name_of(user_id) from public.notification_preferences
  where user_id = any (tests.persona_ids())
$$;
create function pg_temp.notification_id(p_title text) returns uuid
language sql security definer as $$ select id from public.notifications where title = p_title $$;
create function pg_temp.unread() returns setof text
language sql security definer as $$
  select title from public.notifications
  where user_id = any (tests.persona_ids()) and read_at is null
$$;

-- notifications: SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.notifications $$, '42501', null,
  'a visitor cannot read notifications');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_notifications()',
  array['Offre pour A', 'Message pour A'], 'candidate A reads her notifications only');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_notifications()', array['Offre pour B'],
  'candidate B reads his notification only');
select tests.authenticate_as('company_a');
select is_empty('select * from pg_temp.visible_notifications()',
  'company A reads no one else''s notifications');
select tests.authenticate_as('company_b');
select is_empty('select * from pg_temp.visible_notifications()',
  'company B reads no one else''s notifications');
select tests.authenticate_as('admin');
select is_empty('select * from pg_temp.visible_notifications()',
  'the admin reads no one else''s notifications');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_notifications()',
  array['Offre pour A', 'Message pour A', 'Offre pour B'],
  'the service role reads every notification');

-- notifications: INSERT (the dispatcher only)
select tests.clear_authentication();
select * from tests.refused_to_everyone_but_the_service_role(
  format('insert into public.notifications (user_id, type, title) values (%L, %L, %L)',
    tests.user_id('candidate_a'), 'system', 'Faux'),
  'write a notification');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(format(
    'insert into public.notifications (user_id, type, title, dedupe_key) values (%L, %L, %L, %L)',
    tests.user_id('candidate_b'), 'application', 'Candidature vue', 'application:1')),
  1, 'the service role writes a notification');
select throws_ok(format(
    'insert into public.notifications (user_id, type, title, dedupe_key) values (%L, %L, %L, %L)',
    tests.user_id('candidate_b'), 'application', 'Candidature vue', 'application:1'),
  '23505', null, 'a redelivered notification (same dedupe_key) is refused');
select throws_ok(format('insert into public.notifications (user_id, type, title) values (%L, %L, %L)',
    tests.user_id('candidate_b'), 'spam', 'Pub'),
  '22P02', 'invalid input value for enum notification_type: "spam"',
  'a notification type is one of the known ones');

-- notifications: UPDATE (read_at only, own rows)
select tests.authenticate_as_anon();
select throws_ok(format('update public.notifications set read_at = now() where id = %L',
    pg_temp.notification_id('Offre pour A')), '42501', null,
  'a visitor cannot mark a notification read');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected(format('update public.notifications set read_at = now() where id = %L',
    pg_temp.notification_id('Offre pour A'))), 0,
  'candidate B cannot mark candidate A''s notification read');
select tests.authenticate_as('company_a');
select is(tests.rows_affected(format('update public.notifications set read_at = now() where id = %L',
    pg_temp.notification_id('Offre pour A'))), 0,
  'company A cannot mark candidate A''s notification read');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(format('update public.notifications set read_at = now() where id = %L',
    pg_temp.notification_id('Offre pour B'))), 0,
  'company B cannot mark candidate B''s notification read');
select tests.authenticate_as('admin');
select is(tests.rows_affected(format('update public.notifications set read_at = now() where id = %L',
    pg_temp.notification_id('Offre pour A'))), 0,
  'the admin cannot mark someone''s notification read');
select tests.authenticate_as('candidate_a');
select throws_ok(format('update public.notifications set title = %L where id = %L', 'Changé',
    pg_temp.notification_id('Offre pour A')), '42501', null,
  'candidate A cannot rewrite her notification');
select is(tests.rows_affected(format('update public.notifications set read_at = now() where id = %L',
    pg_temp.notification_id('Offre pour A'))), 1, 'candidate A marks her notification read');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(format('update public.notifications set read_at = null where id = %L',
    pg_temp.notification_id('Offre pour A'))), 1, 'the service role updates any notification');

-- mark_notifications_read()
select tests.authenticate_as_anon();
select throws_ok($$ select public.mark_notifications_read() $$, '42501', null,
  'a visitor cannot call mark_notifications_read');
select tests.authenticate_as('candidate_b');
select is(public.mark_notifications_read(array[pg_temp.notification_id('Offre pour A')]), 0,
  'mark_notifications_read ignores the ids of someone else''s notifications');
select tests.authenticate_as('candidate_a');
select throws_ok($$ select public.mark_notifications_read(array[null]::uuid[]) $$, '22023',
  'p_ids: ids must not be null', 'mark_notifications_read refuses null ids');
select throws_ok(
  $$ select public.mark_notifications_read(array(select gen_random_uuid() from generate_series(1, 1001))) $$,
  '22023', 'p_ids: at most 1000 ids per call (pass null to mark all)',
  'mark_notifications_read refuses more than 1000 ids');
select is(public.mark_notifications_read('{}'), 0, 'an empty list marks nothing');
select is(public.mark_notifications_read(array[pg_temp.notification_id('Offre pour A')]), 1,
  'mark_notifications_read marks the given notification');
select is(public.mark_notifications_read(array[pg_temp.notification_id('Offre pour A')]), 0,
  'marking it again marks nothing');
select tests.clear_authentication();
insert into public.notifications (user_id, type, title)
values (tests.user_id('candidate_a'), 'system', 'Bienvenue'), (tests.user_id('candidate_a'), 'system', 'Astuce');
select tests.authenticate_as('candidate_a');
select is(public.mark_notifications_read(), 2, 'with no ids it marks all the caller''s unread ones');
select set_eq('select * from pg_temp.unread()', array['Offre pour B', 'Candidature vue'],
  'other members'' notifications stay unread');
select tests.authenticate_as_service_role();
select throws_ok($$ select public.mark_notifications_read() $$, '42501',
  'mark_notifications_read: sign in first', 'the service role has no inbox to mark');

-- notifications: DELETE (dismiss)
select tests.authenticate_as_anon();
select throws_ok(format('delete from public.notifications where id = %L',
    pg_temp.notification_id('Offre pour A')), '42501', null, 'a visitor cannot dismiss a notification');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected(format('delete from public.notifications where id = %L',
    pg_temp.notification_id('Offre pour A'))), 0,
  'candidate B cannot dismiss candidate A''s notification');
select tests.authenticate_as('company_a');
select is(tests.rows_affected(format('delete from public.notifications where id = %L',
    pg_temp.notification_id('Offre pour A'))), 0, 'company A cannot dismiss a notification');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(format('delete from public.notifications where id = %L',
    pg_temp.notification_id('Offre pour B'))), 0, 'company B cannot dismiss a notification');
select tests.authenticate_as('admin');
select is(tests.rows_affected(format('delete from public.notifications where id = %L',
    pg_temp.notification_id('Offre pour A'))), 0, 'the admin cannot dismiss a notification');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected(format('delete from public.notifications where id = %L',
    pg_temp.notification_id('Offre pour A'))), 1, 'candidate A dismisses her notification');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(format('delete from public.notifications where id = %L',
    pg_temp.notification_id('Offre pour B'))), 1, 'the service role deletes any notification');

-- notification_preferences: SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.notification_preferences $$, '42501', null,
  'a visitor cannot read preferences');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_preferences()', array['candidate_a'],
  'candidate A reads her preferences only');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_preferences()', array['candidate_b'],
  'candidate B reads his preferences only');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_preferences()', array['company_a'],
  'company A reads its preferences only');
select tests.authenticate_as('company_b');
select set_eq('select * from pg_temp.visible_preferences()', array['company_b'],
  'company B reads its preferences only');
select tests.authenticate_as('admin');
select set_eq('select * from pg_temp.visible_preferences()', array['admin'],
  'the admin reads their preferences only');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_preferences()',
  array['candidate_a', 'candidate_b', 'company_a', 'company_b', 'admin'],
  'the service role reads every member''s preferences');

-- notification_preferences: INSERT (a member may recreate theirs)
select tests.clear_authentication();
delete from public.notification_preferences
where user_id in (tests.user_id('candidate_a'), tests.user_id('company_b'));
select tests.authenticate_as_anon();
select throws_ok(format('insert into public.notification_preferences (user_id) values (%L)',
    tests.user_id('candidate_a')), '42501', null, 'a visitor cannot create preferences');
select tests.authenticate_as('candidate_b');
select throws_ok(format('insert into public.notification_preferences (user_id) values (%L)',
    tests.user_id('candidate_a')), '42501', null,
  'candidate B cannot create candidate A''s preferences');
select tests.authenticate_as('company_a');
select throws_ok(format('insert into public.notification_preferences (user_id) values (%L)',
    tests.user_id('candidate_a')), '42501', null, 'company A cannot create someone''s preferences');
select tests.authenticate_as('admin');
select throws_ok(format('insert into public.notification_preferences (user_id) values (%L)',
    tests.user_id('candidate_a')), '42501', null, 'the admin cannot create someone''s preferences');
select tests.authenticate_as('company_b');
select throws_ok(format('insert into public.notification_preferences (user_id) values (%L)',
    tests.user_id('candidate_a')), '42501', null,
  'company B cannot create someone else''s preferences');
select tests.authenticate_as('candidate_a');
select throws_ok(format('insert into public.notification_preferences (user_id, timezone) values (%L, %L)',
    tests.user_id('candidate_a'), 'Mars/Olympus'), '22023', null,
  'an unknown time zone is refused');
select is(tests.rows_affected(format(
    'insert into public.notification_preferences (user_id, sms_enabled) values (%L, true)',
    tests.user_id('candidate_a'))), 1, 'candidate A recreates her preferences');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(format('insert into public.notification_preferences (user_id) values (%L)',
    tests.user_id('company_b'))), 1, 'the service role creates preferences');

-- notification_preferences: UPDATE
select tests.authenticate_as_anon();
select throws_ok(format('update public.notification_preferences set push_enabled = false where user_id = %L',
    tests.user_id('candidate_a')), '42501', null, 'a visitor cannot change preferences');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected(format(
    'update public.notification_preferences set push_enabled = false where user_id = %L',
    tests.user_id('candidate_a'))), 0, 'candidate B cannot change candidate A''s preferences');
select is(tests.rows_affected(format(
    'update public.notification_preferences set quiet_hours_start = %L, quiet_hours_end = %L, '
    'timezone = %L where user_id = %L',
    '22:00', '07:00', 'America/Montreal', tests.user_id('candidate_b'))), 1,
  'candidate B sets quiet hours in his time zone');
select throws_ok(format(
    'update public.notification_preferences set quiet_hours_end = null where user_id = %L',
    tests.user_id('candidate_b')), '23514', null, 'quiet hours have a start and an end');
select tests.authenticate_as('company_a');
select is(tests.rows_affected(format(
    'update public.notification_preferences set email_enabled = false where user_id = %L',
    tests.user_id('company_a'))), 1, 'company A changes its preferences');
select is(tests.rows_affected(format(
    'update public.notification_preferences set email_enabled = false where user_id = %L',
    tests.user_id('company_b'))), 0, 'company A cannot change company B''s preferences');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(format(
    'update public.notification_preferences set email_enabled = false where user_id = %L',
    tests.user_id('company_a'))), 0, 'company B cannot change company A''s preferences');
select tests.authenticate_as('admin');
select is(tests.rows_affected(format(
    'update public.notification_preferences set marketing_enabled = true where user_id = %L',
    tests.user_id('candidate_a'))), 0, 'the admin cannot opt someone in to marketing');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected(format(
    'update public.notification_preferences set marketing_enabled = true where user_id = %L',
    tests.user_id('candidate_a'))), 1, 'candidate A opts in to marketing');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(format(
    'update public.notification_preferences set sms_enabled = false where user_id = %L',
    tests.user_id('candidate_a'))), 1, 'the service role changes any preferences');

-- notification_preferences: DELETE
select tests.clear_authentication();
select * from tests.refused_to_everyone_but_the_service_role(
  format('delete from public.notification_preferences where user_id = %L',
    tests.user_id('candidate_a')),
  'delete preferences');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(format('delete from public.notification_preferences where user_id = %L',
    tests.user_id('company_b'))), 1, 'the service role deletes preferences');

select * from finish();
rollback;
