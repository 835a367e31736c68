-- Messaging, part 1: who may message whom (docs/messaging.md).

-- THE rule of who may open a conversation with whom. An initiator may open one with
--   * a candidate who applied to one of the initiator's offers (application not withdrawn), or who
--     matched one of them while open to work (the candidates the company can already see);
--   * a company whose offer the initiator, a candidate, applied to (application not withdrawn);
--   * anyone, if the initiator is an admin (support, moderation).
-- Nobody else: candidates never write first to each other or to a company they did not apply to,
-- companies never to each other nor to candidates they have no link with, members never open a
-- conversation with an admin. Once open, a conversation stays open to both until one leaves.
create function private.may_open_conversation(p_initiator uuid, p_recipient uuid)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select p_initiator <> p_recipient and (
    -- a company and a candidate who applied to one of its offers
    exists (
      select 1
      from public.job_applications as application
      join public.jobs as job on job.id = application.job_id
      where job.company_id = p_initiator
        and application.candidate_id = p_recipient
        and application.status <> 'withdrawn'
    )
    -- a company and a candidate open to work who matched one of its offers
    or exists (
      select 1
      from public.job_matches as match
      join public.jobs as job on job.id = match.job_id
      join public.candidates as candidate on candidate.id = match.candidate_id
      where job.company_id = p_initiator
        and match.candidate_id = p_recipient
        and candidate.open_to_work
    )
    -- a candidate and a company they applied to
    or exists (
      select 1
      from public.job_applications as application
      join public.jobs as job on job.id = application.job_id
      where application.candidate_id = p_initiator
        and job.company_id = p_recipient
        and application.status <> 'withdrawn'
    )
    -- an admin and any member
    or (
      exists (select 1 from public.profiles where id = p_initiator and role = 'admin')
      and exists (select 1 from public.profiles where id = p_recipient)
    )
  );
$$;
comment on function private.may_open_conversation(uuid, uuid) is
  'The messaging rule: may p_initiator open a conversation with p_recipient (docs/messaging.md)?';

-- Whether the signed-in member may message p_user_id: they already share a conversation the
-- member takes part in, or the rule lets the member open one. For the frontend's "Message" button.
create function public.can_message(p_user_id uuid)
returns boolean
language sql stable security definer
set search_path = ''
as $$
  select coalesce(
    exists (
      select 1
      from public.conversations as conversation
      join public.conversation_participants as me
        on me.conversation_id = conversation.id and me.user_id = (select auth.uid())
      where conversation.direct_key = private.direct_key((select auth.uid()), p_user_id)
    )
    or private.may_open_conversation((select auth.uid()), p_user_id),
    false
  );
$$;
comment on function public.can_message(uuid) is
  'Whether the signed-in member may message p_user_id (start_conversation would succeed).';
grant execute on function public.can_message(uuid) to authenticated, service_role;
