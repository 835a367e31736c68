-- moderation_status on comments, offers, company pages and profiles: what members write waits for
-- moderation and is shown to others only once approved; authors always see theirs; an edit goes
-- back to moderation; the platform's own writes are trusted; an offer reaches matching (and its
-- job alerts) only once approved; every pending item is on the post_moderation queue.
begin;
select plan(25);

select tests.create_user('vis_author', 'candidate');
select tests.create_user('vis_reader', 'candidate');
select tests.create_user('vis_company', 'company');
select tests.create_user('vis_admin', 'admin');
insert into public.posts (author_id, content, moderation_status)
values (tests.user_id('vis_reader'), 'Post approuvé', 'approved');

-- Members' writes start pending, and are queued for moderation.
select tests.authenticate_as('vis_author');
insert into public.post_comments (post_id, content) values (tests.post_id('Post approuvé'), 'Mon avis');
select tests.authenticate_as('vis_company');
insert into public.jobs (title, description, status)
values ('Développeuse Go', 'CDI à Lyon', 'published');
select tests.clear_authentication();

select is((select moderation_status from public.post_comments where content = 'Mon avis'),
  'pending', 'a member''s comment starts pending');
select is((select moderation_status from public.jobs where id = tests.job_id('Développeuse Go')),
  'pending', 'a company''s offer starts pending, even published');
select ok(
  exists (select 1 from pgmq.q_post_moderation
          where message @> jsonb_build_object('kind', 'job', 'id', tests.job_id('Développeuse Go'))),
  'the offer is on the moderation queue');
select ok(
  exists (select 1 from pgmq.q_post_moderation
          where message @> jsonb_build_object('kind', 'comment',
            'id', (select id from public.post_comments where content = 'Mon avis'))),
  'and so is the comment');
select ok(
  exists (select 1 from pgmq.q_post_moderation
          where message @> jsonb_build_object('kind', 'profile', 'id', tests.user_id('vis_author'))),
  'a sign-up puts the new profile''s name on the queue');
insert into public.jobs (company_id, title) values (tests.user_id('vis_company'), 'Offre de la plateforme');
select is((select moderation_status from public.jobs where id = tests.job_id('Offre de la plateforme')),
  'approved', 'what the platform''s own roles write is trusted');

-- Others do not see pending items; authors do.
select tests.authenticate_as('vis_reader');
select is((select count(*)::integer from public.post_comments where content = 'Mon avis'), 0,
  'others do not see a pending comment');
select is((select count(*)::integer from public.jobs where id = tests.job_id('Développeuse Go')), 0,
  'nor a pending offer');
select is(
  (select count(*)::integer from public.search_jobs(p_query => 'Développeuse')
   where id = tests.job_id('Développeuse Go')), 0,
  'nor does the job search show it');
select tests.authenticate_as_anon();
select is((select count(*)::integer from public.jobs where id = tests.job_id('Développeuse Go')), 0,
  'visitors do not see it either');
select tests.authenticate_as('vis_author');
select is((select count(*)::integer from public.post_comments where content = 'Mon avis'), 1,
  'the author sees their pending comment');
select tests.authenticate_as('vis_company');
select is((select count(*)::integer from public.jobs where id = tests.job_id('Développeuse Go')), 1,
  'the company sees its pending offer');
select tests.authenticate_as('vis_reader');
select throws_ok(
  $$ insert into public.job_applications (job_id) values (tests.job_id('Développeuse Go')) $$,
  '42501', null, 'nobody applies to an offer before it is approved');

-- Matching sees the offer only once approved, and approval puts it on the job_matching queue.
select tests.clear_authentication();
select is(
  (select count(*)::integer from private.job_candidate_scores
   where job_id = tests.job_id('Développeuse Go')),
  0, 'matching does not score an offer awaiting moderation (no job alert can go out)');
update public.jobs set moderation_status = 'approved' where id = tests.job_id('Développeuse Go');
select ok(
  exists (select 1 from pgmq.q_job_matching
          where message = jsonb_build_object('jobId', tests.job_id('Développeuse Go'),
            'reason', 'approved')),
  'approval sends a published offer to matching');
select tests.authenticate_as_anon();
select is((select count(*)::integer from public.jobs where id = tests.job_id('Développeuse Go')), 1,
  'once approved, visitors see it');
select is(
  (select count(*)::integer from public.search_jobs(p_query => 'Développeuse')
   where id = tests.job_id('Développeuse Go')), 1,
  'and the job search lists it');

-- An edit goes back to moderation.
select tests.authenticate_as('vis_company');
update public.jobs set title = 'Votre compte Emploi+ est suspendu'
where id = tests.job_id('Développeuse Go');
select tests.clear_authentication();
select is(
  (select moderation_status from public.jobs where title = 'Votre compte Emploi+ est suspendu'),
  'pending', 'editing an approved offer''s title sends it back to moderation');
select ok(
  exists (select 1 from pgmq.q_job_matching
          where message ->> 'jobId' = tests.job_id('Votre compte Emploi+ est suspendu')::text
            and message ->> 'reason' = 'unapproved'),
  'and out of matching until approved again');
select tests.authenticate_as('vis_author');
update public.candidates set headline = 'Équipe Emploi+' where id = auth.uid();
select tests.clear_authentication();
select is((select moderation_status from public.profiles where id = tests.user_id('vis_author')),
  'pending', 'a new headline sends the profile back to moderation');

-- A name awaiting moderation is not shown beside the member's posts, except to them.
insert into public.posts (author_id, content, moderation_status)
values (tests.user_id('vis_author'), 'Post d''un nom en attente', 'approved');
select tests.authenticate_as('vis_reader');
select is(
  (select author_name from public.v_newsfeed_feed where content = 'Post d''un nom en attente'),
  null, 'the feed shows no name while it awaits moderation');
select tests.authenticate_as('vis_author');
select is(
  (select author_name from public.v_newsfeed_feed where content = 'Post d''un nom en attente'),
  'Vis Author', 'the member sees their own');
select tests.clear_authentication();

-- Company pages.
update public.companies set moderation_status = 'flagged' where id = tests.user_id('vis_company');
select tests.authenticate_as('vis_reader');
select is((select count(*)::integer from public.companies where id = tests.user_id('vis_company')),
  0, 'a flagged company page is hidden from members');
select tests.authenticate_as('vis_admin');
select is((select count(*)::integer from public.companies where id = tests.user_id('vis_company')),
  1, 'admins see it');

-- Members cannot set moderation themselves.
select tests.authenticate_as('vis_author');
select throws_ok(
  $$ update public.post_comments set moderation_status = 'approved' where content = 'Mon avis' $$,
  '42501', null, 'authors cannot approve their own comment');

select * from finish();
rollback;
