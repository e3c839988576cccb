/*
  pending_credit_grants under RLS: a signed-in user could read the unclaimed
  grants filed for the address in their JWT's email claim, confirmed or not,
  so someone who signed up with a buyer's address (without owning the
  mailbox) saw what was bought with it and when. A grant for an address
  becomes the user's when the confirmation claims it (claimed_by), and that
  is the only way a user sees it now; admins still see all. The app reads
  grants through service-role functions; this is for direct table reads
  (Supabase's PostgREST).
*/
drop policy if exists pending_grants_read_own on public.pending_credit_grants;
create policy pending_grants_read_own on public.pending_credit_grants for select to authenticated
  using (claimed_by = auth.uid() or public.is_admin());
