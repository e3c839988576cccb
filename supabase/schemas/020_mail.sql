/*
  Mail. Every mail the app sends is first written to email_outbox, in the same
  transaction as what caused it (a sign-up and its verification link commit or
  roll back together), and delivered afterwards through SMTP_URL by the sender
  (lib/mail), which claims rows with a lease so several app instances never send
  one row twice at once. A failed delivery is retried with backoff and, after
  the last attempt, kept with failed_at and last_error for the operator.
  Without SMTP_URL, outside production, /dev/mailbox shows these rows.
*/

/* The outbox itself. Server-only (mails hold sign-in links): no policy lets anon or authenticated read it. */
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
  failed_at       timestamptz
);
create index email_outbox_due_idx
  on public.email_outbox (next_attempt_at) where sent_at is null and failed_at is null;
create index email_outbox_created_idx on public.email_outbox (created_at desc, id desc);
comment on table public.email_outbox is
  'Every mail the app sends, written in the transaction that caused it; delivered through SMTP_URL by lib/mail (retries, last_error, failed_at).';
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
  and concurrent senders skip each other's rows (skip locked).
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
    returning o.id, o.to_email, o.subject, o.body_text, o.attempts
  )
  select coalesce(jsonb_agg(jsonb_build_object('id', id, 'to_email', to_email, 'subject', subject,
                                               'body_text', body_text, 'attempts', attempts)), '[]'::jsonb)
    from claimed
$$;
comment on function public.email_outbox_claim(integer, integer) is
  'Claims due mails for delivery (attempts + 1, a lease, skip locked): [{id, to_email, subject, body_text, attempts}].';
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

/* The newest mails, for /dev/mailbox (never served in production). */
create function public.email_outbox_recent(p_limit integer default 50)
returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select coalesce(jsonb_agg(row_to_json(m)::jsonb order by m.created_at desc, m.id desc), '[]'::jsonb)
    from (select id, to_email, subject, body_text, kind, created_at, sent_at, attempts, last_error, failed_at
            from public.email_outbox
           order by created_at desc, id desc
           limit greatest(least(coalesce(p_limit, 50), 200), 1)) m
$$;
comment on function public.email_outbox_recent(integer) is 'The newest outbox rows, for the development mailbox (/dev/mailbox).';
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
