-- Foundations of the Emploi+ data model: a French full-text configuration that folds accents, and
-- the small immutable helpers used by generated columns and indexes (in `private`, closed to the
-- API roles: 20261125000500).

-- French stemming after accent folding: "Développeur", "developpeur" and "DÉVELOPPEUR" index and
-- query the same lexeme. Words with non-ASCII letters first meet the French stop words with their
-- accents ("à", "été", "même"...; unaccented they would not be recognised), then unaccent, then
-- the stemmer. Pure-ASCII words go straight to the stemmer, which drops its own stop words.
create text search dictionary public.french_stop_words (
  template = pg_catalog.simple, stopwords = french, accept = false
);
create text search configuration public.french_unaccent (copy = pg_catalog.french);
alter text search configuration public.french_unaccent
  alter mapping for hword, hword_part, word
  with public.french_stop_words, extensions.unaccent, pg_catalog.french_stem;
comment on text search configuration public.french_unaccent is
  'French stemming with accents folded, used by jobs.search and search_jobs().';

-- Shared by every table with an updated_at column.
create function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

-- The four pure helpers below appear in generated columns and index expressions, which Postgres
-- evaluates with the privileges of whoever writes the row: the API roles may execute them.
--
-- Helpers that a statement calls once, or a trigger once a row, are PL/pgSQL rather than SQL. Every
-- function here sets its search_path, and Postgres never inlines a function with a SET clause; an
-- SQL function that is not inlined is parsed and planned again in each transaction that calls it
-- and runs an executor of its own at each call (0.1 to 2 ms a call: canonical_skills() 2.0 ms,
-- as PL/pgSQL 0.8). PL/pgSQL keeps its plans for the session and evaluates a lone expression
-- without an executor.

-- Lower case without accents, for case- and accent-insensitive comparisons (locations).
-- unaccent() is only STABLE because its dictionary could be reconfigured; this project never does,
-- so the wrapper is declared IMMUTABLE to be usable in indexes.
create function private.fold_text(value text)
returns text
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return (
    select lower(extensions.unaccent('extensions.unaccent'::regdictionary, value))
  );
end;
$$;
grant execute on function private.fold_text(text) to anon, authenticated, service_role;

-- Skill keys: trimmed, lower-cased, de-duplicated and sorted, empty entries dropped.
-- ("React ", "react", "" -> {react}). Matching may normalise further (aliases); search filters
-- compare against these keys.
create function private.normalize_skills(skills text[])
returns text[]
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(distinct lower(btrim(skill)) order by lower(btrim(skill))), '{}')
    from unnest(skills) as skill
    where btrim(skill) <> ''
  );
end;
$$;
grant execute on function private.normalize_skills(text[]) to anon, authenticated, service_role;

-- array_to_string() is STABLE in general (element output functions); for text[] it is immutable.
create function private.skills_text(skills text[])
returns text
language sql immutable parallel safe
set search_path = ''
as $$
  select array_to_string(skills, ' ');
$$;
grant execute on function private.skills_text(text[]) to anon, authenticated, service_role;

-- An enum value's label. Casting an enum to text is only STABLE (a label could be renamed); the
-- labels of this project's enums are the frontend's contract and never renamed, so the wrapper is
-- declared IMMUTABLE to be usable in generated columns (jobs.search_filters).
create function private.enum_label(value anyenum)
returns text
language sql immutable parallel safe
set search_path = ''
as $$
  select value::text;
$$;
grant execute on function private.enum_label(anyenum) to anon, authenticated, service_role;

-- The signed-in caller of an RPC, or 42501 "<rpc>: sign in first" for an anonymous call. For the
-- security definer RPCs (which run as their owner and so may name `private`).
create function private.require_signed_in(p_rpc text)
returns uuid
language plpgsql stable
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
begin
  if caller is null then
    raise exception using errcode = '42501', message = format('%s: sign in first', p_rpc);
  end if;
  return caller;
end;
$$;

-- Platform-voice texts quote what members wrote: in « », bounded, on one line, and with links
-- made unclickable (a dot in a host becomes "[.]"), so that a title such as "Votre compte est
-- suspendu : https://…" is shown as a quotation, never as a working link in our voice.
create function private.quote_member_text(p_text text, p_max_length integer default 80)
returns text
language plpgsql immutable strict parallel safe
set search_path = ''
as $$
begin
  return (
    select '« ' || case
        when char_length(quoted.text) > p_max_length
          then btrim(left(quoted.text, p_max_length - 1)) || '…'
        else quoted.text
      end || ' »'
    from (
      select regexp_replace(
        regexp_replace(btrim(regexp_replace(p_text, '\s+', ' ', 'g')),
          '(https?|ftp)://', '\1[:]//', 'gi'),
        '([[:alnum:]-])\.([[:alpha:]]{2,})', '\1[.]\2', 'g') as text
    ) as quoted
  );
end;
$$;
