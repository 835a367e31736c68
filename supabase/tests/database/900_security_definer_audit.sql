-- Security audit of the whole schema, whoever wrote it (docs/hardening.md):
--   * every `security definer` function of public and private pins its search_path, so a caller
--     cannot slip objects of their own in front of the ones it means;
--   * no security definer function of public is executable by anon, except the allow-list below;
--   * every security definer function a client may call checks its caller: it reads auth.uid(),
--     auth.role() or auth.jwt(), or calls a private helper that does, except the allow-list below;
--   * private is not reachable by clients: no schema usage, no definer function executable by
--     anon (invoker helpers such as private.fold_text run with the caller's rights: harmless);
--   * every table of public has row-level security, every view of public is security_invoker.
-- Extension members are not ours and are left out.
begin;
select plan(8);

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

-- Functions anon may run with their owner's rights, and why that is safe.
create temporary table anon_definer_allowed (name text primary key, reason text not null)
on commit drop;
insert into anon_definer_allowed values
  ('search_jobs', 'visitors search published offers; it reads nothing else');

-- Security definer functions a client may call without being identified, and why.
create temporary table unchecked_definer_allowed (name text primary key, reason text not null)
on commit drop;
insert into unchecked_definer_allowed
select name, reason from anon_definer_allowed;

-- Definer functions that identify the caller themselves; one level of private helper counts too.
create temporary table caller_checking on commit drop as
select oid from audited_function
where prosrc ~ 'auth\.(uid|role|jwt)\s*\(';
insert into caller_checking
select outer_function.oid
from audited_function as outer_function
where outer_function.oid not in (select oid from caller_checking)
  and exists (
    select 1 from audited_function as helper
    where helper.schema = 'private' and helper.oid in (select oid from caller_checking)
      and outer_function.prosrc ~ ('private\.' || helper.name || '\s*\(')
  );

select is_empty(
  $$ select signature from audited_function where definer and not pins_search_path $$,
  'every security definer function of public and private sets search_path');

select is_empty(
  $$ select signature from audited_function
     where schema = 'public' and definer and anon_may_execute
       and name not in (select name from anon_definer_allowed) $$,
  'no security definer function of public is executable by anon outside the allow-list');

select is_empty(
  $$ select signature from audited_function
     where definer and (anon_may_execute or authenticated_may_execute)
       and oid not in (select oid from caller_checking)
       and name not in (select name from unchecked_definer_allowed) $$,
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

select is_empty(
  $$ select name from anon_definer_allowed
     where name not in (select name from audited_function where anon_may_execute) $$,
  'the anon allow-list names only functions that exist and anon may execute');

select * from finish();
rollback;
