-- activity_logs: the engagement events behind profiles.engagement_score. Written only through
-- RPCs and triggers of the scoring pipeline (security definer); each member reads their own.

create type public.activity_action as enum ('view', 'like', 'comment', 'share', 'apply');
comment on type public.activity_action is
  'Engagement actions and their points: view 1, like 5, comment 10, share 15, apply 20.';
create type public.activity_target_type as enum ('post', 'comment', 'job', 'profile', 'company');
comment on type public.activity_target_type is 'What an engagement action was done on.';

create table public.activity_logs (
  id bigint generated always as identity primary key,
  user_id uuid not null references public.profiles (id) on delete cascade,
  action public.activity_action not null,
  target_id uuid,
  target_type public.activity_target_type,
  points numeric(6, 1) not null
    constraint activity_logs_points_not_negative check (points >= 0),
  created_at timestamptz not null default now(),
  constraint activity_logs_target_complete check ((target_id is null) = (target_type is null))
);
comment on table public.activity_logs is
  'Engagement events (view 1, like 5, comment 10, share 15, apply 20 points; x1.5 off-peak).';

-- A member's history, and "has this member already viewed this target recently?".
create index activity_logs_user_id_idx on public.activity_logs (user_id, created_at desc);
create index activity_logs_user_target_idx
  on public.activity_logs (user_id, target_id, action, created_at desc)
  where target_id is not null;

revoke all on table public.activity_logs from anon, authenticated;
grant select on table public.activity_logs to authenticated;

alter table public.activity_logs enable row level security;

create policy "Members read their own activity"
  on public.activity_logs for select
  to authenticated
  using (user_id = (select auth.uid()));
