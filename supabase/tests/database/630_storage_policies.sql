-- storage.objects policies of the avatars, company-logos and resumes buckets, as each role:
-- a visitor, the owner, another candidate, the company applied to, another company, an admin and
-- the service role. Uploads are INSERTs, replacements UPDATEs, removals DELETEs, downloads of the
-- private bucket and listings SELECTs (public buckets serve downloads without a policy).
-- World: candidate_a applied to company_a's 'A published' and 'A closed'; candidate_b to
-- company_b's 'B published'. Files: candidate_a's photo and CV, company_a's logo.
begin;
select plan(51);
select tests.create_world();

insert into storage.objects (bucket_id, name, owner_id) values
  ('avatars', tests.user_id('candidate_a') || '/photo.png', tests.user_id('candidate_a')),
  ('company-logos', tests.user_id('company_a') || '/logo.png', tests.user_id('company_a')),
  ('resumes', tests.user_id('candidate_a') || '/cv.pdf', tests.user_id('candidate_a'));

-- The fixture files the caller sees, as 'bucket:owner'.
create function pg_temp.visible_files() returns setof text
language sql as $$
  select bucket_id || ':' || tests.name_of(((storage.foldername(name))[1])::uuid)
  from storage.objects
  where name in (
    tests.user_id('candidate_a') || '/photo.png',
    tests.user_id('company_a') || '/logo.png',
    tests.user_id('candidate_a') || '/cv.pdf')
$$;
create function pg_temp.upload(p_bucket text, p_owner text, p_file text) returns text
language sql as $$
  select format('insert into storage.objects (bucket_id, name) values (%L, %L)',
    p_bucket, tests.user_id(p_owner) || '/' || p_file)
$$;
create function pg_temp.replace(p_bucket text, p_owner text, p_file text) returns text
language sql as $$
  select format(
    'update storage.objects set metadata = ''{"size": 1}'' where bucket_id = %L and name = %L',
    p_bucket, tests.user_id(p_owner) || '/' || p_file)
$$;
create function pg_temp.remove(p_bucket text, p_owner text, p_file text) returns text
language sql as $$
  select format('delete from storage.objects where bucket_id = %L and name = %L',
    p_bucket, tests.user_id(p_owner) || '/' || p_file)
$$;

-- SELECT (listing; downloads from the private resumes bucket)
select tests.authenticate_as_anon();
select set_eq($$ select * from pg_temp.visible_files() $$,
  array['avatars:candidate_a', 'company-logos:company_a'],
  'a visitor sees avatars and logos, no CV');
select tests.authenticate_as('candidate_a');
select set_eq($$ select * from pg_temp.visible_files() $$,
  array['avatars:candidate_a', 'company-logos:company_a', 'resumes:candidate_a'],
  'the owner sees her CV');
select tests.authenticate_as('candidate_b');
select set_eq($$ select * from pg_temp.visible_files() $$,
  array['avatars:candidate_a', 'company-logos:company_a'], 'another candidate does not');
select tests.authenticate_as('company_a');
select set_eq($$ select * from pg_temp.visible_files() $$,
  array['avatars:candidate_a', 'company-logos:company_a', 'resumes:candidate_a'],
  'the company she applied to reads her CV');
select tests.authenticate_as('company_b');
select set_eq($$ select * from pg_temp.visible_files() $$,
  array['avatars:candidate_a', 'company-logos:company_a'], 'another company does not');
select tests.authenticate_as('admin');
select set_eq($$ select * from pg_temp.visible_files() $$,
  array['avatars:candidate_a', 'company-logos:company_a'], 'nor does an admin');
select tests.authenticate_as_service_role();
select set_eq($$ select * from pg_temp.visible_files() $$,
  array['avatars:candidate_a', 'company-logos:company_a', 'resumes:candidate_a'],
  'the service role sees every file');

-- avatars: INSERT, UPDATE, DELETE
select tests.authenticate_as_anon();
select throws_ok(pg_temp.upload('avatars', 'candidate_a', 'new.png'), '42501', null,
  'avatars: a visitor cannot upload');
select tests.authenticate_as('candidate_b');
select throws_ok(pg_temp.upload('avatars', 'candidate_a', 'new.png'), '42501', null,
  'avatars: another candidate cannot upload into her folder');
select lives_ok(pg_temp.upload('avatars', 'candidate_b', 'me.png'),
  'avatars: he uploads into his own folder');
select is(tests.rows_affected(pg_temp.replace('avatars', 'candidate_a', 'photo.png')), 0,
  'avatars: another candidate cannot replace her photo');
select is(tests.rows_affected(pg_temp.remove('avatars', 'candidate_a', 'photo.png')), 0,
  'avatars: nor delete it');
select tests.authenticate_as('company_a');
select throws_ok(pg_temp.upload('avatars', 'candidate_a', 'new.png'), '42501', null,
  'avatars: the company she applied to cannot upload into her folder');
select is(tests.rows_affected(pg_temp.remove('avatars', 'candidate_a', 'photo.png')), 0,
  'avatars: nor delete her photo');
select lives_ok(pg_temp.upload('avatars', 'company_a', 'me.png'),
  'avatars: a company member uploads their own photo');
select tests.authenticate_as('admin');
select throws_ok(pg_temp.upload('avatars', 'candidate_a', 'new.png'), '42501', null,
  'avatars: an admin cannot upload into her folder');
select is(tests.rows_affected(pg_temp.remove('avatars', 'candidate_a', 'photo.png')), 0,
  'avatars: nor delete her photo');
select tests.authenticate_as('candidate_a');
select lives_ok(pg_temp.upload('avatars', 'candidate_a', 'new.png'), 'avatars: the owner uploads');
select is(tests.rows_affected(pg_temp.replace('avatars', 'candidate_a', 'photo.png')), 1,
  'avatars: the owner replaces her photo');
select is(tests.rows_affected(pg_temp.remove('avatars', 'candidate_a', 'new.png')), 1,
  'avatars: the owner deletes a photo');
select throws_ok(
  format('update storage.objects set name = %L where bucket_id = ''avatars'' and name = %L',
    tests.user_id('candidate_b') || '/moved.png', tests.user_id('candidate_a') || '/photo.png'),
  '42501', null, 'avatars: the owner cannot move a file into someone else''s folder');

-- company-logos
select tests.authenticate_as_anon();
select throws_ok(pg_temp.upload('company-logos', 'company_a', 'new.png'), '42501', null,
  'logos: a visitor cannot upload');
select tests.authenticate_as('candidate_a');
select throws_ok(pg_temp.upload('company-logos', 'candidate_a', 'logo.png'), '42501', null,
  'logos: a candidate cannot upload, not even in a folder of her own id');
select throws_ok(pg_temp.upload('company-logos', 'company_a', 'new.png'), '42501', null,
  'logos: a candidate cannot upload into a company''s folder');
select tests.authenticate_as('company_b');
select throws_ok(pg_temp.upload('company-logos', 'company_a', 'new.png'), '42501', null,
  'logos: another company cannot upload into company A''s folder');
select is(tests.rows_affected(pg_temp.replace('company-logos', 'company_a', 'logo.png')), 0,
  'logos: another company cannot replace company A''s logo');
select is(tests.rows_affected(pg_temp.remove('company-logos', 'company_a', 'logo.png')), 0,
  'logos: nor delete it');
select tests.authenticate_as('admin');
select throws_ok(pg_temp.upload('company-logos', 'company_a', 'new.png'), '42501', null,
  'logos: an admin cannot upload');
select is(tests.rows_affected(pg_temp.remove('company-logos', 'company_a', 'logo.png')), 0,
  'logos: nor delete');
select tests.authenticate_as('company_a');
select lives_ok(pg_temp.upload('company-logos', 'company_a', 'new.png'),
  'logos: the company uploads into its folder');
select is(tests.rows_affected(pg_temp.replace('company-logos', 'company_a', 'logo.png')), 1,
  'logos: the company replaces its logo');
select is(tests.rows_affected(pg_temp.remove('company-logos', 'company_a', 'new.png')), 1,
  'logos: the company deletes a logo');

-- resumes
select tests.authenticate_as_anon();
select throws_ok(pg_temp.upload('resumes', 'candidate_a', 'new.pdf'), '42501', null,
  'CVs: a visitor cannot upload');
select tests.authenticate_as('candidate_b');
select throws_ok(pg_temp.upload('resumes', 'candidate_a', 'new.pdf'), '42501', null,
  'CVs: another candidate cannot upload into her folder');
select is(tests.rows_affected(pg_temp.replace('resumes', 'candidate_a', 'cv.pdf')), 0,
  'CVs: another candidate cannot replace her CV');
select tests.authenticate_as('company_a');
select throws_ok(pg_temp.upload('resumes', 'candidate_a', 'new.pdf'), '42501', null,
  'CVs: the company she applied to reads but cannot upload');
select is(tests.rows_affected(pg_temp.replace('resumes', 'candidate_a', 'cv.pdf')), 0,
  'CVs: nor replace her CV');
select is(tests.rows_affected(pg_temp.remove('resumes', 'candidate_a', 'cv.pdf')), 0,
  'CVs: nor delete it');
select throws_ok(pg_temp.upload('resumes', 'company_a', 'cv.pdf'), '42501', null,
  'CVs: a company has no CV folder');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(pg_temp.remove('resumes', 'candidate_a', 'cv.pdf')), 0,
  'CVs: another company cannot delete her CV');
select tests.authenticate_as('admin');
select throws_ok(pg_temp.upload('resumes', 'candidate_a', 'new.pdf'), '42501', null,
  'CVs: an admin cannot upload');
select is(tests.rows_affected(pg_temp.remove('resumes', 'candidate_a', 'cv.pdf')), 0,
  'CVs: nor delete');
select tests.authenticate_as('candidate_a');
select lives_ok(pg_temp.upload('resumes', 'candidate_a', 'new.pdf'), 'CVs: the owner uploads');
select is(tests.rows_affected(pg_temp.replace('resumes', 'candidate_a', 'cv.pdf')), 1,
  'CVs: the owner replaces her CV');
select is(tests.rows_affected(pg_temp.remove('resumes', 'candidate_a', 'new.pdf')), 1,
  'CVs: the owner deletes a CV');
select tests.authenticate_as_service_role();
select lives_ok(pg_temp.upload('resumes', 'candidate_b', 'imported.pdf'),
  'CVs: the service role writes anywhere');
select is(tests.rows_affected(pg_temp.remove('resumes', 'candidate_b', 'imported.pdf')), 1,
  'CVs: and deletes anything');

-- A withdrawal ends the company's access to the candidate's CVs.
select tests.authenticate_as('candidate_a');
update public.job_applications set status = 'withdrawn' where candidate_id = auth.uid();
select tests.authenticate_as('company_a');
select set_eq($$ select * from pg_temp.visible_files() $$,
  array['avatars:candidate_a', 'company-logos:company_a'],
  'once she withdrew her applications, the company no longer reads her CV');

-- The buckets' own limits (checked by Storage before anything is stored).
select tests.clear_authentication();
select results_eq(
  $$ select id || ' ' || public::text || ' ' || file_size_limit from storage.buckets
     where id in ('avatars', 'company-logos', 'resumes') order by id $$,
  array['avatars true 2097152', 'company-logos true 2097152', 'resumes false 10485760'],
  'avatars and logos are public and 2 MB at most, CVs private and 10 MB at most');
select is((select allowed_mime_types from storage.buckets where id = 'resumes'),
  array['application/pdf', 'application/msword',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'application/vnd.oasis.opendocument.text'],
  'CVs are PDF, DOC, DOCX or ODT');
select is((select allowed_mime_types from storage.buckets where id = 'avatars'),
  array['image/jpeg', 'image/png', 'image/webp', 'image/gif'], 'photos and logos are images');

select * from finish();
rollback;
