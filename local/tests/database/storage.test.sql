-- The storage schema stand-in keeps the SQL surface of hosted Supabase Storage that product
-- migrations and policies use: the two tables with their columns, RLS on, the policy helpers, and
-- the API roles' privileges.
begin;
select plan(12);

select has_table('storage', 'buckets', 'storage.buckets exists');
select has_table('storage', 'objects', 'storage.objects exists');
select columns_are('storage', 'buckets', array[
  'id', 'name', 'owner', 'created_at', 'updated_at', 'public', 'avif_autodetection',
  'file_size_limit', 'allowed_mime_types', 'owner_id', 'type'
], 'storage.buckets has hosted Storage''s columns');
select columns_are('storage', 'objects', array[
  'id', 'bucket_id', 'name', 'owner', 'created_at', 'updated_at', 'last_accessed_at', 'metadata',
  'path_tokens', 'version', 'owner_id', 'user_metadata'
], 'storage.objects has hosted Storage''s columns');
select ok(
  (select bool_and(relrowsecurity) from pg_class
    where oid in ('storage.buckets'::regclass, 'storage.objects'::regclass)),
  'row-level security is on for both tables'
);
select is(
  (select tableowner::text from pg_tables where schemaname = 'storage' and tablename = 'objects'),
  'supabase_storage_admin', 'the tables belong to supabase_storage_admin'
);
select ok(
  has_table_privilege('authenticated', 'storage.objects', 'insert, select, update, delete')
    and has_table_privilege('anon', 'storage.objects', 'select'),
  'the API roles reach storage.objects (RLS decides)'
);
select is(storage.foldername('a/b/c.png'), array['a', 'b'], 'foldername gives the folders');
select is(storage.filename('a/b/c.png'), 'c.png', 'filename gives the file name');
select is(storage.extension('a/b/c.tar.gz'), 'gz', 'extension gives the last extension');
insert into storage.buckets (id, name) values ('stand-in-check', 'stand-in-check');
insert into storage.objects (bucket_id, name) values ('stand-in-check', 'folder/file.txt');
select is(
  (select path_tokens from storage.objects where bucket_id = 'stand-in-check'),
  array['folder', 'file.txt'], 'path_tokens is generated from the name'
);
select set_config('storage.operation', 'storage.object.upload', true);
select is(storage.operation(), 'storage.object.upload',
  'storage.operation() reads the operation the server sets');

select * from finish();
rollback;
