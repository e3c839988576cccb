/* health_check: what GET /api/health calls; proves the database answers and the schema is there. */
create function public.health_check()
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_build_object('ok', true, 'time', now(),
    'packages', (select count(*) from public.credit_packages where active))
$$;
comment on function public.health_check() is 'Liveness probe for /api/health: the database answers and the schema exists.';
revoke execute on function public.health_check() from public, anon, authenticated;
grant execute on function public.health_check() to service_role;
