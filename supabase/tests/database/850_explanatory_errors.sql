-- Errors that explain: a wrong value names the field and the allowed values; the common refusals
-- answer a sentence with details and a hint (what PostgREST returns as message, details, hint).
-- World: candidate_a applied to 'A published'; 'A2 pending' is candidate_a's post awaiting
-- moderation; 'A draft' is company_a's draft.
begin;
select plan(12);
select tests.create_world();

select is_empty(
  $$ select con.conrelid::regclass || ' ' || con.conname
     from pg_constraint as con
     join pg_attribute as attribute
       on attribute.attrelid = con.conrelid and attribute.attnum = con.conkey[1]
     where con.contype = 'c' and con.connamespace = 'public'::regnamespace
       and pg_get_constraintdef(con.oid)
         ~ format('^CHECK \(\(%s = ANY \(ARRAY\[', attribute.attname)
       and con.conname not like attribute.attname || ': %' $$,
  'every check constraint with a list of values is named after its column and the values');

-- Refusals, as whom they refuse.
select tests.outcome_as(actor, statement, outcome, description)
from (values
  ('postgres', $$ insert into public.jobs (company_id, title, experience_level)
      values (tests.user_id('company_a'), 'Niveau inconnu', 'expert') $$,
    '22P02: invalid input value for enum experience_level: "expert"',
    'a wrong value of an enum names its type, named after the field (its values: Constants)'),
  ('postgres', $$ update public.job_applications set status = 'accepted' $$,
    '22P02: invalid input value for enum application_status: "accepted"',
    'a wrong application status names the type of the field'),
  ('candidate_b',
    format('insert into public.post_reactions (post_id) values (%L)', tests.post_id('A2 pending')),
    '42501: this post cannot receive reactions yet',
    'reacting to a post awaiting moderation says why'),
  ('candidate_b', format('insert into public.post_comments (post_id, content) values (%L, %L)',
      tests.post_id('A2 pending'), 'Bravo'),
    '42501: this post cannot receive comments yet',
    'commenting on a post awaiting moderation says why'),
  ('candidate_b',
    format('insert into public.job_applications (job_id) values (%L)', tests.job_id('A draft')),
    '42501: this offer is not open for applications',
    'applying to a draft says the offer is not open'),
  ('candidate_b', $$ insert into public.jobs (title) values ('Offre de candidat') $$,
    '42501: only company accounts post offers', 'a candidate posting an offer is told who may'),
  ('candidate_a',
    format('insert into public.job_applications (job_id) values (%L)', tests.job_id('A published')),
    '23505: you already applied to this offer', 'applying twice says so'),
  ('company_a',
    format('insert into public.job_applications (job_id) values (%L)', tests.job_id('B published')),
    '42501: only candidates apply to offers', 'a company applying is told who may')
) as expected (actor, statement, outcome, description);

select tests.authenticate_as('candidate_a');
create function pg_temp.error_fields(p_statement text) returns text[]
language plpgsql as $$
declare
  detail text;
  hint text;
begin
  execute p_statement;
  return null;
exception when others then
  get stacked diagnostics detail = pg_exception_detail, hint = pg_exception_hint;
  return array[detail, hint];
end;
$$;
select matches(
  (pg_temp.error_fields(format('insert into public.job_applications (job_id) values (%L)',
    tests.job_id('A published'))))[1],
  '^Application [0-9a-f-]{36} is submitted\.$',
  'the details name the existing application and its status');
select is(
  (pg_temp.error_fields(format('insert into public.job_applications (job_id) values (%L)',
    tests.job_id('A published'))))[2],
  'Read or withdraw the existing application instead (status ''withdrawn'').',
  'the hint says what to do');

select tests.authenticate_as_service_role();
select lives_ok(
  format('insert into public.post_reactions (post_id, user_id) values (%L, %L)',
    tests.post_id('A2 pending'), tests.user_id('company_b')),
  'the service role is not held by the explanations');

select * from finish();
rollback;
