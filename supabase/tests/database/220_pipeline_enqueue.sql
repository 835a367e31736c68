-- Transactional enqueue: writes that need background work put their message on the queue in the
-- same transaction, and only those do. (Offer-side enqueueing is covered by 210_matching.sql.)
begin;
select plan(14);

select tests.create_user('enqueue_candidate', 'candidate');
select tests.create_user('enqueue_author', 'candidate');

create function pg_temp.candidate_messages() returns bigint
language sql as $$
  select count(*) from pgmq.q_candidate_matching
  where message ->> 'candidateId' = tests.user_id('enqueue_candidate')::text
$$;
create function pg_temp.post_messages(p_reason text) returns bigint
language sql as $$
  select count(*) from pgmq.q_post_moderation as queued
  join public.posts as post on post.id = (queued.message ->> 'postId')::uuid
  where post.author_id = tests.user_id('enqueue_author') and queued.message ->> 'reason' = p_reason
$$;

select is(pg_temp.candidate_messages(), 0::bigint,
  'signing up (no skills yet) enqueues no candidate matching');

-- As the candidate, through the API roles: the trigger reaches the queue on their behalf.
select tests.authenticate_as('enqueue_candidate');
update public.candidates set skills = array['React'] where id = tests.user_id('enqueue_candidate');
select tests.clear_authentication();
select is(pg_temp.candidate_messages(), 1::bigint, 'a skills change by the candidate enqueues');
update public.candidates set skills = array['ReactJS'] where id = tests.user_id('enqueue_candidate');
select is(pg_temp.candidate_messages(), 1::bigint,
  'another spelling of the same skills enqueues nothing');
update public.candidates set headline = 'Développeuse', bio = 'Bonjour', match_threshold = 80
where id = tests.user_id('enqueue_candidate');
select is(pg_temp.candidate_messages(), 1::bigint,
  'headline, bio and threshold changes enqueue nothing');
update public.candidates set experience_level = 'mid' where id = tests.user_id('enqueue_candidate');
update public.candidates set location = 'Nantes' where id = tests.user_id('enqueue_candidate');
update public.candidates set remote_preference = 'remote'
where id = tests.user_id('enqueue_candidate');
update public.candidates set open_to_work = false where id = tests.user_id('enqueue_candidate');
select is(pg_temp.candidate_messages(), 5::bigint,
  'level, location, remote preference and availability changes enqueue one message each');

select tests.authenticate_as('enqueue_author');
insert into public.posts (content) values ('Premier post');
select tests.clear_authentication();
select is(pg_temp.post_messages('created'), 1::bigint, 'a new post is queued for moderation');
select is(
  (select message from pgmq.q_post_moderation
   where message ->> 'postId' = tests.post_id('Premier post')::text),
  jsonb_build_object('postId', tests.post_id('Premier post'), 'reason', 'created'),
  'the message names the post and why');

-- Moderated, then edited by its author: back to pending and queued again.
update public.posts set moderation_status = 'approved' where id = tests.post_id('Premier post');
select tests.authenticate_as('enqueue_author');
update public.posts set content = 'Premier post, corrigé' where id = tests.post_id('Premier post');
select tests.clear_authentication();
select is(pg_temp.post_messages('edited'), 1::bigint, 'an edited post is queued again');
select is((select moderation_status from public.posts where id = tests.post_id('Premier post, corrigé')),
  'pending', 'and waits for moderation');
update public.posts set is_pinned = true where id = tests.post_id('Premier post, corrigé');
update public.posts set reaction_count = 3 where id = tests.post_id('Premier post, corrigé');
select is(pg_temp.post_messages('edited'), 1::bigint, 'pinning or counting reactions enqueues nothing');
insert into public.posts (author_id, content, moderation_status)
values (tests.user_id('enqueue_author'), 'Annonce déjà validée', 'approved');
select is(pg_temp.post_messages('created'), 1::bigint,
  'a post written already approved (by the platform) is not queued');

-- The message and the row commit or roll back together.
savepoint before_failed_insert;
select tests.authenticate_as('enqueue_author');
insert into public.posts (content) values ('Post annulé');
select tests.clear_authentication();
select is(pg_temp.post_messages('created'), 2::bigint, 'inside the transaction the message is there');
rollback to savepoint before_failed_insert;
select is(pg_temp.post_messages('created'), 1::bigint, 'rolled back with its post');

-- The doorbell: each enqueue asks pg_net to wake the queue worker (sent only after commit).
select case when not exists (select 1 from vault.secrets where name = 'project_url')
  then vault.create_secret('http://127.0.0.1:1', 'project_url') end;
select case when not exists (select 1 from vault.secrets where name = 'webhook_secret')
  then vault.create_secret('test-secret', 'webhook_secret') end;
select tests.authenticate_as('enqueue_author');
insert into public.posts (content) values ('Post avec sonnette');
select tests.clear_authentication();
select ok(
  exists (
    select 1 from net.http_request_queue
    where url like '%/functions/v1/queue-worker'
      and convert_from(body, 'utf8')::jsonb = '{"queue": "post_moderation"}'
      and headers ? 'x-webhook-secret'
  ),
  'the queue worker''s doorbell is rung with the webhook secret');

select * from finish();
rollback;
