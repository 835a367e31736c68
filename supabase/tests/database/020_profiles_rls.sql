-- profiles: the public card of every member. Signed-in members read every profile and edit their
-- own name and avatar; visitors read nothing; only the service role creates or deletes a profile
-- (sign-up trigger, account deletion) or changes a role.
begin;
select plan(30);
select tests.create_world();

-- SELECT
select tests.outcome_as('anon', 'select 1 from public.profiles', '42501',
  'a visitor cannot read profiles');
select tests.results_as(actor,
  'select public_name from public.profiles where id = any (tests.persona_ids())',
  array['Candidate A', 'Candidate B', 'Company A', 'Company B', 'Admin'], description)
from (values
  ('candidate_a', 'candidate A reads every profile'),
  ('candidate_b', 'candidate B reads every profile'),
  ('company_a', 'company A reads every profile'),
  ('company_b', 'company B reads every profile'),
  ('admin', 'the admin reads every profile'),
  ('service_role', 'the service role reads every profile')
) as expected (actor, description);

-- INSERT: profiles come from the sign-up trigger only.
insert into auth.users (id, email) values ('00000000-0000-4000-8000-000000000001', 'late@test.emploi.fr');
delete from public.profiles where id = '00000000-0000-4000-8000-000000000001';
select tests.outcome_as(actor,
  format('insert into public.profiles (id, full_name) values (%L, %L)',
    '00000000-0000-4000-8000-000000000001', name),
  outcome, description)
from (values
  ('anon', 'Intrus', '42501', 'a visitor cannot create a profile'),
  ('candidate_a', 'Intrus', '42501', 'candidate A cannot create a profile'),
  ('company_a', 'Intrus', '42501', 'company A cannot create a profile'),
  ('admin', 'Intrus', '42501', 'the admin cannot create a profile'),
  ('service_role', 'Retard', '1 row', 'the service role can create a profile')
) as expected (actor, name, outcome, description);

-- UPDATE: one's own name and avatar only.
select tests.outcome_as(actor,
  format('update public.profiles set full_name = %L where id = %L', name, tests.user_id(member)),
  outcome, description)
from (values
  ('anon', 'candidate_a', 'Pirate', '42501', 'a visitor cannot edit a profile'),
  ('candidate_a', 'candidate_a', 'Alice', '1 row', 'candidate A edits her own profile'),
  ('candidate_a', 'candidate_b', 'Pirate', '0 rows',
    'candidate A cannot edit candidate B''s profile'),
  ('candidate_a', 'company_a', 'Pirate', '0 rows', 'candidate A cannot edit company A''s profile'),
  ('candidate_b', 'candidate_b', 'Bruno', '1 row', 'candidate B edits his own profile'),
  ('candidate_b', 'candidate_a', 'Pirate', '0 rows',
    'candidate B cannot edit candidate A''s profile'),
  ('company_a', 'company_a', 'Acme RH', '1 row', 'company A edits its own profile'),
  ('company_a', 'candidate_a', 'Pirate', '0 rows', 'company A cannot edit a candidate''s profile'),
  ('company_b', 'company_a', 'Pirate', '0 rows', 'company B cannot edit company A''s profile'),
  ('admin', 'candidate_a', 'Pirate', '0 rows', 'the admin cannot edit someone else''s profile'),
  ('service_role', 'candidate_b', 'Bruno B.', '1 row', 'the service role edits any profile')
) as expected (actor, member, name, outcome, description);
select tests.outcome_as('candidate_a',
  format('update public.profiles set avatar_url = %L where id = %L', 'javascript:alert(1)',
    tests.user_id('candidate_a')),
  '23514', 'an avatar must be an http(s) URL');
select set_eq('select full_name from public.profiles where id = any (tests.persona_ids())',
  array['Alice', 'Bruno B.', 'Acme RH', 'Company B', 'Admin'],
  'only the allowed edits happened');

-- DELETE: accounts are deleted through auth.users (service role), never from profiles by users.
select tests.outcome_as(actor, format('delete from public.profiles where id = %L', id), outcome,
  description)
from (values
  ('anon', tests.user_id('candidate_a'), '42501', 'a visitor cannot delete a profile'),
  ('candidate_a', tests.user_id('candidate_a'), '42501',
    'candidate A cannot delete her profile directly'),
  ('company_b', tests.user_id('company_b'), '42501',
    'company B cannot delete its profile directly'),
  ('admin', tests.user_id('candidate_b'), '42501', 'the admin cannot delete a profile'),
  ('service_role', '00000000-0000-4000-8000-000000000001', '1 row',
    'the service role deletes a profile')
) as expected (actor, id, outcome, description);

select * from finish();
rollback;
