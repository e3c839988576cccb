/*
  A measurement variant, never a migration (issue 14, docs/performance.md):
  the app's schema with the integrity its hot path pays for removed, to see
  how much of the gap to the minimal route that integrity explains.

    npm run bench -- --app-sql scripts/bench/variants/without-integrity.sql
    npx tsx scripts/bench/sql-profile.ts 20000 scripts/bench/variants/without-integrity.sql

  Drops every CHECK and foreign key of purchases and credit_ledger, every
  CHECK of webhook_events and every webhook_events index except its primary
  key and unique (provider, event_id). What stays: the unique keys that make
  each effect happen once, the wallet trigger, the functions unchanged.
*/
do $$
declare
  r record;
begin
  for r in
    select c.conrelid::regclass as tab, c.conname
      from pg_constraint c
     where (c.contype = 'c' and c.conrelid in ('public.purchases'::regclass, 'public.credit_ledger'::regclass,
                                               'public.webhook_events'::regclass))
        or (c.contype = 'f' and c.conrelid in ('public.purchases'::regclass, 'public.credit_ledger'::regclass))
  loop
    execute format('alter table %s drop constraint %I', r.tab, r.conname);
  end loop;
  for r in
    select i.oid::regclass as idx
      from pg_index x join pg_class i on i.oid = x.indexrelid
     where x.indrelid = 'public.webhook_events'::regclass and not x.indisprimary and not x.indisunique
  loop
    execute format('drop index %s', r.idx);
  end loop;
end
$$;
