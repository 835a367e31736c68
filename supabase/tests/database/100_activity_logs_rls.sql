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
create function pg_temp.log_like(p_user text) returns text
language sql as $$
  select format('insert into public.activity_logs (user_id, action, points) values (%L, %L, 5)',
    tests.user_id(p_user), 'like')
$$;
create function pg_temp.inflate(p_user text) returns text
language sql as $$
  select format('update public.activity_logs set points = 100 where user_id = %L',
    tests.user_id(p_user))
$$;
create function pg_temp.erase(p_user text) returns text
language sql as $$
  select format('delete from public.activity_logs where user_id = %L', tests.user_id(p_user))
$$;

-- SELECT
select tests.authenticate_as_anon();
select throws_ok($$ select 1 from public.activity_logs $$, '42501', null,
  'a visitor cannot read activity');
select tests.authenticate_as('candidate_a');
select set_eq('select * from pg_temp.visible_activity()', array['candidate_a like 5.0'],
  'candidate A reads her own activity only');
select tests.authenticate_as('candidate_b');
select set_eq('select * from pg_temp.visible_activity()', array['candidate_b view 1.0'],
  'candidate B reads his own activity only');
select tests.authenticate_as('company_a');
select is_empty('select * from pg_temp.visible_activity()', 'company A reads no one''s activity');
select tests.authenticate_as('company_b');
select is_empty('select * from pg_temp.visible_activity()', 'company B reads no one''s activity');
select tests.authenticate_as('admin');
select is_empty('select * from pg_temp.visible_activity()', 'the admin reads no one''s activity');
select tests.authenticate_as_service_role();
select set_eq('select * from pg_temp.visible_activity()',
  array['candidate_a like 5.0', 'candidate_b view 1.0'], 'the service role reads all activity');

-- INSERT: only through the scoring RPCs.
select tests.authenticate_as_anon();
select throws_ok(pg_temp.log_like('candidate_a'), '42501', null, 'a visitor cannot log activity');
select tests.authenticate_as('candidate_a');
select throws_ok(pg_temp.log_like('candidate_a'), '42501', null,
  'candidate A cannot log her own activity directly');
select tests.authenticate_as('candidate_b');
select throws_ok(pg_temp.log_like('candidate_a'), '42501', null,
  'candidate B cannot log activity for candidate A');
select tests.authenticate_as('company_a');
select throws_ok(pg_temp.log_like('company_a'), '42501', null, 'company A cannot log activity');
select tests.authenticate_as('company_b');
select throws_ok(pg_temp.log_like('company_b'), '42501', null, 'company B cannot log activity');
select tests.authenticate_as('admin');
select throws_ok(pg_temp.log_like('admin'), '42501', null, 'the admin cannot log activity');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.log_like('company_b')), 1, 'the service role logs activity');
select throws_ok(
  format('insert into public.activity_logs (user_id, action, points) values (%L, %L, 1)',
    tests.user_id('company_b'), 'hack'),
  '22P02', 'invalid input value for enum activity_action: "hack"',
  'an action is view, like, comment, share or apply');

-- UPDATE
select tests.authenticate_as_anon();
select throws_ok(pg_temp.inflate('candidate_a'), '42501', null, 'a visitor cannot change activity');
select tests.authenticate_as('candidate_a');
select throws_ok(pg_temp.inflate('candidate_a'), '42501', null,
  'candidate A cannot inflate her points');
select tests.authenticate_as('candidate_b');
select throws_ok(pg_temp.inflate('candidate_a'), '42501', null,
  'candidate B cannot change candidate A''s activity');
select tests.authenticate_as('company_a');
select throws_ok(pg_temp.inflate('candidate_a'), '42501', null, 'company A cannot change activity');
select tests.authenticate_as('company_b');
select throws_ok(pg_temp.inflate('candidate_b'), '42501', null, 'company B cannot change activity');
select tests.authenticate_as('admin');
select throws_ok(pg_temp.inflate('candidate_a'), '42501', null, 'the admin cannot change activity');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.inflate('company_b')), 1,
  'the service role corrects activity');

-- DELETE
select tests.authenticate_as_anon();
select throws_ok(pg_temp.erase('candidate_a'), '42501', null, 'a visitor cannot delete activity');
select tests.authenticate_as('candidate_a');
select throws_ok(pg_temp.erase('candidate_a'), '42501', null,
  'candidate A cannot delete her activity');
select tests.authenticate_as('candidate_b');
select throws_ok(pg_temp.erase('candidate_a'), '42501', null,
  'candidate B cannot delete candidate A''s activity');
select tests.authenticate_as('company_a');
select throws_ok(pg_temp.erase('candidate_a'), '42501', null, 'company A cannot delete activity');
select tests.authenticate_as('company_b');
select throws_ok(pg_temp.erase('candidate_b'), '42501', null, 'company B cannot delete activity');
select tests.authenticate_as('admin');
select throws_ok(pg_temp.erase('candidate_a'), '42501', null, 'the admin cannot delete activity');
select tests.authenticate_as_service_role();
select is(tests.rows_affected(pg_temp.erase('company_b')), 1, 'the service role deletes activity');
select tests.clear_authentication();
select set_eq('select * from pg_temp.visible_activity()',
  array['candidate_a like 5.0', 'candidate_b view 1.0'], 'members changed nothing');

select * from finish();
rollback;
