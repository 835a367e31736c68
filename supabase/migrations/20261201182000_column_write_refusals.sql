-- A refused column write names the column. Column privileges cannot: Postgres checks them when
-- the statement starts, before any trigger or policy runs, and reports only
-- `permission denied for table profiles`. So, for UPDATE, the column grants of each table's
-- migration stay the declaration of what members may change, and this guard enforces them:
--
--   * authenticated gets table-level UPDATE on the tables where it has column-level UPDATE, so
--     the statement reaches the row triggers (RLS still decides which rows);
--   * a BEFORE UPDATE trigger, the first of the table's (its name sorts first), compares each
--     column of the new row with the old one and refuses any change to a column the caller holds
--     no column-level UPDATE grant for: 42501 (HTTP 403) "column "role" of table "profiles" is
--     read-only", the column's comment as details, the writable columns as hint.
--
-- Deny by default: a column added later is read-only until its migration grants it. Writing a
-- read-only column with its current value changes nothing and passes. Generated columns are left
-- to Postgres (it refuses writes to them, naming the column). The platform's own roles and
-- security definer functions (current_user is then their owner) are not guarded.
-- INSERT keeps Postgres's column privileges: a BEFORE INSERT trigger cannot tell a value the
-- caller sent from a column default (gen_random_uuid() ids), so it could not refuse the same
-- writes; a refused inserted column answers `permission denied for table …` (errors.md).
-- The trigger runs as the caller and reads only pg_catalog (members have no USAGE on private).

create function private.refuse_unwritable_columns()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  new_row jsonb;
  old_row jsonb;
  columns record;
begin
  if current_user <> 'authenticated' then
    return new;
  end if;
  new_row := to_jsonb(new);
  old_row := to_jsonb(old);
  select
    array_agg(column_state.name order by column_state.position)
      filter (where column_state.writable) as writable,
    (array_agg(column_state.name order by column_state.position)
      filter (where column_state.changed and not column_state.writable))[1] as refused,
    (array_agg(column_state.comment order by column_state.position)
      filter (where column_state.changed and not column_state.writable))[1] as refused_comment
  into columns
  from (
    select attribute.attnum as position, attribute.attname::text as name,
      col_description(attribute.attrelid, attribute.attnum) as comment,
      attribute.attgenerated = ''
        and new_row -> attribute.attname::text is distinct from old_row -> attribute.attname::text
        as changed,
      exists (
        select from pg_catalog.aclexplode(attribute.attacl) as grant_entry
        where grant_entry.grantee = current_user::regrole
          and grant_entry.privilege_type = 'UPDATE'
      ) as writable
    from pg_catalog.pg_attribute as attribute
    where attribute.attrelid = tg_relid and attribute.attnum > 0 and not attribute.attisdropped
  ) as column_state;
  if columns.refused is not null then
    raise exception using
      errcode = '42501',
      message = format('column "%s" of table "%s" is read-only', columns.refused, tg_table_name),
      detail = concat_ws(' ', columns.refused_comment,
        'It is written by the platform (or an admin), not through the API.'),
      hint = format('Columns you may update: %s.',
        coalesce(array_to_string(columns.writable, ', '), 'none'));
  end if;
  return new;
end;
$$;

-- Every table where members update some columns: the table-level grant and the guard. Its name
-- starts with "_" so that it fires before the table's other BEFORE UPDATE triggers, which set
-- columns themselves (updated_at, published_at, moderation_status back to pending).
do $$
declare
  guarded record;
begin
  for guarded in
    select distinct table_class.oid::regclass as table_name
    from pg_catalog.pg_class as table_class
    join pg_catalog.pg_attribute as attribute on attribute.attrelid = table_class.oid
    cross join pg_catalog.aclexplode(attribute.attacl) as grant_entry
    where table_class.relnamespace = 'public'::regnamespace and table_class.relkind = 'r'
      and grant_entry.grantee = 'authenticated'::regrole and grant_entry.privilege_type = 'UPDATE'
      and not has_table_privilege('authenticated', table_class.oid, 'update')
  loop
    execute format('grant update on table %s to authenticated', guarded.table_name);
    execute format(
      'create trigger _refuse_unwritable_columns before update on %s '
      'for each row execute function private.refuse_unwritable_columns()', guarded.table_name);
  end loop;
end;
$$;
