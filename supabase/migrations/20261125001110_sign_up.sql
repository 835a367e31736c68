-- Sign-up: a new auth user gets their profile, their candidate or company page and default
-- notification preferences, in the same transaction as the auth.users row.
--
-- The role comes from the sign-up metadata (supabase.auth.signUp({ options: { data: { role } } }),
-- stored in raw_user_meta_data): 'company' makes a company, anything else, 'admin' included,
-- makes a candidate. That metadata is user-editable, so it is read once, here, and never trusted
-- afterwards. Admins are made by the service role (update profiles set role = 'admin').

create function private.create_account_for_new_user()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  metadata jsonb := coalesce(new.raw_user_meta_data, '{}');
  account_role public.profile_role :=
    case when metadata ->> 'role' = 'company' then 'company' else 'candidate' end;
  display_name text := left(coalesce(
    nullif(btrim(metadata ->> 'full_name'), ''),
    nullif(btrim(metadata ->> 'name'), ''),
    nullif(split_part(new.email, '@', 1), ''),
    ''
  ), 200);
begin
  insert into public.profiles (id, role, full_name)
  values (new.id, account_role, display_name);

  if account_role = 'company' then
    insert into public.companies (id, name)
    values (
      new.id,
      left(coalesce(nullif(btrim(metadata ->> 'company_name'), ''), nullif(display_name, ''),
        'Entreprise'), 200)
    );
  else
    insert into public.candidates (id) values (new.id);
  end if;

  insert into public.notification_preferences (user_id) values (new.id);
  return new;
end;
$$;

create trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.create_account_for_new_user();
