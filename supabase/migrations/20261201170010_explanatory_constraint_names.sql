-- Lists of values a frontend writes are enums (named after their field: a wrong value answers
-- `22P02 invalid input value for enum experience_level`). A column of the public schema that keeps
-- a check with a list of allowed values (none does today; the rule holds for those that come)
-- answers, through PostgREST,
--   23514 new row for relation "t" violates check constraint "<column>: a | b | c"
-- so the message names the field and the values. Postgres reports a check violation by the
-- constraint's name only (no hint, and the details are the failing row), so the name carries the
-- explanation. Every such constraint of the public schema is renamed from its own definition
-- (`<column> = ANY (ARRAY[…])`), whoever created it; values are separated by " | ", or by "|"
-- when that is what fits in a name (63 bytes); a longer list keeps its name. supabase/tests/database/850_explanatory_errors.sql holds new constraints to the rule.

do $$
declare
  constraint_row record;
  explanatory_name text;
begin
  for constraint_row in
    select
      con.conrelid::regclass as table_name,
      con.conname,
      attribute.attname as column_name,
      array(
        select value[1]
        from regexp_matches(pg_get_constraintdef(con.oid), '''((?:[^'']|'''')*)''::text', 'g')
          as value
      ) as allowed_values
    from pg_constraint as con
    join pg_attribute as attribute
      on attribute.attrelid = con.conrelid and attribute.attnum = con.conkey[1]
    where con.contype = 'c'
      and con.connamespace = 'public'::regnamespace
      and cardinality(con.conkey) = 1
      and pg_get_constraintdef(con.oid)
        ~ format('^CHECK \(\(%s = ANY \(ARRAY\[''[^]]*\]\)\)\)$', attribute.attname)
  loop
    explanatory_name := format('%s: %s', constraint_row.column_name,
      array_to_string(constraint_row.allowed_values, ' | '));
    if octet_length(explanatory_name) > 63 then
      explanatory_name := replace(explanatory_name, ' | ', '|');
    end if;
    if octet_length(explanatory_name) <= 63 then
      execute format('alter table %s rename constraint %I to %I',
        constraint_row.table_name, constraint_row.conname, explanatory_name);
    end if;
  end loop;
end;
$$;
