-- posts: signed-in members read approved, unflagged posts; authors see their own whatever the
-- moderation says; admins see all and moderate. Authors edit their text (which sends the post
-- back to moderation); only admins (or the moderation pipeline) moderate and pin.
-- World: 'A1 approved', 'A2 pending' (candidate_a); 'B1 flagged' (candidate_b);
--        'C1 approved' (company_a).
begin;
select plan(40);
select tests.create_world();

create function pg_temp.visible_posts() returns setof text
language sql as $$
  select content from public.posts where author_id = any (tests.persona_ids())
$$;
create function pg_temp.set_post(p_content text, p_assignments text) returns text
language sql as $$
  select format('update public.posts set %s where id = %L', p_assignments, tests.post_id(p_content))
$$;

-- SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.posts $$, '42501', null, 'a visitor cannot read posts');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_posts()',
  array['A1 approved', 'A2 pending', 'C1 approved'],
  'candidate A reads approved posts and her own pending one');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_posts()',
  array['A1 approved', 'C1 approved', 'B1 flagged'],
  'candidate B reads approved posts and his own flagged one');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_posts()', array['A1 approved', 'C1 approved'],
  'company A reads approved, unflagged posts');
select tests.authenticate_as('company_b');
select set_eq('select * from pg_temp.visible_posts()', array['A1 approved', 'C1 approved'],
  'company B reads approved, unflagged posts');
select tests.authenticate_as('admin');
select set_eq('select * from pg_temp.visible_posts()',
  array['A1 approved', 'A2 pending', 'B1 flagged', 'C1 approved'], 'the admin reads every post');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_posts()',
  array['A1 approved', 'A2 pending', 'B1 flagged', 'C1 approved'],
  'the service role reads every post');

-- INSERT
select tests.authenticate_as_anon();
select throws_ok($$ insert into public.posts (content) values ('anonyme') $$, '42501', null,
  'a visitor cannot post');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected($$ insert into public.posts (content) values ('A3 new') $$), 1,
  'candidate A posts');
select throws_ok(format('insert into public.posts (author_id, content) values (%L, %L)',
    tests.user_id('candidate_b'), 'usurpé'),
  '42501', null, 'candidate A cannot post as candidate B');
select throws_ok($$ insert into public.posts (content, moderation_status) values ('pré-approuvé', 'approved') $$,
  '42501', null, 'candidate A cannot approve her own post');
select throws_ok($$ insert into public.posts (content, is_pinned) values ('épinglé', true) $$,
  '42501', null, 'candidate A cannot pin her own post');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected($$ insert into public.posts (content) values ('B2 new') $$), 1,
  'candidate B posts');
select tests.authenticate_as('company_b');
select is(tests.rows_affected($$ insert into public.posts (content) values ('D1 new') $$), 1,
  'company B posts');
select tests.authenticate_as('admin');
select is(tests.rows_affected($$ insert into public.posts (content) values ('Admin new') $$), 1,
  'the admin posts');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(format(
    'insert into public.posts (author_id, content, moderation_status) values (%L, %L, %L)',
    tests.user_id('company_a'), 'C2 by service', 'approved')),
  1, 'the service role posts for anyone, already moderated');
select tests.clear_authentication();
select is((select count(*)::int from public.posts
    where content in ('A3 new', 'B2 new', 'D1 new', 'Admin new') and moderation_status = 'pending'),
  4, 'posts by members start pending moderation');

-- UPDATE
select tests.authenticate_as_anon();
select throws_ok(pg_temp.set_post('A1 approved', 'content = ''piraté'''), '42501', null,
  'a visitor cannot edit a post');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected(pg_temp.set_post('A1 approved', 'content = ''A1 edited''')), 1,
  'candidate A edits her post');
select is(tests.rows_affected(pg_temp.set_post('C1 approved', 'content = ''piraté''')), 0,
  'candidate A cannot edit company A''s post');
select throws_ok(pg_temp.set_post('A2 pending', 'moderation_status = ''approved'''), '42501',
  'only an admin moderates or pins a post', 'candidate A cannot approve her pending post');
select throws_ok(pg_temp.set_post('A2 pending', 'is_pinned = true'), '42501',
  'only an admin moderates or pins a post', 'candidate A cannot pin her post');
select throws_ok(pg_temp.set_post('A2 pending', 'reaction_count = 1000'), '42501', null,
  'candidate A cannot inflate her reaction count');
select tests.clear_authentication();
select is((select (moderation_status, moderated_at is null)::text from public.posts
    where id = tests.post_id('A1 edited')),
  '(pending,t)', 'an edited post goes back to moderation');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected(pg_temp.set_post('A2 pending', 'content = ''piraté''')), 0,
  'candidate B cannot edit candidate A''s post');
select throws_ok(pg_temp.set_post('B1 flagged', 'is_flagged = false'), '42501',
  'only an admin moderates or pins a post', 'candidate B cannot unflag his own post');
select tests.authenticate_as('company_a');
select is(tests.rows_affected(pg_temp.set_post('C1 approved', 'links = ''{https://acme.fr}''')), 1,
  'company A edits its post');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(pg_temp.set_post('C1 approved', 'content = ''piraté''')), 0,
  'company B cannot edit company A''s post');
select tests.authenticate_as('admin');
select is(tests.rows_affected(pg_temp.set_post('A2 pending', 'moderation_status = ''approved''')), 1,
  'the admin approves a pending post');
select throws_ok(pg_temp.set_post('A2 pending', 'content = ''censuré'''), '42501',
  'only the author edits the text of a post', 'the admin cannot rewrite someone''s post');
select is(tests.rows_affected(pg_temp.set_post('C1 approved',
    'is_flagged = true, flag_reason = ''hors sujet''')), 1, 'the admin flags a post');
select is(tests.rows_affected(pg_temp.set_post('C2 by service', 'is_pinned = true')), 1,
  'the admin pins a post');
select tests.clear_authentication();
select ok((select moderated_at is not null from public.posts where id = tests.post_id('A2 pending')),
  'moderating a post stamps moderated_at');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.set_post('B1 flagged',
    'moderation_status = ''approved'', is_flagged = false, flag_reason = null')), 1,
  'the moderation pipeline (service role) moderates any post');

-- DELETE
select tests.authenticate_as_anon();
select throws_ok(format('delete from public.posts where id = %L', tests.post_id('A2 pending')),
  '42501', null, 'a visitor cannot delete a post');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected(format('delete from public.posts where id = %L',
    tests.post_id('A2 pending'))), 0, 'candidate B cannot delete candidate A''s post');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(format('delete from public.posts where id = %L',
    tests.post_id('C2 by service'))), 0, 'company B cannot delete company A''s post');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected(format('delete from public.posts where id = %L',
    tests.post_id('A2 pending'))), 1, 'candidate A deletes her post');
select tests.authenticate_as('admin');
select is(tests.rows_affected(format('delete from public.posts where id = %L',
    tests.post_id('C1 approved'))), 1, 'the admin deletes any post');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(format('delete from public.posts where id = %L',
    tests.post_id('B1 flagged'))), 1, 'the service role deletes any post');

select * from finish();
rollback;
