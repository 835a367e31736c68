-- companies: the employer page of a company account (id = the company's profile id).
-- Company pages are public: job listings show who is hiring, to visitors too.

create type public.company_size as enum (
  '1-10', '11-50', '51-200', '201-500', '501-1000', '1001+'
);
comment on type public.company_size is 'Head count bracket of a company.';

create table public.companies (
  id uuid primary key references public.profiles (id) on delete cascade,
  name text not null
    constraint companies_name_length check (char_length(btrim(name)) between 1 and 200),
  description text
    constraint companies_description_length check (char_length(description) <= 5000),
  website text
    constraint companies_website_is_http check (website ~* '^https?://'),
  industry text
    constraint companies_industry_length check (char_length(industry) <= 100),
  size public.company_size,
  location text
    constraint companies_location_length check (char_length(location) <= 200),
  location_folded text generated always as (private.fold_text(location)) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.companies is
  'Employer page of a company account; public. Created by the sign-up trigger.';
comment on column public.companies.location_folded is
  'Internal, derived by the platform; subject to change. location folded (private.fold_text) '
  'once when written, for the location filter of notification audiences.';

create trigger companies_set_updated_at
  before update on public.companies
  for each row execute function private.set_updated_at();

revoke all on table public.companies from anon, authenticated;
grant select on table public.companies to anon, authenticated;
grant update (name, description, website, industry, size, location)
  on table public.companies to authenticated;

alter table public.companies enable row level security;

create policy "Everyone reads company pages"
  on public.companies for select
  to anon, authenticated
  using (true);

create policy "A company edits its own page"
  on public.companies for update
  to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));
