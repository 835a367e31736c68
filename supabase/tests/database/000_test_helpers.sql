-- Helpers shared by the pgTAP files of supabase/tests/database, in the spirit of
-- supabase_test_helpers (written for this project):
--
--   tests.create_user(identifier, role)  a user signed up through auth.users, like GoTrue does;
--                                        role 'admin' is then granted as the service role would;
--                                        name and company page approved, as moderation would
--   tests.create_personas()              candidate_a, candidate_b, company_a, company_b, admin
--   tests.user_id(identifier)            the user's id (usable while authenticated as anyone)
--   tests.persona_ids()                  the ids of the five personas
--   tests.name_of(id)                    a readable name for a user, offer or post id
--   tests.job_id(title), tests.post_id(content)  fixture rows by their text (past RLS)
--   tests.authenticate_as(identifier)    act as that signed-in user, as PostgREST does it:
--                                        SET LOCAL ROLE authenticated + request.jwt.claims
--   tests.authenticate_as_id(user_id)    the same, for a user id
--   tests.authenticate_as_anon()         act as a visitor (anon key)
--   tests.authenticate_as_service_role() act as the service role (secret key)
--   tests.clear_authentication()         back to the postgres superuser
--   tests.act_as(actor)                  any of these, by an actor's name: 'anon', 'service_role',
--                                        'postgres' or a persona
--   tests.rows_affected(statement)       run an INSERT/UPDATE/DELETE as the current role and
--                                        return how many rows it touched (0 = filtered by RLS)
--   tests.outcome_as(actor, statement, outcome, description)
--                                        one assertion: the statement, run as the actor, fails
--                                        with the SQLSTATE outcome ('42501', or '42501: message')
--                                        or touches outcome ('1 row')
--   tests.results_as(actor, query, expected, description)
--                                        one assertion: what the actor reads is that set
--   tests.refused_to_everyone_but_the_service_role(statement, action)
--                                        six assertions: the statement fails with 42501 for a
--                                        visitor and for each persona
--   tests.create_world()                 the personas and a small marketplace around them, the
--                                        common fixture of the RLS matrices (described below)
--   tests.direct_key(identifier, identifier)  conversations.direct_key of two test users
--   tests.conversation_id(identifier, identifier)  their direct conversation (past RLS)
--   tests.message_id(n)                  the n-th message id a test sends (sorts last)
--   tests.can_read_topic(actor, topic, extension), tests.can_write_topic(…)
--                                        whether Realtime would let the actor read (write) a
--                                        private topic, probed as the Realtime server does
--   tests.matching_candidate(identifier, skills)  a candidate open to work in Lyon with these
--                                        skills; returns their id
--   tests.set_match_list_sizes(places, alerts)  matching with lists of that many places and that
--                                        many alerts per candidate change (weights unchanged),
--                                        so that a handful of rows fills a list; until rollback
--
-- Identifiers are short names ('candidate_a'); the email is <identifier>@test.emploi.fr.
-- This file commits (no rollback) so that the files after it can use the helpers; it is
-- idempotent. Test files themselves run in a transaction and roll back.

set client_min_messages = warning;
begin;

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- The migrations deny EXECUTE on new functions by default (20261125000500), and that default
-- holds for whatever postgres creates later, test code included. The helpers of this file and
-- the pg_temp functions of each test file are called while acting as an API role: they are
-- granted to PUBLIC as they are created. Product functions (public, private) are left alone.
create or replace function tests.grant_test_function_to_public()
returns event_trigger
language plpgsql
set search_path = ''
as $$
declare
  created record;
begin
  for created in
    select command.objid
    from pg_event_trigger_ddl_commands() as command
    where command.object_type = 'function'
      and (command.schema_name = 'tests' or command.schema_name like 'pg\_temp%')
  loop
    execute format('grant execute on function %s to public', created.objid::regprocedure);
  end loop;
end;
$$;
drop event trigger if exists tests_functions_callable_by_every_role;
create event trigger tests_functions_callable_by_every_role
  on ddl_command_end when tag in ('CREATE FUNCTION')
  execute function tests.grant_test_function_to_public();

create or replace function tests.create_user(p_identifier text, p_role text default 'candidate')
returns uuid
language plpgsql security definer
set search_path = ''
as $$
declare
  user_id uuid := gen_random_uuid();
begin
  insert into auth.users (
    instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
    raw_app_meta_data, raw_user_meta_data, created_at, updated_at
  ) values (
    '00000000-0000-0000-0000-000000000000', user_id, 'authenticated', 'authenticated',
    p_identifier || '@test.emploi.fr', '', now(),
    '{"provider": "email", "providers": ["email"]}',
    jsonb_build_object('role', p_role, 'full_name', initcap(replace(p_identifier, '_', ' '))),
    now(), now()
  );
  if p_role = 'admin' then
    update public.profiles set role = 'admin' where id = user_id;
  end if;
  -- The moderation worker would approve these clean names; pgTAP runs without it.
  update public.profiles set moderation_status = 'approved' where id = user_id;
  update public.companies set moderation_status = 'approved' where id = user_id;
  return user_id;
end;
$$;

create or replace function tests.create_personas()
returns void
language sql security definer
set search_path = ''
as $$
  select tests.create_user('candidate_a', 'candidate');
  select tests.create_user('candidate_b', 'candidate');
  select tests.create_user('company_a', 'company');
  select tests.create_user('company_b', 'company');
  select tests.create_user('admin', 'admin');
$$;

create or replace function tests.persona_ids()
returns uuid[]
language sql stable security definer
set search_path = ''
as $$
  select array_agg(id) from auth.users
  where email in ('candidate_a@test.emploi.fr', 'candidate_b@test.emploi.fr',
    'company_a@test.emploi.fr', 'company_b@test.emploi.fr', 'admin@test.emploi.fr');
$$;

-- A readable name for a fixture id: the identifier of a user, the title of an offer, the
-- content of a post. Reads past RLS, for labelling results only.
create or replace function tests.name_of(p_id uuid)
returns text
language sql stable security definer
set search_path = ''
as $$
  select coalesce(
    (select split_part(email, '@', 1) from auth.users where id = p_id),
    (select title from public.jobs where id = p_id),
    (select content from public.posts where id = p_id),
    p_id::text
  );
$$;

-- Fixture rows by their text, read past RLS so that any caller targets the right row.
create or replace function tests.job_id(p_title text)
returns uuid
language sql stable security definer
set search_path = ''
as $$
  select id from public.jobs where title = p_title;
$$;

create or replace function tests.post_id(p_content text)
returns uuid
language sql stable security definer
set search_path = ''
as $$
  select id from public.posts where content = p_content;
$$;

create or replace function tests.user_id(p_identifier text)
returns uuid
language plpgsql stable security definer
set search_path = ''
as $$
declare
  found_id uuid;
begin
  select id into found_id from auth.users where email = p_identifier || '@test.emploi.fr';
  if found_id is null then
    raise exception 'tests.user_id: no test user %', p_identifier;
  end if;
  return found_id;
end;
$$;

create or replace function tests.matching_candidate(p_identifier text, p_skills text[])
returns uuid
language sql
set search_path = ''
as $$
  select tests.create_user(p_identifier, 'candidate');
  update public.candidates set skills = p_skills, open_to_work = true, location = 'Lyon'
  where id = tests.user_id(p_identifier);
  select tests.user_id(p_identifier);
$$;

-- Redefines private.match_settings (immutable: its values are folded into plans) with the
-- weights and thresholds it has and the sizes given.
create or replace function tests.set_match_list_sizes(p_places integer, p_alerts integer)
returns void
language plpgsql
set search_path = ''
as $$
declare
  settings record;
begin
  select * into settings from private.match_settings();
  execute format(
    $definition$
    create or replace function private.match_settings(
      out required_skills_weight integer, out nice_to_have_skills_weight integer,
      out experience_weight integer, out location_weight integer, out min_score integer,
      out offer_list_size integer, out candidate_list_size integer,
      out max_alerts_per_candidate_change integer)
    language sql immutable set search_path = ''
    as 'select %s, %s, %s, %s, %s, %s, %s, %s'
    $definition$,
    settings.required_skills_weight, settings.nice_to_have_skills_weight,
    settings.experience_weight, settings.location_weight, settings.min_score,
    p_places, p_places, p_alerts);
end;
$$;

-- Acting as someone, as PostgREST does for one request: the role and the JWT claims, set for the
-- rest of the transaction (is_local). Not security definer: Postgres forbids SET ROLE there.
-- Role 'none' is the session's own (postgres), without claims.
create or replace function tests.set_request(p_role text, p_user_id uuid default null)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform set_config('role', p_role, true);
  perform set_config('request.jwt.claims', case p_role
    when 'none' then ''
    when 'authenticated' then
      json_build_object('sub', p_user_id, 'role', p_role, 'aud', p_role)::text
    else json_build_object('role', p_role)::text
  end, true);
end;
$$;

-- Authenticates as one actor of a test matrix: 'anon' (a visitor), 'service_role', 'postgres'
-- (no API role: back to the superuser) or a persona.
create or replace function tests.act_as(p_actor text)
returns void
language sql
set search_path = ''
as $$
  select case p_actor
    when 'anon' then tests.set_request('anon')
    when 'service_role' then tests.set_request('service_role')
    when 'postgres' then tests.set_request('none')
    else tests.set_request('authenticated', tests.user_id(p_actor))
  end;
$$;

-- The names most test files use.
create or replace function tests.authenticate_as_id(p_user_id uuid) returns void
language sql set search_path = '' return tests.set_request('authenticated', p_user_id);
create or replace function tests.authenticate_as(p_identifier text) returns void
language sql set search_path = '' return tests.act_as(p_identifier);
create or replace function tests.authenticate_as_anon() returns void
language sql set search_path = '' return tests.act_as('anon');
create or replace function tests.authenticate_as_service_role() returns void
language sql set search_path = '' return tests.act_as('service_role');
create or replace function tests.clear_authentication() returns void
language sql set search_path = '' return tests.act_as('postgres');

create or replace function tests.rows_affected(p_statement text)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  affected integer;
begin
  execute p_statement;
  get diagnostics affected = row_count;
  return affected;
end;
$$;

-- One cell of an RLS matrix, as one pgTAP assertion: `statement`, run as `actor`, has `outcome`:
-- the SQLSTATE it fails with ('42501': refused by a grant or a policy's check), with its message
-- when `outcome` gives one ('42501: a candidate can only…'), or how many rows it touched
-- ('0 rows': out of every policy's reach, '1 row'). A failure says what it had.
create or replace function tests.outcome_as(
  p_actor text,
  p_statement text,
  p_outcome text,
  p_description text
)
returns text
language plpgsql
set search_path = public, extensions
as $$
declare
  touched integer;
  outcome text;
begin
  perform tests.act_as(p_actor);
  begin
    -- Run here, on the test files' search path, so that errors read as throws_ok's would.
    execute p_statement;
    get diagnostics touched = row_count;
    outcome := touched || case touched when 1 then ' row' else ' rows' end;
  exception when others then
    outcome := case
      when p_outcome like '_____: %' then sqlstate || ': ' || sqlerrm
      else sqlstate
    end;
  end;
  perform tests.clear_authentication();
  return is(outcome, p_outcome, p_description);
end;
$$;

-- What an actor reads, as one pgTAP assertion: the rows of `query` are the set `expected`
-- (set_eq), or there are none (is_empty) when `expected` is empty.
create or replace function tests.results_as(
  p_actor text,
  p_query text,
  p_expected anyarray,
  p_description text
)
returns text
language plpgsql
set search_path = public, extensions
as $$
declare
  assertion text;
begin
  perform tests.act_as(p_actor);
  if cardinality(p_expected) = 0 then
    assertion := is_empty(p_query, p_description);
  else
    assertion := set_eq(p_query, p_expected, p_description);
  end if;
  perform tests.clear_authentication();
  return assertion;
end;
$$;

create or replace function tests.direct_key(p_first text, p_second text)
returns text
language sql stable
set search_path = ''
as $$
  select least(tests.user_id(p_first), tests.user_id(p_second))::text || ':'
    || greatest(tests.user_id(p_first), tests.user_id(p_second))::text;
$$;

-- The direct conversation of two test users, read past RLS.
create or replace function tests.conversation_id(p_first text, p_second text)
returns uuid
language sql stable security definer
set search_path = ''
as $$
  select id from public.conversations where direct_key = tests.direct_key(p_first, p_second);
$$;

-- The n-th message id a test sends: a test's statements share one transaction time, so these
-- ids sort after the random ids of the world's messages and make the sent ones the latest.
create or replace function tests.message_id(p_n integer) returns uuid
language sql immutable set search_path = ''
return ('ffffffff-ffff-4fff-bfff-' || lpad(p_n::text, 12, '0'))::uuid;

-- Probes of a private Realtime topic, as the Realtime server authorizes a channel: a row of the
-- topic inserted by the server and selected back as the actor decides read access; a row
-- inserted as the actor decides write access. Both run with realtime.topic set and leave nothing
-- behind.
create or replace function tests.can_read_topic(
  p_actor text,
  p_topic text,
  p_extension text default 'broadcast'
)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  probe uuid := gen_random_uuid();
  seen boolean;
begin
  perform tests.clear_authentication();
  insert into realtime.messages (id, topic, extension) values (probe, p_topic, p_extension);
  perform tests.act_as(p_actor);
  perform set_config('realtime.topic', p_topic, true);
  select exists (select 1 from realtime.messages where id = probe) into seen;
  perform tests.clear_authentication();
  delete from realtime.messages where id = probe;
  return seen;
end;
$$;

create or replace function tests.can_write_topic(
  p_actor text,
  p_topic text,
  p_extension text default 'broadcast'
)
returns boolean
language plpgsql
set search_path = ''
as $$
declare
  allowed boolean;
begin
  perform tests.act_as(p_actor);
  perform set_config('realtime.topic', p_topic, true);
  begin
    insert into realtime.messages (topic, extension) values (p_topic, p_extension);
    allowed := true;
    raise exception using errcode = 'P0004'; -- undo the probe
  exception
    when insufficient_privilege then allowed := false;
    when assert_failure then null;
  end;
  perform tests.clear_authentication();
  return allowed;
end;
$$;

-- The fixture of the RLS matrices. Rows are named by their text so assertions read plainly.
--   jobs            'A published', 'A draft', 'A closed' (company_a); 'B published' (company_b)
--   applications    candidate_a -> 'A published' (submitted), 'A closed' (reviewing);
--                   candidate_b -> 'B published' (submitted)
--   job_matches     candidate_a x 'A published' 80, candidate_a x 'B published' 65,
--                   candidate_b x 'A published' 70; candidate_b is not open to work
--   posts           'A1 approved', 'A2 pending' (candidate_a); 'B1 flagged' (candidate_b);
--                   'C1 approved' (company_a)
--   post_reactions  candidate_b likes 'A1 approved', candidate_a likes 'C1 approved' and
--                   'B1 flagged' (before it was flagged)
--   post_comments   'B on A1' (candidate_b on 'A1 approved'), 'A on A2' (candidate_a on her
--                   pending post), 'A on B1' (candidate_a on 'B1 flagged')
--   conversations   candidate_a <-> company_a: 'Bonjour A' (company_a), 'Merci' (candidate_a),
--                   one message deleted by candidate_a;
--                   candidate_b <-> company_b, which company_b left: 'Bonjour B' (company_b)
--   notifications   'Offre pour A' (candidate_a, unread), 'Message pour A' (candidate_a, read),
--                   'Offre pour B' (candidate_b, unread)
--   activity_logs   candidate_a like 5 points, candidate_b view 1 point (only these)
create or replace function tests.create_world()
returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  candidate_a uuid;
  candidate_b uuid;
  company_a uuid;
  company_b uuid;
  a_published uuid;
  a_closed uuid;
  b_published uuid;
  conversation_a uuid;
  conversation_b uuid;
begin
  perform tests.create_personas();
  candidate_a := tests.user_id('candidate_a');
  candidate_b := tests.user_id('candidate_b');
  company_a := tests.user_id('company_a');
  company_b := tests.user_id('company_b');

  update public.candidates set skills = '{TypeScript, PostgreSQL}', location = 'Lyon'
  where id = candidate_a;
  update public.candidates set open_to_work = false, skills = '{Java}' where id = candidate_b;

  insert into public.jobs (company_id, title, status) values (company_a, 'A published', 'published')
  returning id into a_published;
  insert into public.jobs (company_id, title, status) values (company_a, 'A draft', 'draft');
  insert into public.jobs (company_id, title, status) values (company_a, 'A closed', 'closed')
  returning id into a_closed;
  insert into public.jobs (company_id, title, status) values (company_b, 'B published', 'published')
  returning id into b_published;

  insert into public.job_applications (job_id, candidate_id, status) values
    (a_published, candidate_a, 'submitted'),
    (a_closed, candidate_a, 'reviewing'),
    (b_published, candidate_b, 'submitted');

  insert into public.job_matches (job_id, candidate_id, match_score) values
    (a_published, candidate_a, 80),
    (b_published, candidate_a, 65),
    (a_published, candidate_b, 70);

  insert into public.posts (author_id, content, moderation_status, is_flagged, flag_reason) values
    (candidate_a, 'A1 approved', 'approved', false, null),
    (candidate_a, 'A2 pending', 'pending', false, null),
    (candidate_b, 'B1 flagged', 'rejected', true, 'spam'),
    (company_a, 'C1 approved', 'approved', false, null);

  insert into public.post_reactions (post_id, user_id, reaction_type)
  select id, candidate_b, 'like'::public.reaction_type from public.posts
  where content = 'A1 approved'
  union all
  select id, candidate_a, 'like' from public.posts where content in ('C1 approved', 'B1 flagged');

  insert into public.post_comments (post_id, author_id, content)
  select id, candidate_b, 'B on A1' from public.posts where content = 'A1 approved'
  union all
  select id, candidate_a, 'A on A2' from public.posts where content = 'A2 pending'
  union all
  select id, candidate_a, 'A on B1' from public.posts where content = 'B1 flagged';

  insert into public.conversations (direct_key) values (tests.direct_key('candidate_a', 'company_a'))
  returning id into conversation_a;
  insert into public.conversations (direct_key) values (tests.direct_key('candidate_b', 'company_b'))
  returning id into conversation_b;
  insert into public.conversation_participants (conversation_id, user_id, left_at) values
    (conversation_a, candidate_a, null),
    (conversation_a, company_a, null),
    (conversation_b, candidate_b, null),
    (conversation_b, company_b, now());
  insert into public.messages (conversation_id, sender_id, body, deleted_at) values
    (conversation_a, company_a, 'Bonjour A', null),
    (conversation_a, candidate_a, 'Merci', null),
    (conversation_a, candidate_a, null, now()),
    (conversation_b, company_b, 'Bonjour B', null);

  insert into public.notifications (user_id, type, title, read_at) values
    (candidate_a, 'job_alert', 'Offre pour A', null),
    (candidate_a, 'message', 'Message pour A', now()),
    (candidate_b, 'job_alert', 'Offre pour B', null);

  -- Exactly these two events, whatever the scoring triggers logged for the rows above.
  delete from public.activity_logs where user_id = any (tests.persona_ids());
  insert into public.activity_logs (user_id, action, target_id, target_type, points)
  select candidate_a, 'like'::public.activity_action, id, 'post'::public.activity_target_type, 5
  from public.posts where content = 'C1 approved'
  union all
  select candidate_b, 'view', id, 'post', 1 from public.posts where content = 'A1 approved';
end;
$$;

-- Six assertions: the statement fails with 42501 (insufficient privilege or row-level security)
-- for a visitor and for each persona.
create or replace function tests.refused_to_everyone_but_the_service_role(
  p_statement text,
  p_action text
)
returns setof text
language sql
set search_path = ''
as $$
  select tests.outcome_as(actor, p_statement, '42501',
    format('%s cannot %s', case actor when 'anon' then 'a visitor' else actor end, p_action))
  from unnest(array['anon', 'candidate_a', 'candidate_b', 'company_a', 'company_b', 'admin'])
    as actor;
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

select plan(7);

select has_function('tests', 'create_user', array['text', 'text'],
  'tests.create_user(identifier, role) exists');
select has_function('tests', 'authenticate_as', array['text'],
  'tests.authenticate_as(identifier) exists');

select lives_ok($$ select tests.create_user('helper_check', 'candidate') $$,
  'create_user signs a user up through auth.users');
select tests.authenticate_as('helper_check');
select is(current_user::text, 'authenticated',
  'authenticate_as switches to the authenticated role');
select is((select auth.uid()), tests.user_id('helper_check'),
  'authenticate_as makes auth.uid() the user''s id');
select tests.authenticate_as_anon();
select is((select auth.uid()), null, 'authenticate_as_anon leaves auth.uid() null');
select tests.clear_authentication();
select is(current_user::text, 'postgres', 'clear_authentication returns to postgres');

select * from finish();

-- The helpers are kept; the check user is not.
delete from auth.users where email = 'helper_check@test.emploi.fr';
commit;
