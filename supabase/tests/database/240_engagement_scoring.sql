-- Engagement scoring: points per action, the Paris-night multiplier, views counted once per target
-- and hour, automatic tracking of likes, comments and applications, and the track_activity RPC.
-- Times are explicit (p_at) so the results do not depend on when the test runs; automatic tracking
-- uses now(), so its points are compared with the multiplier of the row's own time.
begin;
select plan(32);

select tests.create_user('scorer', 'candidate');
select tests.create_user('scoring_company', 'company');

-- Rules and hours.
select results_eq('select action, points from private.activity_rules() order by points',
  $$ values ('view'::text, 1::numeric), ('like', 5), ('comment', 10), ('share', 15), ('apply', 20) $$,
  'points: view 1, like 5, comment 10, share 15, apply 20');
select is(private.activity_multiplier(at), multiplier, description)
from (values
  ('2026-01-15 12:00 Europe/Paris'::timestamptz, 1::numeric, 'midday in Paris: x1'),
  ('2026-01-15 23:30 Europe/Paris', 1.5, 'half past eleven at night in Paris: x1.5'),
  ('2026-01-15 05:59 Europe/Paris', 1.5, '05:59: still night'),
  ('2026-01-15 06:00 Europe/Paris', 1, '06:00: day again'),
  ('2026-07-01 20:30 UTC', 1.5,
    '20:30 UTC in summer is 22:30 in Paris: night (daylight saving time)'),
  ('2026-01-15 21:30 UTC', 1.5, '21:30 UTC in winter is 22:30 in Paris: night'),
  ('2026-07-01 19:30 UTC', 1, '19:30 UTC in summer is 21:30 in Paris: day')
) as expected (at, multiplier, description);

-- record_activity with explicit times.
create function pg_temp.record(p_action text, p_target uuid, p_at timestamptz)
returns text
language sql as $$
  select counted || ' ' || points || ' ' || engagement_score
  from private.record_activity(tests.user_id('scorer'), p_action, p_target,
    case when p_target is null then null else 'post' end, p_at)
$$;
-- In order: each row's score adds to the previous ones'.
select is(pg_temp.record(action, target, at), outcome, description)
from (values
  ('view', '00000000-0000-0000-0000-00000000000a'::uuid,
    '2026-01-15 12:00 Europe/Paris'::timestamptz, 'true 1 1.0', 'a view earns 1 point'),
  ('view', '00000000-0000-0000-0000-00000000000a', '2026-01-15 12:30 Europe/Paris', 'false 0 1.0',
    'the same view half an hour later earns nothing'),
  ('view', '00000000-0000-0000-0000-00000000000b', '2026-01-15 12:30 Europe/Paris', 'true 1 2.0',
    'a view of another target counts'),
  ('view', '00000000-0000-0000-0000-00000000000a', '2026-01-15 13:01 Europe/Paris', 'true 1 3.0',
    'the same view more than an hour later counts again'),
  ('like', '00000000-0000-0000-0000-00000000000c', '2026-01-15 23:00 Europe/Paris',
    'true 7.5 10.5', 'a like at night earns 5 x 1.5'),
  ('share', '00000000-0000-0000-0000-00000000000c', '2026-01-15 14:00 Europe/Paris',
    'true 15 25.5', 'a share earns 15'),
  ('share', '00000000-0000-0000-0000-00000000000c', '2026-01-15 20:00 Europe/Paris',
    'false 0 25.5', 'sharing the same post again the same day earns nothing'),
  ('comment', null, '2026-01-15 15:00 Europe/Paris', 'true 10 35.5', 'a comment earns 10'),
  ('comment', null, '2026-01-15 15:01 Europe/Paris', 'true 10 45.5', 'and so does the next one')
) as expected (action, target, at, outcome, description);
select results_eq(
  $$ select engagement_score, last_activity_at from public.profiles
     where id = tests.user_id('scorer') $$,
  $$ values (45.5::numeric, '2026-01-15 23:00 Europe/Paris'::timestamptz) $$,
  'the profile holds the sum of the points and the latest activity');
select is(
  (select sum(points) from public.activity_logs where user_id = tests.user_id('scorer')),
  45.5::numeric, 'activity_logs hold one row per counted activity, adding up to the score');

select throws_ok($$ select private.record_activity(tests.user_id('scorer'), 'poke') $$,
  '22023', 'unknown action ''poke'' (view, like, comment, share or apply)', 'unknown actions are refused');
select throws_ok(
  $$ select private.record_activity(tests.user_id('scorer'), 'view', gen_random_uuid()) $$,
  '22023', null, 'a target id needs its type');
select throws_ok($$ select private.record_activity(gen_random_uuid(), 'view') $$,
  'P0002', null, 'an unknown user is refused');

-- Automatic tracking, as the users themselves.
select tests.authenticate_as('scoring_company');
insert into public.jobs (title, status) values ('Offre notée', 'published');
insert into public.posts (content) values ('Post noté');
select tests.clear_authentication();
-- As the moderation worker would: both are clean.
update public.jobs set moderation_status = 'approved' where id = tests.job_id('Offre notée');
update public.posts set moderation_status = 'approved' where id = tests.post_id('Post noté');
select tests.authenticate_as('scorer');
insert into public.post_reactions (post_id) values (tests.post_id('Post noté'));
delete from public.post_reactions where post_id = tests.post_id('Post noté');
insert into public.post_reactions (post_id) values (tests.post_id('Post noté'));
insert into public.post_comments (post_id, content) values (tests.post_id('Post noté'), 'Un');
insert into public.post_comments (post_id, content) values (tests.post_id('Post noté'), 'Deux');
insert into public.job_applications (job_id) values (tests.job_id('Offre notée'));
select tests.clear_authentication();
select results_eq(
  $$ select base.action, count(*)::integer, bool_and(log.points = base.points * private.activity_multiplier(log.created_at))
     from public.activity_logs as log
     join private.activity_rules() as base on base.action = log.action::text
     where log.user_id = tests.user_id('scorer') and log.target_id in
       (tests.post_id('Post noté'), tests.job_id('Offre notée'))
     group by base.action order by base.action $$,
  $$ values ('apply'::text, 1, true), ('comment', 2, true), ('like', 1, true) $$,
  'likes (once, even after un-liking), comments and applications are tracked with their points');

-- The RPC.
select tests.authenticate_as('scorer');
select is(
  (select counted from public.track_activity('view', tests.job_id('Offre notée'), 'job')),
  true, 'track_activity records a view');
select is(
  (select (counted, points)::text from public.track_activity('view', tests.job_id('Offre notée'), 'job')),
  '(f,0)', 'the same view within the hour is not counted');
create temporary table shared as
select * from public.track_activity('share', tests.post_id('Post noté'), 'post');
select is((select engagement_score from shared),
  (select engagement_score from public.get_account()),
  'it returns the new engagement score');
select throws_ok($$ select public.track_activity('like', tests.post_id('Post noté'), 'post') $$,
  '22023', null, 'likes cannot be reported (they are tracked automatically)');
select throws_ok($$ select public.track_activity('view', gen_random_uuid(), 'planet') $$,
  '22P02', 'invalid input value for enum activity_target_type: "planet"',
  'an unknown target type is refused by its type');
select throws_ok($$ update public.profiles set engagement_score = 1000 where id = auth.uid() $$,
  '42501', null, 'members cannot set their score');
select tests.authenticate_as_anon();
select throws_ok($$ select public.track_activity('view') $$, '42501', null,
  'visitors cannot call track_activity');
select tests.authenticate_as_service_role();
select throws_ok($$ select public.track_activity('view') $$, '42501', 'track_activity: sign in first',
  'the RPC needs a signed-in user');
select tests.authenticate_as_id(gen_random_uuid());
select throws_ok($$ select public.track_activity('view') $$, '42501',
  'track_activity: the user has no profile', 'a token without a profile is refused (403, not 500)');

select * from finish();
rollback;
