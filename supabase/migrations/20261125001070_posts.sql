-- The newsfeed's content: posts, their reactions and their comments.
-- Signed-in users read approved, unflagged posts; authors see their own whatever the moderation
-- says; admins see all and moderate. Reactions and comments follow their post: whoever sees the
-- post sees them. Visitors see nothing.

create type public.reaction_type as enum ('like', 'love', 'celebrate', 'support', 'insightful');
comment on type public.reaction_type is 'Kinds of reaction to a post.';

create table public.posts (
  id uuid primary key default gen_random_uuid(),
  author_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  content text not null
    constraint posts_content_length check (char_length(btrim(content)) between 1 and 5000),
  images text[] not null default '{}'
    constraint posts_images_count check (cardinality(images) <= 10),
  links text[] not null default '{}'
    constraint posts_links_count check (cardinality(links) <= 20),
  is_pinned boolean not null default false,
  moderation_status public.moderation_status not null default 'pending',
  is_flagged boolean not null default false,
  flag_reason text
    constraint posts_flag_reason_length check (char_length(flag_reason) <= 500),
  moderated_at timestamptz,
  reaction_count integer not null default 0
    constraint posts_reaction_count_not_negative check (reaction_count >= 0),
  comment_count integer not null default 0
    constraint posts_comment_count_not_negative check (comment_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint posts_flag_has_reason check (not is_flagged or flag_reason is not null)
);
comment on table public.posts is
  'Newsfeed posts. New and edited posts are pending until moderated; only approved, unflagged '
  'posts are in the feed.';

-- The feed reads visible posts newest first with keyset pagination on (created_at, id):
-- pinned posts have their own small index for the head of the first page.
create index posts_feed_idx on public.posts (created_at desc, id desc)
  where moderation_status = 'approved' and not is_flagged and not is_pinned;
create index posts_pinned_feed_idx on public.posts (created_at desc, id desc)
  where moderation_status = 'approved' and not is_flagged and is_pinned;
create index posts_author_id_idx on public.posts (author_id, created_at desc);
-- The moderation queue of admins.
create index posts_awaiting_moderation_idx on public.posts (created_at)
  where moderation_status = 'pending';

-- Counter updates (reactions, comments) do not count as edits.
create trigger posts_set_updated_at
  before update of content, images, links, is_pinned, moderation_status, is_flagged, flag_reason
  on public.posts
  for each row execute function private.set_updated_at();

-- What each side may change in a post. Column privileges already keep API users off the
-- counters; this trigger adds the rules a policy cannot express (it does not see the old row):
-- authors edit the text, admins moderate and pin, and an edited post goes back to moderation.
-- The service role and the platform's own SQL (moderation worker, counters) are not restricted.
create function private.check_post_update()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  is_author boolean := coalesce(old.author_id = (select auth.uid()), false);
  edits_text boolean := (new.content, new.images, new.links)
    is distinct from (old.content, old.images, old.links);
  moderates boolean := (new.moderation_status, new.is_flagged, new.flag_reason, new.is_pinned)
    is distinct from (old.moderation_status, old.is_flagged, old.flag_reason, old.is_pinned);
begin
  if current_user <> 'authenticated' then
    if (new.moderation_status, new.is_flagged) is distinct from
       (old.moderation_status, old.is_flagged)
       and new.moderated_at is not distinct from old.moderated_at then
      new.moderated_at := now();
    end if;
    return new;
  end if;
  if edits_text and not is_author then
    raise exception using
      errcode = '42501', message = 'only the author edits the text of a post';
  end if;
  -- Not private.is_admin(): this trigger runs as the caller, who has no access to `private`.
  if moderates and not exists (
    select 1 from public.profiles where id = (select auth.uid()) and role = 'admin'
  ) then
    raise exception using
      errcode = '42501', message = 'only an admin moderates or pins a post';
  end if;
  if edits_text then
    new.moderation_status := 'pending';
    new.is_flagged := false;
    new.flag_reason := null;
    new.moderated_at := null;
  elsif moderates then
    new.moderated_at := now();
  end if;
  return new;
end;
$$;

create trigger posts_check_update
  before update of content, images, links, is_pinned, moderation_status, is_flagged, flag_reason
  on public.posts
  for each row execute function private.check_post_update();

revoke all on table public.posts from anon, authenticated;
grant select, delete on table public.posts to authenticated;
grant insert (author_id, content, images, links) on table public.posts to authenticated;
grant update (content, images, links, is_pinned, moderation_status, is_flagged, flag_reason)
  on table public.posts to authenticated;

alter table public.posts enable row level security;

create policy "Members read visible posts, authors theirs, admins all"
  on public.posts for select
  to authenticated
  using (
    (moderation_status = 'approved' and not is_flagged)
    or author_id = (select auth.uid())
    or (select private.is_admin())
  );

create policy "Members publish posts as themselves"
  on public.posts for insert
  to authenticated
  with check (author_id = (select auth.uid()));

create policy "Authors edit their posts, admins moderate"
  on public.posts for update
  to authenticated
  using (author_id = (select auth.uid()) or (select private.is_admin()))
  with check (author_id = (select auth.uid()) or (select private.is_admin()));

create policy "Authors and admins delete posts"
  on public.posts for delete
  to authenticated
  using (author_id = (select auth.uid()) or (select private.is_admin()));

-- Reactions: one per member and post; its type can change.
create table public.post_reactions (
  post_id uuid not null references public.posts (id) on delete cascade,
  user_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  reaction_type public.reaction_type not null default 'like',
  created_at timestamptz not null default now(),
  primary key (post_id, user_id)
);
create index post_reactions_user_id_idx on public.post_reactions (user_id, created_at desc);

create table public.post_comments (
  id uuid primary key default gen_random_uuid(),
  post_id uuid not null references public.posts (id) on delete cascade,
  author_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  content text not null
    constraint post_comments_content_length check (char_length(btrim(content)) between 1 and 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index post_comments_post_id_idx on public.post_comments (post_id, created_at, id);
create index post_comments_author_id_idx on public.post_comments (author_id);

create trigger post_comments_set_updated_at
  before update on public.post_comments
  for each row execute function private.set_updated_at();

-- posts.reaction_count and posts.comment_count follow their tables: one trigger function, told
-- which counter to move (tg_argv[0]). Security definer: the member who reacts may not update
-- someone else's post. Concurrent reactions serialise on the post row. Static SQL (the other
-- counter moves by 0), so that plpgsql_check reads the statement.
create function private.count_post_children()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  delta integer := case tg_op when 'INSERT' then 1 else -1 end;
begin
  if tg_argv[0] not in ('reaction_count', 'comment_count') then
    raise exception using
      errcode = '22023',
      message = format('count_post_children: unknown counter %L (reaction_count, comment_count)',
        tg_argv[0]);
  end if;
  update public.posts as post
  set reaction_count = post.reaction_count
        + case when tg_argv[0] = 'reaction_count' then delta else 0 end,
      comment_count = post.comment_count
        + case when tg_argv[0] = 'comment_count' then delta else 0 end
  where post.id = case tg_op when 'INSERT' then new.post_id else old.post_id end;
  return null;
end;
$$;

create trigger post_reactions_count
  after insert or delete on public.post_reactions
  for each row execute function private.count_post_children('reaction_count');

create trigger post_comments_count
  after insert or delete on public.post_comments
  for each row execute function private.count_post_children('comment_count');

revoke all on table public.post_reactions from anon, authenticated;
grant select, delete on table public.post_reactions to authenticated;
grant insert (post_id, user_id, reaction_type) on table public.post_reactions to authenticated;
grant update (reaction_type) on table public.post_reactions to authenticated;

alter table public.post_reactions enable row level security;

-- "exists (select 1 from public.posts ...)" runs under the RLS of posts: a reaction is visible
-- when its post is. A member's own reactions are always visible, which also lets the feed look
-- up "my reaction" without evaluating the post's visibility again.
create policy "Whoever sees a post sees its reactions"
  on public.post_reactions for select
  to authenticated
  using (
    user_id = (select auth.uid())
    or exists (select 1 from public.posts as post where post.id = post_reactions.post_id)
  );

create policy "Members react to posts they see"
  on public.post_reactions for insert
  to authenticated
  with check (
    user_id = (select auth.uid())
    and exists (select 1 from public.posts as post where post.id = post_reactions.post_id)
  );

create policy "Members change their reactions"
  on public.post_reactions for update
  to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

create policy "Members remove their reactions"
  on public.post_reactions for delete
  to authenticated
  using (user_id = (select auth.uid()));

revoke all on table public.post_comments from anon, authenticated;
grant select, delete on table public.post_comments to authenticated;
grant insert (post_id, author_id, content) on table public.post_comments to authenticated;
grant update (content) on table public.post_comments to authenticated;

alter table public.post_comments enable row level security;

create policy "Whoever sees a post sees its comments"
  on public.post_comments for select
  to authenticated
  using (exists (select 1 from public.posts as post where post.id = post_comments.post_id));

create policy "Members comment on posts they see"
  on public.post_comments for insert
  to authenticated
  with check (
    author_id = (select auth.uid())
    and exists (select 1 from public.posts as post where post.id = post_comments.post_id)
  );

create policy "Authors edit their comments"
  on public.post_comments for update
  to authenticated
  using (author_id = (select auth.uid()))
  with check (author_id = (select auth.uid()));

create policy "Authors and admins delete comments"
  on public.post_comments for delete
  to authenticated
  using (author_id = (select auth.uid()) or (select private.is_admin()));
