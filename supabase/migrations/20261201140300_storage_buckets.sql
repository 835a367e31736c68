-- Files in Supabase Storage: three buckets and who may do what in them (RLS on storage.objects).
-- Every object lives under a folder named after its owner's id, which the policies compare with
-- the caller: `<user id>/…` in avatars, `<company id>/…` in company-logos, `<candidate id>/…` in
-- resumes. Types and sizes are the buckets' own limits, which Storage checks before it stores
-- anything (wrong type 415, too large 413, both answered as 400 by storage-api).
--   avatars        public: anyone reads; a member writes their own folder; images, 2 MB
--   company-logos  public: anyone reads; the company writes its folder; images, 2 MB
--   resumes        private: the candidate reads and writes their folder; a company reads the
--                  folder of a candidate with an application to one of its offers that is not
--                  withdrawn; PDF, DOC, DOCX, ODT, 10 MB
-- Admins have no special rights here (they moderate through the tables); the service role
-- bypasses RLS.

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values
  ('avatars', 'avatars', true, 2 * 1024 * 1024,
    array['image/jpeg', 'image/png', 'image/webp', 'image/gif']),
  ('company-logos', 'company-logos', true, 2 * 1024 * 1024,
    array['image/jpeg', 'image/png', 'image/webp', 'image/gif']),
  ('resumes', 'resumes', false, 10 * 1024 * 1024,
    array[
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.oasis.opendocument.text'
    ])
on conflict (id) do update set
  public = excluded.public,
  file_size_limit = excluded.file_size_limit,
  allowed_mime_types = excluded.allowed_mime_types;

-- Whether the signed-in company may read the CVs in folder p_folder: the folder is a candidate
-- with a live (not withdrawn) application to one of the company's offers. Security definer: the
-- policy asks it without the RLS of job_applications and jobs.
create function private.company_may_read_resumes_of(p_folder text)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select 1
    from public.job_applications as application
    join public.jobs as job on job.id = application.job_id
    where application.candidate_id::text = p_folder
      and application.status <> 'withdrawn'
      and job.company_id = (select auth.uid())
  );
$$;
grant execute on function private.company_may_read_resumes_of(text) to authenticated, service_role;

-- Whether object p_name is in the caller's own folder (`<their id>/…`), for a caller of role
-- p_role (any role when null): who may write where. Security definer so that policies evaluated
-- as the API roles may call it (they cannot name `private` objects at run time).
create function private.is_own_storage_folder(p_name text, p_role text default null)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select coalesce(
    (storage.foldername(p_name))[1] = (select auth.uid())::text
      and (p_role is null or (select private.current_user_role()) = p_role),
    false
  );
$$;
grant execute on function private.is_own_storage_folder(text, text) to authenticated, service_role;

-- Reads. A public bucket's downloads need no policy; listing and upserts (which read the existing
-- object) do.
create policy "Everyone reads avatars and company logos"
  on storage.objects for select
  to anon, authenticated
  using (bucket_id in ('avatars', 'company-logos'));

create policy "Candidates and the companies they applied to read CVs"
  on storage.objects for select
  to authenticated
  using (
    bucket_id = 'resumes'
    and (
      private.is_own_storage_folder(name)
      or private.company_may_read_resumes_of((storage.foldername(name))[1])
    )
  );

-- Writes (upload, replace, move, delete): only in one's own folder, and for logos and CVs only
-- with the right role. An object moved elsewhere must land in a folder of one's own too.
create policy "Members write their avatar"
  on storage.objects for all
  to authenticated
  using (bucket_id = 'avatars' and private.is_own_storage_folder(name))
  with check (bucket_id = 'avatars' and private.is_own_storage_folder(name));

create policy "Companies write their logo"
  on storage.objects for all
  to authenticated
  using (bucket_id = 'company-logos' and private.is_own_storage_folder(name, 'company'))
  with check (bucket_id = 'company-logos' and private.is_own_storage_folder(name, 'company'));

create policy "Candidates write their CVs"
  on storage.objects for all
  to authenticated
  using (bucket_id = 'resumes' and private.is_own_storage_folder(name, 'candidate'))
  with check (bucket_id = 'resumes' and private.is_own_storage_folder(name, 'candidate'));
