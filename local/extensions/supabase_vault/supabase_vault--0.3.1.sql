-- Supabase Vault stand-in: same tables, functions and view as supabase_vault 0.3, for local use.
-- Secrets are encrypted at rest with pgcrypto (the real extension uses libsodium AEAD) under a key
-- generated per database and readable only by the superuser-owned functions below.

create table vault.secrets (
  id uuid primary key default extensions.gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea default extensions.gen_random_bytes(24),
  created_at timestamptz not null default current_timestamp,
  updated_at timestamptz not null default current_timestamp
);
create unique index secrets_name_idx on vault.secrets (name) where name is not null;

-- The encryption key: one row, never granted to anyone.
create table vault._encryption_key (
  key text not null default encode(extensions.gen_random_bytes(32), 'hex')
);
insert into vault._encryption_key default values;

create function vault._crypto_key() returns text
language sql stable security definer set search_path = ''
as $$ select key from vault._encryption_key limit 1 $$;

create function vault.create_secret(
  new_secret text,
  new_name text default null,
  new_description text default '',
  new_key_id uuid default null
) returns uuid
language plpgsql security definer set search_path = ''
as $$
declare
  created_id uuid;
begin
  insert into vault.secrets (name, description, secret, key_id)
  values (
    new_name,
    coalesce(new_description, ''),
    encode(extensions.pgp_sym_encrypt(new_secret, vault._crypto_key()), 'base64'),
    new_key_id
  )
  returning id into created_id;
  return created_id;
end
$$;

create function vault.update_secret(
  secret_id uuid,
  new_secret text default null,
  new_name text default null,
  new_description text default null,
  new_key_id uuid default null
) returns void
language plpgsql security definer set search_path = ''
as $$
begin
  update vault.secrets
  set
    secret = case
      when new_secret is null then secret
      else encode(extensions.pgp_sym_encrypt(new_secret, vault._crypto_key()), 'base64')
    end,
    name = coalesce(new_name, name),
    description = coalesce(new_description, description),
    key_id = coalesce(new_key_id, key_id),
    updated_at = current_timestamp
  where id = secret_id;
end
$$;

create view vault.decrypted_secrets as
select
  s.id,
  s.name,
  s.description,
  s.secret,
  extensions.pgp_sym_decrypt(decode(s.secret, 'base64'), vault._crypto_key()) as decrypted_secret,
  s.key_id,
  s.nonce,
  s.created_at,
  s.updated_at
from vault.secrets s;

-- Like supabase_vault, nothing is granted beyond the owner but to `postgres`: the API roles
-- (service_role included) reach secrets only through the project's own security definer functions.
revoke all on all tables in schema vault from public;
revoke all on all functions in schema vault from public;
revoke all on schema vault from public;
grant usage on schema vault to postgres;
grant select, insert, update, delete on vault.secrets to postgres;
grant select on vault.decrypted_secrets to postgres;
grant execute on function vault.create_secret(text, text, text, uuid) to postgres;
grant execute on function vault.update_secret(uuid, text, text, text, uuid) to postgres;
