/*
  Retention's watermark after a batch that reads its whole range (c180829;
  docs/scaling.md: at 10M events a call without a watermark walked 6M pruned
  rows, 12 s). 20261130000150 as first shipped moved the watermark only to the
  last row it pruned, so once nothing older had a payload every call walked the
  pruned range again. Applied databases get the fix here; 150 stays as shipped
  (tests/unit/migrations-lock.test.ts).

  Retention: sets payload to null on events received before p_older_than, at
  most p_batch rows per call (short row locks; the sweep calls it a few times).
  A watermark (ops_jobs 'webhook_payload_retention') keeps each batch an index
  range scan from where the last one stopped, instead of walking over every
  already-pruned row (12 s per call at 10M events without it, docs/scaling.md);
  a batch that finds less than p_batch rows moves it to the cutoff. An advisory
  lock lets one instance prune at a time, so no row is passed over.
  Pruned failed events leave the retry schedule (nothing left to re-plan).
*/
create or replace function public.prune_webhook_payloads(p_older_than timestamptz, p_batch integer default 500)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_from  timestamptz;
  v_count integer;
  v_last  timestamptz;
begin
  if not pg_catalog.pg_try_advisory_xact_lock(727002) then
    return 0; -- another instance is pruning
  end if;
  select watermark into v_from from public.ops_jobs where name = 'webhook_payload_retention';
  with batch as (
    select e.id, e.received_at from public.webhook_events e
     where e.received_at < p_older_than
       and e.received_at >= coalesce(v_from, '-infinity'::timestamptz)
       and e.payload is not null
     order by e.received_at
     limit greatest(least(p_batch, 10000), 1)
     for update
  ), pruned as (
    update public.webhook_events e
       set payload = null, payload_pruned_at = now(), next_attempt_at = null
      from batch
     where e.id = batch.id
    returning batch.received_at
  )
  select count(*), max(received_at) into v_count, v_last from pruned;
  if v_count < greatest(least(p_batch, 10000), 1) then
    -- the whole range up to the cutoff was read: nothing older is left with a payload
    -- (new rows arrive with received_at = now(), far past the cutoff)
    perform public.advance_ops_job_watermark('webhook_payload_retention', p_older_than);
  else
    perform public.advance_ops_job_watermark('webhook_payload_retention', v_last);
  end if;
  return v_count;
end
$$;
comment on function public.prune_webhook_payloads(timestamptz, integer) is
  'Retention: payload := null for up to p_batch events received before p_older_than (row, outcome, ids stay); returns how many. One instance at a time.';
