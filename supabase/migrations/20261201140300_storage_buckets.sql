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
language sql
stable
security definer
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
revoke execute on function private.company_may_read_resumes_of(text) from public;
grant execute on function private.company_may_read_resumes_of(text) to authenticated, service_role;

-- Avatars: each member's own folder. Reads of public buckets need no policy to download; the
-- select policy is what listing and upserts (which read the existing object) need.
create policy "Everyone reads avatars"
  on storage.objects for select
  to anon, authenticated
  using (bucket_id = 'avatars');

create policy "Members upload their avatar"
  on storage.objects for insert
  to authenticated
  with check (
    bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text
  );

create policy "Members replace their avatar"
  on storage.objects for update
  to authenticated
  using (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text)
  with check (
    bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text
  );

create policy "Members delete their avatar"
  on storage.objects for delete
  to authenticated
  using (bucket_id = 'avatars' and (storage.foldername(name))[1] = (select auth.uid())::text);

-- Company logos: the company account's folder (its id is the company's id).
create policy "Everyone reads company logos"
  on storage.objects for select
  to anon, authenticated
  using (bucket_id = 'company-logos');

create policy "Companies upload their logo"
  on storage.objects for insert
  to authenticated
  with check (
    bucket_id = 'company-logos'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.current_user_role()) = 'company'
  );

create policy "Companies replace their logo"
  on storage.objects for update
  to authenticated
  using (
    bucket_id = 'company-logos'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.current_user_role()) = 'company'
  )
  with check (
    bucket_id = 'company-logos'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.current_user_role()) = 'company'
  );

create policy "Companies delete their logo"
  on storage.objects for delete
  to authenticated
  using (
    bucket_id = 'company-logos'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.current_user_role()) = 'company'
  );

-- CVs: the candidate's folder, and read access for the companies they applied to.
create policy "Candidates and the companies they applied to read CVs"
  on storage.objects for select
  to authenticated
  using (
    bucket_id = 'resumes'
    and (
      (storage.foldername(name))[1] = (select auth.uid())::text
      or private.company_may_read_resumes_of((storage.foldername(name))[1])
    )
  );

create policy "Candidates upload their CVs"
  on storage.objects for insert
  to authenticated
  with check (
    bucket_id = 'resumes'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.current_user_role()) = 'candidate'
  );

create policy "Candidates replace their CVs"
  on storage.objects for update
  to authenticated
  using (
    bucket_id = 'resumes'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.current_user_role()) = 'candidate'
  )
  with check (
    bucket_id = 'resumes'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.current_user_role()) = 'candidate'
  );

create policy "Candidates delete their CVs"
  on storage.objects for delete
  to authenticated
  using (
    bucket_id = 'resumes'
    and (storage.foldername(name))[1] = (select auth.uid())::text
    and (select private.current_user_role()) = 'candidate'
  );
