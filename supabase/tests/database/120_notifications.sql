-- notifications (in-app inbox) and notification_preferences: the owner only. The dispatcher
-- (service role) writes notifications; members mark them read and dismiss them. Preferences are
-- created at sign-up; members read and change theirs. mark_notifications_read() marks some or
-- all of the caller's notifications read.
-- World: 'Offre pour A' (candidate_a, unread), 'Message pour A' (candidate_a, read),
--        'Offre pour B' (candidate_b, unread).
begin;
select plan(73);
select tests.create_world();

create function pg_temp.notification_id(p_title text) returns uuid
language sql security definer as $$ select id from public.notifications where title = p_title $$;
create function pg_temp.unread() returns setof text
language sql security definer as $$
  select title from public.notifications
  where user_id = any (tests.persona_ids()) and read_at is null
$$;

-- notifications: SELECT
select tests.outcome_as('anon', 'select 1 from public.notifications', '42501',
  'a visitor cannot read notifications');
select tests.results_as(actor,
  'select title from public.notifications where user_id = any (tests.persona_ids())', seen,
  description)
from (values
  ('candidate_a', array['Offre pour A', 'Message pour A'],
    'candidate A reads her notifications only'),
  ('candidate_b', array['Offre pour B'], 'candidate B reads his notification only'),
  ('company_a', '{}', 'company A reads no one else''s notifications'),
  ('company_b', '{}', 'company B reads no one else''s notifications'),
  ('admin', '{}', 'the admin reads no one else''s notifications'),
  ('service_role', array['Offre pour A', 'Message pour A', 'Offre pour B'],
    'the service role reads every notification')
) as expected (actor, seen, description);

-- notifications: INSERT (the dispatcher only)
select * from tests.refused_to_everyone_but_the_service_role(
  format('insert into public.notifications (user_id, type, title) values (%L, %L, %L)',
    tests.user_id('candidate_a'), 'system', 'Faux'),
  'write a notification');
select tests.outcome_as('service_role', statement, outcome, description)
from (values
  (format(
      'insert into public.notifications (user_id, type, title, dedupe_key) values (%L, %L, %L, %L)',
      tests.user_id('candidate_b'), 'application', 'Candidature vue', 'application:1'),
    '1 row', 'the service role writes a notification'),
  (format(
      'insert into public.notifications (user_id, type, title, dedupe_key) values (%L, %L, %L, %L)',
      tests.user_id('candidate_b'), 'application', 'Candidature vue', 'application:1'),
    '23505', 'a redelivered notification (same dedupe_key) is refused'),
  (format('insert into public.notifications (user_id, type, title) values (%L, %L, %L)',
      tests.user_id('candidate_b'), 'spam', 'Pub'),
    '22P02: invalid input value for enum notification_type: "spam"',
    'a notification type is one of the known ones')
) as expected (statement, outcome, description);

-- notifications: UPDATE (read_at only, own rows)
select tests.outcome_as(actor,
  format('update public.notifications set %s where id = %L', assignments,
    pg_temp.notification_id(title)),
  outcome, description)
from (values
  ('anon', 'read_at = now()', 'Offre pour A', '42501',
    'a visitor cannot mark a notification read'),
  ('candidate_b', 'read_at = now()', 'Offre pour A', '0 rows',
    'candidate B cannot mark candidate A''s notification read'),
  ('company_a', 'read_at = now()', 'Offre pour A', '0 rows',
    'company A cannot mark candidate A''s notification read'),
  ('company_b', 'read_at = now()', 'Offre pour B', '0 rows',
    'company B cannot mark candidate B''s notification read'),
  ('admin', 'read_at = now()', 'Offre pour A', '0 rows',
    'the admin cannot mark someone''s notification read'),
  ('candidate_a', 'title = ''Changé''', 'Offre pour A', '42501',
    'candidate A cannot rewrite her notification'),
  ('candidate_a', 'read_at = now()', 'Offre pour A', '1 row',
    'candidate A marks her notification read'),
  ('service_role', 'read_at = null', 'Offre pour A', '1 row',
    'the service role updates any notification')
) as expected (actor, assignments, title, outcome, description);

-- mark_notifications_read()
select tests.outcome_as('anon', 'select public.mark_notifications_read()', '42501',
  'a visitor cannot call mark_notifications_read');
select tests.authenticate_as('candidate_b');
select is(public.mark_notifications_read(array[pg_temp.notification_id('Offre pour A')]), 0,
  'mark_notifications_read ignores the ids of someone else''s notifications');
select tests.authenticate_as('candidate_a');
select throws_ok($$ select public.mark_notifications_read(array[null]::uuid[]) $$, '22023',
  'p_ids: ids must not be null', 'mark_notifications_read refuses null ids');
select throws_ok($$ select public.mark_notifications_read(
    array(select gen_random_uuid() from generate_series(1, 1001))) $$,
  '22023', 'p_ids: at most 1000 ids per call (pass null to mark all)',
  'mark_notifications_read refuses more than 1000 ids');
select is(public.mark_notifications_read('{}'), 0, 'an empty list marks nothing');
select is(public.mark_notifications_read(array[pg_temp.notification_id('Offre pour A')]), 1,
  'mark_notifications_read marks the given notification');
select is(public.mark_notifications_read(array[pg_temp.notification_id('Offre pour A')]), 0,
  'marking it again marks nothing');
select tests.clear_authentication();
insert into public.notifications (user_id, type, title)
values (tests.user_id('candidate_a'), 'system', 'Bienvenue'),
  (tests.user_id('candidate_a'), 'system', 'Astuce');
select tests.authenticate_as('candidate_a');
select is(public.mark_notifications_read(), 2,
  'with no ids it marks all the caller''s unread ones');
select set_eq('select * from pg_temp.unread()', array['Offre pour B', 'Candidature vue'],
  'other members'' notifications stay unread');
select tests.outcome_as('service_role', 'select public.mark_notifications_read()',
  '42501: mark_notifications_read: sign in first', 'the service role has no inbox to mark');

-- notifications: DELETE (dismiss)
select tests.outcome_as(actor,
  format('delete from public.notifications where id = %L', pg_temp.notification_id(title)),
  outcome, description)
from (values
  ('anon', 'Offre pour A', '42501', 'a visitor cannot dismiss a notification'),
  ('candidate_b', 'Offre pour A', '0 rows',
    'candidate B cannot dismiss candidate A''s notification'),
  ('company_a', 'Offre pour A', '0 rows', 'company A cannot dismiss a notification'),
  ('company_b', 'Offre pour B', '0 rows', 'company B cannot dismiss a notification'),
  ('admin', 'Offre pour A', '0 rows', 'the admin cannot dismiss a notification'),
  ('candidate_a', 'Offre pour A', '1 row', 'candidate A dismisses her notification'),
  ('service_role', 'Offre pour B', '1 row', 'the service role deletes any notification')
) as expected (actor, title, outcome, description);

-- notification_preferences: SELECT
select tests.outcome_as('anon', 'select 1 from public.notification_preferences', '42501',
  'a visitor cannot read preferences');
select tests.results_as(actor, $$ select tests.name_of(user_id)
    from public.notification_preferences where user_id = any (tests.persona_ids()) $$,
  seen, description)
from (values
  ('candidate_a', array['candidate_a'], 'candidate A reads her preferences only'),
  ('candidate_b', array['candidate_b'], 'candidate B reads his preferences only'),
  ('company_a', array['company_a'], 'company A reads its preferences only'),
  ('company_b', array['company_b'], 'company B reads its preferences only'),
  ('admin', array['admin'], 'the admin reads their preferences only'),
  ('service_role', array['candidate_a', 'candidate_b', 'company_a', 'company_b', 'admin'],
    'the service role reads every member''s preferences')
) as expected (actor, seen, description);

-- notification_preferences: INSERT (a member may recreate theirs). A row creates the member's
-- default preferences, or runs a statement of its own.
delete from public.notification_preferences
where user_id in (tests.user_id('candidate_a'), tests.user_id('company_b'));
select tests.outcome_as(actor,
  coalesce(statement, format('insert into public.notification_preferences (user_id) values (%L)',
    tests.user_id(member))),
  outcome, description)
from (values
  ('anon', 'candidate_a', null, '42501', 'a visitor cannot create preferences'),
  ('candidate_b', 'candidate_a', null, '42501',
    'candidate B cannot create candidate A''s preferences'),
  ('company_a', 'candidate_a', null, '42501', 'company A cannot create someone''s preferences'),
  ('admin', 'candidate_a', null, '42501', 'the admin cannot create someone''s preferences'),
  ('company_b', 'candidate_a', null, '42501',
    'company B cannot create someone else''s preferences'),
  ('candidate_a', null, format(
      'insert into public.notification_preferences (user_id, timezone) values (%L, %L)',
      tests.user_id('candidate_a'), 'Mars/Olympus'),
    '22023', 'an unknown time zone is refused'),
  ('candidate_a', null, format(
      'insert into public.notification_preferences (user_id, sms_enabled) values (%L, true)',
      tests.user_id('candidate_a')),
    '1 row', 'candidate A recreates her preferences'),
  ('service_role', 'company_b', null, '1 row', 'the service role creates preferences')
) as expected (actor, member, statement, outcome, description);

-- notification_preferences: UPDATE
select tests.outcome_as(actor,
  format('update public.notification_preferences set %s where user_id = %L', assignments,
    tests.user_id(member)),
  outcome, description)
from (values
  ('anon', 'push_enabled = false', 'candidate_a', '42501', 'a visitor cannot change preferences'),
  ('candidate_b', 'push_enabled = false', 'candidate_a', '0 rows',
    'candidate B cannot change candidate A''s preferences'),
  ('candidate_b',
    'quiet_hours_start = ''22:00'', quiet_hours_end = ''07:00'', timezone = ''America/Montreal''',
    'candidate_b', '1 row', 'candidate B sets quiet hours in his time zone'),
  ('candidate_b', 'quiet_hours_end = null', 'candidate_b', '23514',
    'quiet hours have a start and an end'),
  ('company_a', 'email_enabled = false', 'company_a', '1 row', 'company A changes its preferences'),
  ('company_a', 'email_enabled = false', 'company_b', '0 rows',
    'company A cannot change company B''s preferences'),
  ('company_b', 'email_enabled = false', 'company_a', '0 rows',
    'company B cannot change company A''s preferences'),
  ('admin', 'marketing_enabled = true', 'candidate_a', '0 rows',
    'the admin cannot opt someone in to marketing'),
  ('candidate_a', 'marketing_enabled = true', 'candidate_a', '1 row',
    'candidate A opts in to marketing'),
  ('service_role', 'sms_enabled = false', 'candidate_a', '1 row',
    'the service role changes any preferences')
) as expected (actor, assignments, member, outcome, description);

-- notification_preferences: DELETE
select * from tests.refused_to_everyone_but_the_service_role(
  format('delete from public.notification_preferences where user_id = %L',
    tests.user_id('candidate_a')),
  'delete preferences');
select tests.outcome_as('service_role',
  format('delete from public.notification_preferences where user_id = %L',
    tests.user_id('company_b')),
  '1 row', 'the service role deletes preferences');

select * from finish();
rollback;
