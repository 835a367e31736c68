-- Extensions the project relies on, enabled first so every later migration can use them, then the
-- default privileges of every function the migrations create, and the `private` schema.
-- pg_cron goes in pg_catalog and pg_net in extensions, as the Supabase dashboard installs them.

create extension if not exists pg_cron with schema pg_catalog;
create extension if not exists pg_net with schema extensions;
create extension if not exists pgmq;
create extension if not exists unaccent with schema extensions;
create extension if not exists pg_trgm with schema extensions;

-- Default deny: a function the migrations create (as postgres, under `supabase db push`) may be
-- executed by its owner and the service role only; each function that an API role must call
-- says so with its own `grant execute`. Postgres grants EXECUTE on new functions to PUBLIC in
-- every schema, and a per-schema default cannot take that away, hence the first statement, for
-- all schemas. Hosted Supabase adds anon, authenticated and service_role in public by a
-- per-schema default; the second statement keeps the service role only. The extensions above
-- were created before, with the privileges they ship with (docs/decisions.md).
alter default privileges for role postgres revoke execute on functions from public;
alter default privileges for role postgres in schema public
  revoke execute on functions from anon, authenticated;

-- `private` holds the helpers that policies, triggers and RPCs call and the tables no client reads.
-- It is not exposed by the Data API (config.toml exposes public and graphql_public only) and the
-- API roles get no USAGE on it: policies, generated columns and indexes refer to its functions by
-- oid, so the roles only need EXECUTE on the few helpers granted to them (by default only a
-- function's owner may execute it, above). Code that API roles run and that is parsed at run time
-- (PL/pgSQL of security invoker functions and triggers) must not name `private` objects.
create schema if not exists private;
revoke all on schema private from public, anon, authenticated;
grant usage on schema private to service_role;
