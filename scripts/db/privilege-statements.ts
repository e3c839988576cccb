/** Privileges and comments as statements, for the migration generator (plan-changes.ts). */
import type { RelationEntry } from "./catalog";
import { ident, quote, relName } from "./sql-names";

/** One grant/revoke target, as written in GRANT: "table public.x", "function public.f(text)", "schema private". */
export interface AclTarget {
  sql: string;
  /** Privileges of a new object before any grant (owner aside). */
  defaults: string[];
  /** Supabase gives anon and authenticated every privilege on new objects in public: revoke them explicitly. */
  supabaseDefaults: boolean;
  all: "all" | "execute" | "usage";
}

/** Sorted privileges by grantee, owner left out: "service_role" → ["SELECT", …]. */
export function byGrantee(acl: string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const entry of acl) {
    const [grantee, privilege] = entry.split(":");
    if (grantee === "owner") continue;
    map.set(grantee, [...(map.get(grantee) ?? []), privilege].sort());
  }
  return map;
}

const ownerPrivileges = (acl: string[]) =>
  acl
    .filter((e) => e.startsWith("owner:"))
    .map((e) => e.slice("owner:".length).replace("*", ""))
    .sort();

/** GRANT / REVOKE statements that turn `current` into `desired` (both normalised ACLs). */
export function privilegeStatements(target: AclTarget, current: string[] | null, desired: string[]): string[] {
  const now = byGrantee(current ?? target.defaults);
  const want = byGrantee(desired);
  const full = ownerPrivileges(desired);
  const revokes = new Map<string, string[]>(); // privilege list → grantees
  const grants = new Map<string, string[]>();
  const push = (map: Map<string, string[]>, privileges: string, grantee: string) =>
    map.set(privileges, [...(map.get(privileges) ?? []), grantee]);
  const list = (privileges: string[], grantable = false) =>
    target.all !== "all" || (full.length > 0 && full.every((p) => privileges.includes(p)))
      ? target.all + (grantable ? "*" : "")
      : privileges.map((p) => p.toLowerCase()).join(", ");
  const grantees = new Set([...now.keys(), ...want.keys()]);
  if (current === null && target.supabaseDefaults) grantees.add("anon").add("authenticated");
  for (const grantee of [...grantees].sort((x, y) => (x === "public" ? -1 : y === "public" ? 1 : x.localeCompare(y)))) {
    const wanted = want.get(grantee) ?? [];
    if (current === null && target.supabaseDefaults && (grantee === "anon" || grantee === "authenticated")) {
      // what Supabase's default privileges gave: all of it away, then what is meant (works on every version)
      push(revokes, target.all, grantee);
      if (wanted.length) push(grants, list(wanted.map((p) => p.replace("*", ""))), grantee);
      continue;
    }
    const had = now.get(grantee) ?? [];
    const removed = had.filter((p) => !wanted.includes(p));
    const added = removed.length ? wanted : wanted.filter((p) => !had.includes(p));
    // taking some privileges away: all of them, then the ones kept (a list may name MAINTAIN, unknown to Postgres 15)
    if (removed.length) push(revokes, target.all, grantee);
    if (added.length) push(grants, list(added.map((p) => p.replace("*", ""))), grantee);
  }
  const name = (g: string) => (g === "public" ? "public" : ident(g));
  return [
    ...[...revokes].map(([p, gs]) => `revoke ${p} on ${target.sql} from ${gs.map(name).join(", ")};`),
    ...[...grants].map(([p, gs]) => {
      const grantable = p.endsWith("*");
      return `grant ${p.replace("*", "")} on ${target.sql} to ${gs.map(name).join(", ")}${grantable ? " with grant option" : ""};`;
    }),
  ];
}

/** Column grants (grant select (a, b) on t to role), grouped by privilege and grantee. */
export function columnPrivilegeStatements(r: RelationEntry, before: RelationEntry | undefined): string[] {
  const changes = new Map<string, string[]>(); // "grant|select|authenticated" → columns
  for (const c of r.columns) {
    const want = byGrantee(c.acl);
    const had = byGrantee(before?.columns.find((x) => x.name === c.name)?.acl ?? []);
    for (const g of new Set([...want.keys(), ...had.keys()])) {
      for (const p of want.get(g) ?? [])
        if (!had.get(g)?.includes(p))
          changes.set(`grant|${p}|${g}`, [...(changes.get(`grant|${p}|${g}`) ?? []), c.name]);
      for (const p of had.get(g) ?? [])
        if (!want.get(g)?.includes(p))
          changes.set(`revoke|${p}|${g}`, [...(changes.get(`revoke|${p}|${g}`) ?? []), c.name]);
    }
  }
  return [...changes]
    .sort(([a], [b]) =>
      a.startsWith("revoke") === b.startsWith("revoke") ? a.localeCompare(b) : a.startsWith("revoke") ? -1 : 1,
    )
    .map(([key, columns]) => {
      const [action, privilege, grantee] = key.split("|");
      const cols = `${privilege.toLowerCase()} (${columns.map(ident).join(", ")}) on table ${relName(r)}`;
      return action === "grant" ? `grant ${cols} to ${ident(grantee)};` : `revoke ${cols} from ${ident(grantee)};`;
    });
}

export function commentStatement(on: string, comment: string | null): string {
  if (comment === null) return `comment on ${on} is null;`;
  return on.length + comment.length > 100
    ? `comment on ${on} is\n  ${quote(comment)};`
    : `comment on ${on} is ${quote(comment)};`;
}
