-- Rate limiting for Edge Functions, kept in Postgres so every function instance shares one count.
-- A token bucket per (function, caller): `capacity` requests at once, refilled continuously at
-- capacity per minute. One upsert per request takes a token atomically under the row lock, so
-- concurrent instances can neither lose nor double-count a request.

create schema if not exists private;
revoke all on schema private from public, anon, authenticated;

create table private.rate_limit_buckets (
  bucket text primary key,
  tokens double precision not null,
  refilled_at timestamptz not null default clock_timestamp()
);
comment on table private.rate_limit_buckets is
  'Token buckets of the Edge Function rate limiter, keyed by function and caller.';

create function private.take_rate_limit_token(
  p_bucket text,
  p_capacity integer default 120,
  p_window_seconds integer default 60
) returns table (allowed boolean, retry_after_seconds integer)
language plpgsql
security definer
set search_path = ''
as $$
declare
  refill_per_second double precision := p_capacity::double precision / p_window_seconds;
  tokens_left double precision;
begin
  if p_bucket is null or length(p_bucket) > 300 or p_capacity < 1 or p_window_seconds < 1 then
    raise exception 'invalid rate limit arguments' using errcode = '22023';
  end if;
  insert into private.rate_limit_buckets as b (bucket, tokens, refilled_at)
  values (p_bucket, p_capacity - 1, clock_timestamp())
  on conflict (bucket) do update
    set tokens = least(
          p_capacity::double precision,
          b.tokens + extract(epoch from clock_timestamp() - b.refilled_at) * refill_per_second
        ) - 1,
        refilled_at = clock_timestamp()
  returning b.tokens into tokens_left;

  if tokens_left >= 0 then
    return query select true, 0;
    return;
  end if;
  -- Refused: give the token back so waiting callers are not penalised for retrying.
  update private.rate_limit_buckets set tokens = tokens + 1 where bucket = p_bucket;
  return query select false, greatest(1, ceil((-tokens_left) / refill_per_second)::integer);
end
$$;

grant execute on function private.take_rate_limit_token(text, integer, integer) to service_role;

-- Old buckets are full again; deleting them changes nothing but the table's size.
create function private.prune_rate_limit_buckets() returns void
language sql
security definer
set search_path = ''
as $$
  delete from private.rate_limit_buckets where refilled_at < now() - interval '1 hour';
$$;
