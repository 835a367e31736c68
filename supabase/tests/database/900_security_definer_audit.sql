-- Security audit of the whole schema, whoever wrote it (docs/hardening.md):
--   * functions are denied by default: a function that postgres creates (as `supabase db push`
--     does) in public or private is executable by neither anon nor authenticated (nor PUBLIC);
--   * every function of public and private that anon or authenticated may execute, definer or
--     invoker, is on the allow-lists below, with the reason it is callable;
--   * every `security definer` function of public and private pins its search_path, so a caller
--     cannot slip objects of their own in front of the ones it means;
--   * every security definer function a client may call checks its caller: it reads auth.uid(),
--     auth.role() or auth.jwt(), or calls private helpers that do, except the anon allow-list;
--   * private is not reachable by clients: no schema usage;
--   * every table of public has row-level security, every view of public is security_invoker.
-- Extension members are not ours and are left out.
begin;
-- Signatures below are schema-qualified: public is not on the path.
set local search_path = extensions, pg_catalog;
select plan(11);

create temporary table audited_function on commit drop as
select p.oid, n.nspname as schema, p.proname as name, p.prosecdef as definer,
       p.oid::regprocedure::text as signature,
       has_function_privilege('anon', p.oid, 'execute') as anon_may_execute,
       has_function_privilege('authenticated', p.oid, 'execute') as authenticated_may_execute,
       exists (select 1 from unnest(p.proconfig) as setting where setting like 'search_path=%')
         as pins_search_path,
       p.prosrc
from pg_proc p
join pg_namespace n on n.oid = p.pronamespace
where n.nspname in ('public', 'private')
  and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e');

-- Functions anon may execute, and why that is safe.
create temporary table anon_allowed (signature text primary key, reason text not null)
on commit drop;
insert into anon_allowed values
  ('public.search_jobs(text,text[],text,text,boolean,integer,integer,integer,text,text,text,integer,integer,timestamp with time zone,text,text)',
    'visitors search published offers; it reads nothing else'),
  ('public.search_jobs_facets(text,text[],text,text,boolean,integer,text,text,text,integer,integer,timestamp with time zone)',
    'visitors count the published offers of a search; it reads nothing else'),
  ('private.search_normalize(text)', 'pure text helper of the generated column jobs.search'),
  ('private.location_departement(text)',
    'pure text helper of the generated column jobs.search_filters'),
  ('private.prefixed(text[],text)', 'pure array helper of the generated column jobs.search_filters'),
  ('private.fold_text(text)', 'pure text helper of generated columns and indexes'),
  ('private.normalize_skills(text[])', 'pure text helper of generated columns and indexes'),
  ('private.skills_text(text[])', 'pure text helper of generated columns and indexes'),
  ('private.enum_label(anyenum)', 'pure text helper of the generated column jobs.search_filters');

-- Functions a signed-in member may execute: the RPCs the frontend calls, and the helpers that
-- row-level security policies and generated columns evaluate with the member's rights.
create temporary table authenticated_allowed (signature text primary key, reason text not null)
on commit drop;
insert into authenticated_allowed
select signature, reason from anon_allowed;
insert into authenticated_allowed values
  ('public.can_message(uuid)', 'RPC: may the caller write to this member'),
  ('public.delete_message(uuid)', 'RPC: messaging'),
  ('public.edit_message(uuid,text)', 'RPC: messaging'),
  ('public.get_account(uuid)', 'RPC: the caller''s private profile columns (admins: any)'),
  ('public.get_contacts_presence()', 'RPC: online status of contacts'),
  ('public.get_conversations(timestamp with time zone,uuid,integer)', 'RPC: messaging'),
  ('public.get_dead_letters(text,integer)', 'RPC: admins list dead letters (others get 42501)'),
  ('public.get_feed(timestamp with time zone,uuid,integer)', 'RPC: newsfeed (security invoker)'),
  ('public.get_job_candidates(uuid,integer,integer,uuid,boolean)',
    'RPC: hiring, the owning company ranks an offer''s candidates'),
  ('public.get_messages(uuid,timestamp with time zone,uuid,integer)', 'RPC: messaging'),
  ('public.get_moderation_queue(public.content_kind,timestamp with time zone,uuid,integer)',
    'RPC: moderation queue (admins only, checked inside)'),
  ('public.leave_conversation(uuid)', 'RPC: messaging'),
  ('public.mark_as_read(uuid,uuid)', 'RPC: messaging'),
  ('public.mark_notifications_read(uuid[])', 'RPC: notification inbox (security invoker)'),
  ('public.presence_heartbeat(boolean)', 'RPC: online status'),
  ('public.replay_dead_letters(text,bigint[])', 'RPC: admins replay dead letters (others get 42501)'),
  ('public.report_content(public.content_kind,uuid,text)', 'RPC: members report content'),
  ('public.review_content(public.content_kind,uuid,public.moderation_decision,text)',
    'RPC: moderation decisions (admins only, checked inside)'),
  ('public.send_message(uuid,text,uuid)', 'RPC: messaging'),
  ('public.set_application_status(uuid,public.application_status,text)', 'RPC: hiring (security invoker)'),
  ('public.start_conversation(uuid)', 'RPC: messaging'),
  ('public.track_activity(public.activity_action,uuid,public.activity_target_type)', 'RPC: engagement score'),
  ('private.applied_job_ids()', 'row-level security of jobs and applications'),
  ('private.company_job_ids()', 'row-level security of jobs and applications'),
  ('private.company_may_read_resumes_of(text)', 'row-level security of storage.objects (CVs)'),
  ('private.company_visible_candidate_ids()', 'row-level security of candidates and profiles'),
  ('private.conversation_id_of_topic(text,text)', 'row-level security of realtime.messages'),
  ('private.current_user_role()', 'row-level security of most tables'),
  ('private.current_user_full_name()', 'v_newsfeed_feed: an author''s own name, approved or not'),
  ('private.elements_within(text[],integer)', 'check constraints bounding array elements'),
  ('private.is_admin()', 'row-level security of most tables'),
  ('private.is_own_storage_folder(text,text)', 'row-level security of storage.objects'),
  ('private.match_settings()',
    'constant weights read by the scoring view that v_candidate_job_matches shows its reader'),
  ('private.my_conversation_ids()', 'row-level security of messaging and realtime.messages');

-- Functions that identify the caller: they read auth.uid(), auth.role() or auth.jwt(), or call a
-- private function that does (at any depth).
create temporary table caller_checking on commit drop as
with recursive checking (oid) as (
  select oid from audited_function
  where prosrc ~ 'auth\.(uid|role|jwt)\s*\('
  union
  select outer_function.oid
  from checking
  join audited_function as helper on helper.oid = checking.oid and helper.schema = 'private'
  join audited_function as outer_function
    on outer_function.prosrc ~ ('private\.' || helper.name || '\s*\(')
)
select oid from checking;

-- What a migration gets when it creates a function and says nothing about its privileges.
create function public.audit_default_probe() returns integer language sql as 'select 1';
create function private.audit_default_probe() returns integer language sql as 'select 1';

select is_empty(
  $$ select probe.oid::regprocedure::text
     from pg_proc as probe
     where probe.proname = 'audit_default_probe'
       and (has_function_privilege('anon', probe.oid, 'execute')
         or has_function_privilege('authenticated', probe.oid, 'execute')
         or exists (
           select 1 from aclexplode(probe.proacl) as entry
           where entry.grantee = 0 and entry.privilege_type = 'EXECUTE'
         )) $$,
  'a new function of public or private is executable by neither anon, authenticated nor PUBLIC');

select ok(
  has_function_privilege('service_role', 'public.audit_default_probe()', 'execute')
  and not has_function_privilege('service_role', 'private.audit_default_probe()', 'execute'),
  'a new function is executable by the service role in public (as hosted grants), not in private');

select is_empty(
  $$ select signature from audited_function
     where anon_may_execute and signature not in (select signature from anon_allowed) $$,
  'no function of public or private is executable by anon outside the anon allow-list');

select is_empty(
  $$ select signature from audited_function
     where authenticated_may_execute
       and signature not in (select signature from authenticated_allowed) $$,
  'no function of public or private is executable by authenticated outside its allow-list');

select is_empty(
  $$ select allowed.signature from anon_allowed as allowed
     where allowed.signature not in (select signature from audited_function where anon_may_execute)
     union all
     select allowed.signature from authenticated_allowed as allowed
     where allowed.signature not in (
       select signature from audited_function where authenticated_may_execute
     ) $$,
  'the allow-lists name only functions that exist and that the role may execute');

select is_empty(
  $$ select signature from audited_function where definer and not pins_search_path $$,
  'every security definer function of public and private sets search_path');

select is_empty(
  $$ select signature from audited_function
     where definer and (anon_may_execute or authenticated_may_execute)
       and oid not in (select oid from caller_checking)
       and signature not in (select signature from anon_allowed) $$,
  'every security definer function a client may call checks its caller');

select is_empty(
  $$ select signature from audited_function
     where schema = 'private' and definer and anon_may_execute $$,
  'no security definer function of private is executable by anon');

select ok(
  not has_schema_privilege('anon', 'private', 'usage')
  and not has_schema_privilege('authenticated', 'private', 'usage'),
  'clients cannot look names up in schema private');

select is_empty(
  $$ select c.relname from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
       and not c.relrowsecurity $$,
  'every table of public has row-level security enabled');

select is_empty(
  $$ select c.relname from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind = 'v'
       and not exists (
         select 1 from unnest(c.reloptions) as option
         where option ~* '^security_invoker=(true|on|yes|1)$'
       ) $$,
  'every view of public is security_invoker (RLS of the caller applies)');

select * from finish();
rollback;
