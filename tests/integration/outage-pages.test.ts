/**
 * What a person sees while the database is unreachable, through a real
 * `next start` (postgres mode) whose database connection runs through a TCP
 * proxy we cut. A signed-in user is not sent to /login as if signed out (the
 * login page cannot check the session either); every page says the service is
 * briefly unavailable and that credits are safe, as a 503, with no error detail.
 * Signed-out visitors still get the login page, and the home page says the packs
 * could not be loaded. Once the database is back, the same cookie works again.
 * Needs DATABASE_URL and RUN_FAULT_TESTS=1 (shares the fault suite's build).
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SESSION_COOKIE } from "@/lib/auth/claims";
import { createServerDatabase, migrateServerDatabase, serverUrl } from "../helpers/databases";
import { ensureBuild, freePort, ROOT, startNextServer, type NextServer } from "../helpers/server";
import { getPage, signedInCookies } from "../helpers/server-sessions";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy";

const enabled = Boolean(serverUrl) && process.env.RUN_FAULT_TESTS === "1";
const AUTH_SECRET = randomBytes(32).toString("base64url");
const EMAIL = "outage@example.com";

describe.skipIf(!enabled)("pages while the database is unreachable (next start + Postgres)", () => {
  let database: { url: string; drop: () => Promise<void> };
  let proxy: TcpProxy;
  let server: NextServer;
  let cookie: string;

  beforeAll(async () => {
    const build = await ensureBuild({ distDir: ".next-fault" });
    database = await createServerDatabase("credits_outage");
    await migrateServerDatabase(database.url);
    cookie = (await signedInCookies(database.url, AUTH_SECRET, [EMAIL]))[EMAIL];

    const target = new URL(database.url);
    proxy = await startTcpProxy(
      { host: target.hostname, port: Number(target.port || 5432) },
      await freePort(3550, 3559),
    );
    const viaProxy = new URL(database.url);
    viaProxy.hostname = "127.0.0.1";
    viaProxy.port = String(proxy.port);
    server = await startNextServer({
      build,
      port: await freePort(3560, 3569),
      env: {
        DATABASE_URL: viaProxy.toString(),
        AUTH_SECRET,
        APP_URL: "http://127.0.0.1",
        APP_DATA_DIR: path.join(ROOT, ".data", "outage"),
        PG_POOL_MAX: "4",
      },
    });
  }, 20 * 60_000);

  afterAll(async () => {
    await server?.stop();
    await proxy?.close();
    await database?.drop();
  });

  const get = (pathname: string, withCookie = true) => getPage(server.url, pathname, withCookie ? cookie : undefined);

  it("shows a signed-in user an 'unavailable, credits safe' page, not /login or a bare 500, and recovers", async () => {
    expect((await get("/wallet")).status).toBe(200);

    await proxy.down();
    try {
      for (const pathname of [
        "/wallet",
        "/wallet/buy",
        "/wallet/activity?kind=spends",
        "/settings",
        "/purchases?page=2",
        "/login",
        "/admin/events",
      ]) {
        const response = await get(pathname);
        const body = await response.text();
        expect({ pathname, status: response.status }).toEqual({ pathname, status: 503 });
        expect(response.headers.get("location")).toBeNull();
        expect(response.headers.get("retry-after")).toBe("30");
        expect(body).toMatch(/temporarily unavailable/i);
        expect(body).toContain("Your credits are safe");
        expect(body).toContain(`href="${pathname.replace("&", "&amp;")}"`); // "Try again" reloads the page asked for
        expect(body).not.toMatch(/ECONNREFUSED|ECONNRESET|DatabaseUnavailable|at [\w.]+ \(/);
        expect(response.headers.get("set-cookie") ?? "").not.toContain(`${SESSION_COOKIE}=;`);
      }

      // a signed-out visitor still gets the login page, with its form
      const signedOut = await get("/wallet", false);
      expect(signedOut.status).toBe(307);
      expect(signedOut.headers.get("location")).toContain("/login");
      const login = await get("/login", false);
      expect(login.status).toBe(200);
      expect(await login.text()).toContain('name="password"');

      // the home page still explains the product, and says the packs could not be loaded
      const home = await get("/", false);
      expect(home.status).toBe(200);
      const homeBody = await home.text();
      expect(homeBody).toContain("Packs could not be loaded");
      expect(homeBody).toContain("How it works");
    } finally {
      await proxy.up();
    }

    // the database is back: the same cookie works
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await get("/wallet")).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 500));
    }
    expect(status).toBe(200);
  }, 180_000);
});
