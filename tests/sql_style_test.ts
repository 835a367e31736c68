// The SQL style checker of `npm test` (local/platform/sql_style.ts): each rule finds what it is
// about, and leaves the project's own conventions alone. Needs no platform.

import assert from "node:assert/strict";
import { checkMigration } from "../local/platform/sql_style.ts";

const rulesOf = (sql: string, file = "20990101000000_example.sql") =>
  checkMigration(file, sql).map((violation) => `${violation.line}:${violation.rule}`);

const CONVENTIONAL = `
-- A definer helper in the project's style (the caller's rights do not apply: 'security definer').
create function private.touch_bucket(p_bucket text)
returns void
language plpgsql volatile security definer
set search_path = ''
as $$
begin
  if p_bucket is null then
    raise exception using errcode = '22023', message = format('p_bucket is required (%s)', 'x');
  end if;
  raise warning 'touching %', p_bucket;
  update private.rate_limit_buckets as bucket
  set tokens = bucket.tokens + 1
  where bucket.bucket = p_bucket and extract(epoch from now()) > 0;
end;
$$;
grant execute on function private.touch_bucket(text) to service_role;
revoke all on table public.jobs from anon, authenticated;
`;

Deno.test("the project's conventions pass", () => {
  assert.deepEqual(rulesOf(CONVENTIONAL), []);
});

Deno.test("a security definer function without an empty search_path is refused", () => {
  const sql = `
create function public.f()
returns integer
language sql security definer
set search_path = public
as $$ select 1 $$;
create function public.g() returns integer as $body$ select 1 $body$ language sql security definer;
`;
  assert.deepEqual(rulesOf(sql), ["2:definer-search-path", "7:definer-search-path"]);
});

Deno.test("a per-function revoke from the API roles is refused, other revokes are not", () => {
  const sql = `
revoke execute on function private.f() from public;
revoke all on function private.g(text, integer)
  from public, anon, authenticated;
revoke execute on function public.h() from service_role;
`;
  assert.deepEqual(rulesOf(sql), ["2:no-function-revoke", "3:no-function-revoke"]);
});

Deno.test("raise exception with a message string is refused", () => {
  const sql = `
do $$ begin
  raise exception 'invalid arguments' using errcode = '22023';
  raise 'no level either';
end $$;
`;
  assert.deepEqual(rulesOf(sql), ["3:raise-using-message", "4:raise-using-message"]);
});

Deno.test("single-letter table aliases are refused", () => {
  const sql = `
select w.name from private.work_queues w;
insert into private.rate_limit_buckets as b (bucket) values ('x');
select 1 from public.jobs as job join public.companies c on c.id = job.company_id;
`;
  assert.deepEqual(rulesOf(sql), ["2:named-alias", "3:named-alias", "4:named-alias"]);
});

Deno.test("function attributes one a line are refused, on one line they pass", () => {
  const sql = `
create function private.f()
returns integer
language sql
stable
security definer
set search_path = ''
as $$ select 1 $$;
create function private.g() returns integer
language sql stable security definer
set search_path = ''
as $$ select 1 $$;
create function private.h() returns integer language sql immutable as $$
  select 1
$$;
`;
  assert.deepEqual(rulesOf(sql), ["5:function-attributes"]);
});

Deno.test("comments and strings do not count", () => {
  const sql = `
-- revoke execute on function private.f() from public; raise exception 'x'
select 'from private.work_queues w' as example;
`;
  assert.deepEqual(rulesOf(sql), []);
});
