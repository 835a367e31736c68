-- job_applications: a candidate applies once to a published offer. The candidate sees and
-- withdraws their applications; the company sees those to its offers and moves them through its
-- hiring steps; nobody else sees them. Applications are never deleted by users (withdrawal is a
-- status), and an offer with applications cannot be deleted (*_offers_with_applications_kept.sql),
-- so both sides keep their history.

-- An enum, so that generated types give the frontend a union; its order is the hiring order, which
-- the transition rule below relies on.
create type public.application_status as enum (
  'submitted', 'reviewing', 'interview', 'offer', 'hired', 'rejected', 'withdrawn'
);
comment on type public.application_status is
  'Hiring steps of an application: the company moves it to reviewing, interview, offer, hired or '
  'rejected; the candidate withdraws it.';

create table public.job_applications (
  id uuid primary key default gen_random_uuid(),
  job_id uuid not null references public.jobs (id) on delete cascade,
  candidate_id uuid not null default auth.uid()
    references public.candidates (id) on delete cascade,
  status public.application_status not null default 'submitted',
  cover_letter text
    constraint job_applications_cover_letter_length check (char_length(cover_letter) <= 5000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint job_applications_one_per_candidate_and_job unique (job_id, candidate_id)
);
comment on table public.job_applications is
  'One application per candidate and offer. status: submitted | reviewing | interview | offer | '
  'hired | rejected | withdrawn.';

create index job_applications_candidate_id_idx
  on public.job_applications (candidate_id, created_at desc);

create trigger job_applications_set_updated_at
  before update on public.job_applications
  for each row execute function private.set_updated_at();

-- Who may move an application where. RLS decides which rows a user may update; this trigger
-- decides which status changes each side may make (a policy cannot see the old row):
--   company:   forward along submitted -> reviewing -> interview -> offer -> hired (steps may be
--              skipped, never undone), or rejected from any open status;
--   candidate: withdrawn from any open status;
--   hired, rejected and withdrawn are final.
-- The service role and SQL run by the platform itself are not restricted.
create function private.check_application_status_change()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user <> 'authenticated' or new.status = old.status then
    return new;
  end if;
  if old.status in ('hired', 'rejected', 'withdrawn') then
    raise exception using
      errcode = '42501',
      message = format('application %s is %s and can no longer change', old.id, old.status);
  end if;
  if old.candidate_id = (select auth.uid()) then
    if new.status <> 'withdrawn' then
      raise exception using
        errcode = '42501',
        message = 'a candidate can only withdraw their application (status ''withdrawn'')';
    end if;
  elsif new.status not in ('reviewing', 'interview', 'offer', 'hired', 'rejected') then
    raise exception using
      errcode = '42501',
      message = 'a company moves an application to reviewing, interview, offer, hired or rejected';
  elsif new.status <> 'rejected' and new.status < old.status then
    raise exception using
      errcode = '42501',
      message = format('application %s is at %s and cannot go back to %s', old.id, old.status,
        new.status),
      hint = 'A company moves an application forward (submitted, reviewing, interview, offer, '
        'hired) or rejects it.';
  end if;
  return new;
end;
$$;

create trigger job_applications_check_status_change
  before update of status on public.job_applications
  for each row execute function private.check_application_status_change();

revoke all on table public.job_applications from anon, authenticated;
grant select on table public.job_applications to authenticated;
grant insert (job_id, candidate_id, cover_letter) on table public.job_applications
  to authenticated;
grant update (status) on table public.job_applications to authenticated;

alter table public.job_applications enable row level security;

create policy "The candidate and the hiring company read an application"
  on public.job_applications for select
  to authenticated
  using (
    candidate_id = (select auth.uid())
    or job_id in (select private.company_job_ids())
  );

-- Only candidates apply (not companies, nor admins), and only to published offers.
create policy "A candidate applies to a published offer"
  on public.job_applications for insert
  to authenticated
  with check (
    candidate_id = (select auth.uid())
    and (select private.current_user_role()) = 'candidate'
    and exists (
      select 1 from public.jobs as job
      where job.id = job_applications.job_id and job.status = 'published'
        and job.moderation_status = 'approved'
    )
  );

create policy "The candidate and the hiring company update an application"
  on public.job_applications for update
  to authenticated
  using (
    candidate_id = (select auth.uid())
    or job_id in (select private.company_job_ids())
  )
  with check (
    candidate_id = (select auth.uid())
    or job_id in (select private.company_job_ids())
  );
