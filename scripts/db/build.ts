/**
 * Databases built from the repository's SQL, for comparing and generating:
 * - "migrations": supabase/bootstrap + supabase/migrations (what every database applies);
 * - "schemas": supabase/bootstrap + supabase/schemas/*.sql in path order (the current
 *   definition of every object, as the Supabase CLI applies declarative schemas).
 *
 * PGlite (Postgres in WebAssembly, in this process) needs no server, so anyone can
 * run the generator and the drift test on a fresh clone.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { applyBootstrap, migrate, supabaseRoot, type SqlRunner } from "@/lib/db/migrate";
import { readCatalog, type Catalog, type Query } from "./catalog";

export type Side = "migrations" | "schemas";

export interface ScratchDatabase extends SqlRunner {
  query: Query;
  close(): Promise<void>;
}

export function pgliteRunner(pg: PGlite): ScratchDatabase {
  return {
    exec: async (sql) => void (await pg.exec(sql)),
    query: async <Row>(sql: string, params?: unknown[]) => (await pg.query<Row>(sql, params)).rows,
    close: () => pg.close(),
  };
}

/** supabase/schemas/**.sql, by path: the order they are applied in. */
export function schemaFiles(root = supabaseRoot()): string[] {
  const dir = path.join(root, "schemas");
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".sql"))
    .map((f) => path.join("schemas", f))
    .sort();
}

/** Bootstrap, then every schema file in path order; a failure names the file. */
export async function applySchemas(db: SqlRunner, root = supabaseRoot()): Promise<void> {
  await applyBootstrap(db, root);
  for (const file of schemaFiles(root)) {
    try {
      await db.exec(fs.readFileSync(path.join(root, file), "utf8"));
    } catch (error) {
      throw new Error(`supabase/${file}: ${(error as Error).message}`, { cause: error });
    }
  }
}

export async function applySide(db: SqlRunner, side: Side, root = supabaseRoot()): Promise<void> {
  if (side === "schemas") await applySchemas(db, root);
  else await migrate(db, { root });
}

/** Hash of everything a migrated template depends on: PGlite's version and the SQL files. */
function templateHash(root: string, dirs: string[]): string {
  const hash = createHash("sha256");
  hash.update(
    JSON.parse(fs.readFileSync(path.join(process.cwd(), "node_modules/@electric-sql/pglite/package.json"), "utf8"))
      .version,
  );
  for (const dir of dirs) {
    const full = path.join(root, dir);
    if (!fs.existsSync(full)) continue;
    for (const file of fs
      .readdirSync(full)
      .filter((f) => f.endsWith(".sql"))
      .sort()) {
      hash.update(`${dir}/${file}`).update(fs.readFileSync(path.join(full, file)));
    }
  }
  return hash.digest("hex").slice(0, 16);
}

/** A template not used for this long (another branch's SQL, an older checkout's) is deleted. */
const TEMPLATE_UNUSED_MS = 7 * 24 * 60 * 60_000;
/** What a run killed while writing a template leaves (`<template>.<pid>.<random>`) is deleted after an hour. */
const PARTIAL_TEMPLATE_MS = 60 * 60_000;

/** Deletes the templates of other SQL versions that nobody used for a week (each use touches its file). */
function pruneTemplates(inUse: string): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const file = path.join(os.tmpdir(), name);
    if (!name.startsWith("credits-pglite-template-") || file === inUse) continue;
    const keepMs = name.endsWith(".tar.gz") ? TEMPLATE_UNUSED_MS : PARTIAL_TEMPLATE_MS;
    try {
      if (Date.now() - fs.statSync(file).mtimeMs > keepMs) fs.rmSync(file, { force: true });
    } catch {
      // another process pruned it first
    }
  }
}

/**
 * A migrated PGlite cluster as a dump, cached in the temp folder under a hash of the
 * SQL: creating a cluster (initdb) and migrating it costs seconds, loading the dump
 * a fraction of that. Any change to the bootstrap, the migrations or PGlite's version
 * makes a new template. It is a cache on purpose, the one file `npm test` leaves in the
 * temp folder (with the build snapshots of tests/helpers/server.ts); a week unused, it goes.
 */
export async function migratedPgliteTemplate(root = supabaseRoot()): Promise<Blob> {
  const file = path.join(
    os.tmpdir(),
    `credits-pglite-template-${templateHash(root, ["bootstrap", "migrations"])}.tar.gz`,
  );
  if (!fs.existsSync(file)) {
    const pg = await PGlite.create();
    await migrate(pgliteRunner(pg), { root });
    const dump = await pg.dumpDataDir("gzip");
    await pg.close();
    const partial = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
    fs.writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(partial, file); // atomic: parallel processes never read half a template
  } else {
    const now = new Date();
    fs.utimesSync(file, now, now);
  }
  pruneTemplates(file);
  return new Blob([fs.readFileSync(file)]);
}

/** A fresh in-memory PGlite with one side applied (the migrations side starts from the cached template). */
export async function buildPglite(side: Side, root = supabaseRoot()): Promise<ScratchDatabase> {
  if (side === "migrations") {
    return pgliteRunner(await PGlite.create({ loadDataDir: await migratedPgliteTemplate(root) }));
  }
  const db = pgliteRunner(await PGlite.create());
  try {
    await applySchemas(db, root);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}

export async function pgliteCatalog(side: Side, root = supabaseRoot()): Promise<Catalog> {
  const db = await buildPglite(side, root);
  try {
    return await readCatalog(db.query);
  } finally {
    await db.close();
  }
}
