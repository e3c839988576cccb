/**
 * Access rules through a real `next start` listening on an address other than
 * the one "localhost" resolves to (127.0.0.2, as a server bound to one
 * interface would be). Next treats a middleware rewrite whose origin differs
 * from its own as an external URL and proxies it over HTTP, and middleware
 * sees its own origin as "localhost": a rewrite from middleware would then go
 * to localhost:<port>, where nothing listens. So no access rule may depend on
 * a middleware rewrite: non-admins get the 404 page, signed-out visitors the
 * login redirect, admins the page, whatever the address.
 * Needs DATABASE_URL and RUN_FAULT_TESTS=1 (shares the fault suite's build).
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerDatabase, migrateServerDatabase, serverUrl } from "../helpers/databases";
import { ensureBuild, freePort, ROOT, startNextServer, type NextServer } from "../helpers/server";
import { getPage, signedInCookies } from "../helpers/server-sessions";

const enabled = Boolean(serverUrl) && process.env.RUN_FAULT_TESTS === "1";
const AUTH_SECRET = randomBytes(32).toString("base64url");
const ADMIN = "boss@example.com";

describe.skipIf(!enabled)("access rules on a server bound to 127.0.0.2 (next start + Postgres)", () => {
  let database: { url: string; drop: () => Promise<void> };
  let server: NextServer;
  const cookies: Record<string, string> = {};

  beforeAll(async () => {
    const build = await ensureBuild({ distDir: ".next-fault" });
    database = await createServerDatabase("credits_address");
    await migrateServerDatabase(database.url);
    Object.assign(cookies, await signedInCookies(database.url, AUTH_SECRET, ["someone@example.com", ADMIN]));
    server = await startNextServer({
      build,
      host: "127.0.0.2",
      port: await freePort(3570, 3579),
      env: {
        DATABASE_URL: database.url,
        AUTH_SECRET,
        ADMIN_EMAILS: ADMIN,
        APP_URL: "http://127.0.0.2",
        APP_DATA_DIR: path.join(ROOT, ".data", "address"),
        PG_POOL_MAX: "4",
      },
    });
  }, 20 * 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const get = (pathname: string, cookie?: string) => getPage(server.url, pathname, cookie);

  it("gives a non-admin the 404 page on /admin/*, an admin the page, a signed-out visitor the login redirect", async () => {
    const index = await get("/admin", cookies["someone@example.com"]);
    expect(index.status).toBe(404);
    for (const pathname of ["/admin/events", "/admin/metrics", "/admin/users", "/admin/webhooks"]) {
      const nosy = await get(pathname, cookies["someone@example.com"]);
      expect({ pathname, status: nosy.status }).toEqual({ pathname, status: 404 });
      expect(await nosy.text()).toContain("Page not found");

      const admin = await get(pathname, cookies[ADMIN]);
      expect({ pathname, status: admin.status }).toEqual({ pathname, status: 200 });

      const stranger = await get(pathname);
      expect(stranger.status).toBe(307);
      expect(new URL(stranger.headers.get("location")!).pathname).toBe("/login");
    }
    expect(server.output()).not.toContain("Failed to proxy");
  }, 120_000);
});
