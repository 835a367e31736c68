-- French job titles as people write them: one normal form for offers and queries.
--
-- private.search_normalize() lowers case, drops inclusive-writing suffixes
-- ("Développeur·se", "ingénieur(e)", "chargé.e.s", "administrateur/rice") and brings feminine
-- forms back to the masculine one ("développeuse", "cheffe", "directrice", "ingénieure",
-- "technicienne", "conseillère", "chargée", "commerciale", "consultante"), so that every spelling
-- of a trade indexes and queries the same words. The same function runs on both sides (jobs.search
-- and the words of a query), so a rule that also touches an unrelated word ("année" -> "anne")
-- changes nothing a search can see. Accents stay: the text search configuration folds them after
-- it has recognised the accented stop words ("à", "été"). Plain SQL on purpose: hosted Supabase accepts no dictionary
-- file, so this cannot be a text search dictionary.

create function private.search_normalize(p_text text)
returns text
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return (
    select regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
      regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
        -- Inclusive suffixes after a middle dot, a dot, a slash or in brackets; a hyphen only before
        -- the long ones ("développeur-euse"), so "Vitry-le-François" keeps its words.
        regexp_replace(regexp_replace(
          lower(coalesce(p_text, '')),
          '([[:alpha:]]{2,})(?:[·•⋅‧∙./]|\()(e|s|es|se|ses|euse|euses|rice|rices|trice|trices|ice|ne|nes|le|les|fe|ffe|ère|ere|ères|eres|te|tes)\)?(?:[·•⋅‧∙.]?s)?(?![[:alnum:]])',
          '\1', 'g'),
          '([[:alpha:]]{2,})-(euse|euses|rice|rices|trice|trices|ffe|ère|ere)(?![[:alnum:]])', '\1',
          'g'),
        -- Feminine forms, each after a stem of at least three letters ("elle", "price" stay).
        '\m([[:alpha:]]{3,})euses?\M', '\1eur', 'g'),
        '\m([[:alpha:]]{3,})rices?\M', '\1eur', 'g'),
        '\m([[:alpha:]]{3,})iennes?\M', '\1ien', 'g'),
        '\m([[:alpha:]]{2,})effes?\M', '\1ef', 'g'),
        '\m([[:alpha:]]{3,})eures?\M', '\1eur', 'g'),
        '\m([[:alpha:]]{3,})[eè]res?\M', '\1er', 'g'),
        '\m([[:alpha:]]{3,})([ée])es?\M', '\1\2', 'g'),
        '\m([[:alpha:]]{3,})ales?\M', '\1al', 'g'),
        '\m([[:alpha:]]{3,})elles?\M', '\1el', 'g'),
        '\m([[:alpha:]]{3,})antes?\M', '\1ant', 'g')
  );
end;
$$;
comment on function private.search_normalize(text) is
  'Lower case, inclusive suffixes dropped, feminine forms to masculine (search).';
-- Called by the generated column below, which runs with the privileges of whoever writes an offer.
grant execute on function private.search_normalize(text) to anon, authenticated, service_role;

-- jobs.search indexes the normal form. Title weighs most, then skills and location ("développeur
-- Lyon"), then the description. (Postgres 15 cannot change a generated expression in place.)
alter table public.jobs drop column search;
alter table public.jobs add column search tsvector not null generated always as (
  setweight(to_tsvector('public.french_unaccent'::regconfig,
    private.search_normalize(title)), 'A')
  || setweight(to_tsvector('public.french_unaccent'::regconfig,
    private.search_normalize(private.skills_text(required_skills || nice_to_have_skills))), 'B')
  || setweight(to_tsvector('public.french_unaccent'::regconfig,
    private.search_normalize(location)), 'B')
  || setweight(to_tsvector('public.french_unaccent'::regconfig,
    private.search_normalize(description)), 'C')
) stored;
comment on column public.jobs.search is
  'Full-text document of the offer (private.search_normalize, French stemming); search_jobs().';
-- (Its index, jobs_search_idx, comes with the filter keys: 20261201160010_search_vocabulary.sql.)
