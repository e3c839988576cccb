/*
  webhook_metrics, planned for its window. As a SQL function its statement was
  planned once with p_since as an unknown parameter (a generic plan, which
  assumes a third of the table matches), so every call read the whole event
  log sequentially: 2.7 s for the last hour at 1,000,000 events
  (`npm run measure:scale`, docs/scaling.md), growing with the log, not with
  the window. The sweep's alert evaluation and every /api/metrics scrape call
  it. Run through EXECUTE … USING, the statement is planned with the actual
  window (an index range scan on received_at), and the window's rows carry only
  the columns the numbers need (not the payload). Same result as before.
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
  ), bins as (
    select date_bin(make_interval(secs => greatest($2, 60)), received_at, timestamptz '2000-01-01') as bucket, provider, event_type, status
      from w
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
    'by_type', coalesce((select jsonb_agg(jsonb_build_object('key', event_type, 'count', n) order by n desc)
        from (select event_type, count(*) n from w group by event_type order by n desc limit 25) t), '[]'::jsonb),
    'by_provider', coalesce((select jsonb_agg(jsonb_build_object('key', provider, 'count', n) order by n desc)
        from (select provider, count(*) n from w group by provider) t), '[]'::jsonb),
    'series', coalesce((select jsonb_agg(jsonb_build_object('bucket', bucket, 'processed', processed,
          'ignored', ignored, 'failed', failed, 'total', total) order by bucket)
        from (select bucket,
                     count(*) filter (where status = 'processed') processed,
                     count(*) filter (where status = 'ignored') ignored,
                     count(*) filter (where status = 'failed') failed,
                     count(*) total
                from bins group by 1) s), '[]'::jsonb),
    'series_by_provider', coalesce((select jsonb_agg(jsonb_build_object('bucket', bucket, 'provider', provider, 'count', n) order by bucket)
        from (select bucket, provider, count(*) n from bins group by 1, 2) s), '[]'::jsonb),
    'last_hour', (select jsonb_build_object(
        'failure_rate', case when finished = 0 then 0 else failed::numeric / finished end,
        'p95_ms', p95, 'finished', finished, 'failed', failed) from last_hour)
  )
  $sql$ into v_result using p_since, p_bucket_seconds;
  return v_result;
end
$$;
comment on function public.webhook_metrics(timestamptz, integer) is
  'Success rate, p50/p95, failures, retries, counts by type/provider and a time series since p_since; last-hour alert inputs. Planned per call for its window (index range scan), not generically.';

revoke execute on function public.webhook_metrics(timestamptz, integer) from public, anon, authenticated;
grant execute on function public.webhook_metrics(timestamptz, integer) to service_role;
