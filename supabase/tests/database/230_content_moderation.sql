-- Applying moderation verdicts, for every kind: only to the version that was moderated, never over
-- an admin's decision, once; flagged and rejected items leave what others see and their author is
-- told.
begin;
select plan(24);

select tests.create_user('moderated_author', 'candidate');
select tests.create_user('moderation_reader', 'candidate');
select tests.create_user('moderated_company', 'company');
insert into public.posts (author_id, content, created_at) values
  (tests.user_id('moderated_author'), 'Bonjour à tous', now() - interval '2 days'),
  (tests.user_id('moderated_author'), 'Achetez maintenant', now() - interval '3 minutes'),
  (tests.user_id('moderated_author'), 'ACHETEZ   maintenant ', now() - interval '2 minutes'),
  (tests.user_id('moderated_author'), 'Texte original', now() - interval '1 minute');

create function pg_temp.fingerprint(p_kind text, p_id uuid) returns text
language sql as $$
  select fingerprint from private.moderation_subjects(p_kind, array[p_id])
$$;
create function pg_temp.post_fingerprint(p_content text) returns text
language sql as $$ select pg_temp.fingerprint('post', tests.post_id(p_content)) $$;
-- The worker's verdict on the post of that text, as it reads now.
create function pg_temp.moderate_post(
  p_content text, p_verdict text, p_reason text default null, p_findings jsonb default '[]'
) returns text
language sql as $$
  select private.apply_moderation('post', tests.post_id(p_content),
    pg_temp.post_fingerprint(p_content), p_verdict, p_reason, p_findings)
$$;
create function pg_temp.feed_contents() returns setof text
language sql as $$
  select content from public.v_newsfeed_feed where author_id = tests.user_id('moderated_author')
$$;

-- What the worker reads.
select results_eq(
  $$ select body, moderation_status::text, recent_by_author, tests.name_of(duplicate_of)
     from private.moderation_subjects('post', array[tests.post_id('ACHETEZ   maintenant ')]) $$,
  $$ values ('ACHETEZ   maintenant '::text, 'pending'::text, 1, 'Achetez maintenant'::text) $$,
  'the worker sees the author''s burst and the same text posted before (case and spaces aside)');
select is(
  (select duplicate_of from private.moderation_subjects('post',
    array[tests.post_id('Achetez maintenant')])),
  null, 'the first of two identical posts is not a duplicate');
update public.companies set name = 'Acme Recrutement', website = 'https://acme.example'
where id = tests.user_id('moderated_company');
select results_eq(
  $$ select body, names, links from private.moderation_subjects('company',
       array[tests.user_id('moderated_company')]) $$,
  $$ values ('Acme Recrutement'::text, array['Acme Recrutement'], array['https://acme.example']) $$,
  'a company page is judged on its text, its name (impersonation) and its website');

-- approve
select is(
  pg_temp.moderate_post('Bonjour à tous', 'approve'),
  'applied', 'an approval is applied');
select results_eq(
  $$ select moderation_status::text, is_flagged, flag_reason, moderated_at is not null
     from public.posts where id = tests.post_id('Bonjour à tous') $$,
  $$ values ('approved'::text, false, null::text, true) $$,
  'the approved post is approved, unflagged, with its moderation time');
select is(
  pg_temp.moderate_post('Bonjour à tous', 'approve'),
  'already_moderated', 'a redelivered verdict changes nothing');

-- flag and reject
select is(
  pg_temp.moderate_post('ACHETEZ   maintenant ', 'flag', 'spam: same text posted again',
    '[{"rule": "spam"}]'),
  'applied', 'a flag is applied');
select results_eq(
  $$ select moderation_status::text, is_flagged, flag_reason
     from public.posts where id = tests.post_id('ACHETEZ   maintenant ') $$,
  $$ values ('flagged'::text, true, 'spam: same text posted again'::text) $$,
  'a flagged post waits for an admin, flagged, with the reason');
select is(
  pg_temp.moderate_post('Achetez maintenant', 'reject', 'blocked link: malware.example'),
  'applied', 'a rejection is applied');
select is((select moderation_status from public.posts where id = tests.post_id('Achetez maintenant')),
  'rejected', 'the rejected post is rejected');

select tests.authenticate_as('moderation_reader');
select set_eq('select * from pg_temp.feed_contents()', array['Bonjour à tous'],
  'only the approved post is in the feed');
select tests.clear_authentication();

select is(
  (select message - 'requestId' from pgmq.q_notifications
   where message -> 'data' ->> 'id' = tests.post_id('Achetez maintenant')::text),
  jsonb_build_object(
    'type', 'moderation',
    'title', 'Votre publication a été retirée',
    'body', 'Contraire aux règles de la communauté. Motif : blocked link: malware.example',
    'data', jsonb_build_object('kind', 'post', 'id', tests.post_id('Achetez maintenant'),
      'decision', 'reject'),
    'audience', jsonb_build_object('userIds', jsonb_build_array(tests.user_id('moderated_author'))),
    'dedupeKey', format('moderation:post:%s:%s', tests.post_id('Achetez maintenant'),
      pg_temp.post_fingerprint('Achetez maintenant'))
  ),
  'the author of a rejected post is told why');
select is(
  (select count(*)::integer from pgmq.q_notifications
   where message -> 'data' ->> 'id' = tests.post_id('Bonjour à tous')::text),
  0, 'nobody is told about an approval');
select results_eq(
  $$ select source, decision, reason, findings from public.moderation_decisions
     where target_id = tests.post_id('ACHETEZ   maintenant ') $$,
  $$ values ('engine'::public.moderation_source, 'flag'::public.moderation_decision,
       'spam: same text posted again'::text,
       '[{"rule": "spam"}]'::jsonb) $$,
  'every verdict is audited with the engine''s findings');

-- A verdict on an older version of the text is not applied.
create temporary table old_version as select pg_temp.post_fingerprint('Texte original') as fingerprint;
update public.posts set content = 'Texte modifié' where id = tests.post_id('Texte original');
select is(
  private.apply_moderation('post', tests.post_id('Texte modifié'),
    (select fingerprint from old_version), 'approve'),
  'stale', 'a verdict on a previous version is stale');
select is((select moderation_status from public.posts where id = tests.post_id('Texte modifié')),
  'pending', 'the new version still waits for its own moderation');

-- An admin's decision stands.
update public.posts set moderation_status = 'approved' where id = tests.post_id('Texte modifié');
select is(
  pg_temp.moderate_post('Texte modifié', 'reject', 'profanity'),
  'already_moderated', 'the worker does not overturn an admin');
select is(
  private.apply_moderation('post', gen_random_uuid(), 'x', 'approve'), 'not_found',
  'a deleted post is reported, not an error');
select throws_ok(
  $$ select private.apply_moderation('post', tests.post_id('Texte modifié'), 'x', 'flag') $$,
  '22023', 'a flag or a rejection needs a reason', 'a flag without a reason is refused');
select throws_ok(
  $$ select private.apply_moderation('poster', gen_random_uuid(), 'x', 'approve') $$,
  '22023', 'p_kind: unknown kind ''poster'' (post, comment, job, company, profile or message)',
  'an unknown kind is refused with the allowed kinds');

-- The other kinds go through the same function.
update public.companies set moderation_status = 'pending'
where id = tests.user_id('moderated_company');
select is(
  private.apply_moderation('company', tests.user_id('moderated_company'),
    pg_temp.fingerprint('company', tests.user_id('moderated_company')), 'flag',
    'Nom pouvant se faire passer pour Emploi+ ou son équipe'),
  'applied', 'a company page is flagged like a post');
select results_eq(
  $$ select moderation_status::text, moderation_reason from public.companies
     where id = tests.user_id('moderated_company') $$,
  $$ values ('flagged'::text, 'Nom pouvant se faire passer pour Emploi+ ou son équipe'::text) $$,
  'with its reason');
select is(
  (select message ->> 'title' from pgmq.q_notifications
   where message -> 'data' ->> 'id' = tests.user_id('moderated_company')::text),
  'La page de votre entreprise est en cours de vérification',
  'and the company is told, in words about its page');
select throws_ok(
  $$ select private.apply_moderation('message', gen_random_uuid(), 'x', 'approve') $$,
  '22023', 'p_kind: messages are reviewed by admins only',
  'private messages are never judged automatically');

select * from finish();
rollback;
