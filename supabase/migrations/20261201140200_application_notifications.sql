-- Application notifications (type `application`), through the notifications pipeline, so each
-- member's applications_enabled, channels and quiet hours apply:
--   * the candidate is told of every status change the company (or the platform) makes;
--   * the company is told of new applications and withdrawals. The first one on an offer is sent
--     at once; those that follow within the company's digest period are grouped into one
--     notification per offer when the period ends (a burst of 200 applications is 2
--     notifications, not 200 pushes). notification_preferences.application_digest_minutes sets
--     the period (0: every application at once).
-- Both come from the history rows (job_application_events), in the transaction of the change.

alter table public.notification_preferences
  add column application_digest_minutes integer not null default 15
    constraint notification_preferences_application_digest_minutes_range
    check (application_digest_minutes between 0 and 1440);
comment on column public.notification_preferences.application_digest_minutes is
  'Companies: after a notification about an offer''s applications, the next ones on that offer '
  'are grouped for this many minutes (0: one notification per application).';
grant insert (application_digest_minutes), update (application_digest_minutes)
  on table public.notification_preferences to authenticated;

-- One row per offer: when the company was last told about it, and what happened since.
create table private.application_digests (
  job_id uuid primary key references public.jobs (id) on delete cascade,
  last_sent_at timestamptz not null,
  -- When the pending events are due (last_sent_at + the company's period); null when none wait.
  due_at timestamptz,
  pending_applications integer not null default 0,
  pending_withdrawals integer not null default 0
);
comment on table private.application_digests is
  'Per offer: last application notification to its company and the events grouped since.';
create index application_digests_due_idx on private.application_digests (due_at)
  where due_at is not null;
revoke all on table private.application_digests from public, anon, authenticated;
alter table private.application_digests enable row level security;

-- The candidate's notification for a change on their application.
create function private.notify_candidate_of_status_change(
  p_event public.job_application_events,
  p_application public.job_applications
)
returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  offer record;
  status_label text := case p_event.to_status
    when 'reviewing' then 'en cours d''examen'
    when 'interview' then 'retenue pour un entretien'
    when 'offer' then 'retenue : une offre vous est faite'
    when 'hired' then 'acceptée : vous êtes embauché·e'
    when 'rejected' then 'non retenue'
    else p_event.to_status::text
  end;
begin
  select job.title, company.name as company_name into offer
  from public.jobs as job
  join public.companies as company on company.id = job.company_id
  where job.id = p_application.job_id;
  perform private.request_notification(
    p_type => 'application',
    p_title => left(format('Candidature %s', status_label), 200),
    p_body => left(
      format('%s — %s', offer.company_name, offer.title)
        || coalesce(E'\n' || p_event.message, ''),
      2000
    ),
    p_user_ids => array[p_application.candidate_id],
    p_data => jsonb_build_object(
      'applicationId', p_event.application_id,
      'jobId', p_application.job_id,
      'eventId', p_event.id,
      'fromStatus', p_event.from_status,
      'status', p_event.to_status,
      'message', p_event.message
    ),
    p_dedupe_key => 'application_event:' || p_event.id,
    p_collapse_key => 'application:' || p_event.application_id
  );
end;
$$;

-- The company's notification about one offer: a single application or withdrawal (p_candidate
-- named), or a digest of several.
create function private.notify_company_of_applications(
  p_job_id uuid,
  p_applications integer,
  p_withdrawals integer,
  p_candidate_id uuid default null,
  p_application_id uuid default null
)
returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  offer record;
  candidate_name text;
  title text;
begin
  select job.company_id, job.title into offer from public.jobs as job where job.id = p_job_id;
  if p_candidate_id is not null then
    -- A name is quoted only once moderation approved it.
    select nullif(btrim(profile.public_name), '') into candidate_name
    from public.profiles as profile where profile.id = p_candidate_id;
    title := case when p_applications = 1
      then format('Nouvelle candidature de %s', coalesce(candidate_name, 'un·e candidat·e'))
      else format('%s a retiré sa candidature', coalesce(candidate_name, 'Un·e candidat·e'))
    end;
  else
    title := concat_ws(', ',
      case
        when p_applications = 1 then '1 nouvelle candidature'
        when p_applications > 1 then format('%s nouvelles candidatures', p_applications)
      end,
      case
        when p_withdrawals = 1 then '1 retrait'
        when p_withdrawals > 1 then format('%s retraits', p_withdrawals)
      end
    );
  end if;
  perform private.request_notification(
    p_type => 'application',
    p_title => left(title, 200),
    p_body => left(offer.title, 2000),
    p_user_ids => array[offer.company_id],
    p_data => jsonb_strip_nulls(jsonb_build_object(
      'jobId', p_job_id,
      'applications', p_applications,
      'withdrawals', p_withdrawals,
      'candidateId', p_candidate_id,
      'applicationId', p_application_id,
      'digest', p_candidate_id is null
    )),
    p_collapse_key => 'job_applications:' || p_job_id
  );
end;
$$;

-- A new application or a withdrawal: sent at once when the company heard nothing about this
-- offer for a whole period, otherwise counted in the offer's pending digest. The row lock on the
-- offer's digest row makes concurrent applications agree on which one is sent at once.
create function private.tell_company_of_application_event(
  p_event public.job_application_events,
  p_application public.job_applications
)
returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  hiring_company uuid;
  period interval;
  digest private.application_digests;
  is_withdrawal constant boolean := p_event.to_status = 'withdrawn';
begin
  select job.company_id into hiring_company from public.jobs as job where job.id = p_application.job_id;
  period := make_interval(mins => coalesce(
    (
      select preference.application_digest_minutes
      from public.notification_preferences as preference
      where preference.user_id = hiring_company
    ),
    15
  ));

  insert into private.application_digests (job_id, last_sent_at)
  values (p_application.job_id, '-infinity')
  on conflict (job_id) do nothing;
  select * into digest from private.application_digests
  where job_id = p_application.job_id
  for update;

  if digest.due_at is null and digest.last_sent_at <= now() - period then
    update private.application_digests set last_sent_at = now() where job_id = p_application.job_id;
    perform private.notify_company_of_applications(
      p_application.job_id,
      (not is_withdrawal)::integer,
      is_withdrawal::integer,
      p_application.candidate_id,
      p_event.application_id
    );
  else
    update private.application_digests
    set
      due_at = coalesce(due_at, greatest(last_sent_at + period, now())),
      pending_applications = pending_applications + (not is_withdrawal)::integer,
      pending_withdrawals = pending_withdrawals + is_withdrawal::integer
    where job_id = p_application.job_id;
  end if;
end;
$$;

create function private.notify_application_event()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  application public.job_applications;
begin
  select * into application from public.job_applications where id = new.application_id;
  if new.from_status is null or new.to_status = 'withdrawn' then
    perform private.tell_company_of_application_event(new, application);
  else
    perform private.notify_candidate_of_status_change(new, application);
  end if;
  return null;
end;
$$;

create trigger job_application_events_notify
  after insert on public.job_application_events
  for each row execute function private.notify_application_event();

-- Sends every digest that is due: one notification per offer, then clears its counters. Run by
-- pg_cron every minute; returns how many digests it sent.
create function private.flush_application_digests()
returns integer
language plpgsql security definer
set search_path = ''
as $$
declare
  sent integer;
begin
  with due as (
    select digest.job_id, digest.pending_applications, digest.pending_withdrawals
    from private.application_digests as digest
    where digest.due_at <= now()
    for update skip locked
  ),
  cleared as (
    update private.application_digests as digest
    set last_sent_at = now(), due_at = null, pending_applications = 0, pending_withdrawals = 0
    from due
    where digest.job_id = due.job_id
    returning due.*
  )
  select count(*) into sent
  from cleared,
    lateral private.notify_company_of_applications(
      cleared.job_id, cleared.pending_applications, cleared.pending_withdrawals
    ) as notified;
  return sent;
end;
$$;
grant execute on function private.flush_application_digests() to service_role;

select cron.schedule(
  'flush-application-digests', '* * * * *', 'select private.flush_application_digests()'
);
