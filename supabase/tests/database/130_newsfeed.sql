-- The newsfeed: v_newsfeed_feed (approved, unflagged posts with their author and the caller's
-- reaction) and get_feed() (keyset pages on (created_at, id), pinned posts first on the first
-- page only, no duplicates or gaps while new posts arrive).
begin;
select plan(21);
select tests.create_world();

-- The view
select is(
  (select reloptions from pg_class where oid = 'public.v_newsfeed_feed'::regclass),
  array['security_invoker=true'], 'v_newsfeed_feed is security_invoker');
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.v_newsfeed_feed $$, '42501', null,
  'a visitor cannot read the feed');
select throws_ok($$ select 1 from public.get_feed() $$, '42501', null,
  'a visitor cannot call get_feed');
select tests.authenticate_as('candidate_a');
select set_eq(
  $$ select content || ' by ' || author_name from public.v_newsfeed_feed
     where author_id = any (tests.persona_ids()) $$,
  array['A1 approved by Candidate A', 'C1 approved by Company A'],
  'the feed shows approved, unflagged posts only, even to their author');
select tests.authenticate_as('admin');
select set_eq(
  $$ select content from public.v_newsfeed_feed where author_id = any (tests.persona_ids()) $$,
  array['A1 approved', 'C1 approved'], 'the feed hides pending and flagged posts from admins too');
select tests.authenticate_as('candidate_b');
select results_eq(
  $$ select my_reaction from public.v_newsfeed_feed where content = 'A1 approved' $$,
  $$ values ('like'::public.reaction_type) $$, 'the feed tells the viewer their own reaction');
select tests.authenticate_as('candidate_a');
select results_eq(
  $$ select my_reaction, reaction_count from public.v_newsfeed_feed where content = 'A1 approved' $$,
  $$ values (null::public.reaction_type, 1) $$, 'and nothing for a post the viewer did not react to');

-- get_feed: arguments
select throws_ok($$ select * from public.get_feed(p_limit => 0) $$, '22023',
  'p_limit must be between 1 and 100 (got 0)', 'get_feed refuses an empty page');
select throws_ok($$ select * from public.get_feed(p_limit => 101) $$, '22023',
  'p_limit must be between 1 and 100 (got 101)', 'get_feed refuses pages over 100 posts');
select throws_ok($$ select * from public.get_feed(p_cursor_created_at => now()) $$, '22023',
  'p_cursor_created_at and p_cursor_id go together: pass both or neither',
  'get_feed refuses half a cursor');

-- get_feed: keyset pages. 45 posts dated in 2100 (newer than any other post), three per second
-- so that pages split posts sharing a created_at; two of them pinned. Other pinned posts are
-- unpinned for the duration of the test so that the first page is predictable.
select tests.clear_authentication();
do $$ begin perform tests.create_user('feed_author', 'candidate'); end $$;
update public.posts set is_pinned = false where is_pinned;
insert into public.posts (author_id, content, moderation_status, is_pinned, created_at)
select tests.user_id('feed_author'), 'feed post ' || n, 'approved', n in (7, 30),
  timestamptz '2100-01-01 00:00:00+00' + make_interval(secs => n / 3)
from generate_series(1, 45) as n;

-- The expected order: pinned posts newest first, then the others newest first, ties by id.
create temporary table expected_order as
select row_number() over (order by is_pinned desc, created_at desc, id desc) as position, id, content
from public.posts where author_id = tests.user_id('feed_author');
grant select on expected_order to authenticated;

-- Reads the feed page after page (10 posts per page) as the signed-in user, keeping what it saw.
create temporary table seen (page integer, position integer, id uuid, is_pinned boolean);
grant select, insert on seen to authenticated;
create function pg_temp.read_pages(p_pages integer) returns void
language plpgsql as $$
declare
  cursor_created_at timestamptz;
  cursor_id uuid;
  page integer;
  last_row record;
begin
  for page in 1..p_pages loop
    insert into seen
    select page, row_number() over (), feed.id, feed.is_pinned
    from public.get_feed(cursor_created_at, cursor_id, 10) as feed
    where feed.author_id = tests.user_id('feed_author');
    select feed.created_at, feed.id into last_row
    from public.get_feed(cursor_created_at, cursor_id, 10) as feed
    order by feed.is_pinned, feed.created_at, feed.id
    limit 1;
    cursor_created_at := last_row.created_at;
    cursor_id := last_row.id;
  end loop;
end;
$$;

select tests.authenticate_as('candidate_b');
select pg_temp.read_pages(5);
select results_eq(
  $$ select id from seen where page = 1 order by position limit 2 $$,
  $$ select id from expected_order where position <= 2 order by position $$,
  'the first page starts with the pinned posts, newest first');
select is((select count(*)::int from seen where page = 1), 12,
  'the first page holds the pinned posts plus a full page of others');
select is((select count(*)::int from seen where page > 1 and is_pinned), 0,
  'pinned posts are not repeated on later pages');
select results_eq(
  $$ select id from seen order by page, position $$,
  $$ select id from expected_order order by position $$,
  'paging through the feed returns every post once, in order, across posts sharing a time');
select is((select count(distinct id)::int from seen), 45, 'no post is returned twice');
select is((select max(page) from seen), 5, 'the last post arrives on the fifth page');

-- New posts published between two pages do not shift the next page.
select tests.clear_authentication();
create temporary table page_one as
select * from public.get_feed(null, null, 10) where false;
grant select, insert on page_one to authenticated;
select tests.authenticate_as('candidate_b');
insert into page_one select * from public.get_feed(null, null, 10);
select tests.clear_authentication();
insert into public.posts (author_id, content, moderation_status, created_at)
select tests.user_id('feed_author'), 'late post ' || n, 'approved',
  timestamptz '2100-01-02 00:00:00+00' + make_interval(secs => n)
from generate_series(1, 5) as n;
select tests.authenticate_as('candidate_b');
select results_eq(
  $$ select feed.id from page_one as last,
       lateral public.get_feed(last.created_at, last.id, 10) as feed
     where (last.created_at, last.id) = (select created_at, id from page_one
       where not is_pinned order by created_at, id limit 1) $$,
  $$ select id from expected_order where position between 13 and 22 order by position $$,
  'the page after a cursor is the same when newer posts arrived meanwhile');
select results_eq(
  $$ select content from public.get_feed(null, null, 10) where not is_pinned limit 5 $$,
  $$ values ('late post 5'), ('late post 4'), ('late post 3'), ('late post 2'), ('late post 1') $$,
  'new posts appear at the top of the next first page');

-- Moderation removes a post from the feed at once.
select tests.clear_authentication();
update public.posts set is_flagged = true, flag_reason = 'spam' where content = 'late post 5';
select tests.authenticate_as('candidate_b');
select is(
  (select count(*)::int from public.get_feed(null, null, 100) where content = 'late post 5'), 0,
  'a flagged post leaves the feed');
select is(
  (select count(*)::int from public.get_feed(null, null, 100) where content = 'late post 4'), 1,
  'its neighbours stay');

-- A keyset page is one descent of posts_feed_idx, whatever its depth (the query of get_feed).
-- With so few rows a sequential scan would win; turning it off shows whether the index can
-- serve the cursor under row-level security (it could not if the comparison were not leakproof).
create function pg_temp.keyset_plan() returns text
language plpgsql set enable_seqscan = off as $$
declare
  line text;
  plan text := '';
begin
  for line in execute format($query$
    explain select * from public.v_newsfeed_feed as feed
    where not feed.is_pinned and (feed.created_at, feed.id) < (%L::timestamptz, %L::uuid)
    order by feed.created_at desc, feed.id desc limit 10 $query$,
    '2100-01-01 00:00:05+00', gen_random_uuid())
  loop
    plan := plan || line || e'\n';
  end loop;
  return plan;
end;
$$;
select tests.authenticate_as('candidate_b');
select matches(pg_temp.keyset_plan(),
  'Index Scan using posts_feed_idx on posts post[^\n]*\n\s*Index Cond: \(ROW\(created_at, id\) <',
  'a keyset page seeks posts_feed_idx to the cursor instead of skipping rows');

select * from finish();
rollback;
