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
-- The fixture files an actor sees.
create function pg_temp.files_seen_by(p_actor text) returns text[]
language plpgsql as $$
declare
  seen text[];
begin
  perform tests.act_as(p_actor);
  select array_agg(file order by file) into seen from pg_temp.visible_files() as file;
  perform tests.clear_authentication();
  return seen;
end;
$$;

-- Whether an actor's upload (INSERT), replacement (UPDATE), removal (DELETE) or move (UPDATE of
-- the name) of a file in a folder goes through: 'allowed' when it wrote a row, 'refused' when
-- Storage's policies raised 42501 (an INSERT's check) or left the row out of reach (0 rows).
create function pg_temp.attempt(
  p_actor text, p_action text, p_bucket text, p_folder text, p_file text
) returns text
language plpgsql as $$
declare
  path text := tests.user_id(p_folder) || '/' || p_file;
  statement text := case p_action
    when 'upload' then format('insert into storage.objects (bucket_id, name) values (%L, %L)',
      p_bucket, path)
    when 'replace' then format(
      'update storage.objects set metadata = ''{"size": 1}'' where bucket_id = %L and name = %L',
      p_bucket, path)
    when 'remove' then format('delete from storage.objects where bucket_id = %L and name = %L',
      p_bucket, path)
    when 'move away' then format(
      'update storage.objects set name = %L where bucket_id = %L and name = %L',
      tests.user_id('candidate_b') || '/moved.png', p_bucket, path)
  end;
  outcome text;
begin
  perform tests.act_as(p_actor);
  begin
    outcome := case when tests.rows_affected(statement) > 0 then 'allowed' else 'refused' end;
  exception when insufficient_privilege then
    outcome := 'refused';
  end;
  perform tests.clear_authentication();
  return outcome;
end;
$$;

-- SELECT (listing; downloads from the private resumes bucket)
select is(pg_temp.files_seen_by(actor), seen, description)
from (values
  ('anon', array['avatars:candidate_a', 'company-logos:company_a'],
    'a visitor sees avatars and logos, no CV'),
  ('candidate_a', array['avatars:candidate_a', 'company-logos:company_a', 'resumes:candidate_a'],
    'the owner sees her CV'),
  ('candidate_b', array['avatars:candidate_a', 'company-logos:company_a'],
    'another candidate does not'),
  ('company_a', array['avatars:candidate_a', 'company-logos:company_a', 'resumes:candidate_a'],
    'the company she applied to reads her CV'),
  ('company_b', array['avatars:candidate_a', 'company-logos:company_a'],
    'another company does not'),
  ('admin', array['avatars:candidate_a', 'company-logos:company_a'], 'nor does an admin'),
  ('service_role', array['avatars:candidate_a', 'company-logos:company_a', 'resumes:candidate_a'],
    'the service role sees every file')
) as expected (actor, seen, description);

-- INSERT, UPDATE, DELETE, in order (earlier rows create files that later ones replace or remove).
select is(pg_temp.attempt(actor, action, bucket, folder, file), outcome, description)
from (values
  (1, 'anon', 'upload', 'avatars', 'candidate_a', 'new.png', 'refused',
    'avatars: a visitor cannot upload'),
  (2, 'candidate_b', 'upload', 'avatars', 'candidate_a', 'new.png', 'refused',
    'avatars: another candidate cannot upload into her folder'),
  (3, 'candidate_b', 'upload', 'avatars', 'candidate_b', 'me.png', 'allowed',
    'avatars: he uploads into his own folder'),
  (4, 'candidate_b', 'replace', 'avatars', 'candidate_a', 'photo.png', 'refused',
    'avatars: another candidate cannot replace her photo'),
  (5, 'candidate_b', 'remove', 'avatars', 'candidate_a', 'photo.png', 'refused',
    'avatars: nor delete it'),
  (6, 'company_a', 'upload', 'avatars', 'candidate_a', 'new.png', 'refused',
    'avatars: the company she applied to cannot upload into her folder'),
  (7, 'company_a', 'remove', 'avatars', 'candidate_a', 'photo.png', 'refused',
    'avatars: nor delete her photo'),
  (8, 'company_a', 'upload', 'avatars', 'company_a', 'me.png', 'allowed',
    'avatars: a company member uploads their own photo'),
  (9, 'admin', 'upload', 'avatars', 'candidate_a', 'new.png', 'refused',
    'avatars: an admin cannot upload into her folder'),
  (10, 'admin', 'remove', 'avatars', 'candidate_a', 'photo.png', 'refused',
    'avatars: nor delete her photo'),
  (11, 'candidate_a', 'upload', 'avatars', 'candidate_a', 'new.png', 'allowed',
    'avatars: the owner uploads'),
  (12, 'candidate_a', 'replace', 'avatars', 'candidate_a', 'photo.png', 'allowed',
    'avatars: the owner replaces her photo'),
  (13, 'candidate_a', 'remove', 'avatars', 'candidate_a', 'new.png', 'allowed',
    'avatars: the owner deletes a photo'),
  (14, 'candidate_a', 'move away', 'avatars', 'candidate_a', 'photo.png', 'refused',
    'avatars: the owner cannot move a file into someone else''s folder'),
  (15, 'anon', 'upload', 'company-logos', 'company_a', 'new.png', 'refused',
    'logos: a visitor cannot upload'),
  (16, 'candidate_a', 'upload', 'company-logos', 'candidate_a', 'logo.png', 'refused',
    'logos: a candidate cannot upload, not even in a folder of her own id'),
  (17, 'candidate_a', 'upload', 'company-logos', 'company_a', 'new.png', 'refused',
    'logos: a candidate cannot upload into a company''s folder'),
  (18, 'company_b', 'upload', 'company-logos', 'company_a', 'new.png', 'refused',
    'logos: another company cannot upload into company A''s folder'),
  (19, 'company_b', 'replace', 'company-logos', 'company_a', 'logo.png', 'refused',
    'logos: another company cannot replace company A''s logo'),
  (20, 'company_b', 'remove', 'company-logos', 'company_a', 'logo.png', 'refused',
    'logos: nor delete it'),
  (21, 'admin', 'upload', 'company-logos', 'company_a', 'new.png', 'refused',
    'logos: an admin cannot upload'),
  (22, 'admin', 'remove', 'company-logos', 'company_a', 'logo.png', 'refused',
    'logos: nor delete'),
  (23, 'company_a', 'upload', 'company-logos', 'company_a', 'new.png', 'allowed',
    'logos: the company uploads into its folder'),
  (24, 'company_a', 'replace', 'company-logos', 'company_a', 'logo.png', 'allowed',
    'logos: the company replaces its logo'),
  (25, 'company_a', 'remove', 'company-logos', 'company_a', 'new.png', 'allowed',
    'logos: the company deletes a logo'),
  (26, 'anon', 'upload', 'resumes', 'candidate_a', 'new.pdf', 'refused',
    'CVs: a visitor cannot upload'),
  (27, 'candidate_b', 'upload', 'resumes', 'candidate_a', 'new.pdf', 'refused',
    'CVs: another candidate cannot upload into her folder'),
  (28, 'candidate_b', 'replace', 'resumes', 'candidate_a', 'cv.pdf', 'refused',
    'CVs: another candidate cannot replace her CV'),
  (29, 'company_a', 'upload', 'resumes', 'candidate_a', 'new.pdf', 'refused',
    'CVs: the company she applied to reads but cannot upload'),
  (30, 'company_a', 'replace', 'resumes', 'candidate_a', 'cv.pdf', 'refused',
    'CVs: nor replace her CV'),
  (31, 'company_a', 'remove', 'resumes', 'candidate_a', 'cv.pdf', 'refused',
    'CVs: nor delete it'),
  (32, 'company_a', 'upload', 'resumes', 'company_a', 'cv.pdf', 'refused',
    'CVs: a company has no CV folder'),
  (33, 'company_b', 'remove', 'resumes', 'candidate_a', 'cv.pdf', 'refused',
    'CVs: another company cannot delete her CV'),
  (34, 'admin', 'upload', 'resumes', 'candidate_a', 'new.pdf', 'refused',
    'CVs: an admin cannot upload'),
  (35, 'admin', 'remove', 'resumes', 'candidate_a', 'cv.pdf', 'refused', 'CVs: nor delete'),
  (36, 'candidate_a', 'upload', 'resumes', 'candidate_a', 'new.pdf', 'allowed',
    'CVs: the owner uploads'),
  (37, 'candidate_a', 'replace', 'resumes', 'candidate_a', 'cv.pdf', 'allowed',
    'CVs: the owner replaces her CV'),
  (38, 'candidate_a', 'remove', 'resumes', 'candidate_a', 'new.pdf', 'allowed',
    'CVs: the owner deletes a CV'),
  (39, 'service_role', 'upload', 'resumes', 'candidate_b', 'imported.pdf', 'allowed',
    'CVs: the service role writes anywhere'),
  (40, 'service_role', 'remove', 'resumes', 'candidate_b', 'imported.pdf', 'allowed',
    'CVs: and deletes anything')
) as expected (step, actor, action, bucket, folder, file, outcome, description)
order by step;

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
