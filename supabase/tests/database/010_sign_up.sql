-- Sign-up: a row in auth.users creates the profile, the candidate or company page and the
-- notification preferences; the role comes from the metadata, never 'admin'.
begin;
select plan(24);

-- Signs a user up the way GoTrue does, with the given raw_user_meta_data.
create function pg_temp.sign_up(p_email text, p_metadata jsonb) returns uuid
language sql as $$
  insert into auth.users (instance_id, id, aud, role, email, raw_user_meta_data, created_at)
  values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
    'authenticated', p_email, p_metadata, now())
  returning id;
$$;

create temporary table signed_up (label text primary key, user_id uuid not null);
insert into signed_up values
  ('candidate', pg_temp.sign_up('lea@signup.test', '{"role": "candidate", "full_name": "Léa Martin"}')),
  ('company', pg_temp.sign_up('rh@signup.test', '{"role": "company", "company_name": "Boulangerie Dupont"}')),
  ('admin', pg_temp.sign_up('mallory@signup.test', '{"role": "admin"}')),
  ('unknown role', pg_temp.sign_up('eve@signup.test', '{"role": "superuser"}')),
  ('no metadata', pg_temp.sign_up('paul.durand@signup.test', null));
grant select on signed_up to anon, authenticated, service_role;
create function pg_temp.id_of(p_label text) returns uuid
language sql as $$ select user_id from signed_up where label = p_label $$;

-- The role rule.
select is((select role from public.profiles where id = pg_temp.id_of('candidate')), 'candidate',
  'signing up with role candidate makes a candidate');
select is((select role from public.profiles where id = pg_temp.id_of('company')), 'company',
  'signing up with role company makes a company');
select is((select role from public.profiles where id = pg_temp.id_of('admin')), 'candidate',
  'signing up with role admin is refused: the account is a candidate');
select is((select role from public.profiles where id = pg_temp.id_of('unknown role')), 'candidate',
  'signing up with an unknown role makes a candidate');
select is((select role from public.profiles where id = pg_temp.id_of('no metadata')), 'candidate',
  'signing up without metadata makes a candidate');

-- What each account gets.
select ok(exists (select 1 from public.candidates where id = pg_temp.id_of('candidate')),
  'a candidate gets a candidates row');
select ok(not exists (select 1 from public.companies where id = pg_temp.id_of('candidate')),
  'a candidate gets no companies row');
select ok(exists (select 1 from public.candidates where id = pg_temp.id_of('admin')),
  'a refused admin gets a candidates row like any candidate');
select is((select name from public.companies where id = pg_temp.id_of('company')),
  'Boulangerie Dupont', 'a company page is named after company_name');
select ok(not exists (select 1 from public.candidates where id = pg_temp.id_of('company')),
  'a company gets no candidates row');
select is((select full_name from public.profiles where id = pg_temp.id_of('candidate')),
  'Léa Martin', 'the profile name comes from full_name');
select is((select full_name from public.profiles where id = pg_temp.id_of('no metadata')),
  'paul.durand', 'without a name the profile is named after the email');
select is(
  (select row(push_enabled, email_enabled, sms_enabled, in_app_enabled, job_alerts_enabled,
     marketing_enabled, timezone)::text
   from public.notification_preferences where user_id = pg_temp.id_of('candidate')),
  row(true, true, false, true, true, false, 'Europe/Paris')::text,
  'every account gets default preferences: SMS and marketing off, Paris time');
select is((select count(*)::int from public.notification_preferences
  where user_id in (select user_id from signed_up)), 5, 'every sign-up gets preferences');
select is(
  (select (engagement_score, open_to_work, match_threshold)::text
   from public.profiles join public.candidates using (id) where id = pg_temp.id_of('candidate')),
  '(0.0,t,60)', 'a new candidate starts at 0 points, open to work, alert threshold 60');

-- Nobody promotes themselves.
select tests.authenticate_as_anon();
select throws_ok(
  format('update public.profiles set role = %L where id = %L', 'admin', pg_temp.id_of('admin')),
  '42501', null, 'a visitor cannot change a role');
select tests.clear_authentication();
select tests.authenticate_as_id(pg_temp.id_of('admin'));
select throws_ok(
  format('update public.profiles set role = %L where id = %L', 'admin', pg_temp.id_of('admin')),
  '42501', null, 'a user cannot make themselves admin');
select throws_ok(
  format('update public.profiles set role = %L where id = %L', 'company', pg_temp.id_of('admin')),
  '42501', null, 'a user cannot change their own role at all');
select throws_ok(
  format('update public.profiles set engagement_score = 1000 where id = %L', pg_temp.id_of('admin')),
  '42501', null, 'a user cannot set their own engagement score');
select is(
  tests.rows_affected(format('update public.profiles set full_name = %L where id = %L',
    'Mallory', pg_temp.id_of('admin'))),
  1, 'a user can rename themselves');
select tests.clear_authentication();

-- Editing the metadata later changes nothing: it is read once, at sign-up.
update auth.users set raw_user_meta_data = '{"role": "admin"}' where id = pg_temp.id_of('candidate');
select is((select role from public.profiles where id = pg_temp.id_of('candidate')), 'candidate',
  'changing user metadata after sign-up does not change the role');

-- Only the service role makes an admin.
select tests.authenticate_as_service_role();
select is(
  tests.rows_affected(format('update public.profiles set role = %L where id = %L', 'admin',
    pg_temp.id_of('no metadata'))),
  1, 'the service role makes an admin');
select tests.clear_authentication();
select is((select role from public.profiles where id = pg_temp.id_of('no metadata')), 'admin',
  'the promoted user is an admin');

-- Deleting the auth user deletes the account.
delete from auth.users where id = pg_temp.id_of('company');
select ok(
  not exists (select 1 from public.profiles where id = pg_temp.id_of('company'))
  and not exists (select 1 from public.companies where id = pg_temp.id_of('company'))
  and not exists (select 1 from public.notification_preferences
    where user_id = pg_temp.id_of('company')),
  'deleting the auth user deletes the profile, the company page and the preferences');

select * from finish();
rollback;
