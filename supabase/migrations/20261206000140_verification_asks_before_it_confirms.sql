/*
  The verification link asks before it confirms (local accounts).

  Anyone can sign up with someone else's address. The owner of the mailbox
  then receives our verification mail; opening its link used to confirm the
  account at once, so a victim who clicked a mail they had not asked for
  handed their address (and the credits waiting for it) to the account of
  whoever typed it. Now /verify-email only shows what the link would confirm
  (local_peek_email_link: the address and when the account was created) and
  asks for a click; it also offers "This wasn't me" (local_disown_account),
  which needs the same live link:
  - an account with no money trail is deleted, with its sessions, keys and
    links (foreign keys cascade); the address is free for its owner, and what
    was bought with it by e-mail still waits for them as pending grants;
  - an account that holds payments (a purchase, a ledger row, a subscription,
    a deposit address or a crypto invoice made from inside it) is not deleted:
    payment records stay for refunds and disputes, and the ledger is
    append-only. It is closed instead: disabled (every key and session
    revoked by the auth.users trigger), its address released (replaced by a
    placeholder, the original kept in the admin's reason) so the owner can
    sign up with it. An admin can see it and refund the payer.
*/

/*
  local_peek_email_link: what a link would act on, without using it:
  {ok: true, user_id, email, account_created_at, confirmed} or
  {ok: false, reason: invalid|used|expired}.
*/
create or replace function public.local_peek_email_link(p_purpose text, p_token_hash text)
returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
declare
  v_token public.auth_email_tokens%rowtype;
  v_user  auth.users%rowtype;
begin
  select * into v_token from public.auth_email_tokens where token_hash = p_token_hash and purpose = p_purpose;
  if v_token.id is null then
    return jsonb_build_object('ok', false, 'reason', 'invalid');
  end if;
  if v_token.used_at is not null then
    return jsonb_build_object('ok', false, 'reason', 'used');
  end if;
  if v_token.expires_at <= now() then
    return jsonb_build_object('ok', false, 'reason', 'expired');
  end if;
  select * into v_user from auth.users where id = v_token.user_id and lower(email) = v_token.email;
  if v_user.id is null then
    return jsonb_build_object('ok', false, 'reason', 'invalid');
  end if;
  return jsonb_build_object('ok', true, 'user_id', v_user.id, 'email', lower(v_user.email),
    'account_created_at', v_user.created_at, 'confirmed', v_user.email_confirmed_at is not null);
end
$$;
comment on function public.local_peek_email_link(text, text) is
  'What a mailed link would act on, without using it: {ok, user_id, email, account_created_at, confirmed} or {ok: false, reason}.';

/*
  local_disown_account: "This wasn't me" on a live verification link of an
  unconfirmed account. Locks the link first, as local_use_email_link does,
  so a confirmation and a disowning of one link never both happen.
  {ok: true, outcome: deleted|closed, email} or
  {ok: false, reason: invalid|used|expired|confirmed}.
*/
create or replace function public.local_disown_account(p_token_hash text)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_token public.auth_email_tokens%rowtype;
  v_user  auth.users%rowtype;
  v_trail boolean;
begin
  select * into v_token from public.auth_email_tokens
   where token_hash = p_token_hash and purpose = 'verify_email'
   for update;
  if v_token.id is null then
    return jsonb_build_object('ok', false, 'reason', 'invalid');
  end if;
  if v_token.used_at is not null then
    return jsonb_build_object('ok', false, 'reason', 'used');
  end if;
  if v_token.expires_at <= now() then
    return jsonb_build_object('ok', false, 'reason', 'expired');
  end if;
  select * into v_user from auth.users where id = v_token.user_id and lower(email) = v_token.email for update;
  if v_user.id is null then
    return jsonb_build_object('ok', false, 'reason', 'invalid');
  end if;
  if v_user.email_confirmed_at is not null then
    -- proven by its mailbox another way (a password reset): a link cannot disown it any more
    update public.auth_email_tokens set used_at = now() where id = v_token.id;
    return jsonb_build_object('ok', false, 'reason', 'confirmed');
  end if;

  v_trail := exists (select 1 from public.credit_ledger where user_id = v_user.id)
          or exists (select 1 from public.purchases where user_id = v_user.id)
          or exists (select 1 from public.subscriptions where user_id = v_user.id)
          or exists (select 1 from public.deposit_addresses where user_id = v_user.id)
          or exists (select 1 from public.crypto_invoices where user_id = v_user.id);
  if not v_trail then
    begin
      delete from auth.users where id = v_user.id; -- profile, wallet, keys, sessions, links cascade
      return jsonb_build_object('ok', true, 'outcome', 'deleted', 'email', v_token.email);
    exception when foreign_key_violation or insufficient_privilege then
      null; -- a record elsewhere refuses the deletion (a table added later): close the account instead
    end;
  end if;

  update public.auth_email_tokens set used_at = now() where user_id = v_user.id and used_at is null;
  update public.profiles
     set disabled_at = now(), disabled_by = null,
         disabled_reason = format('The owner of %s said this account was not theirs ("This wasn''t me" on its '
           'verification link). It held payments, so it was closed instead of deleted and the address was released.',
           v_token.email)
   where id = v_user.id;
  -- the ban revokes every key and session (auth.users trigger); the placeholder frees the address
  update auth.users
     set banned_until = now() + interval '100 years',
         email = 'disowned-' || v_user.id::text || '@disowned.invalid',
         updated_at = now()
   where id = v_user.id;
  return jsonb_build_object('ok', true, 'outcome', 'closed', 'email', v_token.email);
end
$$;
comment on function public.local_disown_account(text) is
  '"This wasn''t me" on a live verification link: deletes the unconfirmed account (sessions, keys, links cascade), or closes it (disabled, keys and sessions revoked, address released) when it holds payments. {ok, outcome: deleted|closed, email} or {ok: false, reason}.';

revoke execute on function public.local_peek_email_link(text, text) from public, anon, authenticated;
revoke execute on function public.local_disown_account(text) from public, anon, authenticated;
grant execute on function public.local_peek_email_link(text, text) to service_role;
grant execute on function public.local_disown_account(text) to service_role;
