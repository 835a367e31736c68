-- post_reactions and post_comments follow their post: whoever reads the post reads its reactions
-- and comments and may add theirs (a member also always reads their own reactions); each member
-- changes and removes their own; admins also remove comments (moderation).
-- posts.reaction_count and comment_count follow.
-- World: reactions candidate_b -> 'A1 approved', candidate_a -> 'C1 approved' and 'B1 flagged';
--        comments 'B on A1', 'A on A2' (on candidate_a's pending post), 'A on B1'.
begin;
select plan(62);
select tests.create_world();

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
create function pg_temp.comment(p_post text, p_content text, p_as text default null) returns text
language sql as $$
  select format(
    'insert into public.post_comments (post_id, author_id, content) values (%L, %s, %L)',
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
select tests.outcome_as('anon', 'select 1 from public.post_reactions', '42501',
  'a visitor cannot read reactions');
select tests.results_as(actor, $$
    select tests.name_of(user_id) || ' ' || reaction_type || ' ' || tests.name_of(post_id)
    from public.post_reactions where user_id = any (tests.persona_ids()) $$,
  seen, description)
from (values
  ('candidate_a',
    array['candidate_b like A1 approved', 'candidate_a like C1 approved',
      'candidate_a like B1 flagged'],
    'candidate A reads the reactions of the posts she reads, and her own'),
  ('candidate_b',
    array['candidate_b like A1 approved', 'candidate_a like C1 approved',
      'candidate_a like B1 flagged'],
    'candidate B also reads the reactions to his flagged post'),
  ('company_a', array['candidate_b like A1 approved', 'candidate_a like C1 approved'],
    'company A reads the reactions of visible posts, not those of a flagged post'),
  ('company_b', array['candidate_b like A1 approved', 'candidate_a like C1 approved'],
    'company B reads the reactions of visible posts'),
  ('admin',
    array['candidate_b like A1 approved', 'candidate_a like C1 approved',
      'candidate_a like B1 flagged'],
    'the admin reads every reaction'),
  ('service_role',
    array['candidate_b like A1 approved', 'candidate_a like C1 approved',
      'candidate_a like B1 flagged'],
    'the service role reads every reaction')
) as expected (actor, seen, description);

-- post_reactions: INSERT
select tests.outcome_as(actor, pg_temp.react(post, on_behalf_of), outcome, description)
from (values
  ('anon', 'A1 approved', 'candidate_b', '42501', 'a visitor cannot react'),
  ('candidate_a', 'A1 approved', null, '1 row', 'candidate A reacts to a post'),
  ('candidate_a', 'A2 pending', null, '1 row', 'candidate A reacts to her own pending post'),
  ('candidate_a', 'C1 approved', 'candidate_b', '42501', 'candidate A cannot react as candidate B'),
  ('candidate_a', 'C1 approved', null, '23505', 'candidate A reacts at most once to a post'),
  ('company_a', 'B1 flagged', null, '42501',
    'company A cannot react to a flagged post it cannot read'),
  ('company_a', 'A2 pending', null, '42501',
    'company A cannot react to a pending post it cannot read'),
  ('company_b', 'C1 approved', null, '1 row', 'company B reacts to a post'),
  ('admin', 'B1 flagged', null, '1 row', 'the admin reacts to any post they read'),
  ('service_role', 'C1 approved', 'company_a', '1 row',
    'the service role records a reaction for anyone')
) as expected (actor, post, on_behalf_of, outcome, description);
select is(pg_temp.counts('A1 approved'), '2 reactions, 1 comments',
  'reaction_count follows new reactions');
select is(pg_temp.counts('C1 approved'), '3 reactions, 0 comments',
  'reaction_count counts every member once');

-- post_reactions: UPDATE (the reaction type)
select tests.outcome_as(actor,
  format('update public.post_reactions set reaction_type = %L where %s', reaction_type,
    pg_temp.reaction_of(member, post)),
  outcome, description)
from (values
  ('anon', 'love', 'candidate_b', 'A1 approved', '42501', 'a visitor cannot change a reaction'),
  ('candidate_b', 'celebrate', 'candidate_b', 'A1 approved', '1 row',
    'candidate B changes his reaction'),
  ('candidate_b', 'angry', 'candidate_b', 'A1 approved',
    '22P02: invalid input value for enum reaction_type: "angry"',
    'a reaction type is one of the known ones'),
  ('candidate_a', 'love', 'candidate_b', 'A1 approved', '0 rows',
    'candidate A cannot change candidate B''s reaction'),
  ('company_a', 'love', 'candidate_a', 'C1 approved', '0 rows',
    'company A cannot change a reaction to its post'),
  ('admin', 'love', 'candidate_b', 'A1 approved', '0 rows',
    'the admin cannot change someone''s reaction'),
  ('service_role', 'support', 'candidate_a', 'C1 approved', '1 row',
    'the service role changes any reaction')
) as expected (actor, reaction_type, member, post, outcome, description);

-- post_reactions: DELETE
select tests.outcome_as(actor,
  format('delete from public.post_reactions where %s', pg_temp.reaction_of(member, post)),
  outcome, description)
from (values
  ('anon', 'candidate_b', 'A1 approved', '42501', 'a visitor cannot remove a reaction'),
  ('candidate_a', 'candidate_b', 'A1 approved', '0 rows',
    'candidate A cannot remove candidate B''s reaction'),
  ('company_b', 'candidate_b', 'A1 approved', '0 rows',
    'company B cannot remove candidate B''s reaction'),
  ('admin', 'candidate_b', 'A1 approved', '0 rows', 'the admin cannot remove someone''s reaction'),
  ('candidate_b', 'candidate_b', 'A1 approved', '1 row', 'candidate B removes his reaction'),
  ('service_role', 'candidate_a', 'C1 approved', '1 row', 'the service role removes any reaction')
) as expected (actor, member, post, outcome, description);
select is(pg_temp.counts('A1 approved'), '1 reactions, 1 comments',
  'reaction_count follows removed reactions');

-- post_comments: SELECT
select tests.outcome_as('anon', 'select 1 from public.post_comments', '42501',
  'a visitor cannot read comments');
select tests.results_as(actor,
  'select content from public.post_comments where author_id = any (tests.persona_ids())', seen,
  description)
from (values
  ('candidate_a', array['B on A1', 'A on A2'],
    'candidate A reads the comments of the posts she reads'),
  ('candidate_b', array['B on A1', 'A on B1'],
    'candidate B reads the comments of the posts he reads, his flagged post included'),
  ('company_a', array['B on A1'], 'company A reads the comments of visible posts'),
  ('company_b', array['B on A1'], 'company B reads the comments of visible posts'),
  ('admin', array['B on A1', 'A on A2', 'A on B1'], 'the admin reads every comment'),
  ('service_role', array['B on A1', 'A on A2', 'A on B1'], 'the service role reads every comment')
) as expected (actor, seen, description);

-- post_comments: INSERT
select tests.outcome_as(actor, pg_temp.comment(post, content, on_behalf_of), outcome,
  description)
from (values
  ('anon', 'A1 approved', 'anonyme', 'candidate_b', '42501', 'a visitor cannot comment'),
  ('candidate_a', 'C1 approved', 'A on C1', null, '1 row', 'candidate A comments a post'),
  ('candidate_a', 'C1 approved', 'usurpé', 'candidate_b', '42501',
    'candidate A cannot comment as candidate B'),
  ('company_a', 'A2 pending', 'C on A2', null, '42501',
    'company A cannot comment a post it cannot read'),
  ('company_a', 'C1 approved', '   ', null, '23514', 'a comment is not blank'),
  ('company_b', 'C1 approved', 'D on C1', null, '1 row', 'company B comments a post'),
  ('admin', 'B1 flagged', 'Admin on B1', null, '1 row', 'the admin comments a post they read'),
  ('service_role', 'C1 approved', 'Service on C1', 'company_a', '1 row',
    'the service role comments for anyone')
) as expected (actor, post, content, on_behalf_of, outcome, description);
select is(pg_temp.counts('C1 approved'), '2 reactions, 3 comments',
  'comment_count follows new comments');

-- post_comments: UPDATE
select tests.outcome_as(actor,
  format('update public.post_comments set content = %L where content = %L', new_content,
    old_content),
  outcome, description)
from (values
  ('anon', 'B on A1', 'piraté', '42501', 'a visitor cannot edit a comment'),
  ('candidate_a', 'B on A1', 'piraté', '0 rows', 'candidate A cannot edit candidate B''s comment'),
  ('candidate_b', 'B on A1', 'B on A1 (edited)', '1 row', 'candidate B edits his comment'),
  ('company_a', 'A on C1', 'piraté', '0 rows', 'company A cannot edit a comment on its post'),
  ('admin', 'A on C1', 'censuré', '0 rows', 'the admin cannot rewrite a comment'),
  ('service_role', 'D on C1', 'D on C1 (edited)', '1 row', 'the service role edits any comment')
) as expected (actor, old_content, new_content, outcome, description);

-- post_comments: DELETE
select tests.outcome_as(actor,
  format('delete from public.post_comments where content = %L', content), outcome, description)
from (values
  ('anon', 'A on C1', '42501', 'a visitor cannot delete a comment'),
  ('company_b', 'A on C1', '0 rows', 'company B cannot delete candidate A''s comment'),
  ('candidate_a', 'B on A1 (edited)', '0 rows',
    'candidate A cannot delete a comment on her post by someone else'),
  ('candidate_a', 'A on C1', '1 row', 'candidate A deletes her comment'),
  ('admin', 'D on C1 (edited)', '1 row', 'the admin deletes any comment'),
  ('service_role', 'Service on C1', '1 row', 'the service role deletes any comment')
) as expected (actor, content, outcome, description);
select is(pg_temp.counts('C1 approved'), '2 reactions, 0 comments',
  'comment_count follows deleted comments');

select * from finish();
rollback;
