-- An offer that has applications is never deleted, and never goes back to draft (drafts are seen
-- by their company only, so its applicants would lose sight of it): it is closed instead, and
-- both sides keep reading it and its applications. The rule lives in the database, for every
-- caller, the service role included. One exception: erasing a company account (its auth user)
-- erases its offers, and with them their applications (job_id is `on delete cascade`).

create function private.keep_offers_with_applications()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if not exists (select 1 from public.job_applications where job_id = old.id)
    -- Deleted along with its company: the account is being erased.
    or not exists (select 1 from public.companies where id = old.company_id) then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if tg_op = 'DELETE' then
    raise exception using
      errcode = '23503',
      message = format('offer %s has applications and cannot be deleted', old.id),
      hint = 'Close it instead (status ''closed''): both sides keep reading it.';
  end if;
  raise exception using
    errcode = '23514',
    message = format('offer %s has applications and cannot go back to draft', old.id),
    hint = 'Close it instead (status ''closed''): both sides keep reading it.';
end;
$$;

create trigger jobs_keep_offers_with_applications_on_delete
  before delete on public.jobs
  for each row execute function private.keep_offers_with_applications();

create trigger jobs_keep_offers_with_applications_out_of_draft
  before update of status on public.jobs
  for each row
  when (new.status = 'draft' and old.status <> 'draft')
  execute function private.keep_offers_with_applications();
