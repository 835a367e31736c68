-- The matching profiles (what scoring reads): which offers and candidates have one, that they
-- follow their rows, that skills keep their integer ids, and that a rematch brings the profiles of
-- the rows it is asked for up to date when their rows were written with triggers off.
begin;
select plan(14);

update public.candidates set open_to_work = false;
update public.jobs set status = 'closed' where status = 'published';

select tests.create_user('profile_company', 'company');
select tests.create_user('profile_candidate', 'candidate');

create function pg_temp.candidate_profile() returns text
language sql as $$
  select format('%s %s %s %s %s', (
      select array_agg(known.skill order by known.skill) from private.skill_ids as known
      where known.id = any (profile.skill_ids)
    ), profile.experience_rank, profile.location, profile.match_threshold, profile.job_alerts)
  from private.candidate_match_profiles as profile
  where profile.candidate_id = tests.user_id('profile_candidate')
$$;
create function pg_temp.offer_profile() returns text
language sql as $$
  select format('%s %s %s', cardinality(profile.required_skill_ids),
    cardinality(profile.nice_to_have_skill_ids), profile.key_skill_ids = profile.required_skill_ids)
  from private.job_match_profiles as profile
  where profile.job_id = tests.job_id('Offre profil')
$$;

select is(pg_temp.candidate_profile(), null, 'a candidate without skills has no profile');
update public.candidates
set skills = array['ReactJS', 'Cobol'], experience_level = 'senior', location = 'Lyon 3e',
    open_to_work = true, match_threshold = 70
where id = tests.user_id('profile_candidate');
select is(pg_temp.candidate_profile(), '{cobol,react} 3 lyon 70 t',
  'an open candidate with skills has one: canonical skills, level rank, city key, alerts');
select ok(exists (select 1 from private.skill_ids where skill = 'cobol'),
  'a skill outside the dictionary gets an id');
create temporary table cobol_id as select id from private.skill_ids where skill = 'cobol';
update public.candidates set skills = array['Cobol'] where id = tests.user_id('profile_candidate');
update public.candidates set skills = array['Cobol', 'React']
where id = tests.user_id('profile_candidate');
select is((select id from private.skill_ids where skill = 'cobol'), (select id from cobol_id),
  'and keeps it');
update public.notification_preferences set job_alerts_enabled = false
where user_id = tests.user_id('profile_candidate');
select is(pg_temp.candidate_profile(), '{cobol,react} 3 lyon 70 f',
  'turning job alerts off shows on the profile');
update public.candidates set open_to_work = false where id = tests.user_id('profile_candidate');
select is(pg_temp.candidate_profile(), null, 'a candidate who stops looking loses it');
update public.candidates set open_to_work = true where id = tests.user_id('profile_candidate');
select isnt(pg_temp.candidate_profile(), null, 'and gets it back');

insert into public.jobs (company_id, title, required_skills, nice_to_have_skills, location, status)
values (tests.user_id('profile_company'), 'Offre profil', array['Cobol'], array['React'], 'Lyon',
  'draft');
select is(pg_temp.offer_profile(), null, 'a draft offer has no profile');
update public.jobs set status = 'published' where id = tests.job_id('Offre profil');
select is(pg_temp.offer_profile(), '1 1 t',
  'a published, approved offer has one; its key skills are the required ones');
update public.jobs set moderation_status = 'flagged' where id = tests.job_id('Offre profil');
select is(pg_temp.offer_profile(), null, 'an offer no longer approved loses it');
update public.jobs set moderation_status = 'approved' where id = tests.job_id('Offre profil');

-- Written with triggers off: the profile is stale until a rematch of that row.
set local session_replication_role = replica;
update public.candidates set location = 'Paris' where id = tests.user_id('profile_candidate');
update public.candidates set match_location = 'paris' where id = tests.user_id('profile_candidate');
set local session_replication_role = origin;
select is(pg_temp.candidate_profile(), '{cobol,react} 3 lyon 70 f',
  'a write with triggers off leaves the profile as it was');
select is((private.rematch('{}', array[tests.user_id('profile_candidate')]) ->> 'matches')::integer,
  1, 'a rematch of the candidate scores the offer');
select is(pg_temp.candidate_profile(), '{cobol,react} 3 paris 70 f',
  'from the profile it first brought up to date');

delete from public.candidates where id = tests.user_id('profile_candidate');
select is_empty(
  $$ select 1 from private.candidate_match_profiles
     where candidate_id = tests.user_id('profile_candidate') $$,
  'a deleted candidate''s profile goes with them');

select * from finish();
rollback;
