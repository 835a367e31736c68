-- Sign-ups of the whole platform are budgeted in the database. Auth limits sign-ups per client
-- address ([auth.rate_limit] sign_in_sign_ups in config.toml), which the database cannot see; a
-- script spread over many addresses meets no limit there. The database counts every new account
-- in one token bucket (private.write_limits(): 'sign_up'); an account created beyond it is held:
-- created, but suspended (it cannot publish, comment, apply, report, send messages nor write
-- offers) and its profile flagged into the admins' moderation queue, where approving it
-- (review_content('profile', <id>, 'approve')) reinstates it.
--
-- Only accounts made through Auth count (it logs in as supabase_auth_admin, hosted and local);
-- accounts the platform's own roles insert (seeds, benchmarks) do not, as their writes are not
-- rate limited either.
--
-- Held rather than refused: hosted Auth answers a failing auth.users trigger with a 500, and a
-- refusal would lock real members out for as long as a flood lasts; a held account costs the
-- flood its use and a real member a review (docs/trust-and-safety.md).

create function private.hold_sign_ups_beyond_budget()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  budget record;
begin
  if session_user <> 'supabase_auth_admin' then
    return null;
  end if;
  select * into budget from private.take_write_token('sign_up', 'write:sign_up:platform');
  if budget.allowed then
    return null;
  end if;
  update public.profiles
  set moderation_status = 'flagged',
    moderation_reason = 'sign-up surge: held for review',
    moderated_at = now(),
    suspended_at = now(),
    suspension_reason = format('more than %s sign-ups in %s s on the platform: held for review',
      budget.capacity, budget.window_seconds)
  where id = new.id;
  return null;
end;
$$;

-- After on_auth_user_created (triggers of an event fire in name order), which made the profile.
create trigger on_auth_user_sign_up_budget
  after insert on auth.users
  for each row execute function private.hold_sign_ups_beyond_budget();
