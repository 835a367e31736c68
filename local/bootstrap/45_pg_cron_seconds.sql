-- pg_cron, as the project's first migration enables it (`create extension if not exists`), so
-- that the gap below can be filled before any migration schedules a job.
create extension if not exists pg_cron with schema pg_catalog;

-- pg_cron 1.5 (hosted Supabase) accepts '[1-59] seconds' schedules; Debian's 1.4 raises
-- "invalid schedule". Where the installed pg_cron is older than 1.5, cron.schedule(job_name,
-- schedule, command) accepts them too: pg_cron's own function stores the job, then its schedule
-- text becomes the seconds schedule, exactly the row 1.5 writes. pg_cron 1.4 never runs such a job
-- (it logs "invalid pg_cron schedule" and skips it); local/cron-seconds runs it. Cron expressions
-- go to pg_cron unchanged. (Only this form of cron.schedule: the product uses no other.)
do $do$
begin
  if (
    select string_to_array(split_part(extension.extversion, '-', 1), '.')::int[] >= array[1, 5]
    from pg_extension as extension
    where extension.extname = 'pg_cron'
  ) then
    return;
  end if;

  create or replace function cron.schedule_cron_expression(job_name text, schedule text, command text)
  returns bigint
  language c
  as '$libdir/pg_cron', 'cron_schedule_named';
  comment on function cron.schedule_cron_expression(text, text, text) is
    'pg_cron 1.4''s cron.schedule (local platform: cron.schedule adds seconds schedules to it)';

  create or replace function cron.schedule(job_name text, schedule text, command text)
  returns bigint
  language plpgsql
  as $function$
  declare
    job_id bigint;
  begin
    if $2 !~ '^\s*([1-9]|[1-5][0-9])\s+seconds?\s*$' then
      return cron.schedule_cron_expression($1, $2, $3);
    end if;
    job_id := cron.schedule_cron_expression($1, '* * * * *', $3);
    update cron.job set schedule = trim($2) where jobid = job_id;
    return job_id;
  end
  $function$;
end
$do$;
