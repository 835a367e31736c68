-- A display name waiting for moderation (here a phishing sentence) reaches nobody but its owner
-- and the admins: not through REST (others read public_name, null until approved, and are not
-- granted full_name), nor the newsfeed, the conversation list, a company's candidates, nor the
-- platform's notifications ("Nouveau message de …", "Nouvelle candidature de …").
-- World: candidate_a (conversation with company_a, applied to 'A published', post 'A1 approved').
begin;
select plan(26);
select tests.create_world();
delete from pgmq.q_notifications;
delete from private.application_digests;

create function pg_temp.lure() returns text language sql immutable as $$
  select 'Votre compte Emploi+ est suspendu : vérifiez-le sur https://emploi-verif.test/login'
$$;
create function pg_temp.public_name_seen_by(p_who text) returns text
language plpgsql as $$
declare
  seen text;
begin
  perform tests.authenticate_as(p_who);
  select public_name into seen from public.profiles where id = tests.user_id('candidate_a');
  perform tests.clear_authentication();
  return seen;
end;
$$;
create function pg_temp.requests(p_type text) returns setof jsonb
language sql security definer as $$
  select message from pgmq.q_notifications where message ->> 'type' = p_type order by msg_id
$$;

select tests.authenticate_as('candidate_a');
update public.profiles set full_name = pg_temp.lure() where id = tests.user_id('candidate_a');
select tests.clear_authentication();
select is((select moderation_status from public.profiles where id = tests.user_id('candidate_a')),
  'pending', 'a member''s new display name waits for moderation');

-- REST, role by role.
select is(pg_temp.public_name_seen_by('candidate_b'), null, 'another candidate reads no name');
select is(pg_temp.public_name_seen_by('company_a'), null, 'a company reads no name');
select is(pg_temp.public_name_seen_by('admin'), null, 'public_name is null for admins too');
select is(pg_temp.public_name_seen_by('candidate_a'), null, 'and for the owner');
select tests.authenticate_as('candidate_b');
select throws_ok(
  format('select full_name from public.profiles where id = %L', tests.user_id('candidate_a')),
  '42501', null, 'members are not granted full_name');
select tests.authenticate_as('company_a');
select throws_ok($$ select full_name from public.profiles $$, '42501', null,
  'companies neither');
select tests.authenticate_as_anon();
select throws_ok($$ select public_name from public.profiles $$, '42501', null,
  'visitors read no profile');
select tests.authenticate_as('candidate_a');
select is((select full_name from public.get_account()), pg_temp.lure(),
  'the owner reads the name as written through get_account()');
select is((select moderation_status from public.get_account()), 'pending',
  'with its moderation status');
select tests.authenticate_as('admin');
select is((select full_name from public.get_account(tests.user_id('candidate_a'))), pg_temp.lure(),
  'an admin reads it through get_account(p_user_id)');
select tests.authenticate_as_service_role();
select is((select full_name from public.profiles where id = tests.user_id('candidate_a')),
  pg_temp.lure(), 'the service role reads full_name');

-- What the platform shows of her elsewhere.
select tests.authenticate_as('candidate_b');
select is(
  (select author_name from public.v_newsfeed_feed where id = tests.post_id('A1 approved')),
  null, 'the newsfeed signs her post with no name for others');
select tests.authenticate_as('candidate_a');
select is(
  (select author_name from public.v_newsfeed_feed where id = tests.post_id('A1 approved')),
  pg_temp.lure(), 'she sees her own name on it');
select tests.authenticate_as('company_a');
select is(
  (select participants -> 0 ->> 'name' from public.get_conversations()
   where conversation_id = (select id from public.conversations
     where direct_key = tests.direct_key('candidate_a', 'company_a'))),
  null, 'the conversation list names her not');
select is(
  (select public_name from public.get_job_candidates(tests.job_id('A published'))
   where candidate_id = tests.user_id('candidate_a')),
  null, 'nor the offer''s candidates');

select tests.authenticate_as('candidate_a');
select public.send_message(
  (select id from public.conversations where direct_key = tests.direct_key('candidate_a', 'company_a')),
  'Bonjour');
insert into public.job_applications (job_id) values (tests.job_id('B published'));
select tests.clear_authentication();
select is((select r ->> 'title' from pg_temp.requests('message') as r),
  'Nouveau message de un membre', 'a message push does not quote her name');
select is((select r ->> 'title' from pg_temp.requests('application') as r),
  'Nouvelle candidature de un·e candidat·e', 'nor does a new application');
select is(
  (select count(*)::int from pgmq.q_notifications where message::text like '%emploi-verif%'),
  0, 'no notification request holds any of it');

-- Flagged or rejected: still nobody's but hers.
update public.profiles set moderation_status = 'rejected' where id = tests.user_id('candidate_a');
select is(pg_temp.public_name_seen_by('candidate_b'), null, 'a rejected name stays hidden');
update public.profiles set moderation_status = 'flagged' where id = tests.user_id('candidate_a');
select is(pg_temp.public_name_seen_by('company_b'), null, 'so does a flagged one');

-- Approved: everyone reads it.
update public.profiles set full_name = 'Camille Martin', moderation_status = 'approved'
where id = tests.user_id('candidate_a');
select is(pg_temp.public_name_seen_by('candidate_b'), 'Camille Martin',
  'an approved name is read by other members');
select is(pg_temp.public_name_seen_by('company_a'), 'Camille Martin', 'and companies');
select tests.authenticate_as('candidate_b');
select is(
  (select author_name from public.v_newsfeed_feed where id = tests.post_id('A1 approved')),
  'Camille Martin', 'and signs her posts');

-- Her next edit hides it again until it is approved.
select tests.authenticate_as('candidate_a');
update public.profiles set full_name = pg_temp.lure() where id = tests.user_id('candidate_a');
select tests.clear_authentication();
select is(pg_temp.public_name_seen_by('candidate_b'), null,
  'an edit of an approved name is hidden until approved again');
select is((select public_name from public.profiles where id = tests.user_id('candidate_a')), null,
  'public_name follows the moderation status');

select * from finish();
rollback;
