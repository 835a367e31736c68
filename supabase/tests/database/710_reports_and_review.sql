-- Reports and review: report_content for what a member sees (once per member, rate limited),
-- three distinct reports hide an item pending review, the admins' queue (flagged and reported,
-- oldest first, keyset), review_content (approve, reject, suspend) audited and told to the author,
-- an admin's approval is not overturned by later reports, and a suspended member cannot write.
begin;
select plan(34);

select tests.create_user('rep_author', 'candidate');
select tests.create_user('rep_one', 'candidate');
select tests.create_user('rep_two', 'candidate');
select tests.create_user('rep_three', 'candidate');
select tests.create_user('rep_admin', 'admin');
select tests.create_user('rep_company', 'company');
insert into public.posts (author_id, content, moderation_status, created_at) values
  (tests.user_id('rep_author'), 'Post signalé', 'approved', now() - interval '1 hour'),
  (tests.user_id('rep_author'), 'Post en attente', 'pending', now() - interval '1 hour');
insert into public.jobs (company_id, title, status, moderation_status) values
  (tests.user_id('rep_company'), 'Brouillon caché', 'draft', 'approved');
update public.posts set moderation_status = 'flagged', is_flagged = true, flag_reason = 'Spam probable',
  moderated_at = now() - interval '2 hours'
where id = (select id from public.posts where content = 'Post en attente');

-- The title of the notification queued for an item's author about a decision on it.
create function pg_temp.notice(p_id uuid, p_decision text) returns text
language sql as $$
  select (select message ->> 'title' from pgmq.q_notifications
    where message -> 'data' ->> 'id' = p_id::text and message -> 'data' ->> 'decision' = p_decision)
$$;
create function pg_temp.report(
  p_who text, p_kind public.content_kind, p_id uuid, p_reason text default 'Arnaque'
)
returns table (reports integer, is_hidden boolean)
language plpgsql as $$
begin
  perform tests.authenticate_as(p_who);
  return query select report.open_reports, report.hidden
    from public.report_content(p_kind, p_id, p_reason) as report;
  perform tests.clear_authentication();
end;
$$;

-- Bad input, each with the field it is about.
select tests.authenticate_as('rep_one');
select throws_ok($$ select * from public.report_content('tweet', gen_random_uuid(), 'Spam') $$,
  '22P02', 'invalid input value for enum content_kind: "tweet"',
  'an unknown kind is refused by its type (its values: Constants)');
select throws_ok($$ select * from public.report_content('post', tests.post_id('Post signalé'), '') $$,
  '22023', 'p_reason: say why in 3 to 1000 characters', 'a report says why');
select throws_ok(
  $$ select * from public.report_content('post', tests.post_id('Post signalé'), repeat('x', 1001)) $$,
  '22023', 'p_reason: say why in 3 to 1000 characters', 'in at most 1000 characters');
select throws_ok($$ select * from public.report_content('post', gen_random_uuid(), 'Spam') $$,
  'P0002', null, 'an unknown item is refused');
select throws_ok($$ select * from public.report_content('job', tests.job_id('Brouillon caché'), 'Spam') $$,
  'P0002', null, 'an item the member cannot see is refused like an unknown one');
select tests.authenticate_as('rep_author');
select throws_ok($$ select * from public.report_content('post', tests.post_id('Post signalé'), 'Spam') $$,
  '22023', 'p_id: you cannot report your own content', 'nobody reports their own content');
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.report_content('post', gen_random_uuid(), 'Spam') $$,
  '42501', null, 'visitors cannot report');
select tests.clear_authentication();

-- Reports add up; the same member counts once; the third member hides the post.
select results_eq($$ select * from pg_temp.report('rep_one', 'post', tests.post_id('Post signalé')) $$,
  $$ values (1, false) $$, 'a first report is recorded');
select results_eq($$ select * from pg_temp.report('rep_one', 'post', tests.post_id('Post signalé')) $$,
  $$ values (1, false) $$, 'the same member reporting again counts once');
select results_eq($$ select * from pg_temp.report('rep_two', 'post', tests.post_id('Post signalé')) $$,
  $$ values (2, false) $$, 'a second member''s report counts');
select results_eq($$ select * from pg_temp.report('rep_three', 'post', tests.post_id('Post signalé')) $$,
  $$ values (3, true) $$, 'the third distinct member''s report hides the post');
select results_eq(
  $$ select moderation_status, is_flagged from public.posts where id = tests.post_id('Post signalé') $$,
  $$ values ('flagged'::public.moderation_status, true) $$, 'it is flagged, out of the feed, pending review');
select is(
  pg_temp.notice(tests.post_id('Post signalé'), 'flag'),
  'Votre publication est en cours de vérification', 'the author is told');
select tests.authenticate_as('rep_one');
select is((select count(*)::integer from public.content_reports), 1,
  'a member reads their own reports only');

-- The queue.
select tests.authenticate_as('rep_one');
select throws_ok($$ select * from public.get_moderation_queue() $$, '42501',
  'get_moderation_queue: for admins only', 'the queue is for admins only');
select tests.authenticate_as('rep_admin');
select results_eq(
  $$ select kind, tests.name_of(id), moderation_status, open_reports from public.get_moderation_queue()
     where author_id = tests.user_id('rep_author') $$,
  $$ values ('post'::public.content_kind, 'Post en attente'::text, 'flagged'::public.moderation_status, 0),
            ('post', 'Post signalé', 'flagged', 3) $$,
  'flagged and reported items, oldest first, with their report counts');
select is(
  (select jsonb_array_length(reports) from public.get_moderation_queue()
   where id = tests.post_id('Post signalé')),
  3, 'with the reports themselves');
select is(
  (select count(*)::integer from public.get_moderation_queue(
     p_after_queued_at => (select queued_at from public.get_moderation_queue()
                           where id = tests.post_id('Post en attente')),
     p_after_id => tests.post_id('Post en attente'))
   where author_id = tests.user_id('rep_author')),
  1, 'the keyset cursor continues after the given item');
select throws_ok($$ select * from public.get_moderation_queue(p_limit => 0) $$, '22023',
  'p_limit: between 1 and 200', 'the page size is bounded');

-- Review: approve stands against later reports.
select results_eq(
  $$ select moderation_status, author_suspended from public.review_content('post',
       tests.post_id('Post signalé'), 'approve', null) $$,
  $$ values ('approved'::public.moderation_status, false) $$, 'an admin approves the reported post');
select is(
  (select count(*)::integer from public.content_reports
   where target_id = tests.post_id('Post signalé') and resolved_at is null),
  0, 'its reports are resolved');
select results_eq(
  $$ select source, decision, reviewer_id = tests.user_id('rep_admin')
     from public.moderation_decisions where target_id = tests.post_id('Post signalé')
     order by id $$,
  $$ values ('reports'::public.moderation_source, 'flag'::public.moderation_decision, null::boolean),
       ('admin', 'approve', true) $$,
  'each decision is audited, with the reviewer');
select tests.clear_authentication();
select tests.create_user('rep_four', 'candidate');
select tests.create_user('rep_five', 'candidate');
select tests.create_user('rep_six', 'candidate');
select pg_temp.report('rep_four', 'post', tests.post_id('Post signalé'));
select pg_temp.report('rep_five', 'post', tests.post_id('Post signalé'));
select results_eq($$ select * from pg_temp.report('rep_six', 'post', tests.post_id('Post signalé')) $$,
  $$ values (3, false) $$, 'after an admin approved it, reports no longer hide it automatically');
select is(
  private.apply_moderation('post', tests.post_id('Post signalé'),
    (select fingerprint from private.moderation_subjects('post', array[tests.post_id('Post signalé')])),
    'reject', 'profanity'),
  'already_moderated', 'nor does a later automatic verdict on the same text');

-- Reject and suspend.
select tests.authenticate_as('rep_admin');
select throws_ok($$ select * from public.review_content('post', tests.post_id('Post en attente'), 'reject', '') $$,
  '22023', 'p_reason: a rejection or a suspension says why (3 to 500 characters)',
  'a rejection says why');
select throws_ok($$ select * from public.review_content('post', tests.post_id('Post en attente'), 'ban', 'x') $$,
  '22P02', 'invalid input value for enum moderation_decision: "ban"',
  'an unknown decision is refused by its type');
select throws_ok($$ select * from public.review_content('post', tests.post_id('Post en attente'), 'flag', 'x') $$,
  '22023', 'p_decision: ''flag'' is not an admin''s decision (approve, reject or suspend)',
  'a flag is not an admin''s decision, and the allowed ones are named');
select results_eq(
  $$ select moderation_status, author_suspended from public.review_content('post',
       tests.post_id('Post en attente'), 'suspend', 'Hameçonnage répété') $$,
  $$ values ('rejected'::public.moderation_status, true) $$, 'suspend rejects the item and suspends its author');
select tests.clear_authentication();
select is(
  pg_temp.notice(tests.post_id('Post en attente'), 'suspend'),
  'Votre compte est suspendu', 'the author is told of the suspension');

select tests.authenticate_as('rep_author');
select throws_ok($$ insert into public.posts (content) values ('Encore moi') $$, '42501',
  null, 'a suspended member cannot publish');
select throws_ok(
  $$ insert into public.post_comments (post_id, content) values (tests.post_id('Post signalé'), 'Re') $$,
  '42501', null, 'nor comment');
select throws_ok(
  $$ insert into public.job_applications (job_id) values (tests.job_id('Brouillon caché')) $$,
  '42501', null, 'nor apply');

-- Reinstating: approving the profile lifts the suspension.
select tests.authenticate_as('rep_admin');
select results_eq(
  $$ select author_suspended from public.review_content('profile', tests.user_id('rep_author'),
       'approve', 'Compte vérifié') $$,
  $$ values (false) $$, 'approving the member''s profile reinstates them');
select tests.authenticate_as('rep_author');
select lives_ok($$ insert into public.posts (content) values ('De retour') $$,
  'a reinstated member publishes again');

select * from finish();
rollback;
