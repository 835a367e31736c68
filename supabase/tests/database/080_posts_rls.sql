-- posts: signed-in members read approved, unflagged posts; authors see their own whatever the
-- moderation says; admins see all and moderate. Authors edit their text (which sends the post
-- back to moderation); only admins (or the moderation pipeline) moderate and pin.
-- World: 'A1 approved', 'A2 pending' (candidate_a); 'B1 flagged' (candidate_b);
--        'C1 approved' (company_a).
begin;
select plan(40);
select tests.create_world();

create function pg_temp.set_post(p_content text, p_assignments text) returns text
language sql as $$
  select format('update public.posts set %s where id = %L', p_assignments, tests.post_id(p_content))
$$;

-- SELECT
select tests.outcome_as('anon', 'select 1 from public.posts', '42501',
  'a visitor cannot read posts');
select tests.results_as(actor,
  'select content from public.posts where author_id = any (tests.persona_ids())', seen,
  description)
from (values
  ('candidate_a', array['A1 approved', 'A2 pending', 'C1 approved'],
    'candidate A reads approved posts and her own pending one'),
  ('candidate_b', array['A1 approved', 'C1 approved', 'B1 flagged'],
    'candidate B reads approved posts and his own flagged one'),
  ('company_a', array['A1 approved', 'C1 approved'], 'company A reads approved, unflagged posts'),
  ('company_b', array['A1 approved', 'C1 approved'], 'company B reads approved, unflagged posts'),
  ('admin', array['A1 approved', 'A2 pending', 'B1 flagged', 'C1 approved'],
    'the admin reads every post'),
  ('service_role', array['A1 approved', 'A2 pending', 'B1 flagged', 'C1 approved'],
    'the service role reads every post')
) as expected (actor, seen, description);

-- INSERT
select tests.outcome_as(actor, statement, outcome, description)
from (values
  ('anon', $$ insert into public.posts (content) values ('anonyme') $$, '42501',
    'a visitor cannot post'),
  ('candidate_a', $$ insert into public.posts (content) values ('A3 new') $$, '1 row',
    'candidate A posts'),
  ('candidate_a', format('insert into public.posts (author_id, content) values (%L, %L)',
      tests.user_id('candidate_b'), 'usurpé'),
    '42501', 'candidate A cannot post as candidate B'),
  ('candidate_a', $$ insert into public.posts (content, moderation_status)
      values ('pré-approuvé', 'approved') $$,
    '42501', 'candidate A cannot approve her own post'),
  ('candidate_a', $$ insert into public.posts (content, is_pinned) values ('épinglé', true) $$,
    '42501', 'candidate A cannot pin her own post'),
  ('candidate_b', $$ insert into public.posts (content) values ('B2 new') $$, '1 row',
    'candidate B posts'),
  ('company_b', $$ insert into public.posts (content) values ('D1 new') $$, '1 row',
    'company B posts'),
  ('admin', $$ insert into public.posts (content) values ('Admin new') $$, '1 row',
    'the admin posts'),
  ('service_role', format(
      'insert into public.posts (author_id, content, moderation_status) values (%L, %L, %L)',
      tests.user_id('company_a'), 'C2 by service', 'approved'),
    '1 row', 'the service role posts for anyone, already moderated')
) as expected (actor, statement, outcome, description);
select is((select count(*)::int from public.posts
    where content in ('A3 new', 'B2 new', 'D1 new', 'Admin new') and moderation_status = 'pending'),
  4, 'posts by members start pending moderation');

-- UPDATE
select tests.outcome_as(actor, pg_temp.set_post(post, assignments), outcome, description)
from (values
  ('anon', 'A1 approved', 'content = ''piraté''', '42501', 'a visitor cannot edit a post'),
  ('candidate_a', 'A1 approved', 'content = ''A1 edited''', '1 row', 'candidate A edits her post'),
  ('candidate_a', 'C1 approved', 'content = ''piraté''', '0 rows',
    'candidate A cannot edit company A''s post'),
  ('candidate_a', 'A2 pending', 'moderation_status = ''approved''',
    '42501: only an admin moderates or pins a post', 'candidate A cannot approve her pending post'),
  ('candidate_a', 'A2 pending', 'is_pinned = true', '42501: only an admin moderates or pins a post',
    'candidate A cannot pin her post'),
  ('candidate_a', 'A2 pending', 'reaction_count = 1000', '42501',
    'candidate A cannot inflate her reaction count'),
  ('candidate_b', 'A2 pending', 'content = ''piraté''', '0 rows',
    'candidate B cannot edit candidate A''s post'),
  ('candidate_b', 'B1 flagged', 'is_flagged = false',
    '42501: only an admin moderates or pins a post', 'candidate B cannot unflag his own post'),
  ('company_a', 'C1 approved', 'links = ''{https://acme.fr}''', '1 row',
    'company A edits its post'),
  ('company_b', 'C1 approved', 'content = ''piraté''', '0 rows',
    'company B cannot edit company A''s post'),
  ('admin', 'A2 pending', 'moderation_status = ''approved''', '1 row',
    'the admin approves a pending post'),
  ('admin', 'A2 pending', 'content = ''censuré''',
    '42501: only the author edits the text of a post', 'the admin cannot rewrite someone''s post'),
  ('admin', 'C1 approved', 'is_flagged = true, flag_reason = ''hors sujet''', '1 row',
    'the admin flags a post'),
  ('admin', 'C2 by service', 'is_pinned = true', '1 row', 'the admin pins a post'),
  ('service_role', 'B1 flagged',
    'moderation_status = ''approved'', is_flagged = false, flag_reason = null', '1 row',
    'the moderation pipeline (service role) moderates any post')
) as expected (actor, post, assignments, outcome, description);
select is((select (moderation_status, moderated_at is null)::text from public.posts
    where id = tests.post_id('A1 edited')),
  '(pending,t)', 'an edited post goes back to moderation');
select ok((select moderated_at is not null from public.posts
    where id = tests.post_id('A2 pending')),
  'moderating a post stamps moderated_at');

-- DELETE
select tests.outcome_as(actor,
  format('delete from public.posts where id = %L', tests.post_id(post)), outcome, description)
from (values
  ('anon', 'A2 pending', '42501', 'a visitor cannot delete a post'),
  ('candidate_b', 'A2 pending', '0 rows', 'candidate B cannot delete candidate A''s post'),
  ('company_b', 'C2 by service', '0 rows', 'company B cannot delete company A''s post'),
  ('candidate_a', 'A2 pending', '1 row', 'candidate A deletes her post'),
  ('admin', 'C1 approved', '1 row', 'the admin deletes any post'),
  ('service_role', 'B1 flagged', '1 row', 'the service role deletes any post')
) as expected (actor, post, outcome, description);

select * from finish();
rollback;
