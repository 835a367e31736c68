-- Reports, admin review and suspension.
--
--   public.report_content(kind, id, reason)     any member reports what they see (rate limited);
--                                               enough distinct reports hide it pending review
--   public.get_moderation_queue(...)            admins: flagged and reported items of every kind,
--                                               oldest first, keyset on (queued_at, id)
--   public.review_content(kind, id, decision, reason)
--                                               admins: approve | reject | suspend (the author);
--                                               audited, the author told, reports resolved
--
-- A suspended member cannot publish posts, comment, apply, report, send messages nor write offers
-- until an admin reinstates them (review_content('profile', <member>, 'approve', …)).

alter table public.profiles
  add column suspended_at timestamptz,
  add column suspension_reason text
    constraint profiles_suspension_reason_length check (char_length(suspension_reason) <= 500);

create table public.content_reports (
  id uuid primary key default gen_random_uuid(),
  kind public.content_kind not null,
  target_id uuid not null,
  reporter_id uuid not null references public.profiles (id) on delete cascade,
  reason text not null
    constraint content_reports_reason_length check (char_length(btrim(reason)) between 3 and 1000),
  created_at timestamptz not null default now(),
  -- Set when an admin reviews the item; later reports count afresh.
  resolved_at timestamptz,
  constraint content_reports_once_per_reporter unique (kind, target_id, reporter_id)
);
comment on table public.content_reports is
  'Members'' reports of content (report_content); read by their reporter and by admins.';
create index content_reports_open_idx on public.content_reports (kind, target_id, created_at)
  where resolved_at is null;
create index content_reports_reporter_id_idx on public.content_reports (reporter_id);

revoke all on table public.content_reports from anon, authenticated;
grant select on table public.content_reports to authenticated;
alter table public.content_reports enable row level security;

create policy "Reporters read their reports, admins all"
  on public.content_reports for select
  to authenticated
  using (reporter_id = (select auth.uid()) or (select private.is_admin()));

-- The moderation queue reads flagged items by the time they were flagged.
create index posts_flagged_idx on public.posts (moderated_at, id)
  where moderation_status = 'flagged';
create index post_comments_flagged_idx on public.post_comments (moderated_at, id)
  where moderation_status = 'flagged';
create index jobs_flagged_idx on public.jobs (moderated_at, id)
  where moderation_status = 'flagged';
create index companies_flagged_idx on public.companies (moderated_at, id)
  where moderation_status = 'flagged';
create index profiles_flagged_idx on public.profiles (moderated_at, id)
  where moderation_status = 'flagged';

-- How many distinct members' open reports hide an item pending review.
create function private.report_settings()
returns table (hide_after_reports integer)
language sql immutable
set search_path = ''
as $$
  select 3;
$$;

-- Suspended members write nothing others would read. tg_argv[0]: the column holding the member;
-- only the member's own writes are refused (a like still counts on a suspended author's post).
create function private.refuse_suspended_members()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if (select auth.role()) = 'authenticated'
     and (to_jsonb(new) ->> tg_argv[0])::uuid = (select auth.uid())
     and exists (
       select 1 from public.profiles as profile
       where profile.id = (select auth.uid()) and profile.suspended_at is not null
     ) then
    raise exception using
      errcode = '42501',
      message = 'your account is suspended: you cannot publish, comment, apply, report, send '
        'messages or write offers until a moderator reinstates it';
  end if;
  return new;
end;
$$;

create trigger posts_refuse_suspended_members
  before insert or update on public.posts
  for each row execute function private.refuse_suspended_members('author_id');
create trigger post_comments_refuse_suspended_members
  before insert or update on public.post_comments
  for each row execute function private.refuse_suspended_members('author_id');
create trigger jobs_refuse_suspended_members
  before insert or update on public.jobs
  for each row execute function private.refuse_suspended_members('company_id');
create trigger job_applications_refuse_suspended_members
  before insert on public.job_applications
  for each row execute function private.refuse_suspended_members('candidate_id');
create trigger messages_refuse_suspended_members
  before insert or update on public.messages
  for each row execute function private.refuse_suspended_members('sender_id');
-- Reports of suspended (or held, *_sign_up_budget.sql) accounts would let a batch of self-made
-- accounts hide what they like.
create trigger content_reports_refuse_suspended_members
  before insert on public.content_reports
  for each row execute function private.refuse_suspended_members('reporter_id');

-- Whether members may see an item (reporting what one cannot see would reveal that it exists):
-- approved posts, comments, company pages and published offers, every profile, and the messages
-- of the caller's own conversations.
create function private.reportable_by(p_kind text, p_id uuid, p_member_id uuid)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select case p_kind
    when 'post' then exists (
      select 1 from public.posts
      where id = p_id and moderation_status = 'approved' and not is_flagged)
    when 'comment' then exists (
      select 1 from public.post_comments where id = p_id and moderation_status = 'approved')
    when 'job' then exists (
      select 1 from public.jobs
      where id = p_id and status = 'published' and moderation_status = 'approved')
    when 'company' then exists (
      select 1 from public.companies where id = p_id and moderation_status = 'approved')
    when 'profile' then exists (select 1 from public.profiles where id = p_id)
    when 'message' then exists (
      select 1 from public.messages as message
      join public.conversation_participants as participant
        on participant.conversation_id = message.conversation_id
      where message.id = p_id and message.deleted_at is null
        and participant.user_id = p_member_id)
    else false
  end;
$$;

-- p_kind is typed with its enum (generated types show the kinds); the private helpers take text.
create function public.report_content(p_kind public.content_kind, p_id uuid, p_reason text)
returns table (
  report_id uuid, kind public.content_kind, target_id uuid, open_reports integer, hidden boolean
)
language plpgsql security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_signed_in('report_content');
  subject record;
  report uuid;
  reports integer;
  hides boolean := false;
begin
  perform private.require_moderation_kind(p_kind::text);
  if p_id is null then
    raise exception using errcode = '22023', message = 'p_id: the reported item''s id is required';
  end if;
  if char_length(btrim(coalesce(p_reason, ''))) not between 3 and 1000 then
    raise exception using
      errcode = '22023', message = 'p_reason: say why in 3 to 1000 characters';
  end if;
  if not private.reportable_by(p_kind::text, p_id, caller) then
    raise exception using
      errcode = 'P0002', message = format('p_id: no %s %s that you can see', p_kind, p_id);
  end if;
  select * into subject from private.moderation_subjects(p_kind::text, array[p_id]);
  if subject.author_id = caller then
    raise exception using errcode = '22023', message = 'p_id: you cannot report your own content';
  end if;
  perform private.enforce_write_limit('report', caller);

  perform private.lock_moderated_item(p_kind::text, p_id);
  insert into public.content_reports (kind, target_id, reporter_id, reason)
  values (p_kind, p_id, caller, btrim(p_reason))
  on conflict on constraint content_reports_once_per_reporter do nothing
  returning id into report;
  if report is null then
    select existing.id into report from public.content_reports as existing
    where existing.kind = p_kind and existing.target_id = p_id and existing.reporter_id = caller;
  end if;

  select count(*)::integer into reports from public.content_reports as open_report
  where open_report.kind = p_kind and open_report.target_id = p_id
    and open_report.resolved_at is null;

  -- Hidden by reports unless an admin already approved this version (moderated_by is set).
  if reports >= (select settings.hide_after_reports from private.report_settings() as settings)
     and p_kind <> 'message'
     and subject.moderation_status = 'approved' and subject.moderated_by is null then
    perform private.decide_moderation(p_kind::text, p_id, subject.author_id, 'reports', 'flag',
      'Signalé par plusieurs membres',
      p_dedupe_key => format('reports:%s:%s:%s', p_kind, p_id, subject.fingerprint));
    hides := true;
  end if;
  return query select report, p_kind, p_id, reports,
    hides or subject.moderation_status in ('flagged', 'rejected');
end;
$$;
comment on function public.report_content(public.content_kind, uuid, text) is
  'Reports a post, comment, job, company, profile or message the caller can see.';
grant execute on function public.report_content(public.content_kind, uuid, text) to authenticated;

create function private.require_admin(p_function text)
returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  if not private.is_admin() then
    raise exception using errcode = '42501', message = format('%s: for admins only', p_function);
  end if;
  return (select auth.uid());
end;
$$;

create function public.get_moderation_queue(
  p_kind public.content_kind default null,
  p_after_queued_at timestamptz default null,
  p_after_id uuid default null,
  p_limit integer default 50
)
returns table (
  kind public.content_kind,
  id uuid,
  author_id uuid,
  moderation_status public.moderation_status,
  excerpt text,
  -- The engine's latest findings on the item: [{rule, action, message, evidence}].
  findings jsonb,
  open_reports integer,
  -- The open reports, oldest first: [{reporterId, reason, createdAt}].
  reports jsonb,
  queued_at timestamptz
)
language plpgsql stable security definer
set search_path = ''
as $$
begin
  perform private.require_admin('get_moderation_queue');
  if (p_after_queued_at is null) <> (p_after_id is null) then
    raise exception using
      errcode = '22023', message = 'p_after_queued_at and p_after_id go together: pass both or neither';
  end if;
  if p_limit is null or p_limit not between 1 and 200 then
    raise exception using errcode = '22023', message = 'p_limit: between 1 and 200';
  end if;
  return query
  with queued as (
    select flagged.kind, flagged.id, min(flagged.since) as queued_at
    from (
      select 'post'::public.content_kind as kind, post.id, post.moderated_at as since
      from public.posts as post
      where post.moderation_status = 'flagged'
      union all
      select 'comment', comment.id, comment.moderated_at from public.post_comments as comment
      where comment.moderation_status = 'flagged'
      union all
      select 'job', job.id, job.moderated_at from public.jobs as job
      where job.moderation_status = 'flagged'
      union all
      select 'company', company.id, company.moderated_at from public.companies as company
      where company.moderation_status = 'flagged'
      union all
      select 'profile', profile.id, profile.moderated_at from public.profiles as profile
      where profile.moderation_status = 'flagged'
      union all
      select report.kind, report.target_id, report.created_at from public.content_reports as report
      where report.resolved_at is null
    ) as flagged
    where p_kind is null or flagged.kind = p_kind
    group by flagged.kind, flagged.id
  ),
  page as (
    select queued.* from queued
    where p_after_queued_at is null or (queued.queued_at, queued.id) > (p_after_queued_at, p_after_id)
    order by queued.queued_at, queued.id
    limit p_limit
  )
  select page.kind, page.id, subject.author_id, subject.moderation_status,
    left(subject.body, 500),
    coalesce((
      select decision.findings from public.moderation_decisions as decision
      where decision.kind = page.kind and decision.target_id = page.id
        and decision.source = 'engine'
      order by decision.created_at desc, decision.id desc
      limit 1
    ), '[]'::jsonb),
    open_report.count,
    open_report.list,
    page.queued_at
  from page
  left join lateral private.moderation_subjects(page.kind::text, array[page.id]) as subject on true
  cross join lateral (
    select count(*)::integer as count,
      coalesce(jsonb_agg(jsonb_build_object('reporterId', report.reporter_id,
          'reason', report.reason, 'createdAt', report.created_at)
        order by report.created_at, report.id), '[]'::jsonb) as list
    from public.content_reports as report
    where report.kind = page.kind and report.target_id = page.id and report.resolved_at is null
  ) as open_report
  order by page.queued_at, page.id;
end;
$$;
comment on function public.get_moderation_queue(
  public.content_kind, timestamptz, uuid, integer
) is
  'Admins: flagged and reported items, oldest first; keyset on (queued_at, id).';
grant execute on function public.get_moderation_queue(
  public.content_kind, timestamptz, uuid, integer
) to authenticated;

create function public.review_content(
  p_kind public.content_kind,
  p_id uuid,
  p_decision public.moderation_decision,
  p_reason text default null
)
returns table (
  kind public.content_kind,
  id uuid,
  moderation_status public.moderation_status,
  author_id uuid,
  author_suspended boolean
)
language plpgsql security definer
set search_path = ''
as $$
declare
  reviewer uuid := private.require_admin('review_content');
  subject record;
begin
  perform private.require_moderation_kind(p_kind::text);
  -- A flag is the engine's and the reports' decision, not an admin's.
  if p_decision is null or p_decision not in ('approve', 'reject', 'suspend') then
    raise exception using
      errcode = '22023',
      message = format('p_decision: %L is not an admin''s decision (approve, reject or suspend)',
        p_decision);
  end if;
  if p_decision <> 'approve' and char_length(btrim(coalesce(p_reason, ''))) not between 3 and 500
  then
    raise exception using
      errcode = '22023', message = 'p_reason: a rejection or a suspension says why (3 to 500 characters)';
  end if;
  if char_length(p_reason) > 500 then
    raise exception using errcode = '22023', message = 'p_reason: at most 500 characters';
  end if;
  if p_id is null or not private.lock_moderated_item(p_kind::text, p_id) then
    raise exception using errcode = 'P0002', message = format('p_id: no %s %s', p_kind, p_id);
  end if;
  select * into subject from private.moderation_subjects(p_kind::text, array[p_id]);

  if p_decision = 'suspend' then
    update public.profiles
    set suspended_at = coalesce(suspended_at, now()), suspension_reason = left(btrim(p_reason), 500)
    where profiles.id = subject.author_id;
  elsif p_decision = 'approve' and p_kind = 'profile' then
    update public.profiles set suspended_at = null, suspension_reason = null
    where profiles.id = p_id;
  end if;
  update public.content_reports as report set resolved_at = now()
  where report.kind = p_kind and report.target_id = p_id and report.resolved_at is null;
  perform private.decide_moderation(p_kind::text, p_id, subject.author_id, 'admin', p_decision,
    nullif(btrim(p_reason), ''), p_reviewer_id => reviewer);

  return query
  select p_kind, p_id, (select moderated.moderation_status
      from private.moderation_subjects(p_kind::text, array[p_id]) as moderated),
    subject.author_id,
    coalesce((select profile.suspended_at is not null from public.profiles as profile
      where profile.id = subject.author_id), false);
end;
$$;
comment on function public.review_content(
  public.content_kind, uuid, public.moderation_decision, text
) is
  'Admins: approve, reject or suspend the author of a reported or flagged item; audited.';
grant execute on function public.review_content(
  public.content_kind, uuid, public.moderation_decision, text
) to authenticated;
