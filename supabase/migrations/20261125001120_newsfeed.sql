-- The newsfeed: v_newsfeed_feed (visible posts with their author and the caller's reaction) and
-- get_feed(), its keyset-paginated reader. A company's posts are signed with the company's name.
--
-- Keyset pagination on (created_at, id): a page is "the p_limit posts right after the last one
-- you saw", found through posts_feed_idx in the same time at any depth. Posts published while
-- someone pages are newer than the page they read, so they neither shift the following pages
-- (OFFSET would repeat rows) nor open gaps; they appear on the next first page.

-- The signed-in member's own display name, approved or not: members are not granted full_name
-- (others read public_name), yet an author sees their own name on their posts.
create function private.current_user_full_name()
returns text
language sql stable security definer
set search_path = ''
as $$
  select full_name from public.profiles where id = (select auth.uid());
$$;
grant execute on function private.current_user_full_name() to authenticated;

create view public.v_newsfeed_feed
with (security_invoker = true)
as
select
  post.id,
  post.author_id,
  -- A company page others see is approved (its policy); a display name, once approved.
  coalesce(
    company.name,
    author.public_name,
    case when author.id = (select auth.uid()) then (select private.current_user_full_name()) end
  ) as author_name,
  author.avatar_url as author_avatar_url,
  author.role as author_role,
  post.content,
  post.images,
  post.links,
  post.is_pinned,
  post.reaction_count,
  post.comment_count,
  (
    select reaction.reaction_type
    from public.post_reactions as reaction
    where reaction.post_id = post.id and reaction.user_id = (select auth.uid())
  ) as my_reaction,
  post.created_at,
  post.updated_at
from public.posts as post
join public.profiles as author on author.id = post.author_id
left join public.companies as company on company.id = post.author_id
where post.moderation_status = 'approved' and not post.is_flagged;

comment on view public.v_newsfeed_feed is
  'Approved, unflagged posts with their author; order by created_at desc, id desc and page '
  'with a (created_at, id) cursor, or call get_feed().';

revoke all on table public.v_newsfeed_feed from anon, authenticated;
grant select on table public.v_newsfeed_feed to authenticated;

-- One page of the feed, newest first. The first page (no cursor) starts with the pinned posts
-- (at most p_limit of them) followed by the p_limit newest other posts; pinned posts are not
-- repeated further down. Next page: pass the created_at and id of the last row received.
create function public.get_feed(
  p_cursor_created_at timestamptz default null,
  p_cursor_id uuid default null,
  p_limit integer default 20
)
returns setof public.v_newsfeed_feed
language plpgsql stable security invoker
set search_path = ''
as $$
begin
  if p_limit is null or p_limit not between 1 and 100 then
    raise exception using
      errcode = '22023', message = format('p_limit must be between 1 and 100 (got %s)', p_limit);
  end if;
  if (p_cursor_created_at is null) <> (p_cursor_id is null) then
    raise exception using
      errcode = '22023',
      message = 'p_cursor_created_at and p_cursor_id go together: pass both or neither';
  end if;

  if p_cursor_id is null then
    return query
      select feed.*
      from public.v_newsfeed_feed as feed
      where feed.is_pinned
      order by feed.created_at desc, feed.id desc
      limit p_limit;
  end if;

  -- No cursor: the first page, everything before the greatest possible key (as get_messages).
  return query
    select feed.*
    from public.v_newsfeed_feed as feed
    where not feed.is_pinned
      and (feed.created_at, feed.id) < (
        coalesce(p_cursor_created_at, 'infinity'),
        coalesce(p_cursor_id, 'ffffffff-ffff-ffff-ffff-ffffffffffff')
      )
    order by feed.created_at desc, feed.id desc
    limit p_limit;
end;
$$;
comment on function public.get_feed(timestamptz, uuid, integer) is
  'Feed page newest first; first page = pinned posts then the newest. Cursor = last row''s '
  '(created_at, id).';
grant execute on function public.get_feed(timestamptz, uuid, integer) to authenticated, service_role;
