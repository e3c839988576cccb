/**
 * `npm run db:diff -- <name>` (scripts/db/generate-migration.ts): an edit of a
 * schema file becomes a migration holding exactly that change, proven on a fresh
 * copy of the migrated database. Each case edits a copy of supabase/; the
 * repository's own files are never touched.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { supabaseRoot } from "@/lib/db/migrate";
import { CannotExpressError, generateMigration } from "@/scripts/db/generate-migration";

const copies: string[] = [];
afterEach(() => copies.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A copy of supabase/ with each [file, text, replacement] applied to supabase/schemas/<file>. */
function editedCopy(edits: Array<[file: string, text: string, replacement: string]>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "credits-db-diff-"));
  copies.push(root);
  fs.cpSync(supabaseRoot(), root, { recursive: true });
  for (const [file, text, replacement] of edits) {
    const full = path.join(root, "schemas", file);
    const sql = fs.readFileSync(full, "utf8");
    if (!sql.includes(text)) throw new Error(`${file} has no ${text}`);
    fs.writeFileSync(
      full,
      sql.replace(text, () => replacement),
    );
  }
  return root;
}

describe("npm run db:diff", () => {
  it("has nothing to generate while the schema files and the migrations agree", async () => {
    expect((await generateMigration()).statements).toEqual([]);
  }, 120_000);

  it("turns a one-line change to a function into a migration holding that function only", async () => {
    const root = editedCopy([
      [
        "090_ops.sql",
        "(select count(*) from public.credit_packages where active))",
        "(select count(*) from public.credit_packages))",
      ],
    ]);
    const { statements } = await generateMigration(root);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^create or replace function public\.health_check\(\)\nreturns jsonb\n/);
    expect(statements[0]).toContain("'packages', (select count(*) from public.credit_packages))\n$$;");
  }, 120_000);

  it("drops and re-creates a function whose argument is renamed, with its privileges and comment", async () => {
    const root = editedCopy([
      [
        "020_local_accounts.sql",
        "create function public.local_end_session(p_session_id uuid)",
        "create function public.local_end_session(p_session uuid)",
      ],
      [
        "020_local_accounts.sql",
        "set revoked_at = now() where id = p_session_id and revoked_at is null",
        "set revoked_at = now() where id = p_session and revoked_at is null",
      ],
    ]);
    const { statements } = await generateMigration(root);
    expect(statements[0]).toBe("drop function public.local_end_session(uuid);");
    expect(statements[1]).toMatch(/^create or replace function public\.local_end_session\(p_session uuid\)/);
    expect(statements.slice(2)).toEqual([
      "revoke execute on function public.local_end_session(uuid) from public, anon, authenticated;",
      "grant execute on function public.local_end_session(uuid) to service_role;",
      "comment on function public.local_end_session(uuid) is 'Sign-out: revokes one session on the server.';",
    ]);
  }, 120_000);

  it("creates a new table with its index, RLS, policy, column grants and comments", async () => {
    const root = editedCopy([
      [
        "090_ops.sql",
        "/* health_check:",
        `/* A note on a job. */
create table public.ops_notes (
  id   bigint generated always as identity primary key,
  job  text not null references public.ops_jobs (name) on delete cascade,
  note text not null check (length(note) between 1 and 500)
);
create index ops_notes_job_idx on public.ops_notes (job);
comment on table public.ops_notes is 'Notes on background jobs.';
alter table public.ops_notes enable row level security;
revoke all on public.ops_notes from public, anon, authenticated;
grant select (id, note) on public.ops_notes to authenticated;
grant all on public.ops_notes to service_role;

/* Admins read the notes. */
create policy ops_notes_admin_read on public.ops_notes for select to authenticated using (public.is_admin());

/* health_check:`,
      ],
    ]);
    expect((await generateMigration(root)).statements).toEqual([
      `create table public.ops_notes (
  id   bigint generated always as identity primary key,
  job  text not null references public.ops_jobs (name) on delete cascade,
  note text not null check (length(note) between 1 and 500)
);`,
      "create index ops_notes_job_idx on public.ops_notes (job);",
      "alter table public.ops_notes enable row level security;",
      "create policy ops_notes_admin_read on public.ops_notes for select to authenticated using (public.is_admin());",
      "revoke all on table public.ops_notes from anon, authenticated;",
      "grant all on table public.ops_notes to service_role;",
      "grant select (id, note) on table public.ops_notes to authenticated;",
      "comment on table public.ops_notes is 'Notes on background jobs.';",
    ]);
  }, 120_000);

  it("takes Supabase's default privileges away from a new table before granting what its schema file says", async () => {
    const root = editedCopy([
      [
        "090_ops.sql",
        "/* health_check:",
        `/* Job labels, readable by signed-in users. */
create table public.ops_labels (name text primary key);
comment on table public.ops_labels is 'Labels.';
revoke all on public.ops_labels from public, anon, authenticated;
grant select on public.ops_labels to authenticated;
grant all on public.ops_labels to service_role;

/* health_check:`,
      ],
    ]);
    expect((await generateMigration(root)).statements).toEqual([
      "create table public.ops_labels (name text primary key);",
      // every Postgres version understands "all" (a list would name MAINTAIN, which Postgres 15 lacks)
      "revoke all on table public.ops_labels from anon, authenticated;",
      "grant select on table public.ops_labels to authenticated;",
      "grant all on table public.ops_labels to service_role;",
      "comment on table public.ops_labels is 'Labels.';",
    ]);
  }, 120_000);

  it("adds a column with its default, check and comment", async () => {
    const root = editedCopy([
      [
        "090_ops.sql",
        "  updated_at      timestamptz not null default now()\n);",
        "  updated_at      timestamptz not null default now(),\n  paused          boolean not null default false check (paused is not null)\n);\n" +
          "comment on column public.ops_jobs.paused is 'The sweep skips the job while true.';",
      ],
    ]);
    expect((await generateMigration(root)).statements).toEqual([
      "alter table public.ops_jobs add column paused boolean default false not null;",
      "alter table public.ops_jobs add constraint ops_jobs_paused_check CHECK (paused IS NOT NULL);",
      "comment on column public.ops_jobs.paused is 'The sweep skips the job while true.';",
    ]);
  }, 120_000);

  it("refuses a new column written before existing ones, and says how to fix it", async () => {
    const root = editedCopy([
      ["090_ops.sql", "  watermark       timestamptz,", "  paused boolean,\n  watermark       timestamptz,"],
    ]);
    const failure = await generateMigration(root).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(CannotExpressError);
    expect((failure as Error).message).toContain(
      "table public.ops_jobs: new column paused is not after the existing ones. Postgres adds a column at the end of its table",
    );
  }, 120_000);
});
