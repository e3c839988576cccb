/** Reading schema files statement by statement (scripts/db/sql-statements.ts, scripts/db/schema-sources.ts). */
import { describe, expect, it } from "vitest";
import { keyOf } from "@/scripts/db/schema-sources";
import { splitSqlStatements } from "@/scripts/db/sql-statements";

describe("splitSqlStatements", () => {
  it("ends a statement only at a semicolon outside strings, quoted names, dollar quotes and comments", () => {
    const sql = `/* a table; documented */
create table "a;b" (x text default 'it''s; fine');
-- a function; with a body
create function f() returns text language plpgsql as $body$
begin
  return $$;$$ || E'\\';' || '/* not a comment; */'; -- trailing; comment
end
$body$;
select 1 /* nested /* comment; */ still; */ ;`;
    const statements = splitSqlStatements(sql);
    expect(statements.map((s) => s.sql.split("\n")[0])).toEqual([
      `create table "a;b" (x text default 'it''s; fine');`,
      "create function f() returns text language plpgsql as $body$",
      "select 1 /* nested /* comment; */ still; */ ;",
    ]);
    expect(statements[0].leading).toBe("/* a table; documented */\n");
    expect(statements[1].leading).toBe("\n-- a function; with a body\n");
    expect(statements[1].sql.endsWith("$body$;")).toBe(true);
    expect(statements.map((s) => s.line)).toEqual([2, 4, 9]);
  });

  it("keeps a last statement without a semicolon", () => {
    expect(splitSqlStatements("select 1;\nselect 2\n").map((s) => s.sql)).toEqual(["select 1;", "select 2"]);
  });
});

describe("keyOf", () => {
  it.each([
    ["create function public.f(p_a text) returns int", "function public.f"],
    ["create or replace function private.g (x int)", "function private.g"],
    ["create table public.t (id int)", "table public.t"],
    ["create table if not exists t (id int)", "table public.t"],
    ["create unique index t_key on public.t (lower(a))", "index public.t_key"],
    ["create index if not exists t_idx on only private.t (a)", "index private.t_idx"],
    [
      "create trigger t_touch\n  before update on public.t for each row execute function f()",
      "trigger public.t.t_touch",
    ],
    ["create policy t_read on public.t for select using (true)", "policy public.t.t_read"],
    ["create schema private", "schema private"],
    ["create view public.v as select 1", "view public.v"],
    ["grant select on public.t to anon", null],
    ["comment on table public.t is 'x'", null],
  ])("%s → %s", (sql, key) => {
    expect(keyOf(sql)).toBe(key);
  });
});
