-- Bounds on what members write that the first schema left open: each element of the skill, image
-- and link arrays, URLs, the time zone, and the sign-up metadata. Check constraints run before any
-- index sees the row, so a 20,000-character skill is a 400 (23514) naming the constraint, never
-- "index row requires … bytes" (54000, a 500).

-- Whether every element of an array is at most p_max characters (null arrays and elements pass:
-- not null is another constraint's business). Called by check constraints, which run with the
-- privileges of the writer: the signed-in role may execute it.
create function private.elements_within(p_values text[], p_max integer)
returns boolean
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return (
    select coalesce(bool_and(char_length(value) <= p_max), true) from unnest(p_values) as value
  );
end;
$$;
grant execute on function private.elements_within(text[], integer)
  to authenticated, service_role;

alter table public.candidates
  add constraint candidates_skills_element_length check (private.elements_within(skills, 100));
alter table public.jobs
  add constraint jobs_required_skills_element_length
    check (private.elements_within(required_skills, 100)),
  add constraint jobs_nice_to_have_skills_element_length
    check (private.elements_within(nice_to_have_skills, 100));
alter table public.posts
  add constraint posts_images_element_length check (private.elements_within(images, 2048)),
  add constraint posts_links_element_length check (private.elements_within(links, 2048));
alter table public.profiles
  add constraint profiles_avatar_url_length check (char_length(avatar_url) <= 2048);
alter table public.companies
  add constraint companies_website_length check (char_length(website) <= 2048);
alter table public.notification_preferences
  add constraint notification_preferences_timezone_length check (char_length(timezone) <= 64);

-- Sign-up metadata becomes the user_metadata claim of every access token: only the keys the
-- product reads are kept, each bounded, so 400 KB of metadata cannot make a 534 KB token.
-- Trimmed rather than refused: GoTrue answers a failing auth.users trigger with a 500.
create function private.bound_user_metadata()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.raw_user_meta_data is not null and pg_column_size(new.raw_user_meta_data) > 1024 then
    new.raw_user_meta_data := coalesce((
      select jsonb_object_agg(entry.key, left(entry.value, 200))
      from jsonb_each_text(new.raw_user_meta_data) as entry
      where entry.key in ('role', 'full_name', 'name', 'company_name', 'avatar_url')
    ), '{}'::jsonb);
  end if;
  return new;
end;
$$;

create trigger bound_user_metadata
  before insert or update of raw_user_meta_data on auth.users
  for each row execute function private.bound_user_metadata();
