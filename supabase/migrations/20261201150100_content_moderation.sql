-- Automatic moderation of every kind of member text, the database side: what the post_moderation
-- worker reads, how a verdict is applied, and the audit trail of every decision.
-- The rules themselves live in supabase/functions/_shared/moderation/.
--
--   private.moderation_subjects(kind, ids)  the text of items as the engine judges it
--   private.apply_moderation(...)           the engine's verdict on one version of an item
--   private.set_moderation(...)             the one place an item's moderation columns change
--   private.decide_moderation(...)          every decision: those columns, its audit row, the
--                                           author told
--   public.moderation_decisions             every decision: engine, reports, admins (audit)
--
-- Verdicts: approve -> approved; flag -> flagged (hidden until an admin reviews it); reject ->
-- rejected. The author of a flagged or rejected item is told why.
--
-- Kinds: post, comment, job (title, description, skills), company (name, description, website,
-- industry, location), profile (display name and, for candidates, headline), message (reported
-- only: private between participants, never moderated automatically).

-- Enums, so that generated types give the frontend (and admin tools) unions. The private helpers
-- below take kinds as text (the queue worker's messages) and check them themselves.
create type public.content_kind as enum ('post', 'comment', 'job', 'company', 'profile', 'message');
comment on type public.content_kind is 'What can be moderated and reported.';
create type public.moderation_source as enum ('engine', 'reports', 'admin');
comment on type public.moderation_source is
  'Who decided: the automatic engine, members'' reports, or an admin''s review.';
create type public.moderation_decision as enum ('approve', 'flag', 'reject', 'suspend');
comment on type public.moderation_decision is
  'approve: shown; flag: hidden until an admin reviews it; reject: hidden for good; suspend: the '
  'author''s account (an admin''s review only).';

create table public.moderation_decisions (
  id bigint generated always as identity primary key,
  kind public.content_kind not null,
  target_id uuid not null,
  author_id uuid references public.profiles (id) on delete set null,
  -- engine: automatic verdict; reports: hidden by members' reports; admin: a review.
  source public.moderation_source not null,
  decision public.moderation_decision not null,
  reason text
    constraint moderation_decisions_reason_length check (char_length(reason) <= 500),
  findings jsonb not null default '[]'
    constraint moderation_decisions_findings_size check (pg_column_size(findings) <= 20000),
  reviewer_id uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  constraint moderation_decisions_admin_has_reviewer
    check ((source = 'admin') = (reviewer_id is not null))
);
comment on table public.moderation_decisions is
  'Audit of moderation: every verdict of the engine, every hiding by reports, every admin review.';
create index moderation_decisions_target_idx
  on public.moderation_decisions (kind, target_id, created_at desc);
create index moderation_decisions_author_id_idx on public.moderation_decisions (author_id);
create index moderation_decisions_reviewer_id_idx on public.moderation_decisions (reviewer_id);

revoke all on table public.moderation_decisions from anon, authenticated;
grant select on table public.moderation_decisions to authenticated;
alter table public.moderation_decisions enable row level security;

create policy "Admins read the moderation audit"
  on public.moderation_decisions for select
  to authenticated
  using ((select private.is_admin()));

-- The table of a kind's items; the field-naming error for an unknown kind.
create function private.require_moderation_kind(p_kind text)
returns text
language plpgsql immutable
set search_path = ''
as $$
begin
  case p_kind
    when 'post' then return 'posts';
    when 'comment' then return 'post_comments';
    when 'job' then return 'jobs';
    when 'company' then return 'companies';
    when 'profile' then return 'profiles';
    when 'message' then return 'messages';
    else
      raise exception using
        errcode = '22023',
        message = format('p_kind: unknown kind %L (post, comment, job, company, profile or message)',
          left(p_kind, 40));
  end case;
end;
$$;

-- The items of one kind as the engine reads them. body: the text; names: the names shown beside
-- the author's content (checked for impersonation); recent_by_author and duplicate_of feed the
-- spam rules of posts and comments (items of the author in the burst window before this one, an
-- earlier one with the same text within the duplicate window). fingerprint identifies the version.
create function private.moderation_subjects(
  p_kind text,
  p_ids uuid[],
  p_burst_window interval default '10 minutes',
  p_duplicate_window interval default '7 days'
)
returns table (
  kind text,
  id uuid,
  author_id uuid,
  body text,
  names text[],
  images text[],
  links text[],
  fingerprint text,
  moderation_status public.moderation_status,
  moderated_by uuid,
  recent_by_author integer,
  duplicate_of uuid,
  created_at timestamptz
)
language sql stable security definer
set search_path = ''
as $$
  with subject as (
    select 'post' as kind, post.id, post.author_id, post.content as body, '{}'::text[] as names,
      post.images, post.links, post.moderation_status, post.moderated_by, post.created_at
    from public.posts as post
    where p_kind = 'post' and post.id = any (p_ids)
    union all
    select 'comment', comment.id, comment.author_id, comment.content, '{}', '{}', '{}',
      comment.moderation_status, comment.moderated_by, comment.created_at
    from public.post_comments as comment
    where p_kind = 'comment' and comment.id = any (p_ids)
    union all
    select 'job', job.id, job.company_id,
      concat_ws(E'\n', job.title, job.description,
        array_to_string(job.required_skills || job.nice_to_have_skills, ', ')),
      '{}', '{}', '{}', job.moderation_status, job.moderated_by, job.created_at
    from public.jobs as job
    where p_kind = 'job' and job.id = any (p_ids)
    union all
    select 'company', company.id, company.id,
      concat_ws(E'\n', company.name, company.description, company.industry, company.location),
      array[company.name], '{}', array_remove(array[company.website], null),
      company.moderation_status, company.moderated_by, company.created_at
    from public.companies as company
    where p_kind = 'company' and company.id = any (p_ids)
    union all
    select 'profile', profile.id, profile.id, concat_ws(E'\n', profile.full_name, candidate.headline),
      array[profile.full_name], '{}', '{}', profile.moderation_status, profile.moderated_by,
      profile.created_at
    from public.profiles as profile
    left join public.candidates as candidate on candidate.id = profile.id
    where p_kind = 'profile' and profile.id = any (p_ids)
    union all
    select 'message', message.id, message.sender_id, coalesce(message.body, ''), '{}', '{}', '{}',
      case when message.deleted_at is null then 'approved'::public.moderation_status
        else 'rejected' end, null,
      message.created_at
    from public.messages as message
    where p_kind = 'message' and message.id = any (p_ids)
  ),
  -- What the spam rules compare a post or a comment with: the author's items of its kind.
  -- Inlined where it is used, so that each use reads only the author's rows through the index.
  authored as not materialized (
    select 'post' as kind, post.id, post.author_id, post.content, post.created_at
    from public.posts as post
    union all
    select 'comment', comment.id, comment.author_id, comment.content, comment.created_at
    from public.post_comments as comment
  )
  select
    subject.kind, subject.id, subject.author_id, subject.body, subject.names, subject.images,
    subject.links,
    md5(jsonb_build_array(subject.body, subject.names, subject.images, subject.links)::text),
    subject.moderation_status, subject.moderated_by,
    coalesce(burst.count, 0)::integer,
    duplicate.id,
    subject.created_at
  from subject
  left join lateral (
    select count(*) from authored as earlier
    where earlier.kind = subject.kind and earlier.author_id = subject.author_id
      and earlier.id <> subject.id
      and earlier.created_at between subject.created_at - p_burst_window and subject.created_at
  ) as burst on burst.count > 0
  left join lateral (
    select earlier.id from authored as earlier
    where earlier.kind = subject.kind and earlier.author_id = subject.author_id
      and earlier.id <> subject.id
      and earlier.created_at between subject.created_at - p_duplicate_window and subject.created_at
      and lower(regexp_replace(btrim(earlier.content), '\s+', ' ', 'g'))
        = lower(regexp_replace(btrim(subject.body), '\s+', ' ', 'g'))
    order by earlier.created_at, earlier.id
    limit 1
  ) as duplicate on true;
$$;
grant execute on function private.moderation_subjects(text, uuid[], interval, interval)
  to service_role;

-- The one place an item's moderation columns change (posts keep is_flagged and flag_reason in
-- step with their status). A message has no moderation status: rejecting it soft-deletes it.
create function private.set_moderation(
  p_kind text,
  p_id uuid,
  p_status text,
  p_reason text,
  p_moderated_by uuid default null
)
returns void
language plpgsql security definer
set search_path = ''
as $$
begin
  case p_kind
    when 'post' then
      update public.posts
      set moderation_status = p_status::public.moderation_status,
          is_flagged = p_status in ('flagged', 'rejected'),
          flag_reason = case when p_status in ('flagged', 'rejected')
            then left(coalesce(p_reason, 'Modération'), 500) end,
          moderated_at = now(),
          moderated_by = p_moderated_by
      where id = p_id;
    when 'message' then
      if p_status = 'rejected' then
        update public.messages set body = null, deleted_at = now()
        where id = p_id and deleted_at is null;
      end if;
    else
      execute format(
        'update public.%I set moderation_status = $2, moderation_reason = $3, '
        'moderated_at = now(), moderated_by = $4 where id = $1',
        private.require_moderation_kind(p_kind))
      using p_id, p_status::public.moderation_status, left(p_reason, 500), p_moderated_by;
  end case;
end;
$$;

-- What the author of an item reads when a decision hides it (or shows it again after review).
create function private.tell_author_about_moderation(
  p_kind text,
  p_id uuid,
  p_author_id uuid,
  p_decision text,
  p_reason text,
  p_dedupe_key text
)
returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  item text := case p_kind
    when 'post' then 'Votre publication'
    when 'comment' then 'Votre commentaire'
    when 'job' then 'Votre offre d''emploi'
    when 'company' then 'La page de votre entreprise'
    when 'profile' then 'Votre profil'
    else 'Votre message'
  end;
  feminine boolean := p_kind in ('post', 'job', 'company');
begin
  if p_author_id is null then
    return;
  end if;
  perform private.request_notification(
    p_type := 'moderation',
    p_title := case p_decision
      when 'approve' then item || ' est visible'
      when 'flag' then item || ' est en cours de vérification'
      when 'suspend' then 'Votre compte est suspendu'
      else item || case when feminine then ' a été retirée' else ' a été retiré' end
    end,
    p_body := case p_decision
      when 'approve' then 'Un modérateur l''a vérifié' || case when feminine then 'e' else '' end
        || ' : ' || case when feminine then 'elle' else 'il' end || ' est visible.'
      when 'flag' then 'Masqué' || case when feminine then 'e' else '' end
        || ' aux autres membres en attendant l''avis d''un modérateur. '
      when 'suspend' then 'Vous ne pouvez plus publier, commenter, postuler ni écrire. '
      else 'Contraire aux règles de la communauté. '
    end || coalesce('Motif : ' || left(p_reason, 300), ''),
    p_user_ids := array[p_author_id],
    p_data := jsonb_build_object('kind', p_kind, 'id', p_id, 'decision', p_decision),
    p_dedupe_key := p_dedupe_key
  );
end;
$$;

-- Locks an item's row, so that a verdict and an edit (or an admin) do not interleave.
create function private.lock_moderated_item(p_kind text, p_id uuid)
returns boolean
language plpgsql security definer
set search_path = ''
as $$
declare
  locked boolean;
begin
  execute format('select true from public.%I where id = $1 for update',
    private.require_moderation_kind(p_kind))
  into locked using p_id;
  return coalesce(locked, false);
end;
$$;

-- A decision on an item, whoever made it (the engine, members' reports, an admin): the item's
-- moderation columns, the audit row, and the author told, except of the engine's approvals (the
-- author was never told the item waited). p_dedupe_key makes the author's notification unique
-- (null: this decision, `review:<audit row id>`).
create function private.decide_moderation(
  p_kind text,
  p_id uuid,
  p_author_id uuid,
  p_source public.moderation_source,
  p_decision public.moderation_decision,
  p_reason text,
  p_dedupe_key text default null,
  p_reviewer_id uuid default null,
  p_findings jsonb default '[]'
)
returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  decision_id bigint;
begin
  perform private.set_moderation(p_kind, p_id,
    case p_decision when 'approve' then 'approved' when 'flag' then 'flagged' else 'rejected' end,
    p_reason, p_reviewer_id);
  insert into public.moderation_decisions (kind, target_id, author_id, source, decision, reason,
    findings, reviewer_id)
  values (p_kind::public.content_kind, p_id, p_author_id, p_source, p_decision, left(p_reason, 500),
    coalesce(p_findings, '[]'), p_reviewer_id)
  returning moderation_decisions.id into decision_id;
  if p_source <> 'engine' or p_decision <> 'approve' then
    perform private.tell_author_about_moderation(p_kind, p_id, p_author_id, p_decision::text,
      p_reason, coalesce(p_dedupe_key, format('review:%s', decision_id)));
  end if;
end;
$$;

-- Applies the worker's verdict to the version it moderated. Returns what happened: applied,
-- stale (the text changed since; its own message will moderate the new version),
-- already_moderated (an admin or an earlier delivery decided), not_found (deleted).
-- Idempotent: a redelivered verdict finds the item already moderated.
create function private.apply_moderation(
  p_kind text,
  p_id uuid,
  p_fingerprint text,
  p_verdict text,
  p_reason text default null,
  p_findings jsonb default '[]'
)
returns text
language plpgsql security definer
set search_path = ''
as $$
declare
  subject record;
begin
  perform private.require_moderation_kind(p_kind);
  if p_kind = 'message' then
    raise exception using
      errcode = '22023', message = 'p_kind: messages are reviewed by admins only';
  end if;
  if p_verdict is null or p_verdict not in ('approve', 'flag', 'reject') then
    raise exception using
      errcode = '22023', message = format('unknown verdict %L (approve, flag or reject)', p_verdict);
  end if;
  if p_verdict <> 'approve' and nullif(btrim(p_reason), '') is null then
    raise exception using errcode = '22023', message = 'a flag or a rejection needs a reason';
  end if;

  if not private.lock_moderated_item(p_kind, p_id) then
    return 'not_found';
  end if;
  select * into subject from private.moderation_subjects(p_kind, array[p_id]);
  if subject.fingerprint <> p_fingerprint then
    return 'stale';
  end if;
  if subject.moderation_status <> 'pending' then
    return 'already_moderated';
  end if;

  perform private.decide_moderation(p_kind, p_id, subject.author_id, 'engine',
    p_verdict::public.moderation_decision, p_reason,
    p_dedupe_key => format('moderation:%s:%s:%s', p_kind, p_id, p_fingerprint),
    p_findings => p_findings);
  return 'applied';
end;
$$;
grant execute on function private.apply_moderation(text, uuid, text, text, text, jsonb)
  to service_role;
