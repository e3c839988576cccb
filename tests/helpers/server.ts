/**
 * Production Next.js servers for fault tests and the benchmark: build once per
 * dist folder (rebuilt when the sources or the build environment change),
 * then `next start` as child processes that can be stopped, or killed -9.
 * Ports stay in 3500–3599; every server listens on 127.0.0.1 only.
 *
 * Builds run on a snapshot of the sources copied outside the repository
 * (os.tmpdir()/credits-next-builds/<checkout hash>-<distDir>, node_modules linked): the working
 * tree may be mid-edit, and `next build` rewrites tsconfig.json for a custom
 * distDir, which must not touch the shared file.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");

/** Everything that goes into a build: a change to any of these makes ensureBuild rebuild. */
const SOURCE_ENTRIES = [
  "app",
  "components",
  "lib",
  "middleware.ts",
  "instrumentation.ts",
  "instrumentation-node.ts",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "package-lock.json",
  "public",
];
/** Also copied into the snapshot, but not part of the fingerprint (read at run time, or not by Next). */
const RUNTIME_ENTRIES = ["supabase", "package.json", "global.d.ts", "next-env.d.ts"];

function hashSources(hash: ReturnType<typeof createHash>, entry: string): void {
  const full = path.join(ROOT, entry);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    return;
  }
  if (stat.isDirectory()) {
    for (const child of fs.readdirSync(full).sort()) hashSources(hash, path.join(entry, child));
  } else if (!/\.tmp$/.test(entry)) {
    hash.update(entry).update("\0").update(fs.readFileSync(full)).update("\0");
  }
}

export function sourceFingerprint(buildEnv: Record<string, string>): string {
  const hash = createHash("sha256");
  for (const entry of SOURCE_ENTRIES) hashSources(hash, entry);
  hash.update(JSON.stringify(Object.entries(buildEnv).sort()));
  return hash.digest("hex");
}

/** The minimal environment a child needs: PATH/HOME, never the caller's secrets or DATABASE_URL. */
export function baseEnv(): Record<string, string> {
  const keep = ["PATH", "HOME", "TMPDIR", "LANG"];
  return Object.fromEntries(keep.flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
}

async function withLock<T>(lockDir: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 15 * 60_000) fs.rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockDir}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

export interface Build {
  /** Where `next start` runs (the snapshot). */
  root: string;
  distDir: string;
  built: boolean;
  seconds: number;
}

/** Per checkout and dist folder, so two checkouts on one machine (e.g. CI beside a working tree) never share a snapshot. */
export const buildRoot = (distDir: string) =>
  path.join(
    os.tmpdir(),
    "credits-next-builds",
    `${createHash("sha256").update(ROOT).digest("hex").slice(0, 10)}-${distDir.replace(/[^\w.-]/g, "_")}`,
  );

/** Copies the sources (not .next, .data or node_modules, which is linked) into root: a cold copy of the project. */
export function snapshotSources(root: string, distDir: string): void {
  fs.mkdirSync(root, { recursive: true });
  for (const entry of fs.readdirSync(root)) {
    if (entry !== distDir) fs.rmSync(path.join(root, entry), { recursive: true, force: true });
  }
  for (const entry of [...SOURCE_ENTRIES, ...RUNTIME_ENTRIES]) {
    const from = path.join(ROOT, entry);
    if (fs.existsSync(from))
      fs.cpSync(from, path.join(root, entry), { recursive: true, filter: (f) => !f.endsWith(".tmp") });
  }
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
}

export interface BuildOptions {
  /** Relative to the repo root, e.g. ".next-fault". */
  distDir: string;
  /** Extra variables set while building (e.g. fake secrets the bundle scan looks for). */
  env?: Record<string, string>;
  /** Use whatever build is in distDir, however old (e.g. while the working tree does not build). */
  reuse?: boolean;
  log?: (line: string) => void;
}

/** A snapshot not used for this long (a removed worktree's, another dist folder's) is deleted. */
const SNAPSHOT_UNUSED_MS = 7 * 24 * 60 * 60_000;

/**
 * The snapshots are a cache on purpose (a build takes minutes; the next run reuses it while the
 * sources are unchanged), ~300 MB each, one per checkout and dist folder: each use touches its
 * folder, and one unused for a week goes (never one whose lock is held).
 */
function pruneSnapshots(inUse: string): void {
  const parent = path.dirname(inUse);
  const unused = (file: string) =>
    Date.now() - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0) > SNAPSHOT_UNUSED_MS;
  for (const name of fs.readdirSync(parent)) {
    const snapshot = path.join(parent, name);
    if (snapshot === inUse || name.endsWith(".lock") || !unused(snapshot)) continue;
    if (fs.existsSync(`${snapshot}.lock`) && !unused(`${snapshot}.lock`)) continue; // building now
    fs.rmSync(snapshot, { recursive: true, force: true });
    fs.rmSync(`${snapshot}.lock`, { recursive: true, force: true });
  }
}

/** Builds into distDir unless a build of the current sources with the same build env is already there. */
export async function ensureBuild(options: BuildOptions): Promise<Build> {
  const build = await ensureBuildOnce(options);
  const now = new Date();
  fs.utimesSync(build.root, now, now);
  pruneSnapshots(build.root);
  return build;
}

async function ensureBuildOnce(options: BuildOptions): Promise<Build> {
  const env = options.env ?? {};
  const root = buildRoot(options.distDir);
  const dist = path.join(root, options.distDir);
  const stamp = path.join(dist, "SOURCE_FINGERPRINT");
  fs.mkdirSync(path.dirname(root), { recursive: true });
  return withLock(`${root}.lock`, async () => {
    const fingerprint = sourceFingerprint(env);
    const done = { root, distDir: options.distDir, built: false, seconds: 0 };
    if (options.reuse && fs.existsSync(path.join(dist, "BUILD_ID"))) return done;
    if (
      fs.existsSync(path.join(dist, "BUILD_ID")) &&
      fs.readFileSync(stamp, { encoding: "utf8", flag: "a+" }) === fingerprint
    ) {
      return done;
    }
    const started = Date.now();
    options.log?.(`building ${options.distDir} in ${root} (next build)…`);
    snapshotSources(root, options.distDir);
    fs.rmSync(path.join(dist, "BUILD_ID"), { force: true });
    const child = spawn(process.execPath, [NEXT_BIN, "build"], {
      cwd: root,
      env: {
        ...baseEnv(),
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        NEXT_DIST_DIR: options.distDir,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${output.slice(-4000)}`);
    fs.writeFileSync(stamp, fingerprint);
    return { ...done, built: true, seconds: (Date.now() - started) / 1000 };
  });
}

/** A free port in [from, to] on 127.0.0.1. */
export async function freePort(from = 3500, to = 3599): Promise<number> {
  for (let port = from; port <= to; port++) {
    const ok = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

export interface NextServer {
  url: string;
  port: number;
  pid: number;
  /** Resolves with the exit code (or null when killed by a signal). */
  exited: Promise<number | null>;
  /** What the server printed (last 64 KiB). */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** kill -9: no shutdown hooks, in-flight requests die with the process. */
  kill(): Promise<void>;
}

export interface StartOptions {
  build: Pick<Build, "root" | "distDir">;
  port: number;
  /** The app's environment (DATABASE_URL, secrets, PG_POOL_MAX, …); nothing is inherited but PATH/HOME. */
  env: Record<string, string>;
  /** Wait until this path answers (any status). */
  readyPath?: string;
  timeoutMs?: number;
  /** Extra node flags, e.g. ["--cpu-prof"]. */
  nodeArgs?: string[];
  /** The address to listen on (`next start -H`); default 127.0.0.1. */
  host?: string;
}

export interface NextProcess {
  child: ChildProcess;
  /** Resolves with the exit code (or null when killed by a signal). */
  exited: Promise<number | null>;
  /** What the server printed so far (last 64 KiB). */
  output(): string;
}

/** `next start` as a child process, without waiting for anything (startNextServer waits until it answers). */
export function spawnNextStart(options: Omit<StartOptions, "readyPath" | "timeoutMs">): NextProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), NEXT_BIN, "start", "-p", String(options.port), "-H", options.host ?? "127.0.0.1"],
    {
      cwd: options.build.root,
      env: {
        ...baseEnv(),
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        NEXT_DIST_DIR: options.build.distDir,
        ...options.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const append = (d: Buffer) => {
    output = (output + d.toString()).slice(-65_536);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

export async function startNextServer(options: StartOptions): Promise<NextServer> {
  const { child, exited, output } = spawnNextStart(options);
  let gone = false;
  void exited.then(() => (gone = true));

  const url = `http://${options.host ?? "127.0.0.1"}:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    if (gone) throw new Error(`next start exited early:\n${output()}`);
    try {
      await fetch(url + (options.readyPath ?? "/api/health"), { signal: AbortSignal.timeout(5_000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`next start did not answer within ${options.timeoutMs ?? 60_000} ms:\n${output()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  const signal = async (sig: NodeJS.Signals, graceMs: number) => {
    if (gone) return;
    child.kill(sig);
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    url,
    port: options.port,
    pid: child.pid!,
    exited,
    output,
    stop: () => signal("SIGTERM", 5_000),
    kill: () => signal("SIGKILL", 0),
  };
}

/**
 * A cold copy of the project in `root` for `next dev`: the sources, and a real node_modules folder, as in a
 * fresh clone (Turbopack refuses a node_modules symlink that points outside the project): hard links when the
 * temp dir shares the file system (instant), else a copy.
 */
export function devSnapshot(root: string): void {
  snapshotSources(root, ".next-dev");
  fs.unlinkSync(path.join(root, "node_modules"));
  const linked = spawnSync("cp", ["-al", path.join(ROOT, "node_modules"), path.join(root, "node_modules")]);
  if (linked.status !== 0) {
    fs.rmSync(path.join(root, "node_modules"), { recursive: true, force: true });
    const copied = spawnSync("cp", ["-a", path.join(ROOT, "node_modules"), path.join(root, "node_modules")]);
    if (copied.status !== 0) throw new Error(`cannot copy node_modules: ${copied.stderr}`);
  }
}

export interface DevServer {
  url: string;
  /** What it printed (last 200 KB). */
  output(): string;
  /** The exit code once it exited, else undefined. */
  exitCode(): number | null | undefined;
  /** Kills its whole process group (next dev starts workers). */
  stop(): void;
}

/** What `npm run dev` runs (package.json's script, on our own port) in `root`, with only `env` beside PATH/HOME. */
export function startNextDev(root: string, port: number, env: Record<string, string>): DevServer {
  const devArgs: string[] = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))
    .scripts.dev.split(/\s+/)
    .slice(1);
  if (devArgs[0] !== "dev") throw new Error(`npm run dev is not next dev: ${devArgs.join(" ")}`);
  const child = spawn(
    process.execPath,
    [path.join(root, "node_modules/next/dist/bin/next"), ...devArgs, "-p", String(port), "-H", "127.0.0.1"],
    {
      cwd: root,
      env: { ...baseEnv(), NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let output = "";
  child.stdout!.on("data", (d) => (output = (output + d).slice(-200_000)));
  child.stderr!.on("data", (d) => (output = (output + d).slice(-200_000)));
  let exitCode: number | null | undefined;
  child.on("exit", (code) => (exitCode = code));
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    exitCode: () => exitCode,
    stop: () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    },
  };
}
