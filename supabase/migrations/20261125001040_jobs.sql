-- jobs: offers posted by companies. Published offers are public (visitors too); drafts and
-- closed offers are seen by their company, and closed ones also by the candidates who applied.
-- Only the company writes its offers; the analysis columns belong to the matching pipeline.

-- Enums, so that generated types give the frontend unions (experience_level comes with the
-- candidates).
create type public.remote_policy as enum ('onsite', 'hybrid', 'remote');
comment on type public.remote_policy is 'Where the work of an offer happens.';
create type public.contract_type as enum ('cdi', 'cdd', 'freelance', 'stage', 'alternance');
comment on type public.contract_type is
  'French contract types: cdi (permanent), cdd (fixed-term), freelance, stage (internship), '
  'alternance (work-study).';
create type public.job_status as enum ('draft', 'published', 'closed');
comment on type public.job_status is
  'draft: seen by its company only; published: public; closed: no longer open to applications.';

create table public.jobs (
  id uuid primary key default gen_random_uuid(),
  company_id uuid not null default auth.uid()
    references public.companies (id) on delete cascade,
  title text not null
    constraint jobs_title_length check (char_length(btrim(title)) between 3 and 200),
  description text not null default ''
    constraint jobs_description_length check (char_length(description) <= 20000),
  required_skills text[] not null default '{}'
    constraint jobs_required_skills_count check (cardinality(required_skills) <= 50),
  nice_to_have_skills text[] not null default '{}'
    constraint jobs_nice_to_have_skills_count check (cardinality(nice_to_have_skills) <= 50),
  experience_level public.experience_level,
  location text
    constraint jobs_location_length check (char_length(location) <= 200),
  remote_policy public.remote_policy not null default 'onsite',
  salary_min integer
    constraint jobs_salary_min_not_negative check (salary_min >= 0),
  salary_max integer,
  contract_type public.contract_type not null default 'cdi',
  status public.job_status not null default 'draft',
  published_at timestamptz,
  -- Moderation of the title and description (private.moderation_subjects): others see an offer,
  -- and matching alerts candidates, only once it is approved. Offers written by the platform's own
  -- roles (service role, migrations, seed) are trusted; those of companies wait for the moderator.
  moderation_status public.moderation_status not null default (
    case when current_user in ('anon', 'authenticated') then 'pending'::public.moderation_status
    else 'approved' end
  ),
  analysis_completed boolean not null default false,
  analyzed_at timestamptz,
  matched_candidates_count integer not null default 0
    constraint jobs_matched_candidates_count_not_negative check (matched_candidates_count >= 0),
  skill_keys text[] not null
    generated always as (private.normalize_skills(required_skills || nice_to_have_skills)) stored,
  -- Title weighs most, then skills and location ("développeur Lyon"), then the description.
  search tsvector not null generated always as (
    setweight(to_tsvector('public.french_unaccent'::regconfig, title), 'A')
    || setweight(
      to_tsvector(
        'public.french_unaccent'::regconfig,
        private.skills_text(required_skills || nice_to_have_skills)
      ),
      'B'
    )
    || setweight(to_tsvector('public.french_unaccent'::regconfig, coalesce(location, '')), 'B')
    || setweight(to_tsvector('public.french_unaccent'::regconfig, description), 'C')
  ) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint jobs_salary_range check (salary_min <= salary_max),
  constraint jobs_published_at_when_published
    check (status <> 'published' or published_at is not null)
);
comment on table public.jobs is
  'Job offers. status: draft | published | closed; published offers are public.';
comment on column public.jobs.salary_min is 'Gross yearly salary, in euros.';
comment on column public.jobs.published_at is 'First publication time, set by trigger.';
comment on column public.jobs.analysis_completed is
  'True once the matching pipeline analysed the current version of the offer.';
comment on column public.jobs.matched_candidates_count is
  'Number of candidates scoring at least the matching minimum when the offer was last analysed '
  '(job_matches lists the best of them).';

create index jobs_company_id_idx on public.jobs (company_id, created_at desc);
create index jobs_published_idx on public.jobs (published_at desc, id desc)
  where status = 'published';
create index jobs_search_idx on public.jobs using gin (search) where status = 'published';
create index jobs_location_trgm_idx on public.jobs
  using gin (private.fold_text(location) extensions.gin_trgm_ops)
  where status = 'published';

create trigger jobs_set_updated_at
  before update on public.jobs
  for each row execute function private.set_updated_at();

-- published_at records the first publication; a closed then republished offer keeps it, a draft
-- closed without being published has none.
create function private.stamp_job_publication()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.status = 'published' and new.published_at is null then
    new.published_at := now();
  end if;
  return new;
end;
$$;

create trigger jobs_stamp_publication
  before insert or update of status on public.jobs
  for each row execute function private.stamp_job_publication();

-- Ids of the signed-in company's offers. Security definer: policies of job_applications and
-- job_matches ask it without re-entering the RLS of jobs.
create function private.company_job_ids()
returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select id from public.jobs where company_id = (select auth.uid());
$$;
grant execute on function private.company_job_ids() to authenticated, service_role;

revoke all on table public.jobs from anon, authenticated;
grant select on table public.jobs to anon, authenticated;
grant insert (
  company_id, title, description, required_skills, nice_to_have_skills, experience_level,
  location, remote_policy, salary_min, salary_max, contract_type, status
) on table public.jobs to authenticated;
grant update (
  title, description, required_skills, nice_to_have_skills, experience_level, location,
  remote_policy, salary_min, salary_max, contract_type, status
) on table public.jobs to authenticated;
grant delete on table public.jobs to authenticated;

alter table public.jobs enable row level security;

create policy "Visitors read published offers"
  on public.jobs for select
  to anon
  using (status = 'published');

create policy "A company posts offers"
  on public.jobs for insert
  to authenticated
  with check (
    company_id = (select auth.uid())
    and (select private.current_user_role()) = 'company'
  );

create policy "A company edits its offers"
  on public.jobs for update
  to authenticated
  using (company_id = (select auth.uid()))
  with check (company_id = (select auth.uid()));

-- Published offers are closed, not deleted, so that applications keep their offer; an offer with
-- applications is never deleted at all (*_offers_with_applications_kept.sql).
create policy "A company deletes its drafts"
  on public.jobs for delete
  to authenticated
  using (company_id = (select auth.uid()) and status = 'draft');
