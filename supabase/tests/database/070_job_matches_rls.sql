-- job_matches: the candidate reads their matches; the company those of its offers, for the
-- candidates it may read (open to work or applicants); nobody but the service role writes them.
-- v_candidate_job_matches: the signed-in candidate's matches on published offers.
-- World: candidate_a x 'A published' 80, candidate_a x 'B published' 65,
--        candidate_b x 'A published' 70 (candidate_b is not open to work).
begin;
select plan(33);
select tests.create_world();

create function pg_temp.visible_matches() returns setof text
language sql as $$
  select tests.name_of(candidate_id) || ' x ' || tests.name_of(job_id) || ' = ' || match_score
  from public.job_matches where candidate_id = any (tests.persona_ids())
$$;
create function pg_temp.insert_match(p_title text, p_candidate text) returns text
language sql as $$
  select format(
    'insert into public.job_matches (job_id, candidate_id, match_score) values (%L, %L, 99)',
    tests.job_id(p_title), tests.user_id(p_candidate))
$$;

-- SELECT
select tests.outcome_as('anon', 'select 1 from public.job_matches', '42501',
  'a visitor cannot read matches');
select tests.results_as(actor, 'select * from pg_temp.visible_matches()', seen, description)
from (values
  ('candidate_a', array['candidate_a x A published = 80', 'candidate_a x B published = 65'],
    'candidate A reads her matches only'),
  ('candidate_b', array['candidate_b x A published = 70'], 'candidate B reads his match only'),
  ('company_a', array['candidate_a x A published = 80'],
    'company A reads the matches of its offer, except the candidate who is not open to work'),
  ('company_b', array['candidate_a x B published = 65'], 'company B reads the match of its offer'),
  ('admin', '{}', 'the admin reads no match'),
  ('service_role', array['candidate_a x A published = 80', 'candidate_a x B published = 65',
      'candidate_b x A published = 70'],
    'the service role reads every match')
) as expected (actor, seen, description);

-- INSERT
select tests.outcome_as(actor, pg_temp.insert_match(title, candidate), outcome, description)
from (values
  ('anon', 'A draft', 'candidate_a', '42501', 'a visitor cannot write a match'),
  ('candidate_a', 'A draft', 'candidate_a', '42501',
    'candidate A cannot match herself with an offer'),
  ('candidate_b', 'B published', 'candidate_b', '42501', 'candidate B cannot write a match'),
  ('company_a', 'A draft', 'candidate_b', '42501', 'company A cannot write a match for its offer'),
  ('company_b', 'B published', 'candidate_b', '42501', 'company B cannot write a match'),
  ('admin', 'A draft', 'candidate_a', '42501', 'the admin cannot write a match'),
  ('service_role', 'A closed', 'candidate_a', '1 row', 'the service role writes a match')
) as expected (actor, title, candidate, outcome, description);
select tests.outcome_as('service_role',
  format('insert into public.job_matches (job_id, candidate_id, match_score) values (%L, %L, 101)',
    tests.job_id('A draft'), tests.user_id('candidate_a')),
  '23514', 'a match score stays within 0-100');

-- UPDATE
select tests.outcome_as(actor, coalesce(statement,
    format('update public.job_matches set match_score = %s', score)),
  outcome, description)
from (values
  ('anon', 100, null, '42501', 'a visitor cannot change a match'),
  ('candidate_a', 100, null, '42501', 'candidate A cannot raise her score'),
  ('candidate_b', 100, null, '42501', 'candidate B cannot change a match'),
  ('company_a', 0, null, '42501', 'company A cannot change a match of its offer'),
  ('company_b', 0, null, '42501', 'company B cannot change a match'),
  ('admin', 0, null, '42501', 'the admin cannot change a match'),
  ('service_role', null, format(
      'update public.job_matches set match_score = 85 where candidate_id = %L and job_id = %L',
      tests.user_id('candidate_a'), tests.job_id('A published')),
    '1 row', 'the service role rescores a match')
) as expected (actor, score, statement, outcome, description);

-- DELETE
select tests.outcome_as(actor, coalesce(statement, 'delete from public.job_matches'), outcome,
  description)
from (values
  ('anon', null, '42501', 'a visitor cannot delete a match'),
  ('candidate_a', null, '42501', 'candidate A cannot delete a match'),
  ('company_a', null, '42501', 'company A cannot delete a match'),
  ('admin', null, '42501', 'the admin cannot delete a match'),
  ('service_role', format('delete from public.job_matches where candidate_id = %L',
      tests.user_id('candidate_b')),
    '1 row', 'the service role removes a stale match')
) as expected (actor, statement, outcome, description);

-- v_candidate_job_matches: the signed-in candidate's matches on published offers.
select is(
  (select reloptions from pg_class where oid = 'public.v_candidate_job_matches'::regclass),
  array['security_invoker=true'], 'v_candidate_job_matches is security_invoker');
select tests.outcome_as('anon', 'select 1 from public.v_candidate_job_matches', '42501',
  'a visitor cannot read v_candidate_job_matches');
select tests.authenticate_as('candidate_a');
select results_eq(
  $$ select title, company_name, match_score, has_applied from public.v_candidate_job_matches
     order by match_score desc $$,
  $$ values ('A published', 'Company A', 85, true), ('B published', 'Company B', 65, false) $$,
  'candidate A sees her matches on published offers, best first, with her applications');
select tests.results_as(actor, 'select 1 from public.v_candidate_job_matches', '{}'::int[],
  description)
from (values
  ('company_a', 'a company has no candidate matches of its own in the view'),
  ('admin', 'the admin sees no match in the view')
) as expected (actor, description);
update public.jobs set status = 'closed' where title = 'B published';
select tests.authenticate_as('candidate_a');
select results_eq($$ select title from public.v_candidate_job_matches $$,
  $$ values ('A published') $$, 'a closed offer leaves the candidate''s matches');

select * from finish();
rollback;
