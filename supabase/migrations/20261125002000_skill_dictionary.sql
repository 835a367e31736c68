-- The skill dictionary of the matching pipeline: canonical skills and their aliases, in French and
-- English ("ReactJS", "React.js" -> react; "Postgres" -> postgresql; "gestion de projet" ->
-- project management), and the functions that normalise a skill list and find skills in free text
-- (a job's title and description).
--
-- Skill keys: text folded (lower case, no accents) and cut into tokens of letters, digits and
-- "+#." ("C++", "C#", "Node.js", ".NET"), joined by single spaces. Everything else separates tokens,
-- so "CI/CD", "ci-cd" and "CI CD" share the key "ci cd". Aliases are stored by key.

create table private.skills (
  key text primary key,
  label text not null
);
comment on table private.skills is
  'Canonical skills of the matching dictionary (key = canonical skill key, label = display name).';

create table private.skill_aliases (
  alias text primary key,
  skill text not null references private.skills (key) on delete cascade,
  -- Words that are also common words ("go", "vue", "spring", "tableau") name a skill when listed
  -- as one, but are not picked out of running text.
  extractable boolean not null default true
);
comment on table private.skill_aliases is
  'Alias key -> canonical skill. extractable = may be found in a title or description.';
create index skill_aliases_skill_idx on private.skill_aliases (skill);

-- The key of one skill name, as described above. Immutable: it only depends on its argument.
create function private.skill_key(p_name text)
returns text
language plpgsql immutable parallel safe
set search_path = ''
as $$
begin
  return (
    select coalesce(string_agg(token.match[1], ' ' order by token.position), '')
    from regexp_matches(
      private.fold_text(p_name),
      '(\.?[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9][a-z0-9+#]*)*)',
      'g'
    ) with ordinality as token (match, position)
  );
end;
$$;

-- Canonical skills of a list: aliases resolved, unknown skills kept under their own key,
-- duplicates removed, sorted.
create function private.canonical_skills(p_skills text[])
returns text[]
language plpgsql stable parallel safe
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(distinct coalesce(alias.skill, named.key) order by
      coalesce(alias.skill, named.key)), '{}')
    from unnest(p_skills) as skill (name)
    cross join lateral (select private.skill_key(skill.name) as key) as named
    left join private.skill_aliases as alias on alias.alias = named.key
    where named.key <> ''
  );
end;
$$;

-- Dictionary skills named in free text: every run of one to four tokens is looked up among the
-- extractable aliases. Sorted, without duplicates.
create function private.extract_skills(p_text text)
returns text[]
language plpgsql stable parallel safe
set search_path = ''
as $$
begin
  return (
    with tokens as (
      select token.match[1] as token, token.position
      from regexp_matches(
        private.fold_text(coalesce(p_text, '')),
        '(\.?[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9][a-z0-9+#]*)*)',
        'g'
      ) with ordinality as token (match, position)
    ),
    phrases as (
      select string_agg(following.token, ' ' order by following.position) as phrase
      from tokens as first
      cross join generate_series(0, 3) as extra (length)
      join tokens as following
        on following.position between first.position and first.position + extra.length
      group by first.position, extra.length
    )
    select coalesce(array_agg(distinct alias.skill order by alias.skill), '{}')
    from phrases
    join private.skill_aliases as alias on alias.alias = phrases.phrase and alias.extractable
  );
end;
$$;

-- The dictionary. Each line: canonical key, label, aliases found in text, aliases only accepted
-- in skill lists. The key and the label are aliases too (extractable unless listed as ambiguous).
with dictionary (key, label, aliases, list_only_aliases) as (
  values
    -- Programming languages
    ('javascript', 'JavaScript', array['js', 'ecmascript', 'es6', 'vanilla js'], array[]::text[]),
    ('typescript', 'TypeScript', array[]::text[], array['ts']),
    ('python', 'Python', array['python3', 'python 3'], array['py']),
    ('java', 'Java', array['java ee', 'jee', 'j2ee'], array[]::text[]),
    ('kotlin', 'Kotlin', array[]::text[], array[]::text[]),
    ('scala', 'Scala', array[]::text[], array[]::text[]),
    ('go', 'Go', array['golang'], array['go']),
    ('rust', 'Rust', array[]::text[], array[]::text[]),
    ('c', 'C', array['langage c'], array['c']),
    ('c++', 'C++', array['cpp', 'c plus plus'], array[]::text[]),
    ('c#', 'C#', array['csharp', 'c sharp'], array[]::text[]),
    ('php', 'PHP', array['php8', 'php 8'], array[]::text[]),
    ('ruby', 'Ruby', array[]::text[], array[]::text[]),
    ('swift', 'Swift', array['swiftui'], array[]::text[]),
    ('objective-c', 'Objective-C', array['objective c', 'objc'], array[]::text[]),
    ('dart', 'Dart', array[]::text[], array[]::text[]),
    ('r', 'R', array['langage r', 'rstudio'], array['r']),
    ('sql', 'SQL', array['langage sql', 't-sql', 'tsql', 'pl/sql', 'plsql'], array[]::text[]),
    ('bash', 'Bash', array['shell scripting', 'scripting shell', 'script shell'], array['shell']),
    ('html', 'HTML', array['html5'], array[]::text[]),
    ('css', 'CSS', array['css3'], array[]::text[]),
    ('sass', 'Sass', array['scss'], array[]::text[]),
    -- Front-end and mobile
    ('tailwind css', 'Tailwind CSS', array['tailwind', 'tailwindcss'], array[]::text[]),
    ('react', 'React', array['reactjs', 'react.js', 'react js'], array[]::text[]),
    ('react native', 'React Native', array['reactnative'], array[]::text[]),
    ('next.js', 'Next.js', array['nextjs', 'next js'], array[]::text[]),
    ('vue.js', 'Vue.js', array['vuejs', 'vue js', 'vue 3'], array['vue']),
    ('nuxt', 'Nuxt', array['nuxt.js', 'nuxtjs'], array[]::text[]),
    ('angular', 'Angular', array['angularjs', 'angular.js'], array[]::text[]),
    ('svelte', 'Svelte', array['sveltekit'], array[]::text[]),
    ('flutter', 'Flutter', array[]::text[], array[]::text[]),
    ('android', 'Android', array['android sdk'], array[]::text[]),
    ('ios', 'iOS', array[]::text[], array[]::text[]),
    -- Back-end
    ('node.js', 'Node.js', array['nodejs', 'node js', 'node'], array[]::text[]),
    ('express', 'Express', array['express.js', 'expressjs'], array['express']),
    ('nestjs', 'NestJS', array['nest.js', 'nest js'], array[]::text[]),
    ('django', 'Django', array[]::text[], array[]::text[]),
    ('flask', 'Flask', array[]::text[], array[]::text[]),
    ('fastapi', 'FastAPI', array['fast api'], array[]::text[]),
    ('spring boot', 'Spring Boot', array['springboot', 'spring framework'], array['spring']),
    ('symfony', 'Symfony', array[]::text[], array[]::text[]),
    ('laravel', 'Laravel', array[]::text[], array[]::text[]),
    ('ruby on rails', 'Ruby on Rails', array['rails', 'ror'], array[]::text[]),
    ('.net', '.NET', array['dotnet', '.net core', 'asp.net', 'asp.net core'], array[]::text[]),
    ('graphql', 'GraphQL', array[]::text[], array[]::text[]),
    ('rest api', 'REST APIs', array['api rest', 'apis rest', 'rest apis', 'restful', 'api restful'],
      array['rest']),
    ('microservices', 'Microservices', array['micro services', 'microservice', 'micro service'],
      array[]::text[]),
    ('openapi', 'OpenAPI', array['swagger'], array[]::text[]),
    ('rabbitmq', 'RabbitMQ', array['rabbit mq'], array[]::text[]),
    ('kafka', 'Kafka', array['apache kafka'], array[]::text[]),
    -- Databases
    ('postgresql', 'PostgreSQL', array['postgres', 'postgre', 'pgsql', 'psql'], array[]::text[]),
    ('mysql', 'MySQL', array['mariadb'], array[]::text[]),
    ('mongodb', 'MongoDB', array['mongo'], array[]::text[]),
    ('redis', 'Redis', array[]::text[], array[]::text[]),
    ('elasticsearch', 'Elasticsearch', array['elastic search', 'opensearch'], array[]::text[]),
    ('oracle', 'Oracle Database', array['oracle db', 'oracle database'], array[]::text[]),
    ('sql server', 'SQL Server', array['microsoft sql server', 'mssql', 'ms sql'], array[]::text[]),
    ('sqlite', 'SQLite', array[]::text[], array[]::text[]),
    ('supabase', 'Supabase', array[]::text[], array[]::text[]),
    ('firebase', 'Firebase', array[]::text[], array[]::text[]),
    -- Cloud, operations, tooling
    ('docker', 'Docker', array['conteneurs docker'], array[]::text[]),
    ('kubernetes', 'Kubernetes', array['k8s'], array[]::text[]),
    ('terraform', 'Terraform', array[]::text[], array[]::text[]),
    ('ansible', 'Ansible', array[]::text[], array[]::text[]),
    ('aws', 'AWS', array['amazon web services'], array[]::text[]),
    ('azure', 'Azure', array['microsoft azure'], array[]::text[]),
    ('gcp', 'Google Cloud', array['google cloud', 'google cloud platform'], array[]::text[]),
    ('linux', 'Linux', array['unix'], array[]::text[]),
    ('git', 'Git', array['github', 'gitlab'], array[]::text[]),
    ('ci/cd', 'CI/CD', array['integration continue', 'continuous integration',
      'deploiement continu', 'continuous delivery', 'continuous deployment'], array[]::text[]),
    ('jenkins', 'Jenkins', array[]::text[], array[]::text[]),
    ('devops', 'DevOps', array['dev ops'], array[]::text[]),
    ('nginx', 'Nginx', array[]::text[], array[]::text[]),
    ('system administration', 'System administration', array['administration systeme',
      'administration systemes', 'sysadmin', 'administrateur systeme'], array[]::text[]),
    ('network administration', 'Network administration', array['administration reseau',
      'administration reseaux', 'reseaux informatiques'], array['reseaux', 'networking']),
    ('cybersecurity', 'Cybersecurity', array['cybersecurite', 'cyber securite',
      'securite informatique', 'it security'], array['securite', 'security']),
    ('cloud computing', 'Cloud computing', array[]::text[], array['cloud']),
    ('vmware', 'VMware', array[]::text[], array[]::text[]),
    ('windows server', 'Windows Server', array[]::text[], array[]::text[]),
    -- Testing
    ('test automation', 'Test automation', array['automatisation des tests', 'tests automatises',
      'automated testing'], array[]::text[]),
    ('unit testing', 'Unit testing', array['tests unitaires', 'test unitaire', 'unit tests'],
      array[]::text[]),
    ('jest', 'Jest', array[]::text[], array[]::text[]),
    ('cypress', 'Cypress', array[]::text[], array[]::text[]),
    ('playwright', 'Playwright', array[]::text[], array[]::text[]),
    ('selenium', 'Selenium', array[]::text[], array[]::text[]),
    -- Data and AI
    ('machine learning', 'Machine learning', array['apprentissage automatique'], array['ml']),
    ('deep learning', 'Deep learning', array['apprentissage profond'], array[]::text[]),
    ('data science', 'Data science', array['science des donnees'], array[]::text[]),
    ('data analysis', 'Data analysis', array['analyse de donnees', 'analyse des donnees',
      'data analytics'], array[]::text[]),
    ('pandas', 'pandas', array[]::text[], array[]::text[]),
    ('numpy', 'NumPy', array[]::text[], array[]::text[]),
    ('tensorflow', 'TensorFlow', array[]::text[], array[]::text[]),
    ('pytorch', 'PyTorch', array[]::text[], array[]::text[]),
    ('scikit-learn', 'scikit-learn', array['sklearn', 'scikit learn'], array[]::text[]),
    ('spark', 'Apache Spark', array['apache spark', 'pyspark'], array['spark']),
    ('airflow', 'Apache Airflow', array['apache airflow'], array[]::text[]),
    ('dbt', 'dbt', array[]::text[], array[]::text[]),
    ('statistics', 'Statistics', array['statistiques'], array[]::text[]),
    ('power bi', 'Power BI', array['powerbi'], array[]::text[]),
    ('tableau', 'Tableau', array['tableau software'], array['tableau']),
    ('excel', 'Excel', array['microsoft excel', 'ms excel'], array[]::text[]),
    -- Design
    ('ux design', 'UX/UI design', array['ux', 'ui', 'ux ui', 'ui ux', 'ui design', 'design ux',
      'design ui', 'user experience', 'experience utilisateur', 'interface utilisateur'],
      array[]::text[]),
    ('ux research', 'UX research', array['recherche utilisateur', 'user research'],
      array[]::text[]),
    ('design system', 'Design system', array['design systems'], array[]::text[]),
    ('prototyping', 'Prototyping', array['prototypage'], array[]::text[]),
    ('figma', 'Figma', array[]::text[], array[]::text[]),
    ('photoshop', 'Photoshop', array['adobe photoshop'], array[]::text[]),
    ('illustrator', 'Illustrator', array['adobe illustrator'], array[]::text[]),
    ('wordpress', 'WordPress', array['word press'], array[]::text[]),
    ('shopify', 'Shopify', array[]::text[], array[]::text[]),
    ('unity', 'Unity', array['unity3d', 'unity 3d'], array['unity']),
    -- Business
    ('agile', 'Agile', array['methodes agiles', 'methode agile', 'methodologie agile',
      'agilite'], array[]::text[]),
    ('scrum', 'Scrum', array[]::text[], array[]::text[]),
    ('jira', 'Jira', array[]::text[], array[]::text[]),
    ('project management', 'Project management', array['gestion de projet',
      'gestion de projets', 'pilotage de projet', 'pilotage de projets', 'conduite de projet'],
      array[]::text[]),
    ('product management', 'Product management', array['gestion de produit',
      'product owner'], array[]::text[]),
    ('team management', 'Team management', array['management d equipe', 'gestion d equipe',
      'encadrement d equipe', 'people management'], array['management']),
    ('seo', 'SEO', array['referencement naturel', 'search engine optimization'], array[]::text[]),
    ('google ads', 'Google Ads', array['adwords', 'google adwords', 'referencement payant'],
      array['sea']),
    ('digital marketing', 'Digital marketing', array['marketing digital', 'webmarketing',
      'web marketing', 'marketing numerique'], array[]::text[]),
    ('social media', 'Social media', array['reseaux sociaux', 'community management'],
      array[]::text[]),
    ('copywriting', 'Copywriting', array['redaction web', 'content writing'],
      array['redaction']),
    ('sales', 'Sales', array['vente', 'ventes', 'prospection', 'business development',
      'developpement commercial'], array[]::text[]),
    ('negotiation', 'Negotiation', array['negociation', 'negociation commerciale'], array[]::text[]),
    ('customer service', 'Customer service', array['service client', 'relation client',
      'customer support', 'support client'], array[]::text[]),
    ('crm', 'CRM', array[]::text[], array[]::text[]),
    ('salesforce', 'Salesforce', array[]::text[], array[]::text[]),
    ('sap', 'SAP', array[]::text[], array[]::text[]),
    ('accounting', 'Accounting', array['comptabilite', 'comptabilite generale', 'accountancy'],
      array[]::text[]),
    ('finance', 'Finance', array['finance d entreprise', 'corporate finance'], array[]::text[]),
    ('taxation', 'Taxation', array['fiscalite'], array[]::text[]),
    ('sage', 'Sage', array['sage comptabilite'], array['sage']),
    ('payroll', 'Payroll', array['paie', 'gestion de la paie'], array[]::text[]),
    ('hris', 'HRIS', array['sirh'], array[]::text[]),
    ('human resources', 'Human resources', array['ressources humaines', 'rh'], array['hr']),
    ('recruitment', 'Recruitment', array['recrutement', 'talent acquisition'], array[]::text[]),
    ('logistics', 'Logistics', array['logistique'], array[]::text[]),
    ('supply chain', 'Supply chain', array['chaine logistique', 'chaine d approvisionnement'],
      array[]::text[]),
    ('wms', 'WMS', array['warehouse management system'], array[]::text[]),
    -- Languages and trades
    ('english', 'English', array['anglais', 'anglais courant', 'fluent english'],
      array['english']),
    ('french', 'French', array['francais courant'], array['francais', 'french']),
    ('spanish', 'Spanish', array['espagnol'], array['spanish']),
    ('german', 'German', array['allemand'], array['german']),
    ('driving licence', 'Driving licence', array['permis b', 'permis de conduire',
      'driving license'], array[]::text[]),
    ('forklift', 'Forklift (CACES)', array['caces', 'cariste', 'chariot elevateur'],
      array[]::text[]),
    ('welding', 'Welding', array['soudure', 'soudage'], array[]::text[]),
    ('electrical work', 'Electrical work', array['electricite', 'habilitation electrique'],
      array[]::text[]),
    ('plumbing', 'Plumbing', array['plomberie'], array[]::text[]),
    ('nursing', 'Nursing', array['soins infirmiers'], array[]::text[])
),
inserted as (
  insert into private.skills (key, label)
  select private.skill_key(key), label from dictionary
  returning key
)
insert into private.skill_aliases (alias, skill, extractable)
select distinct on (private.skill_key(alias.name))
  private.skill_key(alias.name), private.skill_key(dictionary.key), alias.extractable
from dictionary
cross join lateral (
  select dictionary.key, not (dictionary.key = any (dictionary.list_only_aliases))
  union all select dictionary.label, not (dictionary.label = any (dictionary.list_only_aliases))
  union all select unnest(dictionary.aliases), true
  union all select unnest(dictionary.list_only_aliases), false
) as alias (name, extractable)
-- A list-only spelling wins over the same key reached another way.
order by private.skill_key(alias.name), alias.extractable;
