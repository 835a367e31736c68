-- Engagement that cannot be farmed: a view or a share counts only for a target that exists, that
-- the member can see and that is not their own; daily caps per action; liking or commenting
-- one's own post earns nothing.
begin;
select plan(10);

select tests.create_user('farmer', 'candidate');
select tests.create_user('farm_company', 'company');
insert into public.posts (author_id, content, moderation_status) values
  (tests.user_id('farmer'), 'Mon propre post', 'approved'),
  (tests.user_id('farm_company'), 'Post de l''entreprise', 'approved');
insert into public.jobs (company_id, title, status, moderation_status) values
  (tests.user_id('farm_company'), 'Brouillon de l''entreprise', 'draft', 'approved'),
  (tests.user_id('farm_company'), 'Offre publiée', 'published', 'approved');

select results_eq(
  $$ select action, daily_cap from private.activity_rules() order by action $$,
  $$ values ('apply'::text, 30), ('comment', 20), ('like', 50), ('share', 10), ('view', 100) $$,
  'daily caps per action live beside the points');

select tests.authenticate_as('farmer');
select throws_ok($$ select public.track_activity('share', gen_random_uuid(), 'post') $$, 'P0002',
  null, 'a share of a random id earns nothing');
select throws_ok($$ select public.track_activity('view', tests.job_id('Brouillon de l''entreprise'), 'job') $$,
  'P0002', null, 'a view of another company''s draft earns nothing');
select throws_ok($$ select public.track_activity('view', tests.post_id('Mon propre post'), 'post') $$,
  'P0002', null, 'a view of one''s own post earns nothing');
select throws_ok($$ select public.track_activity('view') $$, '22023',
  'track_activity: p_target_id and p_target_type name what was viewed or shared',
  'a view names its target');
select is((select counted from public.track_activity('view', tests.job_id('Offre publiée'), 'job')),
  true, 'a view of a published offer counts');

insert into public.post_reactions (post_id) values (tests.post_id('Mon propre post'));
insert into public.post_comments (post_id, content)
select tests.post_id('Mon propre post'), 'Auto ' || n from generate_series(1, 5) as n;
select tests.clear_authentication();
select is(
  (select count(*)::integer from public.activity_logs
   where user_id = tests.user_id('farmer') and target_id = tests.post_id('Mon propre post')),
  0, 'liking and commenting one''s own post earn nothing');
select results_eq(
  $$ select count(*)::integer, sum(log.points) from public.activity_logs as log
     where log.user_id = tests.user_id('farmer') $$,
  $$ select 1, engagement_score from public.profiles where id = tests.user_id('farmer') $$,
  'the score holds the one honest view (its points, by day or at night)');

-- The cap: 10 shares a day, whatever the targets.
select is(
  (select count(*)::integer from generate_series(1, 12) as n
   cross join lateral private.record_activity(tests.user_id('farmer'), 'share', gen_random_uuid(),
     'post', '2026-01-15 12:00 Europe/Paris'::timestamptz + n * interval '1 minute') as recorded
   where recorded.counted),
  10, 'twelve shares in a day count ten times');
select is(
  (select counted from private.record_activity(tests.user_id('farmer'), 'share', gen_random_uuid(),
     'post', '2026-01-16 00:30 Europe/Paris')),
  true, 'the cap starts afresh the next Paris day');

select * from finish();
rollback;
