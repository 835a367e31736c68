-- pgTAP tests of the local pg_net stand-in (local/extensions/pg_net) and its worker
-- (local/net-worker): the SQL surface of pg_net 0.14 and what its requests do.
--
-- Needs the worker running and the echo server (local/tests/echo_server.ts) at the URL given by
-- the app.echo_url setting (PGOPTIONS='-c app.echo_url=http://127.0.0.1:<port>').
-- Not wrapped in a transaction: requests only leave when their transaction commits, so the
-- requests below commit one statement at a time and the test waits for their responses.
select plan(25);

-- Requests made by this file, by label, with the moment they were queued.
create temp table requests (
  label text primary key,
  id bigint,
  queued_at timestamptz not null default clock_timestamp()
);

-- The response to a labelled request, waiting up to `max_wait` for the worker to store it.
create function pg_temp.response_of(request_label text, max_wait interval default '5 seconds')
returns net._http_response
language plpgsql
as $$
declare
  request_id bigint := (select id from requests where label = request_label);
  deadline timestamptz := clock_timestamp() + max_wait;
  response net._http_response;
begin
  loop
    select * into response from net._http_response where id = request_id;
    exit when found or clock_timestamp() > deadline;
    perform pg_sleep(0.05);
  end loop;
  return response;
end
$$;

create function pg_temp.echo(path text) returns text
language sql
as $$ select current_setting('app.echo_url') || path $$;

-- The extension's surface ---------------------------------------------------------------

select has_extension('pg_net'::name, 'The pg_net extension is installed'::text);
select has_schema('net', 'pg_net keeps its objects in the net schema');
select columns_are(
  'net', 'http_request_queue',
  array['id', 'method', 'url', 'headers', 'body', 'timeout_milliseconds'],
  'net.http_request_queue has the columns of pg_net 0.14'
);
select columns_are(
  'net', '_http_response',
  array['id', 'status_code', 'content_type', 'headers', 'content', 'timed_out', 'error_msg', 'created'],
  'net._http_response has the columns of pg_net 0.14'
);
select results_eq(
  $$ select proname::text collate "default", pg_get_function_arguments(oid), pg_get_function_result(oid)
     from pg_proc
     where pronamespace = 'net'::regnamespace and proname in ('http_get', 'http_post', 'http_delete')
     order by proname $$,
  $$ values
     ('http_delete',
      'url text, params jsonb DEFAULT ''{}''::jsonb, headers jsonb DEFAULT ''{}''::jsonb, timeout_milliseconds integer DEFAULT 5000',
      'bigint'),
     ('http_get',
      'url text, params jsonb DEFAULT ''{}''::jsonb, headers jsonb DEFAULT ''{}''::jsonb, timeout_milliseconds integer DEFAULT 5000',
      'bigint'),
     ('http_post',
      'url text, body jsonb DEFAULT ''{}''::jsonb, params jsonb DEFAULT ''{}''::jsonb, headers jsonb DEFAULT ''{"Content-Type": "application/json"}''::jsonb, timeout_milliseconds integer DEFAULT 5000',
      'bigint') $$,
  'net.http_get, net.http_post and net.http_delete have the signatures and defaults of pg_net 0.14'
);
select function_privs_are(
  'net', 'http_post', array['text', 'jsonb', 'jsonb', 'jsonb', 'integer'], 'service_role',
  array['EXECUTE'], 'service_role may call net.http_post'
);
select function_privs_are(
  'net', 'http_post', array['text', 'jsonb', 'jsonb', 'jsonb', 'integer'], 'anon',
  array['EXECUTE'], 'anon may call net.http_post, as pg_net grants EXECUTE to PUBLIC'
);
select ok(
  has_schema_privilege('anon', 'net', 'usage'),
  'anon may use the net schema, as the Supabase image''s event trigger grants'
);
select throws_ok(
  $$ select net.http_post(pg_temp.echo('/echo'), headers => '{"Content-Type": "text/plain"}') $$,
  'Content-Type header must be "application/json"',
  'net.http_post refuses a body that is not JSON, as pg_net does'
);
select lives_ok(
  $$ select net.check_worker_is_up() $$,
  'net.check_worker_is_up finds the worker running'
);

-- Requests and their responses ----------------------------------------------------------

insert into requests (label, id)
values ('get', net.http_get(pg_temp.echo('/echo'), params => '{"q": "café & crème"}'));
insert into requests (label, id)
values ('post', net.http_post(pg_temp.echo('/echo'), body => '{"hello": "monde"}'));
insert into requests (label, id) values ('delete', net.http_delete(pg_temp.echo('/echo')));

select is(
  (pg_temp.response_of('get')).status_code, 200,
  'A committed GET request gets its response in net._http_response'
);
select is(
  (pg_temp.response_of('get')).content::jsonb -> 'query' ->> 'q', 'café & crème',
  'The params of a GET request reach the server url-encoded and intact'
);
select is(
  (pg_temp.response_of('get')).content::jsonb -> 'headers' ->> 'user-agent', 'pg_net/0.14.0',
  'Requests carry the User-Agent of pg_net'
);
select is(
  (pg_temp.response_of('get')).content_type, 'application/json',
  'The response records the content type the server sent'
);
select cmp_ok(
  (select (pg_temp.response_of('get')).created - queued_at from requests where label = 'get'),
  '<', interval '500 milliseconds',
  'The worker sends a request as soon as its transaction commits, without waiting for a poll'
);
select is(
  (net._http_collect_response((select id from requests where label = 'get'))).status,
  'SUCCESS'::net.request_status,
  'net._http_collect_response reports the stored response as a success'
);
select is(
  (pg_temp.response_of('post')).content::jsonb ->> 'body', '{"hello": "monde"}',
  'A POST request sends its JSON body'
);
select is(
  (pg_temp.response_of('post')).content::jsonb -> 'headers' ->> 'content-type', 'application/json',
  'A POST request declares its body as application/json'
);
select is(
  (pg_temp.response_of('delete')).content::jsonb ->> 'method', 'DELETE',
  'A DELETE request is sent with the DELETE method'
);

-- Failures --------------------------------------------------------------------------------

insert into requests (label, id)
values (
  'slow',
  net.http_get(pg_temp.echo('/echo'), params => '{"delay_ms": "3000"}', timeout_milliseconds => 300)
);
-- Nothing listens on port 2 (and fetch does not block it, unlike port 1).
insert into requests (label, id) values ('refused', net.http_get('http://127.0.0.1:2/'));

select is(
  (pg_temp.response_of('slow')).timed_out, true,
  'A request slower than its timeout_milliseconds is recorded as timed out'
);
select matches(
  (pg_temp.response_of('slow')).error_msg, '^Timeout of 300 ms reached',
  'A timed-out request explains itself in error_msg as pg_net does'
);
select is(
  (pg_temp.response_of('refused')).error_msg, 'Couldn''t connect to server',
  'A connection error is recorded in error_msg'
);

-- Transactions ----------------------------------------------------------------------------

create temp table tags as
select 'rolled-back-' || gen_random_uuid() as rolled_back, 'committed-' || gen_random_uuid() as committed;

begin;
do $$
begin
  perform net.http_get(
    pg_temp.echo('/echo'), jsonb_build_object('tag', (select rolled_back from tags))
  );
end
$$;
rollback;

insert into requests (label, id)
select 'committed', net.http_get(pg_temp.echo('/echo'), jsonb_build_object('tag', committed))
from tags;

select is(
  (pg_temp.response_of('committed')).status_code, 200,
  'A request made right after, in a transaction that commits, is sent'
);

insert into requests (label, id)
select 'rolled back seen', net.http_get(pg_temp.echo('/seen'), jsonb_build_object('tag', rolled_back))
from tags;

select is(
  (pg_temp.response_of('rolled back seen')).content::jsonb -> 'count', '0'::jsonb,
  'A request made in a transaction that rolls back is never sent'
);

-- Expiry ----------------------------------------------------------------------------------

insert into net._http_response (id, status_code, created)
values (
  -1, 200,
  now() - coalesce(nullif(current_setting('pg_net.ttl', true), ''), '6 hours')::interval
    - interval '1 minute'
);

create function pg_temp.expired_response_is_gone(max_wait interval default '6 seconds')
returns boolean
language plpgsql
as $$
declare
  deadline timestamptz := clock_timestamp() + max_wait;
begin
  while exists (select 1 from net._http_response where id = -1) loop
    if clock_timestamp() > deadline then
      return false;
    end if;
    perform pg_sleep(0.1);
  end loop;
  return true;
end
$$;

select ok(
  pg_temp.expired_response_is_gone(),
  'The worker deletes responses older than pg_net.ttl (6 hours by default)'
);

-- Clean-up ----------------------------------------------------------------------------------

delete from net._http_response where id in (select id from requests) or id = -1;

select * from finish();
