-- The matching profiles kept in skill order. A candidate's run reads the offers within reach of
-- their skills, and an offer's run reads the candidates holding its key skills. Either way it reads
-- rows that share skills. Stored in the order offers and candidates arrived, those rows are spread
-- over most of the table: a candidate's 2,400 offers within reach lay on 1,600 of its 2,500 pages.
-- In skill order they share pages: the offers within reach alone took 6 ms instead of 9, every
-- offer sharing a key skill 14.5 instead of 19, and an offer's run 44 ms instead of 48 (100,000
-- candidates, bench/matching).
--
-- Postgres keeps no table in an order: CLUSTER rewrites one in the order of an index, under an
-- exclusive lock, and rows written afterwards go wherever there is room. So two nightly jobs
-- rewrite the tables, one each, in transactions of their own (a lock is held until its
-- transaction ends): 0.7 s for 90,000 offers, 4 s for 800,000 candidates. What each blocks
-- meanwhile is matching (queued work: it waits) and the explanation of a match being read; each
-- gives up on its table when it cannot lock it within 2 s rather than queue, since every reader
-- would then queue behind it.
--   private.order_match_profiles(table)   rewrites one profile table in skill order
--   cron jobs order-offer-profiles (02:40 UTC), order-candidate-profiles (02:45 UTC)

-- The order: sorted skill ids compared as arrays, so that profiles sharing their first skills are
-- neighbours. Nothing else reads these indexes.
create index job_match_profiles_skill_order_idx on private.job_match_profiles (key_skill_ids);
create index candidate_match_profiles_skill_order_idx on private.candidate_match_profiles
  (skill_ids);
alter table private.job_match_profiles cluster on job_match_profiles_skill_order_idx;
alter table private.candidate_match_profiles cluster on candidate_match_profiles_skill_order_idx;
-- Room on each page, so that a profile's new list floor (written after each of its runs) stays on
-- its page (a heap-only update) instead of moving to wherever the table has room.
alter table private.job_match_profiles set (fillfactor = 90);
alter table private.candidate_match_profiles set (fillfactor = 90);

-- Rewrites one profile table, job_match_profiles or candidate_match_profiles, in skill order.
-- Returns its status, 'ordered' or 'skipped' (another transaction held the table for 2 s: tried
-- again the next night), and the milliseconds it took.
create function private.order_match_profiles(p_table text)
returns jsonb
language plpgsql
set search_path = ''
set lock_timeout = '2s'
as $$
declare
  status text;
  started_at timestamptz := clock_timestamp();
begin
  if p_table is null or p_table not in ('job_match_profiles', 'candidate_match_profiles') then
    raise exception using
      errcode = '22023',
      message = format('p_table: job_match_profiles | candidate_match_profiles (got %s)', p_table);
  end if;
  begin
    execute format('cluster private.%I', p_table);
    status := 'ordered';
  exception when lock_not_available then
    status := 'skipped';
  end;
  return jsonb_build_object('status', status,
    'ms', round(extract(epoch from clock_timestamp() - started_at)::numeric * 1000));
end;
$$;

select cron.schedule('order-offer-profiles', '40 2 * * *',
  $$select private.order_match_profiles('job_match_profiles')$$);
select cron.schedule('order-candidate-profiles', '45 2 * * *',
  $$select private.order_match_profiles('candidate_match_profiles')$$);
