-- pg_net 0.14.0 stand-in: the SQL surface of Supabase's pg_net, in plain SQL and PL/pgSQL.
--
-- The real extension is a C background worker driving libcurl. Here the functions only queue
-- requests in net.http_request_queue, exactly as the real ones do, and local/net-worker (a Deno
-- process) sends them and writes net._http_response. A statement trigger on the queue rings the
-- worker with NOTIFY, which Postgres delivers only at commit: a request leaves once its
-- transaction commits, and never if it rolls back.
--
-- Differences from the real extension, all invisible to callers of the public functions:
--   * net._urlencode_string and net._encode_url_with_params_array are SQL, not C over libcurl;
--   * net.worker_restart() reloads the configuration and wakes the worker (it reads its
--     settings, pg_net.ttl among them, at every round, so that is all a restart would do);
--   * none in privileges: like 0.14.0, every function keeps PUBLIC's EXECUTE and the tables are
--     the owner's; USAGE on the schema comes from the Supabase image (local/bootstrap/10_roles.sql
--     repeats its event trigger), so anon may call net.http_post there too.

\echo Use "create extension pg_net" to load this file. \quit

create schema if not exists net;

create domain net.http_method as text
check (value ilike 'get' or value ilike 'post' or value ilike 'delete');

-- Requests waiting for the worker. Unlogged, as in the real extension: a crash loses pending
-- requests, which is acceptable for a doorbell.
create unlogged table net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb not null,
  body bytea,
  timeout_milliseconds int not null
);

-- One row per finished request, kept for pg_net.ttl (6 hours by default).
create unlogged table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out bool,
  error_msg text,
  created timestamptz not null default now()
);

create index on net._http_response (created);

-- Name of the NOTIFY channel local/net-worker listens on (keep the two in sync).
create function net._wake_worker() returns trigger
language plpgsql
as $$
begin
  perform pg_notify('pg_net_wake', '');
  return null;
end
$$;

create trigger wake_worker
after insert on net.http_request_queue
for each statement
execute function net._wake_worker();

-- The worker's connections carry this application_name; the real worker is a background
-- process whose backend_type names pg_net.
create function net.check_worker_is_up() returns void
language plpgsql
as $$
begin
  if not exists (
    select pid from pg_stat_activity
    where backend_type ilike '%pg_net%' or application_name ilike 'pg_net%worker'
  ) then
    raise exception using
      message = 'the pg_net background worker is not up',
      detail = 'the pg_net background worker is down due to an internal error and cannot process requests',
      hint = 'make sure that you didn''t modify any of pg_net internal tables';
  end if;
end
$$;
comment on function net.check_worker_is_up() is 'raises an exception if the pg_net background worker is not up, otherwise it doesn''t return anything';

create function net.worker_restart() returns bool
language plpgsql
as $$
begin
  perform pg_reload_conf();
  perform pg_notify('pg_net_wake', '');
  return true;
end
$$;

-- Percent-encodes every byte but the URL-unreserved ones, like curl_escape.
create function net._urlencode_string(string varchar) returns text
language sql
immutable
strict
as $$
  select coalesce(
    string_agg(
      case
        when byte between 48 and 57 or byte between 65 and 90 or byte between 97 and 122
          or byte in (45, 46, 95, 126)
        then chr(byte)
        else '%' || upper(lpad(to_hex(byte), 2, '0'))
      end,
      '' order by position
    ),
    ''
  )
  from (select convert_to(string, 'UTF8') as raw) as encoded,
    generate_series(0, length(encoded.raw) - 1) as position,
    get_byte(encoded.raw, position) as byte
$$;

-- Appends already-encoded `key=value` pairs to the query of `url`, before any fragment. Rejects
-- what libcurl's URL parser rejects most often: no scheme, no host, or spaces.
create function net._encode_url_with_params_array(url text, params_array text[]) returns text
language plpgsql
immutable
strict
as $$
declare
  parts text[] := regexp_match(url, '^([a-zA-Z][a-zA-Z0-9+.-]*://[^/?#]+)([^?#]*)(\?[^#]*)?(#.*)?$');
  query text;
begin
  if parts is null or url ~ '\s' then
    raise exception 'URL using bad/illegal format or missing URL';
  end if;
  query := coalesce(parts[3], '');
  if cardinality(params_array) > 0 then
    query := case when query = '' then '?' else query || '&' end || array_to_string(params_array, '&');
  end if;
  -- libcurl writes an empty path as "/".
  return parts[1] || coalesce(nullif(parts[2], ''), '/') || query || coalesce(parts[4], '');
end
$$;

create function net._encode_params(params jsonb) returns text[]
language sql
immutable
strict
as $$
  select coalesce(array_agg(net._urlencode_string(key) || '=' || net._urlencode_string(value)), '{}')
  from jsonb_each_text(params)
$$;

create function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
strict
volatile
parallel safe
language plpgsql
as $$
declare
  request_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values (
    'GET',
    net._encode_url_with_params_array(url, net._encode_params(params)),
    headers,
    timeout_milliseconds
  )
  returning id into request_id;
  return request_id;
end
$$;

-- The body is always JSON: a Content-Type header is added when missing, refused when different.
create function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
volatile
parallel safe
language plpgsql
as $$
declare
  request_id bigint;
  content_type text;
begin
  select header.value into content_type
  from jsonb_each_text(coalesce(headers, '{}'::jsonb)) as header
  where lower(header.key) = 'content-type'
  limit 1;

  if content_type is null then
    headers := headers || '{"Content-Type": "application/json"}'::jsonb;
  elsif content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (
    'POST',
    net._encode_url_with_params_array(url, net._encode_params(params)),
    headers,
    convert_to(body::text, 'UTF8'),
    timeout_milliseconds
  )
  returning id into request_id;
  return request_id;
end
$$;

create function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
strict
volatile
parallel safe
language plpgsql
as $$
declare
  request_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values (
    'DELETE',
    net._encode_url_with_params_array(url, net._encode_params(params)),
    headers,
    timeout_milliseconds
  )
  returning id into request_id;
  return request_id;
end
$$;

create type net.request_status as enum ('PENDING', 'SUCCESS', 'ERROR');

create type net.http_response as (
  status_code integer,
  headers jsonb,
  body text
);

create type net.http_response_result as (
  status net.request_status,
  message text,
  response net.http_response
);

-- Waits until the response of `request_id` is stored.
create function net._await_response(request_id bigint) returns bool
volatile
parallel safe
strict
language plpgsql
as $$
begin
  while not exists (select 1 from net._http_response where id = request_id) loop
    perform pg_sleep(0.05);
  end loop;
  return true;
end
$$;

create function net._http_collect_response(request_id bigint, async bool default true)
returns net.http_response_result
strict
volatile
parallel safe
language plpgsql
as $$
declare
  response net._http_response;
begin
  if not async then
    perform net._await_response(request_id);
  end if;

  select * into response from net._http_response where id = request_id;

  if response is null or response.error_msg is not null then
    return (
      'ERROR',
      coalesce(response.error_msg, 'request matching request_id not found'),
      null
    )::net.http_response_result;
  end if;

  return (
    'SUCCESS',
    'ok',
    (response.status_code, response.headers, response.content)::net.http_response
  )::net.http_response_result;
end
$$;

create function net.http_collect_response(request_id bigint, async bool default true)
returns net.http_response_result
strict
volatile
parallel safe
language plpgsql
as $$
begin
  raise notice 'The net.http_collect_response function is deprecated.';
  return net._http_collect_response(request_id, async);
end
$$;
