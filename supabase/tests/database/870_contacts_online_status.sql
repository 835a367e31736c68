-- Online status scoped to contacts: who sees whom, the contact_presence broadcasts of the
-- heartbeat and of expiry, and the retired global `online` topic.
-- World: conversation candidate_a <-> company_a; conversation candidate_b <-> company_b, which
-- company_b left; candidate_a applied to company_a's offers, candidate_b to company_b's.
begin;
select plan(16);
select tests.create_world();
delete from realtime.messages;
delete from private.user_presence;

-- The contact_presence broadcasts received on a member's user topic.
create function pg_temp.presence_events(p_who text) returns setof jsonb
language sql security definer as $$
  select payload from realtime.messages
  where topic = 'user:' || tests.user_id(p_who) and event = 'contact_presence'
$$;
-- (One transaction: every broadcast has the same time, so events are compared as bags.)
create function pg_temp.contacts_of(p_who text) returns setof text
language plpgsql as $$
begin
  perform tests.authenticate_as(p_who);
  return query select tests.name_of(contact.user_id) from public.get_contacts_presence() as contact;
  perform tests.clear_authentication();
end;
$$;
create function pg_temp.beat(p_who text, p_online boolean default true) returns void
language plpgsql as $$
begin
  perform tests.authenticate_as(p_who);
  perform public.presence_heartbeat(p_online);
  perform tests.clear_authentication();
end;
$$;

-- Who sees whom
select set_eq($$ select pg_temp.contacts_of('company_a') $$, array['candidate_a'],
  'a company sees its conversation partner and applicant');
select set_eq($$ select pg_temp.contacts_of('candidate_a') $$, array['company_a'],
  'a candidate sees the company they converse with');
select is_empty($$ select pg_temp.contacts_of('candidate_b') $$,
  'nobody is a contact through a conversation the other left');
select set_eq($$ select pg_temp.contacts_of('company_b') $$, array['candidate_b'],
  'a company sees its applicants even without a conversation');
select is_empty($$ select pg_temp.contacts_of('admin') $$, 'an admin has no contacts by default');

select tests.authenticate_as_anon();
select throws_ok($$ select * from public.get_contacts_presence() $$, '42501', null,
  'visitors cannot ask for anyone''s status');
select tests.clear_authentication();

-- Transitions reach connected contacts only
select pg_temp.beat('candidate_a');
select is_empty($$ select pg_temp.presence_events('company_a') $$,
  'coming online tells nobody when no contact is connected');

select pg_temp.beat('company_a');
select results_eq(
  $$ select (e ->> 'user_id')::uuid, (e ->> 'online')::boolean from pg_temp.presence_events('candidate_a') as e $$,
  $$ values (tests.user_id('company_a'), true) $$,
  'a member coming online is announced to their connected contact');
select is_empty($$ select pg_temp.presence_events('candidate_b') $$,
  'and to nobody else');

select pg_temp.beat('company_a');
select is((select count(*) from pg_temp.presence_events('candidate_a'))::integer, 1,
  'a heartbeat of a member already online announces nothing');

select pg_temp.beat('company_a', false);
select bag_eq(
  $$ select (e ->> 'online')::boolean from pg_temp.presence_events('candidate_a') as e $$,
  $$ values (true), (false) $$,
  'signing out is announced as offline');

select pg_temp.beat('company_a');
update private.user_presence set last_seen_at = now() - interval '61 seconds'
  where user_id = tests.user_id('company_a');
select is(private.expire_presence(), 1, 'a member whose heartbeat stopped expires');
select bag_eq(
  $$ select (e ->> 'online')::boolean from pg_temp.presence_events('candidate_a') as e $$,
  $$ values (true), (false), (true), (false) $$,
  'and is announced offline to their connected contacts');
select ok(
  not exists (select 1 from private.user_presence where user_id = tests.user_id('company_a')),
  'an expired member is no longer counted as connected');

-- The global `online` topic is retired
select ok(not tests.can_read_topic('candidate_a', 'online', 'presence'), 'nobody joins the global online topic');
select ok(exists (select 1 from cron.job where jobname = 'expire-presence'),
  'expiry runs on a schedule');

select * from finish();
rollback;
