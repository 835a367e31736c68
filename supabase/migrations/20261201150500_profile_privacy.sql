-- Profiles show others only what they need: id, role, the approved name (public_name, null while
-- the name awaits moderation or was refused), photo, moderation status and when the card was
-- created. The name as written (full_name, pending or not), activity (engagement_score,
-- last_activity_at), moderation and suspension columns are the member's own and admins', read
-- through public.get_account(). Column privileges do this (RLS filters rows, not columns), so
-- `select('*')` on profiles is refused: name the columns.

revoke select on table public.profiles from authenticated;
grant select (id, role, public_name, avatar_url, avatar_path, moderation_status, created_at)
  on table public.profiles to authenticated;

-- The private side of one account: the caller's own, or any member's for an admin.
create function public.get_account(p_user_id uuid default null)
returns table (
  id uuid,
  role public.profile_role,
  full_name text,
  avatar_url text,
  engagement_score numeric,
  last_activity_at timestamptz,
  moderation_status public.moderation_status,
  moderation_reason text,
  suspended_at timestamptz,
  suspension_reason text,
  created_at timestamptz
)
language plpgsql stable security definer
set search_path = ''
as $$
declare
  caller uuid := private.require_signed_in('get_account');
begin
  if p_user_id is not null and p_user_id <> caller and not private.is_admin() then
    raise exception using
      errcode = '42501', message = 'get_account: members read their own account; admins any';
  end if;
  return query
  select profile.id, profile.role, profile.full_name, profile.avatar_url,
    profile.engagement_score, profile.last_activity_at, profile.moderation_status,
    profile.moderation_reason, profile.suspended_at, profile.suspension_reason, profile.created_at
  from public.profiles as profile
  where profile.id = coalesce(p_user_id, caller);
end;
$$;
comment on function public.get_account(uuid) is
  'The caller''s account with its private columns (score, activity, moderation, suspension); '
  'admins may pass any member''s id.';
grant execute on function public.get_account(uuid) to authenticated;
