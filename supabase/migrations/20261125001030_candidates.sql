-- candidates: the professional profile of a candidate account (id = the candidate's profile id).
-- Private: the candidate reads and edits it; a company reads it, read-only, once the candidate
-- applied to one of its offers, or matched one while open to work; nobody else does.

-- Enums, so that generated types give the frontend unions. experience_level is the offers' too.
create type public.experience_level as enum ('junior', 'mid', 'senior', 'lead');
comment on type public.experience_level is 'Seniority of a candidate or asked by an offer.';
create type public.remote_preference as enum ('onsite', 'hybrid', 'remote', 'any');
comment on type public.remote_preference is 'Where a candidate wants to work (any: no preference).';

create table public.candidates (
  id uuid primary key references public.profiles (id) on delete cascade,
  headline text
    constraint candidates_headline_length check (char_length(headline) <= 200),
  bio text
    constraint candidates_bio_length check (char_length(bio) <= 5000),
  skills text[] not null default '{}'
    constraint candidates_skills_count check (cardinality(skills) <= 100),
  skill_keys text[] not null generated always as (private.normalize_skills(skills)) stored,
  experience_level public.experience_level,
  years_experience integer
    constraint candidates_years_experience_range check (years_experience between 0 and 60),
  location text
    constraint candidates_location_length check (char_length(location) <= 200),
  location_folded text generated always as (private.fold_text(location)) stored,
  remote_preference public.remote_preference not null default 'any',
  open_to_work boolean not null default true,
  desired_salary_min integer
    constraint candidates_desired_salary_min_not_negative check (desired_salary_min >= 0),
  match_threshold integer not null default 60
    constraint candidates_match_threshold_range check (match_threshold between 0 and 100),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.candidates is
  'Private professional profile of a candidate. Created by the sign-up trigger.';
comment on column public.candidates.location_folded is
  'Internal, derived by the platform; subject to change. location folded (private.fold_text) '
  'once when written, for the location filter of notification audiences.';
comment on column public.candidates.skill_keys is
  'skills trimmed, lower-cased and de-duplicated (private.normalize_skills).';
comment on column public.candidates.desired_salary_min is 'Gross yearly salary, in euros.';
comment on column public.candidates.match_threshold is
  'Minimum match score (0-100) for which the candidate wants a job alert.';

create index candidates_skill_keys_idx on public.candidates using gin (skill_keys);

create trigger candidates_set_updated_at
  before update on public.candidates
  for each row execute function private.set_updated_at();

revoke all on table public.candidates from anon, authenticated;
grant select on table public.candidates to authenticated;
grant update (
  headline, bio, skills, experience_level, years_experience, location, remote_preference,
  open_to_work, desired_salary_min, match_threshold
) on table public.candidates to authenticated;

alter table public.candidates enable row level security;

create policy "A candidate edits their own profile"
  on public.candidates for update
  to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));
