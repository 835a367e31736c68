-- activity_logs: each member reads their own engagement events; nobody writes them directly
-- (the scoring RPCs and triggers do, as security definer); the service role does everything.
-- World: candidate_a liked 'C1 approved' (5 points); candidate_b viewed 'A1 approved' (1 point).
begin;
select plan(30);
select tests.create_world();

create function pg_temp.visible_activity() returns setof text
language sql as $$
  select tests.name_of(user_id) || ' ' || action || ' ' || points
  from public.activity_logs where user_id = any (tests.persona_ids())
$$;
-- A member's activity, written directly: logged (a like), inflated or erased.
create function pg_temp.write(p_kind text, p_user text) returns text
language sql as $$
  select format(case p_kind
      when 'log' then
        'insert into public.activity_logs (user_id, action, points) values (%L, ''like'', 5)'
      when 'inflate' then 'update public.activity_logs set points = 100 where user_id = %L'
      when 'erase' then 'delete from public.activity_logs where user_id = %L'
    end, tests.user_id(p_user))
$$;

-- SELECT
select tests.outcome_as('anon', 'select 1 from public.activity_logs', '42501',
  'a visitor cannot read activity');
select tests.results_as(actor, 'select * from pg_temp.visible_activity()', seen, description)
from (values
  ('candidate_a', array['candidate_a like 5.0'], 'candidate A reads her own activity only'),
  ('candidate_b', array['candidate_b view 1.0'], 'candidate B reads his own activity only'),
  ('company_a', '{}', 'company A reads no one''s activity'),
  ('company_b', '{}', 'company B reads no one''s activity'),
  ('admin', '{}', 'the admin reads no one''s activity'),
  ('service_role', array['candidate_a like 5.0', 'candidate_b view 1.0'],
    'the service role reads all activity')
) as expected (actor, seen, description);

-- INSERT (only through the scoring RPCs), UPDATE, DELETE
select tests.outcome_as(actor, pg_temp.write(kind, member), outcome, description)
from (values
  ('anon', 'log', 'candidate_a', '42501', 'a visitor cannot log activity'),
  ('candidate_a', 'log', 'candidate_a', '42501',
    'candidate A cannot log her own activity directly'),
  ('candidate_b', 'log', 'candidate_a', '42501',
    'candidate B cannot log activity for candidate A'),
  ('company_a', 'log', 'company_a', '42501', 'company A cannot log activity'),
  ('company_b', 'log', 'company_b', '42501', 'company B cannot log activity'),
  ('admin', 'log', 'admin', '42501', 'the admin cannot log activity'),
  ('service_role', 'log', 'company_b', '1 row', 'the service role logs activity'),
  ('anon', 'inflate', 'candidate_a', '42501', 'a visitor cannot change activity'),
  ('candidate_a', 'inflate', 'candidate_a', '42501', 'candidate A cannot inflate her points'),
  ('candidate_b', 'inflate', 'candidate_a', '42501',
    'candidate B cannot change candidate A''s activity'),
  ('company_a', 'inflate', 'candidate_a', '42501', 'company A cannot change activity'),
  ('company_b', 'inflate', 'candidate_b', '42501', 'company B cannot change activity'),
  ('admin', 'inflate', 'candidate_a', '42501', 'the admin cannot change activity'),
  ('service_role', 'inflate', 'company_b', '1 row', 'the service role corrects activity'),
  ('anon', 'erase', 'candidate_a', '42501', 'a visitor cannot delete activity'),
  ('candidate_a', 'erase', 'candidate_a', '42501', 'candidate A cannot delete her activity'),
  ('candidate_b', 'erase', 'candidate_a', '42501',
    'candidate B cannot delete candidate A''s activity'),
  ('company_a', 'erase', 'candidate_a', '42501', 'company A cannot delete activity'),
  ('company_b', 'erase', 'candidate_b', '42501', 'company B cannot delete activity'),
  ('admin', 'erase', 'candidate_a', '42501', 'the admin cannot delete activity'),
  ('service_role', 'erase', 'company_b', '1 row', 'the service role deletes activity')
) as expected (actor, kind, member, outcome, description);
select tests.outcome_as('service_role',
  format('insert into public.activity_logs (user_id, action, points) values (%L, %L, 1)',
    tests.user_id('company_b'), 'hack'),
  '22P02: invalid input value for enum activity_action: "hack"',
  'an action is view, like, comment, share or apply');
select set_eq('select * from pg_temp.visible_activity()',
  array['candidate_a like 5.0', 'candidate_b view 1.0'], 'members changed nothing');

select * from finish();
rollback;
