-- saved_searches: a candidate keeps their own searches (RLS as each role), validated like
-- search_jobs' arguments; an analysed published offer alerts the owners of the saved searches it
-- matches, with matching's dedupe key, so an offer that also matches their profile alerts once.
set client_min_messages = warning;
begin;
select plan(22);

select tests.create_world();

-- Each role
select tests.authenticate_as('candidate_a');
select lives_ok(
  $$ insert into public.saved_searches (name, query, contract_type, location, radius_km)
     values ('Dev React Lyon', 'développeuse react', 'cdi', 'Lyon', 30) $$,
  'a candidate saves a search');
select lives_ok(
  $$ insert into public.saved_searches (name, query, remote, alerts_enabled)
     values ('Data sans alerte', 'data', true, false) $$,
  'a candidate saves a search without alerts');
select is((select count(*)::int from public.saved_searches), 2, 'a candidate reads their searches');
select throws_ok(
  $$ insert into public.saved_searches (name, contract_type) values ('Mauvais', 'interim') $$,
  '22023', 'p_contract_type must be cdi, cdd, freelance, stage or alternance (got ''interim'')',
  'a saved search is validated like search_jobs arguments');
select throws_ok(
  $$ insert into public.saved_searches (name, location, radius_km) values ('Loin', 'Lyon', 500) $$,
  '22023', null, 'an out-of-range radius is refused');
select throws_ok(
  $$ insert into public.saved_searches (candidate_id, name)
     values (tests.user_id('candidate_b'), 'Pour un autre') $$,
  '42501', null, 'a candidate cannot save a search for someone else');

select tests.authenticate_as('candidate_b');
select is_empty($$ select * from public.saved_searches $$,
  'another candidate sees none of them');
select is(tests.rows_affected($$ update public.saved_searches set name = 'Volé' $$), 0,
  'another candidate cannot edit them');
select is(tests.rows_affected($$ delete from public.saved_searches $$), 0,
  'another candidate cannot delete them');

select tests.authenticate_as('company_a');
select is_empty($$ select * from public.saved_searches $$, 'a company sees none of them');
select throws_ok($$ insert into public.saved_searches (name) values ('Entreprise') $$,
  '42501', null, 'a company cannot save searches');

select tests.authenticate_as('admin');
select is_empty($$ select * from public.saved_searches $$,
  'an admin does not read candidates'' saved searches');

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.saved_searches $$, '42501', null,
  'a visitor cannot read saved searches');

select tests.authenticate_as_service_role();
select is((select count(*)::int from public.saved_searches), 2,
  'the service role reads every saved search');

-- At most 20 per candidate
select tests.authenticate_as('candidate_b');
select lives_ok(
  $$ insert into public.saved_searches (name) select 'Recherche ' || n from generate_series(1, 20) as n $$,
  'a candidate keeps up to 20 searches');
select throws_ok($$ insert into public.saved_searches (name) values ('Une de trop') $$, '22023',
  'a candidate keeps at most 20 saved searches', 'the 21st is refused');
select is(tests.rows_affected($$ delete from public.saved_searches $$), 20,
  'a candidate deletes their searches');

-- Alerts
select tests.clear_authentication();
delete from pgmq.q_notifications;
insert into public.jobs (company_id, title, required_skills, location, contract_type,
  remote_policy, status)
values
  (tests.user_id('company_a'), 'Développeur·se React senior', '{React}', 'Villeurbanne', 'cdi',
    'hybrid', 'published'),
  (tests.user_id('company_a'), 'Développeur·se React', '{React}', 'Lyon', 'cdd', 'hybrid',
    'published'),
  (tests.user_id('company_a'), 'Développeur·se React (brouillon)', '{React}', 'Lyon', 'cdi',
    'hybrid', 'draft'),
  (tests.user_id('company_a'), 'Data analyst en télétravail', '{SQL}', 'Lille', 'cdi', 'remote',
    'published');
create function pg_temp.offer(p_title text) returns uuid
language sql as $$ select id from public.jobs where title = p_title $$;
create function pg_temp.alerts(p_title text) returns table (message jsonb)
language sql as $$
  select message from pgmq.q_notifications
  where message -> 'data' ->> 'jobId' = pg_temp.offer(p_title)::text
    and message -> 'data' ->> 'reason' = 'saved_search'
$$;

-- The matching worker marks an offer analysed once it has asked for its profile alerts.
update public.jobs set analysis_completed = true
where company_id = tests.user_id('company_a')
  and (title like 'Développeur·se React%' or title = 'Data analyst en télétravail');
select is(
  (select message - 'requestId' from pg_temp.alerts('Développeur·se React senior')),
  jsonb_build_object(
    'type', 'job_alert',
    'title', 'Nouvelle offre pour votre recherche : « Développeur·se React senior »',
    'body', format('Publiée par « %s », « Villeurbanne ».',
      (select name from public.companies where id = tests.user_id('company_a'))),
    'data', jsonb_build_object('jobId', pg_temp.offer('Développeur·se React senior'),
      'reason', 'saved_search'),
    'audience', jsonb_build_object('userIds', jsonb_build_array(tests.user_id('candidate_a'))),
    'dedupeKey', format('job_match:%s', pg_temp.offer('Développeur·se React senior'))
  ),
  'an analysed offer within the saved radius alerts the search''s owner, with matching''s key');
select is_empty($$ select * from pg_temp.alerts('Développeur·se React') $$,
  'an offer outside the saved filters (a CDD) alerts nobody');
select is_empty($$ select * from pg_temp.alerts('Développeur·se React (brouillon)') $$,
  'a draft alerts nobody');
select is_empty($$ select * from pg_temp.alerts('Data analyst en télétravail') $$,
  'a search saved without alerts alerts nobody');

-- One offer, one alert: matching asks too (same key); the dispatcher reaches the candidate once.
select private.request_job_alerts(array[pg_temp.offer('Développeur·se React senior')],
  array[tests.user_id('candidate_a')], 'profile_match');
select is(
  (select count(*)::int
   from (select message from pgmq.q_notifications
         where message ->> 'dedupeKey'
           = format('job_match:%s', pg_temp.offer('Développeur·se React senior'))
         order by msg_id) as request
   cross join lateral private.prepare_notification_delivery(request.message, 10, 10, true)
     as delivery
   where tests.user_id('candidate_a') = any (delivery.recipients) and delivery.channel = 'in_app'),
  1, 'the saved-search alert and the profile-match alert reach the candidate once');

select * from finish();
rollback;
