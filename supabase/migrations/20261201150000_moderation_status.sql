-- moderation_status on everything members publish for others to read: posts, comments, job
-- offers (title, description, skills), company pages and profiles (display name, headline).
--
--   pending   written or edited, waiting for the moderation worker (private.apply_moderation)
--   approved  shown to others
--   flagged   hidden from others until an admin reviews it (the engine's doubt, or reports)
--   rejected  hidden for good (the engine, or an admin)
--
-- Authors and admins always see an item; others see it only when approved (the policies below).
-- Editing the moderated text puts an item back to pending, so an approved offer cannot be turned
-- into a phishing one afterwards. moderated_by is the admin who decided (null: the engine); an
-- admin's decision is never overturned by a later automatic verdict on the same text.
-- Jobs and profiles get their moderation_status in their own migrations (matching and the
-- newsfeed read it); posts have had one since the newsfeed.

alter table public.posts
  add column moderated_by uuid references public.profiles (id) on delete set null;
create index posts_moderated_by_idx on public.posts (moderated_by);

alter table public.post_comments
  add column moderation_status public.moderation_status not null default (
    case when current_user in ('anon', 'authenticated') then 'pending'::public.moderation_status
    else 'approved' end
  );

-- Company pages and profiles are created by the sign-up trigger from what the member typed: they
-- start pending whoever inserts them.
alter table public.companies
  add column moderation_status public.moderation_status not null default 'pending';

-- Whether any of the named columns differs between two versions of a row.
create function private.columns_differ(p_old jsonb, p_new jsonb, p_columns text[])
returns boolean
language sql immutable
set search_path = ''
as $$
  select exists (
    select 1 from unnest(p_columns) as col(name)
    where p_old -> col.name is distinct from p_new -> col.name
  );
$$;

-- Before update: a member's edit of the moderated columns (tg_argv) sends the item back to
-- pending. Edits by the platform's own roles (service role, migrations) are trusted, as their
-- inserts are. Security definer: it runs for the member who edits, who may not name `private`
-- objects; the writer is therefore read from the request's claims.
create function private.remoderate_on_edit()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if (select auth.role()) = 'authenticated'
     and new.moderation_status is not distinct from old.moderation_status
     and private.columns_differ(to_jsonb(old), to_jsonb(new), tg_argv::text[]) then
    new.moderation_status := 'pending';
    new.moderation_reason := null;
    new.moderated_at := null;
    new.moderated_by := null;
  end if;
  return new;
end;
$$;

-- After insert or update: an item that is pending (new, edited, or sent back by a trigger) goes on
-- the post_moderation queue, which moderates every kind: {kind, id}. tg_argv: the kind, then the
-- moderated columns. Posts keep their own trigger (pipeline_enqueue), which sends {postId}.
create function private.enqueue_content_moderation()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.moderation_status <> 'pending' then
    return null;
  end if;
  if tg_op = 'INSERT'
     or old.moderation_status <> 'pending'
     or private.columns_differ(to_jsonb(old), to_jsonb(new), (tg_argv::text[])[2:]) then
    perform private.enqueue('post_moderation', jsonb_build_object(
      'kind', tg_argv[0], 'id', new.id, 'reason', lower(tg_op)));
  end if;
  return null;
end;
$$;

-- Makes a table with a moderation_status moderated like the others, given its kind and the
-- columns moderation reads (one list for both triggers): why, when and by whom it was last
-- moderated (moderation_reason, moderated_at, moderated_by and its index), and the two triggers
-- above, <table>_remoderate_on_edit and <table>_enqueue_moderation. Posts are not: they have had
-- moderated_at since the newsfeed, keep flag_reason instead of moderation_reason, and have their
-- own triggers.
create function private.moderate_table(p_table regclass, p_kind text, p_columns text[])
returns void
language plpgsql
set search_path = ''
as $$
declare
  table_name text := (select relname from pg_catalog.pg_class where oid = p_table);
  column_list text;
  argument_list text;
begin
  execute format(
    'alter table %s '
    'add column moderation_reason text constraint %I check (char_length(moderation_reason) <= 500), '
    'add column moderated_at timestamptz, '
    'add column moderated_by uuid references public.profiles (id) on delete set null',
    p_table, table_name || '_moderation_reason_length');
  execute format('create index %I on %s (moderated_by)', table_name || '_moderated_by_idx', p_table);

  select string_agg(quote_ident(moderated.name), ', ' order by moderated.position),
    string_agg(quote_literal(moderated.name), ', ' order by moderated.position)
  into column_list, argument_list
  from unnest(p_columns) with ordinality as moderated (name, position);
  execute format(
    'create trigger %I before update of %s on %s '
    'for each row execute function private.remoderate_on_edit(%s)',
    table_name || '_remoderate_on_edit', column_list, p_table, argument_list);
  execute format(
    'create trigger %I after insert or update of %s, moderation_status on %s '
    'for each row execute function private.enqueue_content_moderation(%L, %s)',
    table_name || '_enqueue_moderation', column_list, p_table, p_kind, argument_list);
end;
$$;

select private.moderate_table(moderated.table_name, moderated.kind, moderated.columns)
from (values
  ('public.post_comments'::regclass, 'comment', array['content']),
  ('public.jobs', 'job', array['title', 'description', 'required_skills', 'nice_to_have_skills']),
  ('public.companies', 'company', array['name', 'description', 'website', 'industry', 'location']),
  ('public.profiles', 'profile', array['full_name'])
) as moderated (table_name, kind, columns);

-- A candidate's headline is part of their profile card: editing it re-moderates the profile.
create function private.remoderate_profile_on_headline_edit()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if (select auth.role()) = 'authenticated' and new.headline is distinct from old.headline then
    update public.profiles
    set moderation_status = 'pending', moderation_reason = null, moderated_at = null,
        moderated_by = null
    where id = new.id;
  end if;
  return null;
end;
$$;

create trigger candidates_remoderate_profile_on_headline_edit
  after update of headline on public.candidates
  for each row execute function private.remoderate_profile_on_headline_edit();

-- An offer enters or leaves matching when its approval changes while published: approval is what
-- lets matching (and its job alerts) see it.
create function private.rematch_job_on_moderation()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if new.status = 'published'
     and (new.moderation_status = 'approved') <> (old.moderation_status = 'approved') then
    perform private.enqueue('job_matching', jsonb_build_object(
      'jobId', new.id,
      'reason', case when new.moderation_status = 'approved' then 'approved' else 'unapproved' end));
  end if;
  return null;
end;
$$;

-- The moderated columns are listed too: an edit changes moderation_status through the before
-- trigger above, which an "update of moderation_status" trigger alone would not see.
create trigger jobs_rematch_on_moderation
  after update of title, description, required_skills, nice_to_have_skills, moderation_status
  on public.jobs
  for each row execute function private.rematch_job_on_moderation();

-- Visibility: others see only approved items; authors (and companies their own pages and offers)
-- see theirs; admins see every comment and company page, and offers through the moderation queue.
drop policy "Whoever sees a post sees its comments" on public.post_comments;
create policy "Whoever sees a post sees its approved comments, authors theirs"
  on public.post_comments for select
  to authenticated
  using (
    exists (select 1 from public.posts as post where post.id = post_comments.post_id)
    and (
      moderation_status = 'approved'
      or author_id = (select auth.uid())
      or (select private.is_admin())
    )
  );

drop policy "Visitors read published offers" on public.jobs;
create policy "Visitors read published, approved offers"
  on public.jobs for select
  to anon
  using (status = 'published' and moderation_status = 'approved');

drop policy "Members read published, own-company and applied-to offers" on public.jobs;
create policy "Members read approved published and applied-to offers, companies theirs"
  on public.jobs for select
  to authenticated
  using (
    (status = 'published' and moderation_status = 'approved')
    or company_id = (select auth.uid())
    or id in (select private.applied_job_ids())
  );

drop policy "Everyone reads company pages" on public.companies;
create policy "Visitors read approved company pages"
  on public.companies for select
  to anon
  using (moderation_status = 'approved');

create policy "Members read approved company pages, companies their own"
  on public.companies for select
  to authenticated
  using (
    moderation_status = 'approved'
    or id = (select auth.uid())
    or (select private.is_admin())
  );
