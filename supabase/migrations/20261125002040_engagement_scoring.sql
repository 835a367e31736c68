-- Engagement scoring: every activity earns points into activity_logs and profiles.engagement_score.
--
--   private.activity_rules()     points per action, how often a target counts and the daily cap
--                                (one place)
--   private.activity_target_visible()  whether a member may earn points on a target
--   private.off_peak_hours()     the Europe/Paris night and its multiplier (one place)
--   private.record_activity()    records one activity, exactly, under concurrency
--   public.track_activity()      RPC: the signed-in user reports a view or a share
--   triggers                     likes, comments and applications are tracked automatically
--
-- Farming: a view or a share counts only for a target that exists, that the member can see and
-- that is not their own; each action counts at most `daily_cap` times per member and Paris day;
-- likes and comments on one's own posts earn nothing.
--
-- Exactness: record_activity first locks the user's profile row, so one user's activities are
-- recorded one after the other: the "already counted?" check sees every earlier event and the score
-- is incremented, never rewritten. Different users never wait for each other.

create function private.activity_rules()
returns table (
  action text,
  points numeric,
  -- Whether an activity counts once per target within `recount_after` (null: once ever).
  once_per_target boolean,
  recount_after interval,
  -- At most this many counted activities of the kind per member and Paris day.
  daily_cap integer
)
language sql immutable
set search_path = ''
as $$
  values
    ('view', 1::numeric, true, interval '1 hour', 100),
    ('like', 5, true, null, 50),      -- un-liking and liking again earns nothing more
    ('comment', 10, false, null, 20), -- every comment counts, up to the cap
    ('share', 15, true, interval '1 day', 10),
    ('apply', 20, true, null, 30);    -- one application per offer
$$;

create function private.off_peak_hours(
  out time_zone text,
  out starts_at time,
  out ends_at time,
  out multiplier numeric
)
language sql immutable
set search_path = ''
as $$
  select 'Europe/Paris', time '22:00', time '06:00', 1.5;
$$;

-- The points multiplier at a moment: off_peak_hours().multiplier during the Paris night, else 1.
create function private.activity_multiplier(p_at timestamptz)
returns numeric
language sql stable
set search_path = ''
as $$
  select case
    when (local.at >= hours.starts_at or local.at < hours.ends_at) then hours.multiplier
    else 1
  end
  from private.off_peak_hours() as hours
  cross join lateral (select (p_at at time zone hours.time_zone)::time as at) as local;
$$;

-- Whether a member may earn points on a target: it exists, they can see it, and it is not theirs.
-- PL/pgSQL so that it reads the moderation columns added after this migration at run time.
create function private.activity_target_visible(
  p_user_id uuid,
  p_target_type text,
  p_target_id uuid
)
returns boolean
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return case p_target_type
    when 'post' then exists (
      select 1 from public.posts as post
      where post.id = p_target_id and post.author_id <> p_user_id
        and post.moderation_status = 'approved' and not post.is_flagged)
    when 'comment' then exists (
      select 1 from public.post_comments as comment
      join public.posts as post on post.id = comment.post_id
      where comment.id = p_target_id and comment.author_id <> p_user_id
        and comment.moderation_status = 'approved'
        and post.moderation_status = 'approved' and not post.is_flagged)
    when 'job' then exists (
      select 1 from public.jobs as job
      where job.id = p_target_id and job.company_id <> p_user_id
        and job.status = 'published' and job.moderation_status = 'approved')
    when 'company' then exists (
      select 1 from public.companies as company
      where company.id = p_target_id and company.id <> p_user_id
        and company.moderation_status = 'approved')
    when 'profile' then exists (
      select 1 from public.profiles as profile
      where profile.id = p_target_id and profile.id <> p_user_id)
    else false
  end;
end;
$$;

create function private.record_activity(
  p_user_id uuid,
  p_action text,
  p_target_id uuid default null,
  p_target_type text default null,
  p_at timestamptz default now()
)
returns table (counted boolean, points numeric, engagement_score numeric)
language plpgsql security definer
set search_path = ''
as $$
declare
  rule record;
  earned numeric;
  score numeric;
begin
  select * into rule from private.activity_rules() as rules where rules.action = p_action;
  if not found then
    raise exception using
      errcode = '22023',
      message = format('unknown action %L (view, like, comment, share or apply)',
        left(p_action, 40));
  end if;
  if (p_target_id is null) <> (p_target_type is null) then
    raise exception using
      errcode = '22023', message = 'target id and target type go together: give both or neither';
  end if;
  if p_target_type is not null
     and p_target_type not in ('post', 'comment', 'job', 'profile', 'company') then
    raise exception using
      errcode = '22023',
      message = format('unknown target type %L (post, comment, job, profile or company)',
        left(p_target_type, 40));
  end if;

  perform 1 from public.profiles where id = p_user_id for no key update;
  if not found then
    raise exception using errcode = 'P0002', message = format('unknown user %s', p_user_id);
  end if;

  if (rule.once_per_target and exists (
    select 1 from public.activity_logs as log
    where log.user_id = p_user_id
      and log.action = p_action::public.activity_action
      and log.target_id is not distinct from p_target_id
      and (rule.recount_after is null or log.created_at > p_at - rule.recount_after)
  )) or (
    select count(*) >= rule.daily_cap from public.activity_logs as log
    where log.user_id = p_user_id
      and log.action = p_action::public.activity_action
      and log.created_at >= (date_trunc('day', p_at at time zone 'Europe/Paris')
        at time zone 'Europe/Paris')
  ) then
    update public.profiles
    set last_activity_at = greatest(last_activity_at, p_at)
    where id = p_user_id
    returning profiles.engagement_score into score;
    return query select false, 0::numeric, score;
    return;
  end if;

  earned := rule.points * private.activity_multiplier(p_at);
  insert into public.activity_logs (user_id, action, target_id, target_type, points, created_at)
  values (p_user_id, p_action::public.activity_action, p_target_id,
    p_target_type::public.activity_target_type, earned, p_at);
  update public.profiles
  set engagement_score = profiles.engagement_score + earned,
      last_activity_at = greatest(last_activity_at, p_at)
  where id = p_user_id
  returning profiles.engagement_score into score;
  return query select true, earned, score;
end;
$$;
grant execute on function private.record_activity(uuid, text, uuid, text, timestamptz)
  to service_role;

-- The RPC of the frontend: the signed-in user reports what the database cannot see, a view or a
-- share. Likes, comments and applications are tracked by triggers, so reporting them here would
-- count them twice: they are refused.
-- Returns (counted, points, engagement_score), a declared type so that generated types describe
-- it; counted is false for a view already counted within the hour (or a share within the day).
-- Error messages quote at most 40 characters of the input. p_action and p_target_type are typed
-- with their enums, so generated types show the values (a value outside them answers 22P02).
create type public.activity_result as (
  counted boolean,
  points numeric,
  engagement_score numeric
);
comment on type public.activity_result is
  'What track_activity recorded: whether it counted, its points, the new engagement score.';

create function public.track_activity(
  p_action public.activity_action,
  p_target_id uuid default null,
  p_target_type public.activity_target_type default null
)
returns public.activity_result
language plpgsql security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_signed_in('track_activity');
  result record;
begin
  if not exists (select 1 from public.profiles where id = caller) then
    raise exception using errcode = '42501', message = 'track_activity: the user has no profile';
  end if;
  if p_action is null or p_action not in ('view', 'share') then
    raise exception using
      errcode = '22023',
      message = format('track_activity records view and share (got %L); likes, comments and '
        'applications are tracked automatically', p_action);
  end if;
  if p_target_id is null or p_target_type is null then
    raise exception using
      errcode = '22023',
      message = 'track_activity: p_target_id and p_target_type name what was viewed or shared';
  end if;
  -- An unknown, hidden or own target earns nothing (and says no more than that).
  if not private.activity_target_visible(caller, p_target_type::text, p_target_id) then
    raise exception using
      errcode = 'P0002',
      message = format('track_activity: no %s %s that you can see, other than your own',
        p_target_type, p_target_id);
  end if;
  select * into result
  from private.record_activity(caller, p_action::text, p_target_id, p_target_type::text);
  return (result.counted, result.points, result.engagement_score)::public.activity_result;
end;
$$;
comment on function public.track_activity(
  public.activity_action, uuid, public.activity_target_type
) is
  'Records a view or a share by the signed-in user; returns (counted, points, engagement_score).';
grant execute on function public.track_activity(
  public.activity_action, uuid, public.activity_target_type
) to authenticated, service_role;

-- Automatic tracking, in the transaction of the like, comment or application.
create function private.track_automatic_activity()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  case tg_table_name
    -- Liking or commenting one's own post earns nothing.
    when 'post_reactions' then
      if private.activity_target_visible(new.user_id, 'post', new.post_id) then
        perform private.record_activity(new.user_id, 'like', new.post_id, 'post');
      end if;
    when 'post_comments' then
      if private.activity_target_visible(new.author_id, 'post', new.post_id) then
        perform private.record_activity(new.author_id, 'comment', new.post_id, 'post');
      end if;
    when 'job_applications' then
      perform private.record_activity(new.candidate_id, 'apply', new.job_id, 'job');
  end case;
  return null;
end;
$$;

create trigger post_reactions_track_activity
  after insert on public.post_reactions
  for each row execute function private.track_automatic_activity();

create trigger post_comments_track_activity
  after insert on public.post_comments
  for each row execute function private.track_automatic_activity();

create trigger job_applications_track_activity
  after insert on public.job_applications
  for each row execute function private.track_automatic_activity();
