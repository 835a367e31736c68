-- Where members' files are referenced from: the object's name inside its bucket (what
-- supabase.storage.from(bucket).getPublicUrl / download / createSignedUrl take).
--   profiles.avatar_path          avatars        `<profile id>/…`
--   companies.logo_path           company-logos  `<company id>/…`
--   candidates.resume_path        resumes        `<candidate id>/…`, the current CV
--   job_applications.resume_path  resumes        `<candidate id>/…`, the CV sent with it
-- A reference must name an object that exists, in the owner's folder: a trigger checks it when
-- the reference is written. Deleting the file later leaves the reference dangling (a download
-- then answers 404); upload a new file and point the reference at it.

alter table public.profiles add column avatar_path text
  constraint profiles_avatar_path_length check (char_length(avatar_path) <= 1024);
alter table public.companies add column logo_path text
  constraint companies_logo_path_length check (char_length(logo_path) <= 1024);
alter table public.candidates add column resume_path text
  constraint candidates_resume_path_length check (char_length(resume_path) <= 1024);
alter table public.job_applications add column resume_path text
  constraint job_applications_resume_path_length check (char_length(resume_path) <= 1024);

comment on column public.profiles.avatar_path is
  'Photo: object name in the public avatars bucket, under <profile id>/.';
comment on column public.companies.logo_path is
  'Logo: object name in the public company-logos bucket, under <company id>/.';
comment on column public.candidates.resume_path is
  'Current CV: object name in the private resumes bucket, under <candidate id>/.';
comment on column public.job_applications.resume_path is
  'CV sent with the application: object name in the resumes bucket, under <candidate id>/.';

grant update (avatar_path) on table public.profiles to authenticated;
grant update (logo_path) on table public.companies to authenticated;
grant update (resume_path) on table public.candidates to authenticated;
grant insert (resume_path) on table public.job_applications to authenticated;

-- Refuses a reference to a file that is not in the owner's folder of the bucket, or that does not
-- exist. Arguments: the bucket, the column, and the column holding the owner's id. Security
-- definer: it reads storage.objects whatever the caller may list there.
create function private.check_file_reference()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  bucket constant text := tg_argv[0];
  path text := to_jsonb(new) ->> tg_argv[1];
  owner_id text := to_jsonb(new) ->> tg_argv[2];
begin
  if path is null then
    return new;
  end if;
  if split_part(path, '/', 1) <> owner_id or path not like '%/_%' then
    raise exception using
      errcode = '22023',
      message = format('%s: a file of the %s bucket under %s/ is expected, not %L',
        tg_argv[1], bucket, owner_id, path);
  end if;
  if not exists (
    select 1 from storage.objects as object where object.bucket_id = bucket and object.name = path
  ) then
    raise exception using
      errcode = '22023',
      message = format('%s: there is no file %L in the %s bucket (upload it first)',
        tg_argv[1], path, bucket);
  end if;
  return new;
end;
$$;

create trigger profiles_check_avatar_path
  before insert or update of avatar_path on public.profiles
  for each row execute function private.check_file_reference('avatars', 'avatar_path', 'id');
create trigger companies_check_logo_path
  before insert or update of logo_path on public.companies
  for each row execute function private.check_file_reference('company-logos', 'logo_path', 'id');
create trigger candidates_check_resume_path
  before insert or update of resume_path on public.candidates
  for each row execute function private.check_file_reference('resumes', 'resume_path', 'id');
create trigger job_applications_check_resume_path
  before insert or update of resume_path on public.job_applications
  for each row
  execute function private.check_file_reference('resumes', 'resume_path', 'candidate_id');
