-- A refused column write names the column. Column privileges cannot: Postgres checks them when
-- the statement starts, before any trigger or policy runs, and reports only
-- `permission denied for table profiles`. So, for UPDATE, the column grants of each table's
-- migration stay the declaration of what members may change, and a guard enforces them:
--
--   * private.guard_member_updates(table) gives authenticated table-level UPDATE, so the
--     statement reaches the row triggers (RLS still decides which rows), and creates the guard
--     with the table's UPDATE-granted (and generated) columns as its arguments;
--   * the guard, a BEFORE UPDATE trigger that fires first, compares the rest of the new row with
--     the old one and refuses any change there: 42501 (HTTP 403) `column "role" of table
--     "profiles" is read-only`, the column's comment as details, the writable columns as hint.
--
-- Deny by default: a column added later is read-only until a migration grants it and calls
-- private.guard_member_updates again. Writing a read-only column with its current value changes
-- nothing and passes. Generated columns are left to Postgres (it refuses writes to them, naming
-- the column). The platform's own roles and security definer functions (current_user is then
-- their owner) are not guarded.
-- INSERT keeps Postgres's column privileges: a BEFORE INSERT trigger cannot tell a value the
-- caller sent from a column default (gen_random_uuid() ids), so it could not refuse the same
-- writes; a refused inserted column answers `permission denied for table …` (errors.md).
-- The guard runs as the caller and reads only pg_catalog (members have no USAGE on private).
-- Cost: bench/column_guard/run.ts.

create function private.refuse_unwritable_columns()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  old_row jsonb;
  new_row jsonb;
  refused record;
begin
  if current_user <> 'authenticated' then
    return new;
  end if;
  -- The arguments name the columns the guard leaves alone (private.guard_member_updates): the
  -- writable ones, and the generated ones (Postgres computes them after this trigger). Without
  -- them the rows must be equal: one expression, no query, for the common update.
  old_row := to_jsonb(old) - tg_argv;
  new_row := to_jsonb(new) - tg_argv;
  if new_row = old_row then
    return new;
  end if;
  select changed.name, attribute.attnum as position
  into refused
  from jsonb_each(new_row) as changed (name, value)
  join pg_catalog.pg_attribute as attribute
    on attribute.attrelid = tg_relid and attribute.attname = changed.name
  where changed.value is distinct from old_row -> changed.name
  order by attribute.attnum
  limit 1;
  raise exception using
    errcode = '42501',
    message = format('column "%s" of table "%s" is read-only', refused.name, tg_table_name),
    detail = concat_ws(' ', col_description(tg_relid, refused.position),
      'It is written by the platform (or an admin), not through the API.'),
    hint = format('Columns you may update: %s.', coalesce((
      select string_agg(attribute.attname::text, ', ' order by attribute.attnum)
      from pg_catalog.pg_attribute as attribute
      where attribute.attrelid = tg_relid and attribute.attname::text = any (tg_argv)
        and attribute.attgenerated = ''
    ), 'none'));
end;
$$;

-- Grants members table-level UPDATE on a table and (re)creates its guard from the table's column
-- grants. A migration that later changes a guarded table's UPDATE grants or adds a generated
-- column calls it again; supabase/tests/database/851_column_write_refusals.sql fails until it does.
-- The guard's name starts with "_" so that it fires before the table's other BEFORE UPDATE
-- triggers, which set columns themselves (updated_at, published_at, moderation_status).
create function private.guard_member_updates(p_table regclass)
returns void
language plpgsql
set search_path = ''
as $$
declare
  unchecked text;
begin
  select string_agg(quote_literal(attribute.attname), ', ' order by attribute.attnum)
  into unchecked
  from pg_catalog.pg_attribute as attribute
  where attribute.attrelid = p_table and attribute.attnum > 0 and not attribute.attisdropped
    and (attribute.attgenerated <> '' or exists (
      select from pg_catalog.aclexplode(attribute.attacl) as grant_entry
      where grant_entry.grantee = 'authenticated'::regrole
        and grant_entry.privilege_type = 'UPDATE'
    ));
  execute format('grant update on table %s to authenticated', p_table);
  execute format('drop trigger if exists _refuse_unwritable_columns on %s', p_table);
  execute format(
    'create trigger _refuse_unwritable_columns before update on %s '
    'for each row execute function private.refuse_unwritable_columns(%s)', p_table, unchecked);
end;
$$;

-- Every table where members update some columns.
select private.guard_member_updates(table_class.oid)
from pg_catalog.pg_class as table_class
where table_class.relnamespace = 'public'::regnamespace and table_class.relkind = 'r'
  and not has_table_privilege('authenticated', table_class.oid, 'update')
  and exists (
    select from pg_catalog.pg_attribute as attribute
    cross join pg_catalog.aclexplode(attribute.attacl) as grant_entry
    where attribute.attrelid = table_class.oid
      and grant_entry.grantee = 'authenticated'::regrole and grant_entry.privilege_type = 'UPDATE'
  );
