-- Extensions every hosted Supabase project has enabled before its first migration.
create extension if not exists supabase_vault;
