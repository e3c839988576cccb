/*
  Admin event log at scale (measured with `npm run bench -- --log-queries` on
  1,000,000 events):

  - Free text (event id / e-mail / external id) took ~700 ms: the planner
    walked webhook_events_recent_idx newest-first filtering every row, because
    it expected thousands of matches for the OR. The three lookups now run
    first, each on its own index, in a materialized CTE; only their few rows
    are sorted. Medians drop to ~1 ms.
  - Provider alone (the admin's provider filter) had no index that keeps the
    received_at order. (provider, received_at desc, id desc) replaces
    (provider, event_type, received_at desc, id desc): provider + type is
    served by the event_type index (types are per provider), so the index count,
    and the ingest cost of each insert, stay the same.
*/
drop index if exists public.webhook_events_provider_type_idx;
create index if not exists webhook_events_provider_idx on public.webhook_events (provider, received_at desc, id desc);

create or replace function public.list_webhook_events(
  p_provider    text default null,
  p_status      text default null,
  p_type        text default null,
  p_q           text default null,
  p_from        timestamptz default null,
  p_to          timestamptz default null,
  p_before_at   timestamptz default null,
  p_before_id   uuid default null,
  p_limit       integer default 50
) returns table (
  id uuid, provider text, event_id text, event_type text, status text, attempts integer,
  last_error text, outcome text, email text, external_id text,
  received_at timestamptz, processed_at timestamptz, duration_ms numeric
)
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_q text := nullif(trim(p_q), '');
  v_sql text;
begin
  if v_q is not null then
    -- Each arm uses its own index; the union is small, so sorting it is cheap.
    v_sql := 'with hits as materialized (
        select h.id from public.webhook_events h where h.event_id = $4
        union
        select h.id from public.webhook_events h where lower(h.email) = lower($4) and h.email is not null
        union
        select h.id from public.webhook_events h where h.external_id = $4 and h.external_id is not null)
      select e.id, e.provider, e.event_id, e.event_type, e.status, e.attempts, e.last_error,
        e.outcome, e.email, e.external_id, e.received_at, e.processed_at, e.duration_ms
      from hits join public.webhook_events e on e.id = hits.id where true';
  else
    v_sql := 'select e.id, e.provider, e.event_id, e.event_type, e.status, e.attempts, e.last_error,
        e.outcome, e.email, e.external_id, e.received_at, e.processed_at, e.duration_ms
      from public.webhook_events e where true';
  end if;
  if p_provider is not null then v_sql := v_sql || ' and e.provider = $1'; end if;
  if p_status is not null then v_sql := v_sql || ' and e.status = $2'; end if;
  if p_type is not null then v_sql := v_sql || ' and e.event_type = $3'; end if;
  if p_from is not null then v_sql := v_sql || ' and e.received_at >= $5'; end if;
  if p_to is not null then v_sql := v_sql || ' and e.received_at < $6'; end if;
  if p_before_at is not null and p_before_id is not null then
    v_sql := v_sql || ' and (e.received_at, e.id) < ($7, $8)';
  end if;
  v_sql := v_sql || ' order by e.received_at desc, e.id desc limit $9';
  return query execute v_sql
    using p_provider, p_status, p_type, v_q, p_from, p_to, p_before_at, p_before_id,
          greatest(least(coalesce(p_limit, 50), 200), 1);
end
$$;
comment on function public.list_webhook_events(text, text, text, text, timestamptz, timestamptz, timestamptz, uuid, integer) is
  'Admin event log page: optional filters (provider, status, type, free text = event id / e-mail / external id, date range), keyset-paginated newest first. Free text looks up its three indexes first.';
