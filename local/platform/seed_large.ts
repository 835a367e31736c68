// `npm run seed:large -- --candidates N --jobs N --posts N [--companies N] [--db-url URL]`:
// adds a large, believable data set to the local database for benchmarks.
//
// Everything is generated inside Postgres with set-based SQL (generate_series), in batches of
// 100,000 rows, never row by row from here. The load runs with session_replication_role = replica,
// which switches triggers off: the sign-up trigger's rows (profiles, candidate or company pages,
// notification preferences) are written by the same statements instead, and the background
// pipeline is not asked to match or moderate a million rows that arrive already analysed
// (posts are loaded with their moderation outcome). Foreign keys hold by construction.
// Each run adds to what is there; its users are <role>-<run>-<n>@large.emploi.test, password
// password123.

import postgres from "postgres";
import { environments } from "./environments.ts";
import { detail, step } from "./log.ts";

export interface LargeSeedOptions {
  candidates: number;
  companies: number;
  jobs: number;
  posts: number;
  databaseUrl: string;
}

export interface LargeSeedSummary {
  candidates: number;
  companies: number;
  jobs: number;
  posts: number;
  seconds: number;
}

const BATCH_SIZE = 100_000;
/** Companies created when --companies is not given: one per this many offers. */
const JOBS_PER_COMPANY = 25;
/** Authors created for --posts alone, when the database has no member yet. */
const DEFAULT_AUTHOR_COUNT = 1_000;
const PINNED_POSTS = 3;

const FIRST_NAMES = [
  "Camille",
  "Léa",
  "Manon",
  "Chloé",
  "Inès",
  "Sarah",
  "Emma",
  "Jade",
  "Louise",
  "Alice",
  "Lucas",
  "Hugo",
  "Thomas",
  "Julien",
  "Nathan",
  "Louis",
  "Karim",
  "Yanis",
  "Mathis",
  "Antoine",
];
const LAST_NAMES = [
  "Martin",
  "Bernard",
  "Dubois",
  "Thomas",
  "Robert",
  "Richard",
  "Petit",
  "Durand",
  "Leroy",
  "Moreau",
  "Simon",
  "Laurent",
  "Lefebvre",
  "Michel",
  "Garcia",
  "Benali",
  "Nguyen",
  "Roux",
  "Fontaine",
  "Girard",
];
const CITIES = [
  "Paris",
  "Lyon",
  "Marseille",
  "Toulouse",
  "Nantes",
  "Bordeaux",
  "Lille",
  "Rennes",
  "Strasbourg",
  "Montpellier",
  "Grenoble",
  "Nice",
  "Saint-Étienne",
  "Villeurbanne",
  "Clermont-Ferrand",
  "Rouen",
  "Dijon",
  "Angers",
  "Brest",
  "Annecy",
];
/** Job titles with the skills they call for: candidates and offers draw from the same ones. */
const PROFESSIONS: { title: string; skills: string[] }[] = [
  {
    title: "Développeur·se front-end",
    skills: ["React", "TypeScript", "JavaScript", "CSS", "Vue.js"],
  },
  { title: "Développeur·se back-end", skills: ["Java", "Spring", "PostgreSQL", "Kafka", "Docker"] },
  { title: "Développeur·se full-stack", skills: ["Node.js", "React", "TypeScript", "PostgreSQL"] },
  { title: "Développeur·se PHP", skills: ["PHP", "Symfony", "MySQL", "Docker", "JavaScript"] },
  { title: "Développeur·se .NET", skills: ["C#", ".NET", "SQL Server", "Azure", "Angular"] },
  { title: "Développeur·se Python", skills: ["Python", "Django", "PostgreSQL", "Docker", "Git"] },
  { title: "Développeur·se mobile", skills: ["Kotlin", "Swift", "React Native", "Flutter"] },
  { title: "Ingénieur·e DevOps", skills: ["Kubernetes", "Terraform", "AWS", "Linux", "Go"] },
  { title: "Ingénieur·e données", skills: ["Python", "SQL", "Spark", "Airflow", "Kafka"] },
  { title: "Data analyst", skills: ["SQL", "Python", "Power BI", "Excel", "Tableau"] },
  { title: "Data scientist", skills: ["Python", "Machine Learning", "SQL", "Statistiques"] },
  { title: "Architecte cloud", skills: ["AWS", "Azure", "Kubernetes", "Terraform", "Sécurité"] },
  { title: "Administrateur·rice systèmes", skills: ["Linux", "Windows Server", "Réseaux", "Bash"] },
  { title: "Product owner", skills: ["Agile", "Scrum", "Jira", "Product Management"] },
  { title: "UX/UI designer", skills: ["Figma", "UX Research", "Design System", "Prototypage"] },
  { title: "Responsable marketing digital", skills: ["SEO", "Google Ads", "Marketing digital"] },
  { title: "Chargé·e de recrutement", skills: ["Recrutement", "Entretiens", "LinkedIn", "SIRH"] },
  { title: "Comptable", skills: ["Comptabilité", "Fiscalité", "Excel", "Sage"] },
  { title: "Commercial·e B2B", skills: ["Vente", "Négociation", "CRM", "Prospection"] },
  {
    title: "Responsable logistique",
    skills: ["Logistique", "Supply Chain", "WMS", "Gestion de projet"],
  },
  // The same trades as companies also write them: feminine, bracketed or English titles.
  { title: "Développeuse web", skills: ["JavaScript", "React", "HTML", "CSS"] },
  { title: "Software engineer", skills: ["Go", "Kubernetes", "PostgreSQL", "AWS"] },
  { title: "Cheffe de projet digital", skills: ["Gestion de projet", "Agile", "Jira"] },
  { title: "Ingénieur(e) d'études", skills: ["Java", "SQL", "Spring Boot", "Angular"] },
  { title: "Technicien·ne support informatique", skills: ["Windows Server", "Réseaux", "ITIL"] },
  { title: "Assistant(e) RH", skills: ["Paie", "SIRH", "Recrutement", "Excel"] },
  { title: "Chargée de clientèle", skills: ["Relation client", "CRM", "Négociation"] },
  { title: "Commercial.e sédentaire", skills: ["Vente", "Prospection", "Salesforce"] },
];
/** Skills anyone may add to those of their trade. */
const TRANSVERSAL_SKILLS = [
  "Anglais",
  "Agile",
  "Gestion de projet",
  "Git",
  "Excel",
  "Communication",
];
const COMPANY_WORDS = [
  "Lumière",
  "Horizon",
  "Atlas",
  "Azur",
  "Boréal",
  "Cèdre",
  "Delta",
  "Écho",
  "Nova",
  "Orée",
];
const COMPANY_KINDS = [
  "Digital",
  "Conseil",
  "Logistique",
  "Santé",
  "Finance",
  "Énergie",
  "Industrie",
  "Studio",
  "Services",
  "Technologies",
];
const SENTENCES = [
  "Vous rejoindrez une équipe de huit personnes passionnées.",
  "Nous développons des produits utilisés par des milliers de clients en France.",
  "Le poste est ouvert au télétravail partiel.",
  "Vous participerez aux choix techniques et aux revues de code.",
  "Une première expérience en entreprise est appréciée.",
  "Nous accordons une grande importance à la qualité et aux tests.",
  "Tickets restaurant, mutuelle prise en charge à 100 % et RTT.",
  "Vous travaillerez en lien étroit avec les équipes produit et design.",
  "Notre entreprise est engagée pour l'égalité professionnelle.",
  "Des formations régulières sont prévues tout au long de l'année.",
];
const POST_SENTENCES = [
  "Ravi·e de rejoindre une nouvelle équipe cette semaine !",
  "Nous recrutons, n'hésitez pas à partager autour de vous.",
  "Retour d'expérience sur notre migration vers le cloud.",
  "Quelques conseils pour réussir un entretien technique.",
  "Merci à toutes les personnes rencontrées au salon de l'emploi.",
  "Nous avons publié un article sur notre culture d'équipe.",
  "Qui sera au meetup de jeudi soir ?",
  "Je cherche une alternance pour la rentrée, vos conseils sont bienvenus.",
  "Bravo à l'équipe pour ce lancement réussi.",
  "Le télétravail a changé notre façon de collaborer.",
];

const usage =
  "usage: npm run seed:large -- [--candidates N] [--companies N] [--jobs N] [--posts N] [--db-url URL]";

export function parseLargeSeedArgs(args: string[]): LargeSeedOptions {
  const counts: Record<string, number> = {};
  let databaseUrl =
    `postgresql://postgres:postgres@127.0.0.1:${environments.dev.databasePort}/postgres`;
  for (let index = 0; index < args.length; index += 2) {
    const flag = args[index];
    const value = args[index + 1];
    if (value === undefined) throw new Error(`${flag} needs a value\n${usage}`);
    if (flag === "--db-url") {
      databaseUrl = value;
      continue;
    }
    const name = flag.replace(/^--/, "");
    if (!["candidates", "companies", "jobs", "posts"].includes(name)) {
      throw new Error(`unknown option ${flag}\n${usage}`);
    }
    const count = Number(value.replaceAll("_", ""));
    if (!Number.isInteger(count) || count < 0) {
      throw new Error(`${flag} must be a whole number, got ${value}`);
    }
    counts[name] = count;
  }
  const jobs = counts.jobs ?? 0;
  return {
    candidates: counts.candidates ?? 0,
    companies: counts.companies ?? Math.ceil(jobs / JOBS_PER_COMPANY),
    jobs,
    posts: counts.posts ?? 0,
    databaseUrl,
  };
}

export async function seedLarge(args: string[]): Promise<void> {
  const summary = await seedLargeDataSet(parseLargeSeedArgs(args));
  step(
    `Added ${summary.candidates} candidates, ${summary.companies} companies, ` +
      `${summary.jobs} offers and ${summary.posts} posts in ${summary.seconds.toFixed(1)} s`,
  );
}

/** Adds the data set described by `options`; returns what it added. */
export async function seedLargeDataSet(options: LargeSeedOptions): Promise<LargeSeedSummary> {
  const startedAt = performance.now();
  // One connection: the session settings and the temporary table live on it.
  const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
  const run = Date.now().toString(36);
  try {
    await sql`set session_replication_role = replica`;
    await sql`create temporary table seeded_members (id uuid primary key, role text not null)`;
    const passwordHash = (await sql<{ hash: string }[]>`
      select extensions.crypt('password123', extensions.gen_salt('bf')) as hash
    `)[0].hash;

    let candidates = options.candidates;
    if (options.posts > 0 && options.candidates + options.companies === 0) {
      const [{ members }] = await sql<{ members: number }[]>`
        select count(*)::int as members from public.profiles`;
      if (members === 0) candidates = DEFAULT_AUTHOR_COUNT;
    }
    await inBatches(
      "candidates",
      candidates,
      (size, offset) => insertMembers(sql, "candidate", size, offset, run, passwordHash),
    );
    await inBatches(
      "companies",
      options.companies,
      (size, offset) => insertMembers(sql, "company", size, offset, run, passwordHash),
    );
    if (options.jobs > 0) await insertJobs(sql, options.jobs);
    if (options.posts > 0) await insertPosts(sql, options.posts);

    // Triggers were off during the load: derive the normalised skill columns matching reads.
    step("Normalising skills for matching");
    await sql`select private.refresh_matching_columns()`;
    step("Counting the search vocabulary");
    await sql`select private.refresh_search_vocabulary()`;
    step("Updating planner statistics");
    await sql`analyze auth.users, public.profiles, public.candidates, public.companies,
      public.notification_preferences, public.jobs, public.posts`;
    return {
      candidates,
      companies: options.companies,
      jobs: options.jobs,
      posts: options.posts,
      seconds: (performance.now() - startedAt) / 1000,
    };
  } finally {
    await sql.end();
  }
}

async function inBatches(
  label: string,
  total: number,
  insertBatch: (size: number, offset: number) => Promise<unknown>,
): Promise<void> {
  if (total === 0) return;
  step(`Adding ${total} ${label}`);
  for (let offset = 0; offset < total; offset += BATCH_SIZE) {
    const size = Math.min(BATCH_SIZE, total - offset);
    const batchStartedAt = performance.now();
    await insertBatch(size, offset);
    detail(`${offset + size}/${total} (${Math.round(performance.now() - batchStartedAt)} ms)`);
  }
}

/** Auth users with what the sign-up trigger would have given them. */
async function insertMembers(
  sql: postgres.Sql,
  role: "candidate" | "company",
  size: number,
  offset: number,
  run: string,
  passwordHash: string,
): Promise<void> {
  await sql`
    with new_users as (
      insert into auth.users (
        instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
        raw_app_meta_data, raw_user_meta_data, created_at, updated_at
      )
      select '00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated',
        'authenticated', format('%s-%s-%s@large.emploi.test', ${role}::text, ${run}::text, n),
        ${passwordHash}, now(), '{"provider": "email", "providers": ["email"]}',
        jsonb_build_object(
          'role', ${role}::text,
          'full_name', (${FIRST_NAMES}::text[])[1 + floor(random() * ${FIRST_NAMES.length})::int]
            || ' ' || (${LAST_NAMES}::text[])[1 + floor(random() * ${LAST_NAMES.length})::int],
          'company_name', (${COMPANY_WORDS}::text[])[1 + floor(random() * ${COMPANY_WORDS.length})::int]
            || ' ' || (${COMPANY_KINDS}::text[])[1 + floor(random() * ${COMPANY_KINDS.length})::int]
            || ' ' || n
        ),
        now() - random() * interval '365 days', now()
      from generate_series(${offset + 1}::int, ${offset + size}::int) as n
      returning id, raw_user_meta_data
    ),
    remembered as (
      insert into seeded_members (id, role) select id, ${role}::text from new_users
    ),
    new_profiles as (
      insert into public.profiles (id, role, full_name)
      select id, ${role}::public.profile_role, raw_user_meta_data ->> 'full_name' from new_users
    ),
    new_preferences as (
      insert into public.notification_preferences (user_id) select id from new_users
    ),
    new_companies as (
      insert into public.companies (id, name, industry, size, location)
      select id, raw_user_meta_data ->> 'company_name',
        (${COMPANY_KINDS}::text[])[1 + floor(random() * ${COMPANY_KINDS.length})::int],
        (enum_range(null::public.company_size))[1 + floor(random() * 6)::int],
        (${CITIES}::text[])[1 + floor(random() * ${CITIES.length})::int]
      from new_users where ${role}::text = 'company'
    )
    insert into public.candidates (
      id, headline, skills, experience_level, years_experience, location, remote_preference,
      open_to_work, desired_salary_min
    )
    select
      new_users.id,
      profession.value ->> 'title',
      array(
        select skill from jsonb_array_elements_text(profession.value -> 'skills') as skill
        order by random() limit 2 + floor(random() * 3)::int
      ) || array(
        select skill from unnest(${TRANSVERSAL_SKILLS}::text[]) as skill
        where new_users.id is not null -- correlated, so drawn again for every candidate
        order by random() limit floor(random() * 3)::int
      ),
      level.name,
      case level.name when 'junior' then floor(random() * 3)::int
        when 'mid' then 3 + floor(random() * 4)::int
        when 'senior' then 7 + floor(random() * 8)::int
        else 10 + floor(random() * 15)::int end,
      (${CITIES}::text[])[1 + floor(random() * ${CITIES.length})::int],
      (enum_range(null::public.remote_preference))[1 + floor(random() * 4)::int],
      random() < 0.8,
      case level.name when 'junior' then 30000 when 'mid' then 40000 when 'senior' then 52000
        else 65000 end + floor(random() * 8000)::int
    from new_users
    cross join lateral (
      select (enum_range(null::public.experience_level))[1 + floor(random() * 4)::int] as name
      where new_users.id is not null
    ) as level
    cross join lateral (
      select value from jsonb_array_elements(${sql.json(PROFESSIONS)})
      where new_users.id is not null order by random() limit 1
    ) as profession
    where ${role}::text = 'candidate'
  `;
}

/** Offers of the companies added by this run (of any company when it added none). */
async function insertJobs(sql: postgres.Sql, total: number): Promise<void> {
  await sql`
    create temporary table hiring_companies as
    select coalesce(
      (select array_agg(id) from seeded_members where role = 'company'),
      (select array_agg(id) from (select id from public.companies limit 10000) as any_company)
    ) as ids
  `;
  const [{ companies }] = await sql<{ companies: number }[]>`
    select coalesce(cardinality(ids), 0) as companies from hiring_companies`;
  if (companies === 0) throw new Error("--jobs needs companies: add --companies N");
  await inBatches("offers", total, (size) =>
    sql`
      insert into public.jobs (
        company_id, title, description, required_skills, nice_to_have_skills, experience_level,
        location, remote_policy, salary_min, salary_max, contract_type, status, published_at,
        created_at, updated_at
      )
      select
        hiring.ids[1 + floor(random() * cardinality(hiring.ids))::int],
        draw.title,
        draw.title || ' à ' || draw.city || '. ' || array_to_string(array(
          select sentence from unnest(${SENTENCES}::text[]) as sentence
          where draw.n is not null order by random() limit 3
        ), ' '),
        array(
          select skill from jsonb_array_elements_text(draw.profession -> 'skills') as skill
          order by random() limit 2 + floor(random() * 2)::int
        ),
        array(
          select skill from unnest(${TRANSVERSAL_SKILLS}::text[]) as skill
          where draw.n is not null order by random() limit floor(random() * 3)::int
        ),
        draw.level,
        draw.city,
        (enum_range(null::public.remote_policy))[1 + floor(random() * 3)::int],
        draw.salary,
        draw.salary + 5000 + floor(random() * 15000)::int,
        (array['cdi', 'cdi', 'cdi', 'cdd', 'freelance', 'stage', 'alternance']::public.contract_type[])[
          1 + floor(random() * 7)::int
        ],
        draw.status,
        case when draw.status <> 'draft' then draw.created_at + interval '1 hour' end,
        draw.created_at,
        draw.created_at
      from generate_series(1, ${size}::int) as n
      cross join lateral (
        select n,
          profession.value as profession,
          profession.value ->> 'title' as title,
          (${CITIES}::text[])[1 + floor(random() * ${CITIES.length})::int] as city,
          (enum_range(null::public.experience_level))[1 + floor(random() * 4)::int] as level,
          25000 + floor(random() * 45000)::int as salary,
          case when random() < 0.9 then 'published'::public.job_status
            when random() < 0.7 then 'draft' else 'closed' end as status,
          now() - random() * interval '180 days' as created_at
        from (
          select value from jsonb_array_elements(${sql.json(PROFESSIONS)})
          where n is not null order by random() limit 1
        ) as profession
      ) as draw
      cross join hiring_companies as hiring
    `);
  await sql`drop table hiring_companies`;
}

/** Posts of the members added by this run (of existing members when it added none). */
async function insertPosts(sql: postgres.Sql, total: number): Promise<void> {
  await sql`
    create temporary table post_authors as
    select coalesce(
      (select array_agg(id) from seeded_members),
      (select array_agg(id) from (select id from public.profiles limit 10000) as any_member)
    ) as ids
  `;
  await inBatches("posts", total, (size) =>
    sql`
      insert into public.posts (
        author_id, content, moderation_status, is_flagged, flag_reason, moderated_at,
        created_at, updated_at
      )
      select
        authors.ids[1 + floor(random() * cardinality(authors.ids))::int],
        array_to_string(array(
          select sentence from unnest(${POST_SENTENCES}::text[]) as sentence
          where draw.n is not null order by random() limit 1 + floor(random() * 3)::int
        ), ' '),
        draw.outcome,
        draw.outcome = 'rejected',
        case when draw.outcome = 'rejected' then 'spam' end,
        case when draw.outcome <> 'pending' then draw.created_at + interval '2 seconds' end,
        draw.created_at,
        draw.created_at
      from generate_series(1, ${size}::int) as n
      cross join lateral (
        select n,
          case when random() < 0.95 then 'approved'::public.moderation_status
            when random() < 0.6 then 'pending' else 'rejected' end as outcome,
          now() - random() * interval '365 days' as created_at
      ) as draw
      cross join post_authors as authors
    `);
  await sql`drop table post_authors`;
  // A few pinned announcements, as on a real feed.
  await sql`
    update public.posts set is_pinned = true
    where id in (
      select id from public.posts
      where moderation_status = 'approved' and not is_flagged and not is_pinned
      order by created_at desc limit greatest(0, ${PINNED_POSTS}::int
        - (select count(*)::int from public.posts where is_pinned))
    )
  `;
}
