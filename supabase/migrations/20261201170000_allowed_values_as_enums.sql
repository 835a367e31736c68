-- Allowed values as Postgres enums, so that `supabase gen types` gives the frontend unions instead
-- of `string`: application statuses and company sizes. Values, order and defaults are those of
-- the check constraints they replace; a wrong value now answers 22P02 `invalid input value for
-- enum application_status: "…"` (docs/reference/errors.md), and the generated reference lists the
-- values.
--
-- The other value lists stay text with their check constraints for now, because SQL of other
-- parts compares them with text or returns them as text, which an enum would break at run time:
-- experience_level, remote_policy, contract_type (search_jobs returns and filters them as text;
-- matching ranks levels with a text array), remote_preference (matching), profiles.role (the
-- notification audience compares it with a JSON text), jobs.status (partial indexes, policies
-- and the matching view are written against text), posts.moderation_status (moderation is being
-- reworked), post_reactions.reaction_type (v_newsfeed_feed, a view of the feed), notifications.type
-- (the dispatcher inserts it from queue messages). Their check constraints name the field and the
-- values instead (…_explanatory_constraint_names.sql).

create type public.application_status as enum (
  'submitted', 'reviewing', 'interview', 'offer', 'hired', 'rejected', 'withdrawn'
);
comment on type public.application_status is
  'Hiring steps of an application: the company moves it to reviewing, interview, offer, hired or '
  'rejected; the candidate withdraws it.';

-- Triggers `… update of status` pin the column's type: they are set aside and created again, as
-- they are (whoever created them), around the conversion.
do $$
declare
  trigger_definitions text[];
begin
  select coalesce(array_agg(pg_get_triggerdef(tgr.oid)), '{}') into trigger_definitions
  from pg_trigger as tgr
  where tgr.tgrelid = 'public.job_applications'::regclass
    and exists (
      select 1 from pg_depend as dependency
      where dependency.classid = 'pg_trigger'::regclass and dependency.objid = tgr.oid
        and dependency.refobjid = tgr.tgrelid
        and dependency.refobjsubid = (
          select attnum from pg_attribute
          where attrelid = tgr.tgrelid and attname = 'status'
        )
    );
  execute (
    select string_agg(format('drop trigger %I on public.job_applications;', tgr.tgname), ' ')
    from pg_trigger as tgr
    where pg_get_triggerdef(tgr.oid) = any (trigger_definitions)
  );

  alter table public.job_applications drop constraint job_applications_status_check;
  alter table public.job_applications
    alter column status drop default,
    alter column status type public.application_status using status::public.application_status,
    alter column status set default 'submitted';

  for i in 1..cardinality(trigger_definitions) loop
    execute trigger_definitions[i];
  end loop;
end;
$$;

create type public.company_size as enum (
  '1-10', '11-50', '51-200', '201-500', '501-1000', '1001+'
);
comment on type public.company_size is 'Head count bracket of a company.';

alter table public.companies drop constraint companies_size_check;
alter table public.companies
  alter column size type public.company_size using size::public.company_size;
