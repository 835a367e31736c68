-- Transactional enqueue: the changes that need background work put a message on its pgmq queue in
-- the same transaction (private.enqueue also rings the worker's doorbell, sent only on commit).
--
--   job_matching        {jobId, reason}        an offer is published, unpublished, or changes what
--                                              matching reads while published
--   candidate_matching  {candidateId, reason}  a candidate's skills, level, location, remote
--                                              preference or availability changes
--   post_moderation     {postId, reason}       a post awaiting moderation is created, or its text,
--                                              images or links change
--
-- The trigger functions are security definer: the users whose writes fire them have no access to
-- `private` nor to the queues.

create function private.enqueue_job_matching()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
declare
  reason text;
begin
  if tg_op = 'INSERT' then
    if new.status = 'published' then
      reason := 'published';
    end if;
  elsif new.status is distinct from old.status then
    if new.status = 'published' then
      reason := 'published';
    elsif old.status = 'published' then
      reason := 'unpublished';
    end if;
  elsif new.status = 'published' and (
    new.match_required_skills, new.match_nice_to_have_skills, new.experience_level,
    new.match_location, new.remote_policy
  ) is distinct from (
    old.match_required_skills, old.match_nice_to_have_skills, old.experience_level,
    old.match_location, old.remote_policy
  ) then
    reason := 'updated';
  end if;
  if reason is not null then
    perform private.enqueue('job_matching', jsonb_build_object('jobId', new.id, 'reason', reason));
  end if;
  return null;
end;
$$;

create trigger jobs_enqueue_matching
  after insert or update of title, description, required_skills, nice_to_have_skills,
    experience_level, location, remote_policy, status
  on public.jobs
  for each row execute function private.enqueue_job_matching();

create function private.enqueue_candidate_matching()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if tg_op = 'INSERT' then
    if new.open_to_work and cardinality(new.match_skills) > 0 then
      perform private.enqueue('candidate_matching',
        jsonb_build_object('candidateId', new.id, 'reason', 'created'));
    end if;
  elsif (
    new.match_skills, new.experience_level, new.match_location, new.remote_preference,
    new.open_to_work
  ) is distinct from (
    old.match_skills, old.experience_level, old.match_location, old.remote_preference,
    old.open_to_work
  ) then
    perform private.enqueue('candidate_matching',
      jsonb_build_object('candidateId', new.id, 'reason', 'updated'));
  end if;
  return null;
end;
$$;

create trigger candidates_enqueue_matching
  after insert or update of skills, experience_level, location, remote_preference, open_to_work
  on public.candidates
  for each row execute function private.enqueue_candidate_matching();

create function private.enqueue_post_moderation()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  -- Posts written already moderated (by an admin or the platform) need no automatic moderation;
  -- an author's edit puts the post back to pending (private.check_post_update) before this runs.
  if new.moderation_status <> 'pending' or new.is_flagged then
    return null;
  end if;
  if tg_op = 'INSERT' then
    perform private.enqueue('post_moderation',
      jsonb_build_object('postId', new.id, 'reason', 'created'));
  elsif (new.content, new.images, new.links) is distinct from (old.content, old.images, old.links)
  then
    perform private.enqueue('post_moderation',
      jsonb_build_object('postId', new.id, 'reason', 'edited'));
  end if;
  return null;
end;
$$;

create trigger posts_enqueue_moderation
  after insert or update of content, images, links on public.posts
  for each row execute function private.enqueue_post_moderation();
