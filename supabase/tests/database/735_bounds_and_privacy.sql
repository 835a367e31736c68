-- Bounds: every text and array column members write has a length limit, array elements included,
-- checked before any index; sign-up metadata is trimmed. Privacy: others read a profile's card
-- (id, role, name, photo), its activity and moderation are the member's own and admins'.
begin;
select plan(12);

-- Columns the platform derives or writes itself (bounded by what they are derived from).
create temporary table derived_column (relname text, attname text) on commit drop;
insert into derived_column values
  ('candidates', 'match_location'), ('candidates', 'match_skills'),
  ('jobs', 'match_location'), ('jobs', 'match_required_skills'),
  ('jobs', 'match_nice_to_have_skills'),
  ('notifications', 'data');

-- Columns of `types` in the tables members write with no check constraint whose definition is
-- like `definition`.
create function pg_temp.unchecked_columns(p_types regtype[], p_definition text)
returns setof text
language sql as $$
  select table_class.relname || '.' || attribute.attname
  from pg_attribute as attribute
  join pg_class as table_class on table_class.oid = attribute.attrelid
  join pg_namespace as namespace on namespace.oid = table_class.relnamespace
  where namespace.nspname = 'public' and table_class.relkind = 'r' and attribute.attnum > 0
    and not attribute.attisdropped and attribute.attgenerated = ''
    and attribute.atttypid = any (p_types)
    and (table_class.relname, attribute.attname) not in (select * from derived_column)
    and not exists (
      select 1 from pg_constraint as constraint_row
      where constraint_row.conrelid = table_class.oid and constraint_row.contype = 'c'
        and attribute.attnum = any (constraint_row.conkey)
        and pg_get_constraintdef(constraint_row.oid) like p_definition)
$$;
select is_empty($$ select * from pg_temp.unchecked_columns('{text, varchar, jsonb}', '%') $$,
  'every text and jsonb column members write has a check constraint');
select is_empty(
  $$ select * from pg_temp.unchecked_columns('{text[]}', '%elements_within%') $$,
  'every text array members write bounds each element');

select tests.create_user('bounded', 'candidate');
select tests.create_user('bounded_company', 'company');
select tests.create_user('privacy_admin', 'admin');
select tests.authenticate_as('bounded');
select throws_ok(
  $$ update public.candidates set skills = array[repeat('x', 20000)] where id = auth.uid() $$,
  '23514', null, 'a 20,000-character skill is a check violation (400), not an index error (500)');
select throws_ok(
  $$ insert into public.posts (content, images) values ('Photo', array['https://a.fr/' || repeat('x', 3000)]) $$,
  '23514', null, 'so is an image URL of 3,000 characters');
select throws_ok(
  $$ update public.profiles set avatar_url = 'https://a.fr/' || repeat('x', 3000) where id = auth.uid() $$,
  '23514', null, 'and an avatar URL');
select tests.authenticate_as('bounded_company');
select throws_ok(
  $$ insert into public.jobs (title, required_skills) values ('Offre', array['Go', repeat('y', 101)]) $$,
  '23514', null, 'an offer''s skills are bounded one by one');
select tests.clear_authentication();

-- Sign-up metadata.
insert into auth.users (instance_id, id, aud, role, email, encrypted_password, raw_user_meta_data)
values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
  'authenticated', 'bulky@test.emploi.fr', '',
  jsonb_build_object('full_name', repeat('N', 500), 'padding', repeat('p', 400000),
    'role', 'company'));
select results_eq(
  $$ select array(select jsonb_object_keys(raw_user_meta_data) order by 1),
       pg_column_size(raw_user_meta_data) < 2048
     from auth.users where email = 'bulky@test.emploi.fr' $$,
  $$ values (array['full_name', 'role'], true) $$,
  '400 KB of sign-up metadata is trimmed to the keys the product reads, bounded');
select is((select role from public.profiles where id = tests.user_id('bulky')), 'company',
  'and the account is still made from it');

-- Privacy.
select tests.authenticate_as('bounded_company');
select throws_ok(
  $$ select engagement_score, last_activity_at from public.profiles where id = tests.user_id('bounded') $$,
  '42501', null, 'members cannot read others'' score and last activity');
select is(
  (select count(*)::integer from (select public_name, avatar_url, role from public.profiles
     where id = tests.user_id('bounded')) as card),
  1, 'they read the name, photo and role');
select throws_ok($$ select * from public.get_account(tests.user_id('bounded')) $$, '42501',
  'get_account: members read their own account; admins any', 'nor through get_account');
select tests.authenticate_as('privacy_admin');
select is((select engagement_score from public.get_account(tests.user_id('bounded'))), 0::numeric,
  'an admin reads any member''s account');

select * from finish();
rollback;
