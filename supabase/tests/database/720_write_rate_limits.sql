-- Write rate limits in the database: comments, offers, posts and messages per member, with a 429
-- error PostgREST answers as HTTP 429 with Retry-After; the platform's own writes are not limited.
begin;
select plan(8);

select tests.create_user('limited_member', 'candidate');
select tests.create_user('limited_company', 'company');
insert into public.posts (author_id, content, moderation_status)
values (tests.user_id('limited_company'), 'Post commenté', 'approved');

select results_eq(
  $$ select action, capacity, window_seconds from private.write_limits() order by action $$,
  $$ values ('comment'::text, 10, 60), ('job', 20, 86400), ('message', 60, 60), ('post', 10, 600),
            ('report', 10, 60), ('sign_up', 600, 3600) $$,
  'the limits, in one place: offers per day, comments and reports per minute…');

select tests.authenticate_as('limited_member');
select lives_ok(
  $$ insert into public.post_comments (post_id, content)
     select tests.post_id('Post commenté'), 'Commentaire ' || n from generate_series(1, 10) as n $$,
  'ten comments in a minute are fine');
select throws_ok(
  $$ insert into public.post_comments (post_id, content) values (tests.post_id('Post commenté'), 'Un de trop') $$,
  'PGRST', null, 'the eleventh is refused');

-- What PostgREST turns the error into: status 429, Retry-After, a body naming the limit.
create function pg_temp.refusal() returns table (message jsonb, detail jsonb)
language plpgsql as $$
begin
  insert into public.post_comments (post_id, content) values (tests.post_id('Post commenté'), 'Encore');
exception when sqlstate 'PGRST' then
  declare
    error_message text;
    error_detail text;
  begin
    get stacked diagnostics error_message = message_text, error_detail = pg_exception_detail;
    return query select error_message::jsonb, error_detail::jsonb;
  end;
end;
$$;
select results_eq(
  $$ select message ->> 'code', message ->> 'message', detail -> 'status',
       (detail -> 'headers' ->> 'Retry-After')::integer between 1 and 60
     from pg_temp.refusal() $$,
  $$ values ('PT429'::text, 'comment: too many requests (10 per 60 s)'::text, '429'::jsonb, true) $$,
  'it is a 429 with a Retry-After header and a message naming the limit');
select ok(
  (select message ->> 'hint' ~ '^retry after \d+ seconds$' from pg_temp.refusal()),
  'and a hint saying when to retry');
select tests.clear_authentication();
select is((select count(*)::integer from public.post_comments where author_id = tests.user_id('limited_member')),
  10, 'no refused comment was written');

select tests.authenticate_as('limited_company');
select throws_ok(
  $$ insert into public.jobs (title) select 'Offre ' || n from generate_series(1, 21) as n $$,
  'PGRST', null, 'a company publishes at most 20 offers a day');
select tests.clear_authentication();
select lives_ok(
  $$ insert into public.post_comments (post_id, author_id, content)
     select tests.post_id('Post commenté'), tests.user_id('limited_member'), 'Import ' || n
     from generate_series(1, 20) as n $$,
  'the platform''s own writes are not limited');

select * from finish();
rollback;
