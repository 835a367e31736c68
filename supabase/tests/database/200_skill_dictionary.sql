-- The skill dictionary: aliases in French and English resolve to one canonical skill, skills are
-- found in titles and descriptions (not ambiguous words), and offers and candidates keep their
-- canonical skills current.
begin;
select plan(16);

select is(private.canonical_skills(array['ReactJS', 'React.js', 'react js', ' React ']),
  array['react'], 'ReactJS, React.js, "react js" and React are one skill');
select is(private.canonical_skills(array['Postgres', 'PostgreSQL', 'pgsql']),
  array['postgresql'], 'Postgres and pgsql are PostgreSQL');
select is(private.canonical_skills(array['Gestion de projet', 'project management']),
  array['project management'], 'French and English names of a skill meet');
select is(private.canonical_skills(array['Comptabilité', 'comptabilite']),
  array['accounting'], 'accents do not matter');
select is(private.canonical_skills(array['CI/CD', 'ci-cd', 'C++', 'C#', '.NET Core']),
  array['.net', 'c#', 'c++', 'ci cd'], 'punctuation that names skills is kept, separators are not');
select is(private.canonical_skills(array['Go', 'Vue', 'R']),
  array['go', 'r', 'vue.js'], 'ambiguous words name a skill in a skill list');
select is(private.canonical_skills(array['Cobol 85', '', '  ']),
  array['cobol 85'], 'unknown skills are kept under their key, empty ones dropped');

select is(
  private.extract_skills('Développeur React / Node.js (H/F) - Postgres, CI-CD et anglais courant'),
  array['ci cd', 'english', 'node.js', 'postgresql', 'react'],
  'skills are found in running text, multi-word aliases included');
select is(
  private.extract_skills('Go ! Un tableau de bord en vue, C''est le printemps au Spring'),
  '{}'::text[], 'ambiguous words are not taken for skills in running text');
select is(private.extract_skills('Maîtrise de la gestion de la paie et du permis B'),
  array['driving licence', 'payroll'], 'four-word French aliases are found');

select is(private.location_key('Paris 15e'), 'paris', 'arrondissements are dropped');
select is(private.location_key('75011 Paris, France'), 'paris', 'postcodes and countries are dropped');
select is(private.location_key('Saint-Étienne'), 'saint-etienne', 'accents are folded');

-- Rows keep their canonical skills.
select tests.create_user('dictionary_company', 'company');
select tests.create_user('dictionary_candidate', 'candidate');
insert into public.jobs (company_id, title, description, required_skills, nice_to_have_skills)
values (tests.user_id('dictionary_company'), 'Développeur Vue.js', 'Stack : Docker et Postgres.',
  array['TypeScript'], array['Docker', 'GraphQL']);
select results_eq(
  $$ select match_required_skills, match_nice_to_have_skills from public.jobs
     where company_id = tests.user_id('dictionary_company') $$,
  $$ values (array['typescript', 'vue.js'], array['docker', 'graphql', 'postgresql']) $$,
  'an offer''s title adds required skills, its description nice-to-have ones');
update public.jobs set title = 'Développeur Angular'
where company_id = tests.user_id('dictionary_company');
select is(
  (select match_required_skills from public.jobs
   where company_id = tests.user_id('dictionary_company')),
  array['angular', 'typescript'], 'editing the title updates the required skills');
update public.candidates set skills = array['ReactJS', 'Node JS'], location = 'Lyon 3e'
where id = tests.user_id('dictionary_candidate');
select results_eq(
  $$ select match_skills, match_location from public.candidates
     where id = tests.user_id('dictionary_candidate') $$,
  $$ values (array['node.js', 'react'], 'lyon') $$,
  'a candidate''s skills and city are kept canonical');

select * from finish();
rollback;
