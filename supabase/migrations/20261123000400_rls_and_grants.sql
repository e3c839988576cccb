/*
  Row level security and privileges.

  Users read only their own rows; admins (profiles.is_admin) read everything;
  nobody but the functions writes. The server acts as service_role (which
  bypasses RLS on Supabase and in our bootstrap), and every credit change still
  goes through the SECURITY DEFINER functions.
*/

alter table public.profiles enable row level security;
alter table public.wallets enable row level security;
alter table public.credit_packages enable row level security;
alter table public.purchases enable row level security;
alter table public.pending_credit_grants enable row level security;
alter table public.credit_ledger enable row level security;
alter table public.webhook_events enable row level security;
alter table public.webhook_event_attempts enable row level security;
alter table public.subscriptions enable row level security;
alter table public.crypto_invoices enable row level security;
alter table public.deposit_addresses enable row level security;
alter table public.crypto_rates enable row level security;
alter table public.trading_alerts enable row level security;

/* Reads only: writes are revoked below and happen inside the functions. */
revoke insert, update, delete, truncate on all tables in schema public from anon, authenticated;
grant select on all tables in schema public to authenticated;
grant select on public.credit_packages, public.crypto_rates to anon;
grant all on all tables in schema public to service_role;

/* A user sees their own profile; admins see all. */
create policy profiles_read_own on public.profiles for select to authenticated
  using (id = auth.uid() or public.is_admin());

/* A user sees their own wallet; admins see all. */
create policy wallets_read_own on public.wallets for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/* Anyone may see the active packs (the home page lists them); admins see all. */
create policy credit_packages_read_active on public.credit_packages for select to anon, authenticated
  using (active or public.is_admin());

/* A user sees their own purchases; admins see all. */
create policy purchases_read_own on public.purchases for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/* A user sees pending grants filed for their e-mail or claimed by them; admins see all. */
create policy pending_grants_read_own on public.pending_credit_grants for select to authenticated
  using (claimed_by = auth.uid()
         or lower(email) = lower(coalesce(auth.jwt() ->> 'email', ''))
         or public.is_admin());

/* A user sees their own ledger; admins see all. */
create policy credit_ledger_read_own on public.credit_ledger for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/* Provider payloads may carry PII: admins only. */
create policy webhook_events_admin_read on public.webhook_events for select to authenticated
  using (public.is_admin());
create policy webhook_event_attempts_admin_read on public.webhook_event_attempts for select to authenticated
  using (public.is_admin());
create policy trading_alerts_admin_read on public.trading_alerts for select to authenticated
  using (public.is_admin());

/* A user sees their own subscriptions, invoices and deposit addresses; admins see all. */
create policy subscriptions_read_own on public.subscriptions for select to authenticated
  using (user_id = auth.uid() or public.is_admin());
create policy crypto_invoices_read_own on public.crypto_invoices for select to authenticated
  using (user_id = auth.uid() or public.is_admin());
create policy deposit_addresses_read_own on public.deposit_addresses for select to authenticated
  using (user_id = auth.uid() or public.is_admin());

/* Rates are public information. */
create policy crypto_rates_read on public.crypto_rates for select to anon, authenticated using (true);

/*
  Functions: service_role only, except spend_credits (users, for their own id)
  and is_admin (used inside policies).
*/
revoke execute on all functions in schema public from public, anon, authenticated;
grant execute on all functions in schema public to service_role;
grant execute on function public.spend_credits(uuid, bigint, text) to authenticated;
grant execute on function public.is_admin() to anon, authenticated;
