/*
  Mail. Every mail the app sends is first written to email_outbox, in the same
  transaction as what caused it (a sign-up and its verification link commit or
  roll back together), and delivered afterwards through SMTP_URL by the sender
  (lib/mail), which claims rows with a lease so several app instances never send
  one row twice at once. A failed delivery is retried with backoff and, after
  the last attempt, kept with failed_at and last_error for the operator.
  Without SMTP_URL, outside production, /dev/mailbox shows these rows.

  No usable link rests here. A verification or password-reset mail keeps a
  placeholder ({{link}}) where its link goes and the id of its
  auth_email_tokens row (link_id). The app derives the link's token from that
  id with a key derived from AUTH_SECRET (an HMAC of the id; the stored hash is
  the SHA-256 of that token), so it renders the link when it sends the mail,
  and on /dev/mailbox, and nothing in the database can: anyone who reads the
  database, a backup or a replica finds no working link. A mail whose link no
  longer works (used, replaced by a newer one, expired, or made under another
  AUTH_SECRET) is not sent; it is kept failed with the reason. Supabase mode
  is not concerned: Supabase Auth sends its own confirmation and recovery
  mails.
*/

/* The outbox itself. Server-only (mails hold addresses and account notices): no policy lets anon or authenticated read it. */
create table public.email_outbox (
  id              uuid primary key default gen_random_uuid(),
  to_email        text not null check (to_email ~ '^[^@\s]+@[^@\s]+$'),
  subject         text not null check (length(subject) between 1 and 200),
  body_text       text not null check (length(body_text) between 1 and 20000),
  -- what the mail is for (verify_email, reset_password): shown in /dev/mailbox
  kind            text not null default 'other',
  created_at      timestamptz not null default now(),
  sent_at         timestamptz,
  attempts        integer not null default 0 check (attempts >= 0),
  -- when the sender may (re)try: the backoff after a failure, or the lease of a claim in progress
  next_attempt_at timestamptz not null default now(),
  last_error      text,
  -- set after the last attempt failed; the row is kept as the record of the failure
  failed_at       timestamptz,
  link_id         uuid references public.auth_email_tokens (id) on delete set null,
  -- a verification or reset mail carries {{link}}, never its token
  constraint email_outbox_no_link_token
    check (kind not in ('verify_email', 'reset_password') or body_text !~ '[?&]token=[A-Za-z0-9_-]{16,}')
);
create index email_outbox_due_idx
  on public.email_outbox (next_attempt_at) where sent_at is null and failed_at is null;
create index email_outbox_created_idx on public.email_outbox (created_at desc, id desc);
comment on table public.email_outbox is
  'Every mail the app sends, written in the transaction that caused it; delivered through SMTP_URL by lib/mail (retries, last_error, failed_at).';
comment on column public.email_outbox.link_id is
  'The mailed link''s auth_email_tokens row: the app renders the link ({{link}} in body_text) from it at send time; the link itself is never stored.';
alter table public.email_outbox enable row level security;
revoke all on public.email_outbox from public, anon, authenticated;
grant all on public.email_outbox to service_role;
/* enqueue_email: one row; callers in SQL use it inside their own transaction. */
create function public.enqueue_email(p_to text, p_subject text, p_body text, p_kind text default 'other')
returns uuid
language sql
security definer
set search_path = ''
as $$
  insert into public.email_outbox (to_email, subject, body_text, kind)
  values (lower(trim(p_to)), p_subject, p_body, coalesce(p_kind, 'other'))
  returning id
$$;
comment on function public.enqueue_email(text, text, text, text) is
  'Writes one mail to email_outbox (in the caller''s transaction); the sender delivers it later.';
revoke execute on function public.enqueue_email(text, text, text, text) from public, anon, authenticated;
grant execute on function public.enqueue_email(text, text, text, text) to service_role;

/*
  email_outbox_claim: up to p_limit due mails for this sender. Each claimed row
  gets attempts + 1 and a lease (next_attempt_at = now + p_lease_seconds), so
  a sender that dies mid-delivery leaves the row due again after the lease,
  and concurrent senders skip each other's rows (skip locked). A mail with a
  link comes with what the sender needs to render it and to check it still
  works: the link's id, purpose, stored hash and whether it is live (unused
  and unexpired).
*/
create function public.email_outbox_claim(p_limit integer default 20, p_lease_seconds integer default 120)
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
revoke execute on function public.email_outbox_claim(integer, integer) from public, anon, authenticated;
grant execute on function public.email_outbox_claim(integer, integer) to service_role;

/* A delivered mail. */
create function public.email_outbox_sent(p_id uuid)
returns void
language sql
security definer
set search_path = ''
as $$
  update public.email_outbox set sent_at = now(), last_error = null where id = p_id and sent_at is null
$$;
comment on function public.email_outbox_sent(uuid) is 'Marks a claimed mail delivered.';
revoke execute on function public.email_outbox_sent(uuid) from public, anon, authenticated;
grant execute on function public.email_outbox_sent(uuid) to service_role;

/* A failed delivery: retry after 30 s, 1 min, 2 min … or, after p_max_attempts, keep it as failed. */
create function public.email_outbox_failed(p_id uuid, p_error text, p_max_attempts integer default 5)
returns jsonb
language sql
security definer
set search_path = ''
as $$
  update public.email_outbox
     set last_error = left(coalesce(p_error, 'unknown error'), 500),
         failed_at = case when attempts >= coalesce(p_max_attempts, 5) then now() end,
         next_attempt_at = now() + make_interval(secs => 30 * power(2, least(greatest(attempts - 1, 0), 10)))
   where id = p_id and sent_at is null
  returning jsonb_build_object('attempts', attempts, 'failed', failed_at is not null)
$$;
comment on function public.email_outbox_failed(uuid, text, integer) is
  'Records a failed delivery: last_error, exponential backoff, failed_at after the last attempt. {attempts, failed}.';
revoke execute on function public.email_outbox_failed(uuid, text, integer) from public, anon, authenticated;
grant execute on function public.email_outbox_failed(uuid, text, integer) to service_role;

/* The newest mails for /dev/mailbox (never served in production), with what renders their links. */
create function public.email_outbox_recent(p_limit integer default 50)
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
revoke execute on function public.email_outbox_recent(integer) from public, anon, authenticated;
grant execute on function public.email_outbox_recent(integer) to service_role;

/*
  Retention: sent mails older than p_older_than, p_batch at a time, skipping
  rows a sender holds.
*/
create function public.purge_sent_emails(p_older_than timestamptz, p_batch integer default 1000)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_count integer;
begin
  delete from public.email_outbox m
   where m.id in (
     select o.id from public.email_outbox o
      where o.sent_at is not null and o.sent_at < p_older_than
      order by o.sent_at
      limit greatest(least(p_batch, 10000), 1)
      for update skip locked);
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
comment on function public.purge_sent_emails(timestamptz, integer) is
  'Retention: deletes up to p_batch outbox mails sent before p_older_than; returns how many.';
revoke execute on function public.purge_sent_emails(timestamptz, integer) from public, anon, authenticated;
grant execute on function public.purge_sent_emails(timestamptz, integer) to service_role;
