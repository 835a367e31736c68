-- The shape of the data model: the tables, views and RPCs of SPEC §4 exist, every table of the
-- public schema has row-level security, every foreign key is indexed, helpers are private.
begin;
select plan(12);

select tables_are('public', array[
  'profiles', 'candidates', 'companies', 'jobs', 'job_applications', 'job_matches', 'posts',
  'post_reactions', 'post_comments', 'activity_logs', 'conversations',
  'conversation_participants', 'messages', 'notifications', 'notification_preferences'
] || array(
  -- Tables added by other parts of the project (background pipeline, notifications...) are
  -- checked by their own tests; this file owns the data model's.
  select c.relname::text from pg_class c
  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
    and c.relname not in ('profiles', 'candidates', 'companies', 'jobs', 'job_applications',
      'job_matches', 'posts', 'post_reactions', 'post_comments', 'activity_logs',
      'conversations', 'conversation_participants', 'messages', 'notifications',
      'notification_preferences')
), 'the public schema holds the tables of SPEC §4');

select is_empty(
  $$ select c.relname from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
       and not c.relrowsecurity $$,
  'every table of the public schema has row-level security enabled');

select is_empty(
  $$ select con.conrelid::regclass || ' ' || con.conname
     from pg_constraint con
     where con.contype = 'f' and con.connamespace = 'public'::regnamespace
       and not exists (
         select 1 from pg_index i
         where i.indrelid = con.conrelid
           and (i.indkey::int2[])[0:cardinality(con.conkey) - 1] = con.conkey
       ) $$,
  'every foreign key of the public schema is covered by an index');

select views_are('public', array['v_newsfeed_feed', 'v_candidate_job_matches'] || array(
  select c.relname::text from pg_class c
  where c.relnamespace = 'public'::regnamespace and c.relkind = 'v'
    and c.relname not in ('v_newsfeed_feed', 'v_candidate_job_matches')
), 'the views of SPEC §4 exist');
select is_empty(
  $$ select relname from pg_class
     where relnamespace = 'public'::regnamespace and relkind = 'v'
       and not coalesce(reloptions @> array['security_invoker=true'], false) $$,
  'every view of the public schema is security_invoker');

select has_function('public', 'get_feed', array['timestamp with time zone', 'uuid', 'integer'],
  'get_feed(p_cursor_created_at, p_cursor_id, p_limit) exists');
select has_function('public', 'search_jobs',
  array['text', 'text[]', 'text', 'text', 'boolean', 'integer', 'integer', 'integer', 'text',
    'text', 'text', 'integer', 'integer', 'timestamp with time zone', 'text', 'text'],
  'search_jobs(p_query, p_skills, p_experience_level, p_location, p_remote, p_salary_min, '
  'p_limit, p_offset, p_contract_type, …) exists');
select has_function('public', 'mark_notifications_read', array['uuid[]'],
  'mark_notifications_read(p_ids) exists');

select ok(not has_schema_privilege('anon', 'private', 'usage')
    and not has_schema_privilege('authenticated', 'private', 'usage'),
  'the API roles cannot use the private schema');
select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace = 'private'::regnamespace and has_function_privilege('anon', p.oid, 'execute')
       and p.proname not in ('fold_text', 'normalize_skills', 'skills_text', 'enum_label',
         'search_normalize', 'location_departement', 'prefixed') $$,
  'visitors may execute no private helper but the pure functions of generated columns');
select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
     where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
       and p.prosecdef and not coalesce(p.proconfig @> array['search_path=""'], false) $$,
  'every security definer function pins an empty search_path');
select ok(
  has_function_privilege('anon', 'public.search_jobs(text, text[], text, text, boolean, integer, integer, integer, text, text, text, integer, integer, timestamptz, text, text)', 'execute')
  and not has_function_privilege('anon', 'public.get_feed(timestamptz, uuid, integer)', 'execute')
  and not has_function_privilege('anon', 'public.mark_notifications_read(uuid[])', 'execute')
  and has_function_privilege('authenticated', 'public.get_feed(timestamptz, uuid, integer)', 'execute'),
  'visitors may search offers; the feed and the inbox need a signed-in user');

select * from finish();
rollback;
