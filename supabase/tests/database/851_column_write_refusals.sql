-- A refused column write names the column (20261201182000_column_write_refusals.sql): a member
-- changing a column of their own row that they may not write gets 42501 naming the column, why,
-- and the columns they may update; the guard keeps the security of the column grants it reads.
-- World: candidate_a applied to 'A published' (company_a's offer).
begin;
select plan(16);
select tests.create_world();

-- The guard: on every table members update, first of the BEFORE UPDATE triggers, and the only
-- way a table-level UPDATE reaches members.
select is_empty(
  $$ select table_class.relname::text
     from pg_class as table_class
     where table_class.relnamespace = 'public'::regnamespace and table_class.relkind = 'r'
       and has_table_privilege('authenticated', table_class.oid, 'update')
       and not exists (
         select from pg_trigger as guard
         where guard.tgrelid = table_class.oid and guard.tgname = '_refuse_unwritable_columns') $$,
  'every table members may update is guarded');
select is_empty(
  $$ select trigger_row.tgrelid::regclass::text
     from pg_trigger as trigger_row
     join pg_trigger as guard
       on guard.tgrelid = trigger_row.tgrelid and guard.tgname = '_refuse_unwritable_columns'
     where not trigger_row.tgisinternal and trigger_row.tgname < guard.tgname
       and trigger_row.tgtype & 2 = 2 and trigger_row.tgtype & 16 = 16 $$,
  'the guard fires before every other BEFORE UPDATE trigger of its table');
select is_empty(
  $$ select guard.tgrelid::regclass::text
     from pg_trigger as guard
     where guard.tgname = '_refuse_unwritable_columns'
       and (select array_agg(attribute.attname::text order by attribute.attnum)
            from pg_attribute as attribute
            where attribute.attrelid = guard.tgrelid and attribute.attnum > 0
              and not attribute.attisdropped
              and (attribute.attgenerated <> '' or exists (
                select from aclexplode(attribute.attacl) as grant_entry
                where grant_entry.grantee = 'authenticated'::regrole
                  and grant_entry.privilege_type = 'UPDATE')))
         is distinct from array(
           select argument[1]
           from regexp_matches(pg_get_triggerdef(guard.oid), '''([^'']*)''', 'g') as argument) $$,
  'each guard leaves alone exactly its table''s UPDATE-granted and generated columns '
  '(after a grant changes: select private.guard_member_updates(<table>))');

create function pg_temp.refusal(p_statement text) returns text[]
language plpgsql as $$
declare
  message text;
  detail text;
  hint text;
  code text;
begin
  execute p_statement;
  return null;
exception when others then
  get stacked diagnostics code = returned_sqlstate, message = message_text,
    detail = pg_exception_detail, hint = pg_exception_hint;
  return array[code, message, detail, hint];
end;
$$;

select tests.authenticate_as('candidate_a');
select is(
  (pg_temp.refusal($$ update public.profiles set role = 'admin' where id = auth.uid() $$))[1:2],
  array['42501', 'column "role" of table "profiles" is read-only'],
  'promoting oneself is refused, naming the column');
select is(
  (pg_temp.refusal($$ update public.profiles set role = 'admin' where id = auth.uid() $$))[4],
  'Columns you may update: full_name, avatar_url, avatar_path.',
  'the hint lists the columns the member may update');
select matches(
  (pg_temp.refusal(
    $$ update public.profiles set engagement_score = 1000 where id = auth.uid() $$))[3],
  '^Sum of activity points .*maintained by the scoring pipeline only\. It is written by the '
    'platform \(or an admin\), not through the API\.$',
  'the details say why: the column''s comment, and who writes it');
select is(
  (pg_temp.refusal(format(
    $$ update public.profiles set full_name = 'Camille A', engagement_score = 1000 where id = %L $$,
    tests.user_id('candidate_a'))))[2],
  'column "engagement_score" of table "profiles" is read-only',
  'a writable column beside a read-only one does not let the read-only one through');
select is(
  (pg_temp.refusal(
    $$ update public.candidates set match_skills = '{hacked}' where id = auth.uid() $$))[2],
  'column "match_skills" of table "candidates" is read-only',
  'an internal column is refused by name');
select is(
  (pg_temp.refusal(format(
    $$ update public.job_applications set cover_letter = 'Réécrite' where job_id = %L $$,
    tests.job_id('A published'))))[2],
  'column "cover_letter" of table "job_applications" is read-only',
  'a column insertable but not updatable is refused by name');

select results_eq(
  $$ select engagement_score, role::text, full_name from public.get_account() $$,
  $$ select engagement_score, 'candidate', full_name from public.get_account() $$,
  'nothing of the refused updates was written');
select is(
  tests.rows_affected($$ update public.profiles set full_name = 'Camille A.' where id = auth.uid() $$),
  1, 'a writable column is still written');
select is(
  tests.rows_affected($$ update public.profiles set role = 'candidate' where id = auth.uid() $$),
  1, 'a read-only column sent with its current value changes nothing and passes');
select is(
  tests.rows_affected(format($$ update public.profiles set role = 'admin' where id = %L $$,
    tests.user_id('candidate_b'))),
  0, 'another member''s row stays out of reach (row-level security decides first)');

-- The platform's own writes are not guarded.
select tests.authenticate_as_service_role();
select is(
  tests.rows_affected(format($$ update public.profiles set engagement_score = 7 where id = %L $$,
    tests.user_id('candidate_a'))),
  1, 'the service role writes platform columns');
select tests.clear_authentication();
select lives_ok(
  format($$ update public.jobs set matched_candidates_count = 3 where id = %L $$,
    tests.job_id('A published')),
  'the platform''s SQL writes them too');

-- Visitors still have no UPDATE at all.
select tests.authenticate_as_anon();
select throws_ok($$ update public.profiles set full_name = 'x' $$, '42501',
  'permission denied for table profiles', 'visitors update nothing');

select * from finish();
rollback;
