/*
  webhook_metrics with events over time by type (SPEC §6: "events by type and
  provider over time"). Before, types were only counted for the whole window
  (by_type); series_by_type is one row per bucket and type: {bucket,
  event_type, count}.

  Only the window's eight most frequent types are charted (ties by name); the
  rest are summed per bucket into one row whose event_type is null (the page's
  "other"; null, because a provider may well send a type called "other"). The
  cap lives here, not in TypeScript: types are whatever the providers send
  (Stripe alone has hundreds), so an uncapped series grows with buckets ×
  types, and the per-bucket sum of the uncharted types needs every type's
  counts, which only this query has (by_type stops at 25).

  The window's events are grouped once (cells: per bucket, provider, type and
  status) and every series reads those few rows: before, the status and the
  provider series each aggregated every event of the window again, and a
  third pass for types made the 7-day view ~10 % slower (timed on a database
  seeded like `npm run bench -- --log-queries`: 1,000,000 events, 200k in the
  window; the bench itself does not time this function); see the commit.
  by_type now breaks ties by name as the chart does, so the list and the
  legend agree. Otherwise the same as 20261130000152 (planned per call for its
  window, only the columns the numbers need).
*/
create or replace function public.webhook_metrics(p_since timestamptz, p_bucket_seconds integer default 3600)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_result jsonb;
begin
  execute $sql$
  with w as materialized (
    select provider, event_type, status, attempts, duration_ms, received_at
      from public.webhook_events where received_at >= $1
  ), last_hour as (
    select count(*) filter (where status = 'failed') as failed,
           count(*) filter (where status in ('processed', 'ignored', 'failed')) as finished,
           percentile_cont(0.95) within group (order by duration_ms) as p95
      from public.webhook_events where received_at >= now() - interval '1 hour'
  ), cells as (
    -- the window counted once per bucket, provider, type and status: the
    -- series and the type ranking read these few rows, not the events again
    select date_bin(make_interval(secs => greatest($2, 60)), received_at, timestamptz '2000-01-01') as bucket,
           provider, event_type, status, count(*) n
      from w group by 1, 2, 3, 4
  ), type_counts as (
    select event_type, sum(n)::bigint n from cells group by event_type
  ), charted_types as (
    select event_type, row_number() over (order by n desc, event_type) as rank
      from type_counts order by rank limit 8
  )
  select jsonb_build_object(
    'since', $1,
    'total', (select count(*) from w),
    'processed', (select count(*) from w where status = 'processed'),
    'ignored', (select count(*) from w where status = 'ignored'),
    'failed', (select count(*) from w where status = 'failed'),
    'received', (select count(*) from w where status = 'received'),
    'retries', (select coalesce(sum(greatest(attempts - 1, 0)), 0) from w),
    'p50_ms', (select percentile_cont(0.5) within group (order by duration_ms) from w where duration_ms is not null),
    'p95_ms', (select percentile_cont(0.95) within group (order by duration_ms) from w where duration_ms is not null),
    'by_type', coalesce((select jsonb_agg(jsonb_build_object('key', event_type, 'count', n) order by n desc, event_type)
        from (select event_type, n from type_counts order by n desc, event_type limit 25) t), '[]'::jsonb),
    'by_provider', coalesce((select jsonb_agg(jsonb_build_object('key', provider, 'count', n) order by n desc)
        from (select provider, count(*) n from w group by provider) t), '[]'::jsonb),
    'series', coalesce((select jsonb_agg(jsonb_build_object('bucket', bucket, 'processed', processed,
          'ignored', ignored, 'failed', failed, 'total', total) order by bucket)
        from (select bucket,
                     coalesce(sum(n) filter (where status = 'processed'), 0)::bigint processed,
                     coalesce(sum(n) filter (where status = 'ignored'), 0)::bigint ignored,
                     coalesce(sum(n) filter (where status = 'failed'), 0)::bigint failed,
                     sum(n)::bigint total
                from cells group by 1) s), '[]'::jsonb),
    'series_by_provider', coalesce((select jsonb_agg(jsonb_build_object('bucket', bucket, 'provider', provider, 'count', n) order by bucket)
        from (select bucket, provider, sum(n)::bigint n from cells group by 1, 2) s), '[]'::jsonb),
    'series_by_type', coalesce((select jsonb_agg(jsonb_build_object('bucket', bucket, 'event_type', event_type, 'count', n)
          order by bucket, rank nulls last)
        from (select x.bucket, c.event_type, c.rank, sum(x.n)::bigint n
                from cells x left join charted_types c on c.event_type = x.event_type
               group by 1, 2, 3) s), '[]'::jsonb),
    'last_hour', (select jsonb_build_object(
        'failure_rate', case when finished = 0 then 0 else failed::numeric / finished end,
        'p95_ms', p95, 'finished', finished, 'failed', failed) from last_hour)
  )
  $sql$ into v_result using p_since, p_bucket_seconds;
  return v_result;
end
$$;
comment on function public.webhook_metrics(timestamptz, integer) is
  'Success rate, p50/p95, failures, retries, counts by type/provider and time series by status, provider and type (the window''s top 8 types, the rest as event_type null) since p_since; last-hour alert inputs. Planned per call for its window (index range scan), not generically.';

revoke execute on function public.webhook_metrics(timestamptz, integer) from public, anon, authenticated;
grant execute on function public.webhook_metrics(timestamptz, integer) to service_role;
