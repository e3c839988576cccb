/**
 * A local stand-in for Supabase Auth (GoTrue), for suites that run the app in
 * Supabase mode (NEXT_PUBLIC_SUPABASE_URL = its origin). It answers the calls
 * @supabase/ssr makes for our auth API, in GoTrue's wire format:
 * POST /auth/v1/signup, POST /auth/v1/token?grant_type=password,
 * POST /auth/v1/resend, POST /auth/v1/recover, GET /auth/v1/user,
 * POST /auth/v1/logout, PUT /auth/v1/admin/users/:id (ban_duration only).
 * Sign-up confirms at once (as with "Confirm email" off),
 * so it returns a session. `calls` counts every request by "METHOD path", which
 * is what the rate-limit tests read: a limited attempt must never get here.
 * `down` makes it answer every request with a 503.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeGotrue {
  origin: string;
  calls: Map<string, number>;
  /** How many requests reached "METHOD /auth/v1/…" (query string left out). */
  count(call: string): number;
  /** While true, every request is answered 503, as Supabase Auth does during an outage. */
  down: boolean;
  /** The ids Supabase Auth holds banned (admin API ban_duration), and the scope of each sign-out. */
  banned: Set<string>;
  logouts: string[];
  close(): Promise<void>;
}

interface User {
  id: string;
  email: string;
  password: string;
  email_confirmed_at: string;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function sessionFor(user: User) {
  const now = Math.floor(Date.now() / 1_000);
  const claims = { sub: user.id, email: user.email, aud: "authenticated", role: "authenticated", exp: now + 3_600 };
  const accessToken = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url(claims)}.${base64url("stand-in")}`;
  return {
    access_token: accessToken,
    token_type: "bearer",
    expires_in: 3_600,
    expires_at: now + 3_600,
    refresh_token: randomUUID(),
    user: publicUser(user),
  };
}

const publicUser = (user: User) => ({
  id: user.id,
  aud: "authenticated",
  role: "authenticated",
  email: user.email,
  email_confirmed_at: user.email_confirmed_at,
  app_metadata: { provider: "email" },
  user_metadata: {},
  created_at: user.email_confirmed_at,
});

const gotrueError = (status: number, errorCode: string, msg: string) => ({
  status,
  body: { code: status, error_code: errorCode, msg },
});

export async function startFakeGotrue(): Promise<FakeGotrue> {
  const users = new Map<string, User>();
  const calls = new Map<string, number>();
  const fake: FakeGotrue = {
    origin: "",
    calls,
    count: (call) => calls.get(call) ?? 0,
    down: false,
    banned: new Set(),
    logouts: [],
    close: async () => {},
  };

  function answer(method: string, path: string, body: Record<string, unknown>, bearer: string | undefined, scope = "") {
    const email = typeof body.email === "string" ? body.email.toLowerCase() : "";
    switch (`${method} ${path}`) {
      case "POST /auth/v1/signup": {
        if (users.has(email)) return gotrueError(422, "user_already_exists", "User already registered");
        const user = {
          id: randomUUID(),
          email,
          password: String(body.password),
          email_confirmed_at: new Date().toISOString(),
        };
        users.set(email, user);
        return { status: 200, body: sessionFor(user) };
      }
      case "POST /auth/v1/token": {
        const user = users.get(email);
        if (!user || user.password !== body.password) {
          return gotrueError(400, "invalid_credentials", "Invalid login credentials");
        }
        if (fake.banned.has(user.id)) return gotrueError(400, "user_banned", "User is banned");
        return { status: 200, body: sessionFor(user) };
      }
      case "POST /auth/v1/resend":
      case "POST /auth/v1/recover":
        return { status: 200, body: {} };
      case "POST /auth/v1/logout":
        fake.logouts.push(scope);
        return { status: 204, body: undefined };
      case "GET /auth/v1/user": {
        const claims = bearer?.split(".")[1];
        const sub = claims ? (JSON.parse(Buffer.from(claims, "base64url").toString()) as { sub?: string }).sub : "";
        const user = [...users.values()].find((u) => u.id === sub);
        return user ? { status: 200, body: publicUser(user) } : gotrueError(401, "bad_jwt", "invalid JWT");
      }
      default: {
        const admin = /^PUT \/auth\/v1\/admin\/users\/([0-9a-f-]{36})$/.exec(`${method} ${path}`);
        if (admin && bearer === "service-role-key-for-tests") {
          if (body.ban_duration === "none") fake.banned.delete(admin[1]);
          else if (typeof body.ban_duration === "string") fake.banned.add(admin[1]);
          const user = [...users.values()].find((u) => u.id === admin[1]);
          return user ? { status: 200, body: publicUser(user) } : gotrueError(404, "user_not_found", "User not found");
        }
        return gotrueError(404, "not_found", "not found");
      }
    }
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const call = `${request.method} ${url.pathname}`;
      calls.set(call, (calls.get(call) ?? 0) + 1);
      const text = Buffer.concat(chunks).toString();
      const bearer = request.headers.authorization?.replace(/^Bearer /, "");
      const { status, body } = fake.down
        ? gotrueError(503, "unexpected_failure", "service unavailable")
        : answer(
            request.method ?? "GET",
            url.pathname,
            text ? JSON.parse(text) : {},
            bearer,
            url.searchParams.get("scope") ?? "",
          );
      response.writeHead(status, body === undefined ? {} : { "content-type": "application/json" });
      response.end(body === undefined ? undefined : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  fake.origin = `http://127.0.0.1:${port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}
