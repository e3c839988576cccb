/*
  No usable link rests in the database.

  auth_email_tokens keeps only a SHA-256 of each verification and reset link,
  but email_outbox kept the whole mail, link included, after sending and
  forever when unsent or failed: anyone who could read the database, a backup
  or a replica could take over an account with a reset in flight.

  Now the outbox keeps the mail with a placeholder ({{link}}) where the link
  goes, and the id of its auth_email_tokens row (link_id). The app derives the
  token from that id with a key derived from AUTH_SECRET (HMAC of the id; the
  stored hash is the SHA-256 of that token), so it can render the link when it
  sends the mail, and on /dev/mailbox, and nothing in the database can: without
  AUTH_SECRET the id is just an id. A mail whose link no longer works (used,
  replaced by a newer one, expired, or made under another AUTH_SECRET) is not
  sent; it is kept failed with the reason. Supabase mode is not concerned:
  Supabase Auth sends its own confirmation and recovery mails.
*/

alter table public.email_outbox
  add column if not exists link_id uuid references public.auth_email_tokens (id) on delete set null;
comment on column public.email_outbox.link_id is
  'The mailed link''s auth_email_tokens row: the app renders the link ({{link}} in body_text) from it at send time; the link itself is never stored.';

/*
  Mails written before this change carry their link in the text: it is cut
  out, and those not sent yet are kept as failed (the owner asks for a new
  link; the page that asks says how).
*/
update public.email_outbox
   set failed_at = coalesce(failed_at, now()),
       last_error = coalesce(last_error, 'not sent: its link was removed from the outbox at rest; ask for a new link')
 where sent_at is null and body_text ~ '[?&]token=[A-Za-z0-9_-]{16,}';
update public.email_outbox
   set body_text = regexp_replace(body_text, 'https?://\S+[?&]token=[A-Za-z0-9_-]{16,}\S*',
                                  '(link removed: links are not kept in the outbox)', 'g')
 where body_text ~ '[?&]token=[A-Za-z0-9_-]{16,}';

/* And none is written again: a verification or reset mail that carries a token is refused. */
alter table public.email_outbox drop constraint if exists email_outbox_no_link_token;
alter table public.email_outbox add constraint email_outbox_no_link_token
  check (kind not in ('verify_email', 'reset_password') or body_text !~ '[?&]token=[A-Za-z0-9_-]{16,}');

/*
  local_sign_up: the account (unconfirmed), its verification link (the id the
  app chose, and the hash of the token derived from it) and its mail (with
  {{link}}), in one transaction. {created: false} when the e-mail is taken.
*/
drop function if exists public.local_sign_up(text, text, text, text, text);
create function public.local_sign_up(
  p_email text, p_password_hash text, p_token_id uuid, p_token_hash text, p_subject text, p_body text
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_email text := lower(trim(p_email));
  v_id uuid;
begin
  if v_email is null or v_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception 'invalid email' using errcode = '22023';
  end if;
  if coalesce(p_password_hash, '') = '' then
    raise exception 'password hash required' using errcode = '22023';
  end if;
  if p_token_id is null or position('{{link}}' in coalesce(p_body, '')) = 0 then
    raise exception 'a link id and a body with {{link}} are required' using errcode = '22023';
  end if;
  insert into auth.users (email, encrypted_password)
  values (v_email, p_password_hash)
  on conflict (lower(email)) do nothing
  returning id into v_id;
  if v_id is null then
    return jsonb_build_object('created', false);
  end if;
  insert into public.auth_email_tokens (id, user_id, purpose, token_hash, email, expires_at)
  values (p_token_id, v_id, 'verify_email', p_token_hash, v_email, now() + interval '24 hours');
  insert into public.email_outbox (to_email, subject, body_text, kind, link_id)
  values (v_email, p_subject, p_body, 'verify_email', p_token_id);
  return jsonb_build_object('created', true, 'user_id', v_id, 'email', v_email);
end
$$;
comment on function public.local_sign_up(text, text, uuid, text, text, text) is
  'Creates an unconfirmed local account with its verification link (id + hash, 24 h) and its mail (link rendered at send time), atomically. {created, user_id, email}.';

/*
  local_request_email_link: another verification link, or a password-reset
  link, with its mail, in one transaction; earlier unused links of that
  purpose stop working (their unsent mails are then not sent); at most
  p_max_per_hour per account and purpose.
  {issued: true} or {issued: false, reason: no_account|already_confirmed|throttled}.
*/
drop function if exists public.local_request_email_link(text, text, text, text, text, integer);
create function public.local_request_email_link(
  p_email text, p_purpose text, p_token_id uuid, p_token_hash text, p_subject text, p_body text,
  p_max_per_hour integer default 5
) returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user auth.users%rowtype;
  v_recent integer;
begin
  if p_purpose not in ('verify_email', 'reset_password') then
    raise exception 'unknown link purpose: %', coalesce(p_purpose, 'null') using errcode = '22023';
  end if;
  if p_token_id is null or position('{{link}}' in coalesce(p_body, '')) = 0 then
    raise exception 'a link id and a body with {{link}} are required' using errcode = '22023';
  end if;
  select * into v_user from auth.users where lower(email) = lower(trim(p_email)) for update;
  if v_user.id is null then
    return jsonb_build_object('issued', false, 'reason', 'no_account');
  end if;
  if p_purpose = 'verify_email' and v_user.email_confirmed_at is not null then
    return jsonb_build_object('issued', false, 'reason', 'already_confirmed');
  end if;
  select count(*) into v_recent from public.auth_email_tokens
   where user_id = v_user.id and purpose = p_purpose and created_at > now() - interval '1 hour';
  if v_recent >= coalesce(p_max_per_hour, 5) then
    return jsonb_build_object('issued', false, 'reason', 'throttled');
  end if;
  update public.auth_email_tokens set used_at = now()
   where user_id = v_user.id and purpose = p_purpose and used_at is null;
  insert into public.auth_email_tokens (id, user_id, purpose, token_hash, email, expires_at)
  values (p_token_id, v_user.id, p_purpose, p_token_hash, lower(v_user.email),
          now() + case p_purpose when 'verify_email' then interval '24 hours' else interval '1 hour' end);
  insert into public.email_outbox (to_email, subject, body_text, kind, link_id)
  values (lower(trim(v_user.email)), p_subject, p_body, p_purpose, p_token_id);
  return jsonb_build_object('issued', true);
end
$$;
comment on function public.local_request_email_link(text, text, uuid, text, text, text, integer) is
  'Issues a new verification or password-reset link (id + hash stored) and its mail (link rendered at send time), atomically; earlier links of that purpose stop working; at most p_max_per_hour per account.';

/*
  email_outbox_claim: as before, and for a mail with a link what the sender
  needs to render it and to check it still works: the link's id, purpose,
  stored hash and whether it is live (unused and unexpired).
*/
create or replace function public.email_outbox_claim(p_limit integer default 20, p_lease_seconds integer default 120)
returns jsonb
language sql
security definer
set search_path = ''
as $$
  with due as (
    select id from public.email_outbox
     where sent_at is null and failed_at is null and next_attempt_at <= now()
     order by next_attempt_at, id
     limit greatest(least(coalesce(p_limit, 20), 100), 1)
     for update skip locked
  ), claimed as (
    update public.email_outbox o
       set attempts = o.attempts + 1,
           next_attempt_at = now() + make_interval(secs => greatest(coalesce(p_lease_seconds, 120), 1))
      from due
     where o.id = due.id
    returning o.id, o.to_email, o.subject, o.body_text, o.attempts, o.kind, o.link_id
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'id', c.id, 'to_email', c.to_email, 'subject', c.subject, 'body_text', c.body_text,
           'attempts', c.attempts, 'kind', c.kind, 'link_id', c.link_id, 'link_purpose', t.purpose,
           'link_hash', t.token_hash, 'link_live', coalesce(t.used_at is null and t.expires_at > now(), false))), '[]'::jsonb)
    from claimed c
    left join public.auth_email_tokens t on t.id = c.link_id
$$;
comment on function public.email_outbox_claim(integer, integer) is
  'Claims due mails for delivery (attempts + 1, a lease, skip locked): [{id, to_email, subject, body_text, attempts, kind, link_id, link_purpose, link_hash, link_live}].';

/* The newest mails for /dev/mailbox (never served in production), with what renders their links. */
create or replace function public.email_outbox_recent(p_limit integer default 50)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(row_to_json(m)::jsonb order by m.created_at desc, m.id desc), '[]'::jsonb)
    from (select o.id, o.to_email, o.subject, o.body_text, o.kind, o.created_at, o.sent_at, o.attempts, o.last_error,
                 o.failed_at, o.link_id, t.purpose as link_purpose, t.token_hash as link_hash,
                 coalesce(t.used_at is null and t.expires_at > now(), false) as link_live
            from public.email_outbox o
            left join public.auth_email_tokens t on t.id = o.link_id
           order by o.created_at desc, o.id desc
           limit greatest(least(coalesce(p_limit, 50), 200), 1)) m
$$;
comment on function public.email_outbox_recent(integer) is
  'The newest outbox rows with their link''s id, purpose, hash and liveness, for the development mailbox (/dev/mailbox).';

revoke execute on function public.local_sign_up(text, text, uuid, text, text, text) from public, anon, authenticated;
revoke execute on function public.local_request_email_link(text, text, uuid, text, text, text, integer) from public, anon, authenticated;
grant execute on function public.local_sign_up(text, text, uuid, text, text, text) to service_role;
grant execute on function public.local_request_email_link(text, text, uuid, text, text, text, integer) to service_role;
