-- Columns the platform derives for its own search and matching stay in their tables (the indexes
-- of search_jobs() and the matching statement use them where they are), readable like the rest
-- of the row; their comments say they are internal, so the generated reference marks them and a
-- frontend selects the columns it uses rather than `*`. Moving them out of the exposed tables would
-- move the indexes with them, and column privileges would break `select *` for every client.
do $$
declare
  internal record;
begin
  for internal in
    select attribute.attrelid::regclass as table_name, attribute.attname as column_name,
      regexp_replace(coalesce(col_description(attribute.attrelid, attribute.attnum), ''),
        '^Internal, derived by the platform; subject to change\. ?', '') as explanation
    from pg_attribute as attribute
    where attribute.attrelid in ('public.jobs'::regclass, 'public.candidates'::regclass)
      and not attribute.attisdropped
      and (attribute.attname in ('search', 'skill_keys')
        or (attribute.attname like 'match\_%' and attribute.attname <> 'match_threshold'))
  loop
    execute format('comment on column %s.%I is %L', internal.table_name, internal.column_name,
      btrim(format('Internal, derived by the platform; subject to change. %s',
        internal.explanation)));
  end loop;
end;
$$;
