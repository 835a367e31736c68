-- Extensions the project relies on, enabled first so every later migration can use them.
-- pg_cron goes in pg_catalog and pg_net in extensions, as the Supabase dashboard installs them.

create extension if not exists pg_cron with schema pg_catalog;
create extension if not exists pg_net with schema extensions;
create extension if not exists pgmq;
