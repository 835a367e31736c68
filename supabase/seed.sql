-- Emploi+ demo data, loaded by `npm start` / `npm run db:reset` (supabase db push --include-seed).
--
-- Demo logins (password for all: password123)
--
--   role       email                              who
--   admin      admin@emploi-plus.fr               Équipe Emploi+ (moderation)
--   company    rh@lumiere-digitale.fr             Lumière Digitale, agence web, Lyon
--   company    recrutement@banqueverte.fr         BanqueVerte, néobanque, Paris
--   company    talents@logirhone.fr               LogiRhône, logistique, Villeurbanne
--   company    jobs@sante-connect.fr              Santé Connect, e-santé, Nantes
--   candidate  camille.martin@example.fr          développeuse front-end React, Lyon
--   candidate  julien.bernard@example.fr          développeur Java senior, Paris
--   candidate  sophie.dubois@example.fr           data analyst, Nantes
--   candidate  thomas.petit@example.fr            ingénieur DevOps, télétravail
--   candidate  lea.moreau@example.fr              UX designer, Bordeaux
--   candidate  hugo.laurent@example.fr            développeur Python junior, Lille
--   candidate  chloe.garnier@example.fr           product manager, Paris (not open to work)
--
-- Users are inserted into auth.users as GoTrue would store them (bcrypt password, confirmed
-- email, an email identity); the sign-up trigger creates their profiles, candidate or company
-- pages and notification preferences. Job matches are not seeded: the matching pipeline computes
-- them when offers are published.

-- Accounts -------------------------------------------------------------------------------------

insert into auth.users (
  instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
  raw_app_meta_data, raw_user_meta_data, created_at, updated_at,
  confirmation_token, recovery_token, email_change_token_new, email_change
)
select
  '00000000-0000-0000-0000-000000000000', account.id, 'authenticated', 'authenticated',
  account.email, extensions.crypt('password123', extensions.gen_salt('bf')), now(),
  '{"provider": "email", "providers": ["email"]}', account.metadata,
  now() - interval '60 days', now() - interval '60 days', '', '', '', ''
from (values
  ('a0000000-0000-4000-8000-000000000001'::uuid, 'admin@emploi-plus.fr',
    '{"full_name": "Équipe Emploi+"}'::jsonb),
  ('c0000000-0000-4000-8000-000000000001', 'rh@lumiere-digitale.fr',
    '{"role": "company", "full_name": "Claire Fontaine", "company_name": "Lumière Digitale"}'),
  ('c0000000-0000-4000-8000-000000000002', 'recrutement@banqueverte.fr',
    '{"role": "company", "full_name": "Marc Lefèvre", "company_name": "BanqueVerte"}'),
  ('c0000000-0000-4000-8000-000000000003', 'talents@logirhone.fr',
    '{"role": "company", "full_name": "Nadia Benali", "company_name": "LogiRhône"}'),
  ('c0000000-0000-4000-8000-000000000004', 'jobs@sante-connect.fr',
    '{"role": "company", "full_name": "Olivier Roux", "company_name": "Santé Connect"}'),
  ('d0000000-0000-4000-8000-000000000001', 'camille.martin@example.fr',
    '{"role": "candidate", "full_name": "Camille Martin"}'),
  ('d0000000-0000-4000-8000-000000000002', 'julien.bernard@example.fr',
    '{"role": "candidate", "full_name": "Julien Bernard"}'),
  ('d0000000-0000-4000-8000-000000000003', 'sophie.dubois@example.fr',
    '{"role": "candidate", "full_name": "Sophie Dubois"}'),
  ('d0000000-0000-4000-8000-000000000004', 'thomas.petit@example.fr',
    '{"role": "candidate", "full_name": "Thomas Petit"}'),
  ('d0000000-0000-4000-8000-000000000005', 'lea.moreau@example.fr',
    '{"role": "candidate", "full_name": "Léa Moreau"}'),
  ('d0000000-0000-4000-8000-000000000006', 'hugo.laurent@example.fr',
    '{"role": "candidate", "full_name": "Hugo Laurent"}'),
  ('d0000000-0000-4000-8000-000000000007', 'chloe.garnier@example.fr',
    '{"role": "candidate", "full_name": "Chloé Garnier"}')
) as account(id, email, metadata);

insert into auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
select id::text, id, jsonb_build_object('sub', id::text, 'email', email, 'email_verified', true),
  'email', created_at, created_at
from auth.users
where email in ('admin@emploi-plus.fr', 'rh@lumiere-digitale.fr', 'recrutement@banqueverte.fr',
  'talents@logirhone.fr', 'jobs@sante-connect.fr')
  or email like '%@example.fr';

-- Admins are made by the service role, never by sign-up.
update public.profiles set role = 'admin' where id = 'a0000000-0000-4000-8000-000000000001';

-- Company pages ---------------------------------------------------------------------------------

update public.companies as company set
  description = page.description, website = page.website, industry = page.industry,
  size = page.size::public.company_size, location = page.location
from (values
  ('c0000000-0000-4000-8000-000000000001'::uuid,
    'Agence web lyonnaise : sites, applications et design de services pour des PME et des collectivités.',
    'https://lumiere-digitale.example.fr', 'Services numériques', '11-50', 'Lyon'),
  ('c0000000-0000-4000-8000-000000000002',
    'Néobanque responsable : comptes, épargne verte et paiements pour les particuliers.',
    'https://banqueverte.example.fr', 'Banque et finance', '201-500', 'Paris'),
  ('c0000000-0000-4000-8000-000000000003',
    'Entrepôts et transport régional dans la vallée du Rhône, 40 sites et une équipe tech interne.',
    'https://logirhone.example.fr', 'Transport et logistique', '501-1000', 'Villeurbanne'),
  ('c0000000-0000-4000-8000-000000000004',
    'Téléconsultation et suivi de patients pour les cabinets médicaux de l''Ouest.',
    'https://sante-connect.example.fr', 'Santé', '51-200', 'Nantes')
) as page(id, description, website, industry, size, location)
where company.id = page.id;

-- Candidate profiles ----------------------------------------------------------------------------

update public.candidates as candidate set
  headline = profile.headline, bio = profile.bio, skills = profile.skills,
  experience_level = profile.experience_level::public.experience_level,
  years_experience = profile.years_experience, location = profile.location,
  remote_preference = profile.remote_preference::public.remote_preference,
  open_to_work = profile.open_to_work, desired_salary_min = profile.desired_salary_min
from (values
  ('d0000000-0000-4000-8000-000000000001'::uuid, 'Développeuse front-end React',
    'Quatre ans sur des applications React et TypeScript, attentive à l''accessibilité.',
    '{React, TypeScript, JavaScript, CSS, Accessibilité}'::text[], 'mid', 4, 'Lyon', 'hybrid',
    true, 42000),
  ('d0000000-0000-4000-8000-000000000002', 'Développeur Java senior',
    'Back-end bancaire depuis dix ans : Java, Spring, PostgreSQL et beaucoup de tests.',
    '{Java, Spring, PostgreSQL, Kafka, Docker}', 'senior', 10, 'Paris', 'onsite', true, 62000),
  ('d0000000-0000-4000-8000-000000000003', 'Data analyst',
    'Tableaux de bord, SQL et Python pour des équipes produit et marketing.',
    '{SQL, Python, Power BI, Excel}', 'mid', 3, 'Nantes', 'hybrid', true, 38000),
  ('d0000000-0000-4000-8000-000000000004', 'Ingénieur DevOps',
    'Kubernetes, Terraform et observabilité ; j''aime automatiser ce qui se répète.',
    '{Kubernetes, Terraform, AWS, Linux, Go}', 'senior', 7, 'Grenoble', 'remote', true, 58000),
  ('d0000000-0000-4000-8000-000000000005', 'UX designer',
    'Recherche utilisateur et prototypage, de l''atelier au design system.',
    '{Figma, UX Research, Design System, HTML}', 'mid', 5, 'Bordeaux', 'any', true, 40000),
  ('d0000000-0000-4000-8000-000000000006', 'Développeur Python junior',
    'Sorti d''école en 2025, alternance sur une API Django.',
    '{Python, Django, SQL, Git}', 'junior', 1, 'Lille', 'hybrid', true, 32000),
  ('d0000000-0000-4000-8000-000000000007', 'Product manager',
    'Produits B2C, discovery et priorisation ; en poste, à l''écoute d''opportunités rares.',
    '{Product Management, Agile, SQL}', 'lead', 9, 'Paris', 'hybrid', false, 70000)
) as profile(id, headline, bio, skills, experience_level, years_experience, location,
  remote_preference, open_to_work, desired_salary_min)
where candidate.id = profile.id;

-- Job offers: 10 published, 3 drafts, 1 closed ---------------------------------------------------

insert into public.jobs (
  id, company_id, title, description, required_skills, nice_to_have_skills, experience_level,
  location, remote_policy, salary_min, salary_max, contract_type, status, created_at
)
values
  ('e0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001',
    'Développeur·se front-end React',
    'Vous développerez les interfaces de nos clients en React et TypeScript, avec une attention particulière à l''accessibilité (RGAA).',
    '{React, TypeScript}', '{Next.js, Accessibilité}', 'mid', 'Lyon', 'hybrid', 40000, 48000,
    'cdi', 'published', now() - interval '12 days'),
  ('e0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-000000000001',
    'UX/UI designer',
    'Ateliers avec les clients, parcours, maquettes Figma et suivi du design system de l''agence.',
    '{Figma, UX Research}', '{Design System}', 'mid', 'Lyon', 'hybrid', 38000, 45000, 'cdi',
    'published', now() - interval '9 days'),
  ('e0000000-0000-4000-8000-000000000003', 'c0000000-0000-4000-8000-000000000001',
    'Développeur·se full-stack en alternance',
    'Une année en alternance entre l''école et nos projets Node.js et React.',
    '{JavaScript}', '{React, Node.js}', 'junior', 'Lyon', 'onsite', 14000, 18000, 'alternance',
    'published', now() - interval '3 days'),
  ('e0000000-0000-4000-8000-000000000004', 'c0000000-0000-4000-8000-000000000002',
    'Ingénieur·e back-end Java',
    'Au cœur de la plateforme de paiement : Java 21, Spring Boot, PostgreSQL et Kafka.',
    '{Java, Spring, PostgreSQL}', '{Kafka}', 'senior', 'Paris', 'hybrid', 58000, 70000, 'cdi',
    'published', now() - interval '15 days'),
  ('e0000000-0000-4000-8000-000000000005', 'c0000000-0000-4000-8000-000000000002',
    'Data analyst risque',
    'Analyse de la fraude et des impayés, tableaux de bord et requêtes SQL pour l''équipe risque.',
    '{SQL, Python}', '{Power BI}', 'mid', 'Paris', 'hybrid', 45000, 52000, 'cdi', 'published',
    now() - interval '6 days'),
  ('e0000000-0000-4000-8000-000000000006', 'c0000000-0000-4000-8000-000000000002',
    'Ingénieur·e DevOps / SRE',
    'Kubernetes sur AWS, Terraform, astreintes partagées et culture du post-mortem sans reproche.',
    '{Kubernetes, Terraform, AWS}', '{Go}', 'senior', 'Paris', 'remote', 60000, 75000, 'cdi',
    'published', now() - interval '2 days'),
  ('e0000000-0000-4000-8000-000000000007', 'c0000000-0000-4000-8000-000000000003',
    'Développeur·se Python (optimisation des tournées)',
    'Algorithmes de tournées et API Django pour nos 40 entrepôts.',
    '{Python, Django}', '{PostgreSQL}', 'junior', 'Villeurbanne', 'hybrid', 34000, 40000, 'cdi',
    'published', now() - interval '8 days'),
  ('e0000000-0000-4000-8000-000000000008', 'c0000000-0000-4000-8000-000000000003',
    'Chef·fe de projet logistique',
    'Pilotage de l''ouverture de deux entrepôts, coordination transport et SI.',
    '{Gestion de projet}', '{SQL}', 'senior', 'Villeurbanne', 'onsite', 45000, 55000, 'cdd',
    'published', now() - interval '20 days'),
  ('e0000000-0000-4000-8000-000000000009', 'c0000000-0000-4000-8000-000000000004',
    'Product manager e-santé',
    'Téléconsultation pour les médecins généralistes : discovery, roadmap et mesure d''impact.',
    '{Product Management}', '{Agile, SQL}', 'lead', 'Nantes', 'hybrid', 60000, 72000, 'cdi',
    'published', now() - interval '4 days'),
  ('e0000000-0000-4000-8000-000000000010', 'c0000000-0000-4000-8000-000000000004',
    'Développeur·se mobile React Native',
    'Application patient iOS et Android, en lien avec notre API et nos médecins.',
    '{React Native, TypeScript}', '{React}', 'mid', 'Nantes', 'remote', 42000, 50000,
    'freelance', 'published', now() - interval '1 day'),
  ('e0000000-0000-4000-8000-000000000011', 'c0000000-0000-4000-8000-000000000001',
    'Stage chef·fe de projet digital',
    'Brouillon : stage de six mois au printemps.', '{}', '{}', 'junior', 'Lyon', 'onsite',
    null, null, 'stage', 'draft', now() - interval '1 day'),
  ('e0000000-0000-4000-8000-000000000012', 'c0000000-0000-4000-8000-000000000002',
    'Architecte sécurité',
    'Brouillon en relecture par la DSI.', '{Sécurité, Cloud}', '{}', 'lead', 'Paris', 'hybrid',
    75000, 90000, 'cdi', 'draft', now() - interval '2 days'),
  ('e0000000-0000-4000-8000-000000000013', 'c0000000-0000-4000-8000-000000000004',
    'Data engineer',
    'Brouillon : entrepôt de données de santé (HDS).', '{Python, SQL}', '{Airflow}', 'mid',
    'Nantes', 'hybrid', 48000, 56000, 'cdi', 'draft', now()),
  ('e0000000-0000-4000-8000-000000000014', 'c0000000-0000-4000-8000-000000000003',
    'Cariste (poste pourvu)',
    'Offre pourvue en octobre.', '{CACES}', '{}', 'junior', 'Villeurbanne', 'onsite', 23000,
    25000, 'cdd', 'closed', now() - interval '45 days');

-- Applications ------------------------------------------------------------------------------------

insert into public.job_applications (job_id, candidate_id, status, cover_letter, created_at)
values
  ('e0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001', 'interview',
    'Bonjour, vos projets pour les collectivités et l''accessibilité me parlent beaucoup.',
    now() - interval '10 days'),
  ('e0000000-0000-4000-8000-000000000004', 'd0000000-0000-4000-8000-000000000002', 'reviewing',
    'Dix ans de back-end bancaire, je serais heureux d''en parler avec vous.',
    now() - interval '11 days'),
  ('e0000000-0000-4000-8000-000000000005', 'd0000000-0000-4000-8000-000000000003', 'submitted',
    null, now() - interval '2 days'),
  ('e0000000-0000-4000-8000-000000000006', 'd0000000-0000-4000-8000-000000000004', 'offer',
    'Le poste en télétravail complet correspond exactement à ce que je cherche.',
    now() - interval '2 days'),
  ('e0000000-0000-4000-8000-000000000002', 'd0000000-0000-4000-8000-000000000005', 'submitted',
    'Portfolio en lien, disponible pour un atelier.', now() - interval '5 days'),
  ('e0000000-0000-4000-8000-000000000007', 'd0000000-0000-4000-8000-000000000006', 'rejected',
    null, now() - interval '7 days'),
  ('e0000000-0000-4000-8000-000000000014', 'd0000000-0000-4000-8000-000000000006', 'hired',
    null, now() - interval '40 days');

-- Newsfeed ----------------------------------------------------------------------------------------

insert into public.posts (
  author_id, content, links, is_pinned, moderation_status, moderated_at, created_at
)
values
  ('a0000000-0000-4000-8000-000000000001',
    'Bienvenue sur Emploi+ ! Complétez votre profil pour recevoir des offres qui vous correspondent. Les publications sont relues automatiquement avant d''apparaître dans le fil.',
    '{}', true, 'approved', now() - interval '30 days', now() - interval '30 days'),
  ('c0000000-0000-4000-8000-000000000001',
    'Nous recrutons un·e développeur·se React pour renforcer l''équipe lyonnaise. Télétravail deux jours par semaine !',
    '{}', false, 'approved', now() - interval '12 days', now() - interval '12 days'),
  ('d0000000-0000-4000-8000-000000000004',
    'Retour d''expérience : migrer 60 services vers Kubernetes sans interruption, ce que nous aurions fait autrement.',
    '{https://blog.example.fr/kubernetes-migration}', false, 'approved',
    now() - interval '9 days', now() - interval '9 days'),
  ('d0000000-0000-4000-8000-000000000003',
    'Petit conseil aux candidats data : montrez un tableau de bord réel dans votre portfolio, même modeste.',
    '{}', false, 'approved', now() - interval '6 days', now() - interval '6 days'),
  ('c0000000-0000-4000-8000-000000000002',
    'BanqueVerte ouvre trois postes tech à Paris et en télétravail. Rencontrons-nous au salon Tech&Emploi jeudi !',
    '{}', false, 'approved', now() - interval '4 days', now() - interval '4 days'),
  ('d0000000-0000-4000-8000-000000000001',
    'Premier entretien technique demain, croisez les doigts pour moi !',
    '{}', false, 'approved', now() - interval '2 days', now() - interval '2 days'),
  ('c0000000-0000-4000-8000-000000000004',
    'La téléconsultation a aidé 12 000 patients cette année dans l''Ouest. Merci à nos équipes et aux médecins partenaires.',
    '{}', false, 'approved', now() - interval '1 day', now() - interval '1 day'),
  ('d0000000-0000-4000-8000-000000000005',
    'Je partage ma checklist d''accessibilité pour les maquettes Figma, vos retours sont bienvenus.',
    '{https://figma.example.fr/checklist-a11y}', false, 'pending', null,
    now() - interval '10 minutes');

insert into public.post_reactions (post_id, user_id, reaction_type)
select post.id, reactor.id, reactor.reaction_type::public.reaction_type
from public.posts as post
join (values
  ('d0000000-0000-4000-8000-000000000001'::uuid, 'like', 'c0000000-0000-4000-8000-000000000001'::uuid),
  ('d0000000-0000-4000-8000-000000000005', 'celebrate', 'c0000000-0000-4000-8000-000000000001'),
  ('d0000000-0000-4000-8000-000000000002', 'insightful', 'd0000000-0000-4000-8000-000000000004'),
  ('c0000000-0000-4000-8000-000000000002', 'like', 'd0000000-0000-4000-8000-000000000004'),
  ('d0000000-0000-4000-8000-000000000006', 'like', 'd0000000-0000-4000-8000-000000000003'),
  ('d0000000-0000-4000-8000-000000000004', 'support', 'd0000000-0000-4000-8000-000000000001'),
  ('c0000000-0000-4000-8000-000000000001', 'celebrate', 'd0000000-0000-4000-8000-000000000001'),
  ('d0000000-0000-4000-8000-000000000003', 'love', 'c0000000-0000-4000-8000-000000000004')
) as reactor(id, reaction_type, author_id) on reactor.author_id = post.author_id
where post.moderation_status = 'approved';

insert into public.post_comments (post_id, author_id, content, created_at)
select post.id, comment.author_id, comment.content, now() - interval '1 hour'
from public.posts as post
join (values
  ('d0000000-0000-4000-8000-000000000004'::uuid, 'd0000000-0000-4000-8000-000000000002'::uuid,
    'Très instructif, merci pour le partage !'),
  ('d0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000005',
    'Bonne chance Camille !'),
  ('d0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001',
    'À demain Camille, on a hâte.')
) as comment(post_author_id, author_id, content) on comment.post_author_id = post.author_id
where post.moderation_status = 'approved';

-- Messaging: Lumière Digitale and Camille, about her interview -----------------------------------

insert into public.conversations (id, direct_key, created_at, last_message_at)
values ('f0000000-0000-4000-8000-000000000001',
  'c0000000-0000-4000-8000-000000000001:d0000000-0000-4000-8000-000000000001',
  now() - interval '3 days', now() - interval '2 days');

insert into public.conversation_participants (conversation_id, user_id, joined_at, last_read_at)
values
  ('f0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001',
    now() - interval '3 days', now() - interval '2 days'),
  ('f0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001',
    now() - interval '3 days', now() - interval '3 days');

insert into public.messages (conversation_id, sender_id, body, created_at)
values
  ('f0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001',
    'Bonjour Camille, merci pour votre candidature ! Seriez-vous disponible mardi à 10 h pour un entretien ?',
    now() - interval '3 days'),
  ('f0000000-0000-4000-8000-000000000001', 'd0000000-0000-4000-8000-000000000001',
    'Bonjour Claire, avec plaisir, mardi 10 h me convient parfaitement.',
    now() - interval '2 days 23 hours'),
  ('f0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001',
    'Parfait, je vous envoie l''invitation. À mardi !', now() - interval '2 days');

-- In-app notifications ------------------------------------------------------------------------------

insert into public.notifications (user_id, type, title, body, data, read_at, created_at)
values
  ('d0000000-0000-4000-8000-000000000001', 'application', 'Entretien proposé',
    'Lumière Digitale vous propose un entretien pour « Développeur·se front-end React ».',
    '{"jobId": "e0000000-0000-4000-8000-000000000001"}', now() - interval '3 days',
    now() - interval '3 days'),
  ('d0000000-0000-4000-8000-000000000001', 'message', 'Nouveau message de Lumière Digitale',
    'Parfait, je vous envoie l''invitation. À mardi !',
    '{"conversationId": "f0000000-0000-4000-8000-000000000001"}', null, now() - interval '2 days'),
  ('d0000000-0000-4000-8000-000000000004', 'application', 'Proposition d''embauche',
    'BanqueVerte vous fait une proposition pour « Ingénieur·e DevOps / SRE ».',
    '{"jobId": "e0000000-0000-4000-8000-000000000006"}', null, now() - interval '1 day'),
  ('d0000000-0000-4000-8000-000000000006', 'application', 'Candidature non retenue',
    'LogiRhône n''a pas retenu votre candidature cette fois-ci. Bon courage pour la suite !',
    '{"jobId": "e0000000-0000-4000-8000-000000000007"}', null, now() - interval '6 days');

-- Engagement: the points of the reactions, comments and applications above (unless the scoring
-- pipeline's triggers already logged them), then the scores they add up to. -------------------------

insert into public.activity_logs (user_id, action, target_id, target_type, points, created_at)
select logged.* from (
  select reaction.user_id, 'like'::public.activity_action, reaction.post_id,
    'post'::public.activity_target_type, 5, reaction.created_at
  from public.post_reactions as reaction
  union all
  select comment.author_id, 'comment', comment.post_id, 'post', 10, comment.created_at
  from public.post_comments as comment
  union all
  select application.candidate_id, 'apply', application.job_id, 'job', 20, application.created_at
  from public.job_applications as application
) as logged
where not exists (select 1 from public.activity_logs);

update public.profiles as profile
set engagement_score = total.points, last_activity_at = total.last_at
from (
  select user_id, sum(points) as points, max(created_at) as last_at
  from public.activity_logs group by user_id
) as total
where profile.id = total.user_id;
