-- candidates: a candidate's professional profile is theirs. A company reads it, read-only, once
-- the candidate applied to one of its offers or matched one while open to work; nobody else does.
-- World: candidate_a applied to A's offers and matched B's; candidate_b (not open to work)
-- applied to B's offer and matched A's. The admin account also has a candidates row (admins
-- are promoted candidates) and sees only that one.
begin;
select plan(30);
select tests.create_world();

create function pg_temp.visible_candidates() returns setof uuid
language sql as $$
  select id from public.candidates where id = any (tests.persona_ids())
$$;

-- SELECT
select tests.outcome_as('anon', 'select 1 from public.candidates', '42501',
  'a visitor cannot read candidates');
select tests.results_as(actor, 'select * from pg_temp.visible_candidates()', seen, description)
from (values
  ('candidate_a', array[tests.user_id('candidate_a')], 'candidate A reads only herself'),
  ('candidate_b', array[tests.user_id('candidate_b')], 'candidate B reads only himself'),
  ('company_a', array[tests.user_id('candidate_a')],
    'company A reads its applicant, not the matched candidate who is not open to work'),
  ('company_b', array[tests.user_id('candidate_a'), tests.user_id('candidate_b')],
    'company B reads its applicant and the matched candidate open to work'),
  ('admin', array[tests.user_id('admin')], 'the admin reads no candidate but their own row'),
  ('service_role',
    array[tests.user_id('candidate_a'), tests.user_id('candidate_b'), tests.user_id('admin')],
    'the service role reads every candidate')
) as expected (actor, seen, description);

-- Visibility follows the candidate's availability and applications.
update public.candidates set open_to_work = true where id = tests.user_id('candidate_b');
select tests.results_as('company_a', 'select * from pg_temp.visible_candidates()',
  array[tests.user_id('candidate_a'), tests.user_id('candidate_b')],
  'once open to work, a matched candidate becomes visible to the company');
update public.candidates set open_to_work = false where id = tests.user_id('candidate_b');
delete from public.job_applications where candidate_id = tests.user_id('candidate_b');
select tests.results_as('company_b', 'select * from pg_temp.visible_candidates()',
  array[tests.user_id('candidate_a')],
  'a company no longer reads a candidate who neither applied nor is open to work');

-- INSERT: candidate rows come from sign-up. company_a has a profile but no candidates row.
select tests.outcome_as(actor,
  format('insert into public.candidates (id) values (%L)', tests.user_id('company_a')), outcome,
  description)
from (values
  ('anon', '42501', 'a visitor cannot create a candidate'),
  ('candidate_a', '42501', 'candidate A cannot create a candidate'),
  ('company_a', '42501', 'company A cannot make itself a candidate'),
  ('company_b', '42501', 'company B cannot create a candidate'),
  ('admin', '42501', 'the admin cannot create a candidate'),
  ('service_role', '1 row', 'the service role creates a candidate')
) as expected (actor, outcome, description);

-- UPDATE (the headline names the role that wrote it)
select tests.outcome_as(actor,
  format('update public.candidates set headline = ''Titre de '' || current_user where id = %L',
    tests.user_id(candidate)),
  outcome, description)
from (values
  ('anon', 'candidate_a', '42501', 'a visitor cannot edit a candidate'),
  ('candidate_a', 'candidate_a', '1 row', 'candidate A edits her own profile'),
  ('candidate_a', 'candidate_b', '0 rows', 'candidate A cannot edit candidate B'),
  ('candidate_b', 'candidate_a', '0 rows', 'candidate B cannot edit candidate A'),
  ('company_a', 'candidate_a', '0 rows', 'company A reads its applicant but cannot edit her'),
  ('company_b', 'candidate_a', '0 rows', 'company B cannot edit a matched candidate'),
  ('admin', 'candidate_a', '0 rows', 'the admin cannot edit a candidate'),
  ('service_role', 'candidate_b', '1 row', 'the service role edits any candidate')
) as expected (actor, candidate, outcome, description);
select tests.outcome_as('candidate_a',
  format('update public.candidates set match_threshold = 101 where id = %L',
    tests.user_id('candidate_a')),
  '23514', 'the match threshold stays within 0-100');
select set_eq($$ select headline from public.candidates where headline is not null
    and id = any (tests.persona_ids()) $$,
  array['Titre de authenticated', 'Titre de service_role'], 'only the allowed edits happened');

-- DELETE
select tests.outcome_as(actor,
  format('delete from public.candidates where id = %L', tests.user_id(candidate)), outcome,
  description)
from (values
  ('anon', 'candidate_a', '42501', 'a visitor cannot delete a candidate'),
  ('candidate_a', 'candidate_a', '42501',
    'candidate A cannot delete her candidate row (she deletes her account)'),
  ('company_a', 'candidate_a', '42501', 'company A cannot delete a candidate'),
  ('admin', 'candidate_b', '42501', 'the admin cannot delete a candidate'),
  ('service_role', 'company_a', '1 row', 'the service role deletes a candidate')
) as expected (actor, candidate, outcome, description);

select * from finish();
rollback;
