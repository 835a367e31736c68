-- profiles: one row per auth user (created by the sign-up trigger, see *_sign_up.sql), holding
-- the account's role and its public card (name, avatar) plus the engagement score.

-- Enums, so that generated types give the frontend unions (an invalid value answers 22P02 naming
-- the type, which is named after the field).
create type public.profile_role as enum ('candidate', 'company', 'admin');
comment on type public.profile_role is
  'Role of an account: candidate or company (from sign-up metadata); admin (service role only).';

-- Moderation of what members publish for others (profiles here; posts, comments, offers and
-- company pages later): see *_moderation_status.sql.
create type public.moderation_status as enum ('pending', 'approved', 'flagged', 'rejected');
comment on type public.moderation_status is
  'pending: awaiting moderation; approved: shown to others; flagged: hidden until an admin '
  'reviews it; rejected: hidden for good.';

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  role public.profile_role not null default 'candidate',
  full_name text not null default ''
    constraint profiles_full_name_length check (char_length(full_name) <= 200),
  avatar_url text
    constraint profiles_avatar_url_is_http check (avatar_url ~* '^https?://'),
  engagement_score numeric(12, 1) not null default 0
    constraint profiles_engagement_score_not_negative check (engagement_score >= 0),
  last_activity_at timestamptz,
  -- Moderation of the display name (and headline): others see the name once it is approved
  -- (docs/trust-and-safety.md; the rest of the moderation columns come with the moderation).
  moderation_status public.moderation_status not null default 'pending',
  -- The name others read: the display name once approved, else null, so that a pending name (a
  -- phishing sentence, say) reaches nobody but its owner and the admins, who read full_name
  -- (get_account(), the moderation queue; others are not granted it, *_profile_privacy.sql).
  public_name text generated always as
    (case when moderation_status = 'approved' then full_name end) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.profiles is
  'One per auth user. role: candidate | company | admin (admin granted by the service role only).';
comment on column public.profiles.engagement_score is
  'Sum of activity points (activity_logs); maintained by the scoring pipeline only.';

create index profiles_role_idx on public.profiles (role);

create trigger profiles_set_updated_at
  before update on public.profiles
  for each row execute function private.set_updated_at();

-- The signed-in user's role (null for visitors), and whether they are an admin. Security definer
-- so that policies on other tables can ask without re-entering the RLS of profiles.
create function private.current_user_role()
returns text
language sql stable security definer
set search_path = ''
as $$
  select role from public.profiles where id = (select auth.uid());
$$;
grant execute on function private.current_user_role() to authenticated, service_role;

create function private.is_admin()
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select coalesce((select private.current_user_role()) = 'admin', false);
$$;
grant execute on function private.is_admin() to authenticated, service_role;

-- Privileges: profiles are the public card of every member, readable by signed-in users; a user
-- edits their own name and avatar and nothing else. role, engagement_score and last_activity_at
-- have no UPDATE grant for API users, so nobody can promote themselves: only the service role
-- (or a migration) makes an admin. Rows are created by the sign-up trigger and removed with the
-- auth user.
revoke all on table public.profiles from anon, authenticated;
grant select on table public.profiles to authenticated;
grant update (full_name, avatar_url) on table public.profiles to authenticated;

alter table public.profiles enable row level security;

create policy "Signed-in users read every profile"
  on public.profiles for select
  to authenticated
  using (true);

create policy "Users edit their own profile"
  on public.profiles for update
  to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));
