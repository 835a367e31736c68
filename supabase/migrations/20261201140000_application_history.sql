-- The history of every application: one row per status, from the submission to the last change
-- (who, when, from, to, and the optional message that went with it). Both sides read it; it is
-- written only by the trigger below, in the transaction of the change, so it cannot miss one.
-- set_application_status() is the RPC that changes a status with a message to the other side.

create table public.job_application_events (
  id bigint generated always as identity primary key,
  application_id uuid not null references public.job_applications (id) on delete cascade,
  from_status public.application_status,
  to_status public.application_status not null,
  changed_by uuid references public.profiles (id) on delete set null,
  message text
    constraint job_application_events_message_length check (char_length(message) <= 2000),
  created_at timestamptz not null default now()
);
comment on table public.job_application_events is
  'Status history of an application: from_status is null for the submission; changed_by is null '
  'for changes made by the platform (service role).';
comment on column public.job_application_events.message is
  'Optional message to the other side (set_application_status p_message).';

create index job_application_events_application_idx
  on public.job_application_events (application_id, created_at, id);
create index job_application_events_changed_by_idx
  on public.job_application_events (changed_by);

-- Security definer: members have no INSERT grant on the history. The message comes from
-- set_application_status(), which sets it transaction-locally around its update.
create function private.record_application_event()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' and new.status = old.status then
    return null;
  end if;
  insert into public.job_application_events (application_id, from_status, to_status, changed_by, message)
  values (
    new.id,
    case when tg_op = 'UPDATE' then old.status end,
    new.status,
    (select auth.uid()),
    nullif(current_setting('emploi.application_status_message', true), '')
  );
  return null;
end;
$$;

create trigger job_applications_record_event
  after insert or update of status on public.job_applications
  for each row execute function private.record_application_event();

revoke all on table public.job_application_events from anon, authenticated;
grant select on table public.job_application_events to authenticated;

alter table public.job_application_events enable row level security;

-- Whoever may read the application (its candidate, the hiring company) reads its history.
create policy "The candidate and the hiring company read an application's history"
  on public.job_application_events for select
  to authenticated
  using (
    exists (
      select 1 from public.job_applications as application
      where application.id = job_application_events.application_id
    )
  );

-- Changes the status of an application, with an optional message to the other side, and returns
-- the history row it recorded. Security invoker: RLS says which applications the caller may
-- update, and the transition trigger which moves each side may make (visitors may not call it).
-- p_status is typed with the enum, so generated types show the values.
create function public.set_application_status(
  p_application_id uuid,
  p_status public.application_status,
  p_message text default null
)
returns setof public.job_application_events
language plpgsql security invoker
set search_path = ''
as $$
declare
  current_status public.application_status;
begin
  if p_status is null or p_status = 'submitted' then
    raise exception using
      errcode = '22023',
      message = format(
        'p_status: %s is not one of reviewing, interview, offer, hired, rejected, withdrawn',
        coalesce(quote_literal(p_status), 'null'));
  end if;
  if char_length(p_message) > 2000 then
    raise exception using errcode = '22023', message = 'p_message: at most 2000 characters';
  end if;
  select application.status into current_status
  from public.job_applications as application
  where application.id = p_application_id
  for update;
  if not found then
    raise exception using
      errcode = 'PT404', message = format('application %s not found', p_application_id);
  end if;
  if current_status = p_status then
    raise exception using
      errcode = '22023', message = format('application %s is already %s', p_application_id, p_status);
  end if;
  perform set_config('emploi.application_status_message', coalesce(p_message, ''), true);
  update public.job_applications
  set status = p_status
  where id = p_application_id;
  perform set_config('emploi.application_status_message', '', true);
  return query
    select event.*
    from public.job_application_events as event
    where event.application_id = p_application_id
    order by event.id desc
    limit 1;
end;
$$;
comment on function public.set_application_status(uuid, public.application_status, text) is
  'Moves an application to p_status (company: reviewing..hired, rejected; candidate: withdrawn) '
  'with an optional message; returns the history row.';
grant execute on function public.set_application_status(uuid, public.application_status, text)
  to authenticated, service_role;
