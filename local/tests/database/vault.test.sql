-- The Vault stand-in keeps the vault.* API of hosted Supabase.
begin;
select plan(7);

select ok(
  (select vault.create_secret('s3cr3t-value', 'test_secret', 'a test secret')) is not null,
  'create_secret returns the id of the new secret'
);
select is(
  (select decrypted_secret from vault.decrypted_secrets where name = 'test_secret'),
  's3cr3t-value',
  'decrypted_secrets gives the secret back'
);
select isnt(
  (select secret from vault.secrets where name = 'test_secret'),
  's3cr3t-value',
  'the stored secret is encrypted'
);
select lives_ok(
  $$ select vault.update_secret(
       (select id from vault.secrets where name = 'test_secret'), 'new-value') $$,
  'update_secret changes a secret'
);
select is(
  (select decrypted_secret from vault.decrypted_secrets where name = 'test_secret'),
  'new-value',
  'the updated secret round-trips'
);
set local role authenticated;
select throws_ok(
  $$ select * from vault.decrypted_secrets $$,
  '42501',
  null,
  'authenticated users cannot read secrets'
);
reset role;
set local role service_role;
select throws_ok(
  $$ select * from vault.decrypted_secrets $$,
  '42501',
  null,
  'service_role cannot read secrets either: Vault grants nothing to the API roles'
);
reset role;

select * from finish();
rollback;
