-- Roles, schemas and default privileges that the Supabase Postgres image creates before any
-- project migration runs. Local stand-in only: on hosted Supabase these already exist.
-- Idempotent: every statement checks before it creates.

do $$
declare
  role_name text;
begin
  foreach role_name in array array['anon', 'authenticated', 'service_role'] loop
    if not exists (select 1 from pg_roles where rolname = role_name) then
      execute format('create role %I nologin noinherit', role_name);
    end if;
  end loop;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit password 'postgres';
  end if;
  foreach role_name in array array[
    'supabase_auth_admin', 'supabase_storage_admin', 'supabase_realtime_admin',
    'supabase_replication_admin', 'supabase_read_only_user', 'dashboard_user', 'pgbouncer'
  ] loop
    if not exists (select 1 from pg_roles where rolname = role_name) then
      execute format('create role %I login noinherit password %L', role_name, 'postgres');
    end if;
  end loop;
end
$$;

alter role service_role bypassrls;
alter role supabase_auth_admin createrole;
alter role supabase_replication_admin replication;
grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
grant supabase_auth_admin, supabase_realtime_admin to postgres;

-- The API roles keep the statement timeouts Supabase gives them.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
alter default privileges in schema extensions grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema extensions grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema extensions grant all on sequences to postgres, anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

-- public: the API roles may use it; objects created by postgres are granted to them by default and
-- protected by row-level security, exactly as on a hosted project.
grant usage on schema public to postgres, anon, authenticated, service_role;
-- Set once, as the image does when the project is created: migrations may narrow these defaults
-- (the product denies functions by default), and a later start must not widen them again.
do $$
begin
  if not exists (
    select 1 from pg_default_acl as acl
    where acl.defaclrole = 'postgres'::regrole and acl.defaclnamespace = 'public'::regnamespace
  ) then
    alter default privileges for role postgres in schema public
      grant all on tables to anon, authenticated, service_role;
    alter default privileges for role postgres in schema public
      grant all on functions to anon, authenticated, service_role;
    alter default privileges for role postgres in schema public
      grant all on sequences to anon, authenticated, service_role;
  end if;
end
$$;

alter role authenticator set search_path = public, extensions;
alter role postgres set search_path = "$user", public, extensions;
alter database postgres set search_path = "$user", public, extensions;

-- The Supabase image's issue_pg_net_access event trigger: enabling pg_net gives the API roles
-- USAGE on its schema (pg_net itself leaves EXECUTE on its functions to PUBLIC).
create or replace function extensions.grant_pg_net_access() returns event_trigger
language plpgsql
as $$
begin
  if exists (
    select from pg_event_trigger_ddl_commands() as command
    join pg_extension as extension on extension.oid = command.objid
    where extension.extname = 'pg_net'
  ) then
    grant usage on schema net to postgres, anon, authenticated, service_role;
  end if;
end
$$;
drop event trigger if exists issue_pg_net_access;
create event trigger issue_pg_net_access on ddl_command_end
  when tag in ('CREATE EXTENSION')
  execute function extensions.grant_pg_net_access();
