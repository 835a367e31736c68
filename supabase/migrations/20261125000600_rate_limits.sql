-- Rate limiting for Edge Functions, kept in Postgres so every function instance shares one count.
-- A token bucket per (function, caller): `capacity` requests at once, refilled continuously at
-- capacity per minute. One upsert per request takes a token atomically under the row lock, so
-- concurrent instances can neither lose nor double-count a request.

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
)
returns table (allowed boolean, retry_after_seconds integer)
language plpgsql security definer
set search_path = ''
as $$
declare
  refill_per_second double precision;
  tokens_left double precision;
begin
  if p_bucket is null or length(p_bucket) > 300 then
    raise exception using
      errcode = '22023',
      message = 'take_rate_limit_token: p_bucket is required, 300 characters at most';
  end if;
  if p_capacity is null or p_window_seconds is null or p_capacity < 1 or p_window_seconds < 1 then
    raise exception using
      errcode = '22023',
      message = format(
        'take_rate_limit_token: p_capacity and p_window_seconds must be at least 1 (got %s, %s)',
        p_capacity, p_window_seconds);
  end if;
  refill_per_second := p_capacity::double precision / p_window_seconds;
  insert into private.rate_limit_buckets as stored (bucket, tokens, refilled_at)
  values (p_bucket, p_capacity - 1, clock_timestamp())
  on conflict (bucket) do update
    set tokens = least(
          p_capacity::double precision,
          stored.tokens
            + extract(epoch from clock_timestamp() - stored.refilled_at) * refill_per_second
        ) - 1,
        refilled_at = clock_timestamp()
  returning stored.tokens into tokens_left;

  if tokens_left >= 0 then
    return query select true, 0;
    return;
  end if;
  -- Refused: give the token back so waiting callers are not penalised for retrying.
  update private.rate_limit_buckets as refused
  set tokens = refused.tokens + 1
  where refused.bucket = p_bucket;
  return query select false, greatest(1, ceil((-tokens_left) / refill_per_second)::integer);
end;
$$;
grant execute on function private.take_rate_limit_token(text, integer, integer) to service_role;

-- Old buckets are full again; deleting them changes nothing but the table's size.
create function private.prune_rate_limit_buckets()
returns void
language sql security definer
set search_path = ''
as $$
  delete from private.rate_limit_buckets as bucket
  where bucket.refilled_at < now() - interval '1 hour';
$$;
