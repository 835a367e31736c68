-- Rate limits on the writes that are cheap to abuse, enforced in the database so that REST callers
-- meet them as the frontend does. The limits live in one place, private.write_limits(); each is a
-- token bucket of private.take_rate_limit_token (capacity per window, refilled continuously),
-- keyed by action and member.
--
-- A refused write fails with HTTP 429, code PT429 and a Retry-After header, through PostgREST's
-- `raise sqlstate 'PGRST'` (message: {code, message, details, hint}; detail: {status, headers}):
--   429 {"code":"PT429","message":"comment: too many requests (10 per 60 s)",
--        "details":"retry_after_seconds=6","hint":"retry after 6 seconds"}   Retry-After: 6
-- Writes by the platform's own roles (service role, migrations, seed) are not limited.

create function private.write_limits()
returns table (action text, capacity integer, window_seconds integer)
language sql immutable
set search_path = ''
as $$
  values
    ('job', 20, 86400),     -- offers created per company per day
    ('post', 10, 600),      -- posts per member per 10 minutes
    ('comment', 10, 60),    -- comments per member per minute
    ('report', 10, 60),     -- reports per member per minute (report_content)
    ('message', 60, 60),    -- messages per member per minute
    -- Sign-ups of the whole platform per hour (Auth limits them per address; the database sees
    -- no address): beyond, new accounts are held for review (*_sign_up_budget.sql).
    ('sign_up', 600, 3600);
$$;

-- Takes one token of bucket p_bucket under the action's limit: whether it was allowed, when to
-- retry, and the limit itself.
create function private.take_write_token(p_action text, p_bucket text)
returns table (
  allowed boolean, retry_after_seconds integer, capacity integer, window_seconds integer
)
language plpgsql security definer
set search_path = ''
as $$
declare
  limits record;
begin
  select * into limits from private.write_limits() as write_limit
  where write_limit.action = p_action;
  if not found then
    raise exception using errcode = '22023', message = format('no write limit for %L', p_action);
  end if;
  return query
  select verdict.allowed, verdict.retry_after_seconds, limits.capacity, limits.window_seconds
  from private.take_rate_limit_token(p_bucket, limits.capacity, limits.window_seconds) as verdict;
end;
$$;

-- Takes one token of the member's bucket for the action, or raises the 429 error.
create function private.enforce_write_limit(p_action text, p_member_id uuid)
returns void
language plpgsql security definer
set search_path = ''
as $$
declare
  verdict record;
begin
  select * into verdict
  from private.take_write_token(p_action, format('write:%s:%s', p_action, p_member_id));
  if not verdict.allowed then
    raise sqlstate 'PGRST' using
      message = json_build_object(
        'code', 'PT429',
        'message', format('%s: too many requests (%s per %s s)', p_action, verdict.capacity,
          verdict.window_seconds),
        'details', format('retry_after_seconds=%s', verdict.retry_after_seconds),
        'hint', format('retry after %s seconds', verdict.retry_after_seconds)
      )::text,
      detail = json_build_object(
        'status', 429,
        'headers', json_build_object('Retry-After', verdict.retry_after_seconds::text)
      )::text;
  end if;
end;
$$;

-- Before insert: tg_argv[0] is the action, tg_argv[1] the column holding the member. The caller is
-- read from the request's claims (inside a security definer function current_user is its owner),
-- so a write through an RPC (send_message) is limited too.
create function private.limit_member_writes()
returns trigger
language plpgsql security definer
set search_path = ''
as $$
begin
  if (select auth.role()) = 'authenticated' then
    perform private.enforce_write_limit(tg_argv[0], (to_jsonb(new) ->> tg_argv[1])::uuid);
  end if;
  return new;
end;
$$;

create trigger jobs_limit_writes
  before insert on public.jobs
  for each row execute function private.limit_member_writes('job', 'company_id');

create trigger posts_limit_writes
  before insert on public.posts
  for each row execute function private.limit_member_writes('post', 'author_id');

create trigger post_comments_limit_writes
  before insert on public.post_comments
  for each row execute function private.limit_member_writes('comment', 'author_id');

create trigger messages_limit_writes
  before insert on public.messages
  for each row execute function private.limit_member_writes('message', 'sender_id');
