-- The platform's sign-up budget (private.write_limits() 'sign_up', *_sign_up_budget.sql):
-- accounts made through Auth beyond it are created but held (suspended, profile flagged into the
-- admins' queue) until an admin approves them; accounts the platform's own roles insert do not
-- count. Auth is played by its login role, supabase_auth_admin, as hosted and local Auth connect.
begin;
select plan(13);
select tests.create_personas();

create function pg_temp.new_user(p_identifier text) returns uuid
language sql as $$
  insert into auth.users (instance_id, id, aud, role, email, encrypted_password,
    raw_app_meta_data, raw_user_meta_data)
  values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
    'authenticated', p_identifier || '@test.emploi.fr', '',
    '{"provider": "email", "providers": ["email"]}',
    jsonb_build_object('role', 'candidate', 'full_name', initcap(p_identifier)))
  returning id
$$;
create function pg_temp.held(p_identifier text) returns boolean
language sql security definer as $$
  select suspended_at is not null and moderation_status = 'flagged'
  from public.profiles where id = tests.user_id(p_identifier)
$$;

set local session authorization supabase_auth_admin;
select pg_temp.new_user('within_budget');
reset session authorization;
select is(pg_temp.held('within_budget'), false, 'a sign-up within the budget is an ordinary account');

-- The budget is spent.
update private.rate_limit_buckets set tokens = 0, refilled_at = clock_timestamp()
where bucket = 'write:sign_up:platform';
set local session authorization supabase_auth_admin;
select pg_temp.new_user('beyond_budget');
reset session authorization;
select is((select count(*)::int from auth.users where email = 'beyond_budget@test.emploi.fr'), 1,
  'a sign-up beyond the budget still succeeds (Auth would answer a failing trigger with a 500)');
select ok(pg_temp.held('beyond_budget'), 'but the account is held: suspended, its profile flagged');
select matches(
  (select suspension_reason from public.profiles where id = tests.user_id('beyond_budget')),
  '^more than 600 sign-ups in 3600 s', 'saying why');
select is((select public_name from public.profiles where id = tests.user_id('beyond_budget')), null,
  'its name is shown to nobody');

select tests.authenticate_as('beyond_budget');
select throws_ok(
  $$ insert into public.posts (author_id, content) values (auth.uid(), 'Achetez ici') $$,
  '42501', null, 'a held account cannot publish');
select throws_ok(
  format($$ select public.report_content('profile', %L, 'Faux profil') $$,
    tests.user_id('candidate_a')),
  '42501', null, 'nor report (a batch of held accounts hides nothing)');

select tests.authenticate_as('admin');
select is(
  (select moderation_status from public.get_moderation_queue('profile')
   where id = tests.user_id('beyond_budget')),
  'flagged', 'it waits in the admins'' moderation queue');
select lives_ok(
  format($$ select public.review_content('profile', %L, 'approve') $$,
    tests.user_id('beyond_budget')),
  'an admin approves it');
select tests.clear_authentication();
select is(pg_temp.held('beyond_budget'), false, 'which reinstates it');
select tests.authenticate_as('beyond_budget');
select lives_ok(
  $$ insert into public.posts (author_id, content) values (auth.uid(), 'Bonjour à tous') $$,
  'and it publishes');
select tests.clear_authentication();

-- Accounts inserted by the platform's own roles (seeds, benchmarks) are not counted.
select pg_temp.new_user('seeded');
select is(pg_temp.held('seeded'), false, 'an account the platform inserts is not held');
select is(
  (select tokens < 1 from private.rate_limit_buckets where bucket = 'write:sign_up:platform'),
  true, 'and took nothing from the budget');

select * from finish();
rollback;
