-- post_reactions and post_comments follow their post: whoever reads the post reads its reactions
-- and comments and may add theirs (a member also always reads their own reactions); each member
-- changes and removes their own; admins also remove comments (moderation). posts.reaction_count and comment_count follow.
-- World: reactions candidate_b -> 'A1 approved', candidate_a -> 'C1 approved' and 'B1 flagged';
--        comments 'B on A1', 'A on A2' (on candidate_a's pending post), 'A on B1'.
begin;
select plan(62);
select tests.create_world();

create function pg_temp.visible_reactions() returns setof text
language sql as $$
  select tests.name_of(user_id) || ' ' || reaction_type || ' ' || tests.name_of(post_id)
  from public.post_reactions where user_id = any (tests.persona_ids())
$$;
create function pg_temp.react(p_post text, p_as text default null) returns text
language sql as $$
  select format('insert into public.post_reactions (post_id, user_id) values (%L, %s)',
    tests.post_id(p_post),
    case when p_as is null then 'auth.uid()' else quote_literal(tests.user_id(p_as)) end)
$$;
create function pg_temp.reaction_of(p_user text, p_post text) returns text
language sql as $$
  select format('user_id = %L and post_id = %L', tests.user_id(p_user), tests.post_id(p_post))
$$;
create function pg_temp.visible_comments() returns setof text
language sql as $$
  select content from public.post_comments where author_id = any (tests.persona_ids())
$$;
create function pg_temp.comment(p_post text, p_content text, p_as text default null) returns text
language sql as $$
  select format('insert into public.post_comments (post_id, author_id, content) values (%L, %s, %L)',
    tests.post_id(p_post),
    case when p_as is null then 'auth.uid()' else quote_literal(tests.user_id(p_as)) end,
    p_content)
$$;
create function pg_temp.counts(p_post text) returns text
language sql security definer as $$
  select reaction_count || ' reactions, ' || comment_count || ' comments'
  from public.posts where id = tests.post_id(p_post)
$$;

-- post_reactions: SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.post_reactions $$, '42501', null,
  'a visitor cannot read reactions');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_reactions()',
  array['candidate_b like A1 approved', 'candidate_a like C1 approved',
    'candidate_a like B1 flagged'],
  'candidate A reads the reactions of the posts she reads, and her own');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_reactions()',
  array['candidate_b like A1 approved', 'candidate_a like C1 approved',
    'candidate_a like B1 flagged'],
  'candidate B also reads the reactions to his flagged post');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_reactions()',
  array['candidate_b like A1 approved', 'candidate_a like C1 approved'],
  'company A reads the reactions of visible posts, not those of a flagged post');
select tests.authenticate_as('company_b');
select set_eq('select * from pg_temp.visible_reactions()',
  array['candidate_b like A1 approved', 'candidate_a like C1 approved'],
  'company B reads the reactions of visible posts');
select tests.authenticate_as('admin');
select set_eq('select * from pg_temp.visible_reactions()',
  array['candidate_b like A1 approved', 'candidate_a like C1 approved',
    'candidate_a like B1 flagged'], 'the admin reads every reaction');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_reactions()',
  array['candidate_b like A1 approved', 'candidate_a like C1 approved',
    'candidate_a like B1 flagged'], 'the service role reads every reaction');

-- post_reactions: INSERT
select tests.authenticate_as_anon();
select throws_ok(pg_temp.react('A1 approved', 'candidate_b'), '42501', null,
  'a visitor cannot react');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected(pg_temp.react('A1 approved')), 1, 'candidate A reacts to a post');
select is(tests.rows_affected(pg_temp.react('A2 pending')), 1,
  'candidate A reacts to her own pending post');
select throws_ok(pg_temp.react('C1 approved', 'candidate_b'), '42501', null,
  'candidate A cannot react as candidate B');
select throws_ok(pg_temp.react('C1 approved'), '23505', null,
  'candidate A reacts at most once to a post');
select tests.authenticate_as('company_a');
select throws_ok(pg_temp.react('B1 flagged'), '42501', null,
  'company A cannot react to a flagged post it cannot read');
select throws_ok(pg_temp.react('A2 pending'), '42501', null,
  'company A cannot react to a pending post it cannot read');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(pg_temp.react('C1 approved')), 1, 'company B reacts to a post');
select tests.authenticate_as('admin');
select is(tests.rows_affected(pg_temp.react('B1 flagged')), 1,
  'the admin reacts to any post they read');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.react('C1 approved', 'company_a')), 1,
  'the service role records a reaction for anyone');
select tests.clear_authentication();
select is(pg_temp.counts('A1 approved'), '2 reactions, 1 comments',
  'reaction_count follows new reactions');
select is(pg_temp.counts('C1 approved'), '3 reactions, 0 comments',
  'reaction_count counts every member once');

-- post_reactions: UPDATE (the reaction type)
select tests.authenticate_as_anon();
select throws_ok(format('update public.post_reactions set reaction_type = %L where %s', 'love',
    pg_temp.reaction_of('candidate_b', 'A1 approved')),
  '42501', null, 'a visitor cannot change a reaction');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected(format('update public.post_reactions set reaction_type = %L where %s',
    'celebrate', pg_temp.reaction_of('candidate_b', 'A1 approved'))),
  1, 'candidate B changes his reaction');
select throws_ok(format('update public.post_reactions set reaction_type = %L where %s',
    'angry', pg_temp.reaction_of('candidate_b', 'A1 approved')),
  '22P02', 'invalid input value for enum reaction_type: "angry"',
  'a reaction type is one of the known ones');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected(format('update public.post_reactions set reaction_type = %L where %s',
    'love', pg_temp.reaction_of('candidate_b', 'A1 approved'))),
  0, 'candidate A cannot change candidate B''s reaction');
select tests.authenticate_as('company_a');
select is(tests.rows_affected(format('update public.post_reactions set reaction_type = %L where %s',
    'love', pg_temp.reaction_of('candidate_a', 'C1 approved'))),
  0, 'company A cannot change a reaction to its post');
select tests.authenticate_as('admin');
select is(tests.rows_affected(format('update public.post_reactions set reaction_type = %L where %s',
    'love', pg_temp.reaction_of('candidate_b', 'A1 approved'))),
  0, 'the admin cannot change someone''s reaction');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(format('update public.post_reactions set reaction_type = %L where %s',
    'support', pg_temp.reaction_of('candidate_a', 'C1 approved'))),
  1, 'the service role changes any reaction');

-- post_reactions: DELETE
select tests.authenticate_as_anon();
select throws_ok(format('delete from public.post_reactions where %s',
    pg_temp.reaction_of('candidate_b', 'A1 approved')),
  '42501', null, 'a visitor cannot remove a reaction');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected(format('delete from public.post_reactions where %s',
    pg_temp.reaction_of('candidate_b', 'A1 approved'))),
  0, 'candidate A cannot remove candidate B''s reaction');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(format('delete from public.post_reactions where %s',
    pg_temp.reaction_of('candidate_b', 'A1 approved'))),
  0, 'company B cannot remove candidate B''s reaction');
select tests.authenticate_as('admin');
select is(tests.rows_affected(format('delete from public.post_reactions where %s',
    pg_temp.reaction_of('candidate_b', 'A1 approved'))),
  0, 'the admin cannot remove someone''s reaction');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected(format('delete from public.post_reactions where %s',
    pg_temp.reaction_of('candidate_b', 'A1 approved'))),
  1, 'candidate B removes his reaction');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(format('delete from public.post_reactions where %s',
    pg_temp.reaction_of('candidate_a', 'C1 approved'))),
  1, 'the service role removes any reaction');
select tests.clear_authentication();
select is(pg_temp.counts('A1 approved'), '1 reactions, 1 comments',
  'reaction_count follows removed reactions');

-- post_comments: SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.post_comments $$, '42501', null,
  'a visitor cannot read comments');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_comments()', array['B on A1', 'A on A2'],
  'candidate A reads the comments of the posts she reads');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_comments()', array['B on A1', 'A on B1'],
  'candidate B reads the comments of the posts he reads, his flagged post included');
select tests.authenticate_as('company_a');
select set_eq('select * from pg_temp.visible_comments()', array['B on A1'],
  'company A reads the comments of visible posts');
select tests.authenticate_as('company_b');
select set_eq('select * from pg_temp.visible_comments()', array['B on A1'],
  'company B reads the comments of visible posts');
select tests.authenticate_as('admin');
select set_eq('select * from pg_temp.visible_comments()', array['B on A1', 'A on A2', 'A on B1'],
  'the admin reads every comment');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_comments()', array['B on A1', 'A on A2', 'A on B1'],
  'the service role reads every comment');

-- post_comments: INSERT
select tests.authenticate_as_anon();
select throws_ok(pg_temp.comment('A1 approved', 'anonyme', 'candidate_b'), '42501', null,
  'a visitor cannot comment');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected(pg_temp.comment('C1 approved', 'A on C1')), 1,
  'candidate A comments a post');
select throws_ok(pg_temp.comment('C1 approved', 'usurpé', 'candidate_b'), '42501', null,
  'candidate A cannot comment as candidate B');
select tests.authenticate_as('company_a');
select throws_ok(pg_temp.comment('A2 pending', 'C on A2'), '42501', null,
  'company A cannot comment a post it cannot read');
select throws_ok(pg_temp.comment('C1 approved', '   '), '23514', null,
  'a comment is not blank');
select tests.authenticate_as('company_b');
select is(tests.rows_affected(pg_temp.comment('C1 approved', 'D on C1')), 1,
  'company B comments a post');
select tests.authenticate_as('admin');
select is(tests.rows_affected(pg_temp.comment('B1 flagged', 'Admin on B1')), 1,
  'the admin comments a post they read');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.comment('C1 approved', 'Service on C1', 'company_a')), 1,
  'the service role comments for anyone');
select tests.clear_authentication();
select is(pg_temp.counts('C1 approved'), '2 reactions, 3 comments',
  'comment_count follows new comments');

-- post_comments: UPDATE
select tests.authenticate_as_anon();
select throws_ok($$ update public.post_comments set content = 'piraté' where content = 'B on A1' $$,
  '42501', null, 'a visitor cannot edit a comment');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected($$ update public.post_comments set content = 'piraté' where content = 'B on A1' $$),
  0, 'candidate A cannot edit candidate B''s comment');
select tests.authenticate_as('candidate_b');
select is(tests.rows_affected($$ update public.post_comments set content = 'B on A1 (edited)' where content = 'B on A1' $$),
  1, 'candidate B edits his comment');
select tests.authenticate_as('company_a');
select is(tests.rows_affected($$ update public.post_comments set content = 'piraté' where content = 'A on C1' $$),
  0, 'company A cannot edit a comment on its post');
select tests.authenticate_as('admin');
select is(tests.rows_affected($$ update public.post_comments set content = 'censuré' where content = 'A on C1' $$),
  0, 'the admin cannot rewrite a comment');
select tests.authenticate_as_service_role();
select is(tests.rows_affected($$ update public.post_comments set content = 'D on C1 (edited)' where content = 'D on C1' $$),
  1, 'the service role edits any comment');

-- post_comments: DELETE
select tests.authenticate_as_anon();
select throws_ok($$ delete from public.post_comments where content = 'A on C1' $$, '42501', null,
  'a visitor cannot delete a comment');
select tests.authenticate_as('company_b');
select is(tests.rows_affected($$ delete from public.post_comments where content = 'A on C1' $$), 0,
  'company B cannot delete candidate A''s comment');
select tests.authenticate_as('candidate_a');
select is(tests.rows_affected($$ delete from public.post_comments where content = 'B on A1 (edited)' $$),
  0, 'candidate A cannot delete a comment on her post by someone else');
select is(tests.rows_affected($$ delete from public.post_comments where content = 'A on C1' $$), 1,
  'candidate A deletes her comment');
select tests.authenticate_as('admin');
select is(tests.rows_affected($$ delete from public.post_comments where content = 'D on C1 (edited)' $$),
  1, 'the admin deletes any comment');
select tests.authenticate_as_service_role();
select is(tests.rows_affected($$ delete from public.post_comments where content = 'Service on C1' $$),
  1, 'the service role deletes any comment');
select tests.clear_authentication();
select is(pg_temp.counts('C1 approved'), '2 reactions, 0 comments',
  'comment_count follows deleted comments');

select * from finish();
rollback;
