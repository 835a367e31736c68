-- The common refusals answer a sentence instead of `new row violates row-level security policy`
-- or `duplicate key value violates unique constraint`: before the row is written (before the
-- policies' WITH CHECK and the unique indexes), these triggers look at what the caller can see
-- and raise the error with its reason (message), the facts (detail) and what to do (hint), which
-- PostgREST returns as `message`, `details` and `hint`. They only explain: the policies and
-- constraints still decide, and the service role and the platform's own SQL pass untouched.
-- They run as the caller, so they see what the caller may see and name no `private` object.

-- Reactions and comments: on a post the member can see.
create function private.explain_post_child_refusal()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user = 'authenticated'
    and not exists (select 1 from public.posts as post where post.id = new.post_id) then
    raise exception using
      errcode = '42501',
      message = format('this post cannot receive %s yet', tg_argv[0]),
      detail = format('Post %s does not exist, or it is awaiting moderation.', new.post_id),
      hint = 'Only approved posts (and your own) can be reacted to and commented on.';
  end if;
  return new;
end;
$$;

create trigger post_reactions_explain_refusal
  before insert on public.post_reactions
  for each row execute function private.explain_post_child_refusal('reactions');

create trigger post_comments_explain_refusal
  before insert on public.post_comments
  for each row execute function private.explain_post_child_refusal('comments');

-- Applications: by a candidate, once, to a published offer.
create function private.explain_application_refusal()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  caller uuid := (select auth.uid());
  existing record;
begin
  if current_user <> 'authenticated' then
    return new;
  end if;
  if not exists (select 1 from public.profiles where id = caller and role = 'candidate') then
    raise exception using
      errcode = '42501',
      message = 'only candidates apply to offers',
      hint = 'Sign in with a candidate account.';
  end if;
  if not exists (
    select 1 from public.jobs as job where job.id = new.job_id and job.status = 'published'
  ) then
    raise exception using
      errcode = '42501',
      message = 'this offer is not open for applications',
      detail = format('Offer %s does not exist, or it is a draft or closed.', new.job_id);
  end if;
  select application.id, application.status into existing
  from public.job_applications as application
  where application.job_id = new.job_id and application.candidate_id = caller;
  if found then
    raise exception using
      errcode = '23505',
      message = 'you already applied to this offer',
      detail = format('Application %s is %s.', existing.id, existing.status),
      hint = 'Read or withdraw the existing application instead (status ''withdrawn'').';
  end if;
  return new;
end;
$$;

create trigger job_applications_explain_refusal
  before insert on public.job_applications
  for each row execute function private.explain_application_refusal();

-- Offers: posted by company accounts, as themselves.
create function private.explain_job_refusal()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user = 'authenticated'
    and not exists (
      select 1 from public.profiles where id = (select auth.uid()) and role = 'company'
    ) then
    raise exception using
      errcode = '42501',
      message = 'only company accounts post offers',
      hint = 'Sign up with the metadata role ''company'' to publish offers.';
  end if;
  return new;
end;
$$;

create trigger jobs_explain_refusal
  before insert on public.jobs
  for each row execute function private.explain_job_refusal();
