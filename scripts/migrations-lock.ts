/**
 * npm run db:lock — records the SHA-256 of every migration in supabase/migrations.lock.
 *
 * A migration is applied once per database (lib/db/migrate.ts): editing one that
 * a database has already applied changes nothing there (the migrator only warns),
 * so a fix must go into a new migration. tests/unit/migrations-lock.test.ts fails
 * when a locked migration's text changed or a migration is not locked; run this
 * after adding one.
 */
import { writeMigrationsLock } from "../lib/db/migrations-lock";

writeMigrationsLock();
console.log("supabase/migrations.lock written");
