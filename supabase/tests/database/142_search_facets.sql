-- search_jobs_facets counts each facet with every filter but its own (choosing CDI keeps the counts
-- of the other contract types; the city facet ignores the place filters), and the word being typed
-- matches the known words it begins.
set client_min_messages = warning;
begin;
select plan(27);

do $$ begin perform tests.create_user('facets_co', 'company'); end $$;
insert into public.jobs (company_id, title, description, experience_level, location,
  remote_policy, contract_type, status, published_at)
select tests.user_id('facets_co'), title, 'Équipe Quetzal.',
  experience_level::public.experience_level, location, remote_policy::public.remote_policy,
  contract_type::public.contract_type, 'published', now() - days_ago * interval '1 day'
from (values
  ('Développeur Go', 'senior', 'Lyon', 'remote', 'cdi', 1),
  ('Développeur Java', 'mid', 'Paris', 'onsite', 'cdi', 2),
  ('Développeur PHP', 'mid', 'Lyon', 'hybrid', 'cdd', 3),
  ('Développeur stagiaire', 'junior', 'Villeurbanne', 'onsite', 'stage', 4),
  ('Développeur freelance', 'lead', 'Marseille', 'remote', 'freelance', 5),
  ('Data analyst', 'junior', 'Lyon', 'onsite', 'cdi', 6)
) as job(title, experience_level, location, remote_policy, contract_type, days_ago);

create function pg_temp.facet(p_facet text, p_arguments text)
returns table (value text, count bigint)
language plpgsql as $$
begin
  return query execute format('select facets.value, facets.count '
    'from public.search_jobs_facets(%s) as facets where facets.facet = %L '
    'order by facets.value', p_arguments, p_facet);
end;
$$;

select tests.authenticate_as_anon();
select results_eq(
  $$ select count, exact from public.search_jobs_facets(p_query => 'quetzal',
       p_contract_type => 'cdi') where facet = 'total' $$,
  $$ values (3::bigint, true) $$, 'the total applies every filter');
select results_eq(
  $$ select * from pg_temp.facet('contract_type', 'p_query => ''quetzal'', p_contract_type => ''cdi''') $$,
  $$ values ('cdd', 1::bigint), ('cdi', 3), ('freelance', 1), ('stage', 1) $$,
  'choosing CDI keeps the counts of the other contract types');
select results_eq(
  $$ select * from pg_temp.facet('remote_policy', 'p_query => ''quetzal'', p_contract_type => ''cdi''') $$,
  $$ values ('onsite', 2::bigint), ('remote', 1) $$,
  'the other facets count the CDI offers');
select results_eq(
  $$ select * from pg_temp.facet('experience_level', 'p_query => ''quetzal'', p_contract_type => ''cdi''') $$,
  $$ values ('junior', 1::bigint), ('mid', 1), ('senior', 1) $$,
  'the level facet counts the CDI offers');
select results_eq(
  $$ select * from pg_temp.facet('contract_type',
       'p_query => ''quetzal'', p_contract_type => ''cdi'', p_remote_policy => ''onsite''') $$,
  $$ values ('cdi', 2::bigint), ('stage', 1) $$,
  'with two filters, the contract facet counts the on-site offers');
select results_eq(
  $$ select * from pg_temp.facet('remote_policy',
       'p_query => ''quetzal'', p_contract_type => ''cdi'', p_remote_policy => ''onsite''') $$,
  $$ values ('onsite', 2::bigint), ('remote', 1) $$,
  'and the remote facet the CDI offers');
select results_eq(
  $$ select * from pg_temp.facet('contract_type', 'p_query => ''quetzal cdi''') $$,
  $$ values ('cdd', 1::bigint), ('cdi', 3), ('freelance', 1), ('stage', 1) $$,
  'a contract word of the text is the contract filter, left out of its own facet too');
select results_eq(
  $$ select * from pg_temp.facet('city', 'p_query => ''quetzal'', p_location => ''Lyon'', p_radius_km => 20') $$,
  $$ values ('lyon', 3::bigint), ('marseille', 1), ('paris', 1), ('villeurbanne', 1) $$,
  'the city facet ignores the place filters');
select results_eq(
  $$ select * from pg_temp.facet('contract_type', 'p_query => ''quetzal'', p_location => ''Lyon'', p_radius_km => 20') $$,
  $$ values ('cdd', 1::bigint), ('cdi', 2), ('stage', 1) $$,
  'the other facets count the offers of the place');
select results_eq(
  $$ select * from pg_temp.facet('city', 'p_query => ''quetzal'', p_departement => ''69'', p_contract_type => ''cdi''') $$,
  $$ values ('lyon', 2::bigint), ('paris', 1) $$,
  'the city facet keeps the other filters');

-- The search without its contract filter, read whole, gives the search's own counts as well; read
-- in part (more matches than it counts exactly), it gives estimates and the search is read apart.
select tests.clear_authentication();
select results_eq(
  $$ select matched, exact from private.search_matches(private.search_criteria('quetzal', null,
       null, null, null, null, null, null, null, null, null, null), 2) $$,
  $$ values (3, false) $$,
  'a search with more matches than it counts exactly reads one more and says it estimates');
select results_eq(
  $$ select counts.facet, counts.value, counts.count, counts.exact
     from private.search_matches(private.search_criteria('quetzal', null, null, null, null, null,
       'cdi', null, null, null, null, null)) as matches
     cross join private.search_facet_counts(array['remote_policy', 'experience_level'],
       matches.groups, matches.matched, matches.total, matches.exact) as counts
     order by 1, 2 $$,
  $$ select facets.facet, facets.value, facets.count, facets.exact
     from public.search_jobs_facets(p_query => 'quetzal', p_contract_type => 'cdi') as facets
     where facets.facet in ('remote_policy', 'experience_level') order by 1, 2 $$,
  'the counts taken from the search without its contract filter are the search''s own');
select is(
  (select sum(counts.count)::integer from private.search_facet_counts(array['contract_type'],
     array[row('contract:cdi', 'remote:onsite', 'level:none', 'city:lyon', 30),
       row('contract:cdd', 'remote:onsite', 'level:none', 'city:lyon', 10)]
       ::private.search_facet_group[], 40, 400, false) as counts),
  400, 'estimated counts scale the shares of the matches read to the estimated total');
-- The search's own matches from its facet's: every one of them, or a sample when the search
-- would only be sampled too.
create function pg_temp.derived(p_exact boolean, p_estimate double precision,
  p_cdi_hits integer default 30)
returns text
language sql as $$
  select row(derived.*)::text
  from private.search_derived_matches(
    array[row('contract:cdi', 'remote:onsite', 'level:none', 'city:lyon', p_cdi_hits),
      row('contract:cdd', 'remote:hybrid', 'level:none', 'city:lyon', 70)]
      ::private.search_facet_group[],
    p_exact, 'contract_type',
    private.search_criteria(null, null, null, null, null, null, 'cdi', null, null, null, null,
      null),
    p_estimate) as derived;
$$;
select is(pg_temp.derived(true, null),
  '(30,"{""(contract:cdi,remote:onsite,level:none,city:lyon,30)""}",30,t)',
  'the CDI groups of a search read whole are the CDI search, exact');
select is(pg_temp.derived(false, 20000),
  '(30,"{""(contract:cdi,remote:onsite,level:none,city:lyon,30)""}",20000,f)',
  'of a sample, a sample of it, with the planner''s estimate of the CDI search as its total');
select is(pg_temp.derived(false, 5000), '(,,,)',
  'not when the CDI search would be counted exactly: it is then read itself');
select is(pg_temp.derived(false, 20000, 10), '(,,,)',
  'nor when the sample holds too few CDI offers to give shares');

-- As you type: the known words that a beginning begins, else the beginning of any word.
select tests.clear_authentication();
select ok(
  (select text_query.match_query::text like '%''developpeur''%'
     and text_query.match_query::text not like '%:*%'
   from private.search_text('mobile dévelo') as text_query),
  'the beginning of known words matches those words, as whole words');
select tests.authenticate_as_anon();
select is(
  (select count(*)::int from public.search_jobs(p_query => 'quetz')
   where company_id = tests.user_id('facets_co')),
  6, 'the beginning of a word that only descriptions use matches as a prefix');

-- The three ways of reading matches give the same page: the walk (0), the GIN way (null), and the
-- GIN way stopped after p_gin_limit matches, which sorts what it found when it found them all
-- (limit 10) and hands over to the walk otherwise (limit 3). Given the share of offers passing
-- the filters (p_walk_share), a walk with words checks the filters in its index first.
select tests.clear_authentication();
create function pg_temp.page(p_order text, p_gin_limit integer, p_contract_type text default null,
  p_walk_share double precision default null)
returns uuid[]
language sql as $$
  select array_agg(hit.id order by hit.ordinal)
  from private.search_hits(private.search_criteria('quetzal', null, null, null, null, null,
    p_contract_type, null, null, null, null, null), p_order, null, null, 2, 1,
    row(p_gin_limit, p_walk_share)::private.search_way)
    with ordinality as hit (id, published_at, salary_key, rank, score, facet_keys, ordinal);
$$;
select is(pg_temp.page('date', 10), pg_temp.page('date', 0),
  'a GIN read that found every match pages as the walk does');
select is(pg_temp.page('date', 3), pg_temp.page('date', null),
  'a GIN read stopped short hands over to the walk, with the same page');
select is(pg_temp.page('salary', 10), pg_temp.page('salary', 0), 'and so by salary');
-- A walk with words and filters checks the filters in its index and the words on the offers.
select is(pg_temp.page('date', 0, 'cdi', 0.05), pg_temp.page('date', null, 'cdi'),
  'a walk with words and filters pages as the GIN way does');
select is(pg_temp.page('salary', 0, 'cdi', 0.05), pg_temp.page('salary', null, 'cdi'),
  'and so by salary');
select is(cardinality(pg_temp.page('date', 0, 'cdi')), 2, 'the second and third CDI offers');
-- Read whole, the GIN way ranks only the page it keeps, as the walk ranks what it keeps.
create function pg_temp.ranked(p_gin_limit integer)
returns text[]
language sql as $$
  select array_agg(row(hit.id, hit.rank, hit.score)::text order by hit.id)
  from private.search_hits(private.search_criteria('quetzal', null, null, null, null, null, null,
    null, null, null, null, null), 'date', null, null, 3, 0,
    row(p_gin_limit, null)::private.search_way) as hit;
$$;
select is(pg_temp.ranked(null), pg_temp.ranked(0),
  'a GIN read of every match gives its page the ranks and scores the walk gives');
select is((select count(*)::int from private.search_hits(private.search_criteria('quetzal', null,
    null, null, null, null, null, null, null, null, null, null), 'date', null, null, 3, 0,
    row(null, null)::private.search_way) as hit where hit.rank > 0), 3,
  'and those are the words'' ranks, not the zero of the matches collected');

select * from finish();
rollback;
