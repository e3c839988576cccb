/**
 * ops/prometheus/alerts.yml and ops/grafana/dashboard.json: promtool accepts
 * the rules and passes their unit tests (thresholds: strictly above 5 % and
 * 5 s, as on /admin/metrics), and every metric they query is one that
 * GET /api/metrics really exposes. Without promtool the promtool case is
 * skipped with a message locally and fails in CI (CI=true; .ci/run installs it).
 */
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderPrometheusMetrics } from "@/lib/admin/prometheus";
import { FAILURE_RATE_ALERT, P95_ALERT_MS } from "@/lib/admin/metrics-window";
import { openTestDatabase, type TestDatabase } from "../helpers/databases";

const ROOT = process.cwd();
const RULES = path.join(ROOT, "ops/prometheus/alerts.yml");
const RULE_TESTS = path.join(ROOT, "ops/prometheus/alerts.test.yml");
const DASHBOARD = path.join(ROOT, "ops/grafana/dashboard.json");

function findPromtool(): string | null {
  const candidate = process.env.PROMTOOL ?? "promtool";
  return spawnSync(candidate, ["--version"], { encoding: "utf8" }).status === 0 ? candidate : null;
}

/** The metric names a set of PromQL expressions reads (our own and prom-client's default prefixes). */
function metricNames(expressions: string[]): string[] {
  const names = expressions.flatMap(
    (e) => e.match(/\b(?:outgoing_webhook|webhook|process|nodejs)_[a-z0-9_]+\b/g) ?? [],
  );
  return [...new Set(names)].sort();
}

describe("monitoring files", () => {
  let t: TestDatabase;
  let exposed: Set<string>;

  beforeAll(async () => {
    t = await openTestDatabase("pglite");
    const { body } = await renderPrometheusMetrics(t.db);
    exposed = new Set(
      body
        .split("\n")
        .filter((l) => l.startsWith("# TYPE "))
        .map((l) => l.split(" ")[2]),
    );
  });
  afterAll(() => t.drop());

  it("promtool accepts the rules and their unit tests pass", (ctx) => {
    const promtool = findPromtool();
    if (!promtool) {
      if (process.env.CI === "true")
        throw new Error("promtool is required in CI (.ci/run unpacks Debian's prometheus package)");
      console.warn("skipped: promtool not found (apt package `prometheus`, or set PROMTOOL=/path/to/promtool)");
      ctx.skip();
      return;
    }
    expect(execFileSync(promtool, ["check", "rules", RULES], { encoding: "utf8" })).toMatch(/SUCCESS: 4 rules found/);
    expect(
      execFileSync(promtool, ["test", "rules", RULE_TESTS], { encoding: "utf8", cwd: path.dirname(RULE_TESTS) }),
    ).toMatch(/SUCCESS/);
  });

  it("alerts on the app's thresholds, over metrics /api/metrics exposes", () => {
    const rules = fs.readFileSync(RULES, "utf8");
    const expressions = [...rules.matchAll(/^\s*expr: (.+)$/gm)].map((m) => m[1]);
    expect(expressions).toContain(`max(webhook_failure_ratio_last_hour) > ${FAILURE_RATE_ALERT}`);
    expect(expressions).toContain(`max(webhook_processing_p95_seconds_last_hour) > ${P95_ALERT_MS / 1000}`);
    // an outgoing webhook endpoint failing for an hour
    expect(expressions).toContain("max by (endpoint) (outgoing_webhook_endpoint_failing_seconds) > 3600");
    for (const name of metricNames(expressions)) expect(exposed, name).toContain(name);
  });

  it("the Grafana dashboard is importable JSON whose queries use exposed metrics and the same thresholds", () => {
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, "utf8")) as {
      uid: string;
      __inputs: Array<{ name: string }>;
      panels: Array<{
        title: string;
        targets: Array<{ expr: string }>;
        fieldConfig: { defaults: { thresholds?: { steps: Array<{ value: number | null }> } } };
      }>;
    };
    expect(dashboard.uid).toBe("credits-webhooks");
    expect(dashboard.__inputs.map((i) => i.name)).toEqual(["DS_PROMETHEUS"]);
    const expressions = dashboard.panels.flatMap((p) => p.targets.map((target) => target.expr));
    const names = metricNames(expressions);
    expect(names).toEqual(
      expect.arrayContaining([
        "webhook_failure_ratio_last_hour",
        "webhook_processing_p95_seconds_last_hour",
        "webhook_events_last_24h",
        "webhook_events_by_provider_last_24h",
        "outgoing_webhook_deliveries_last_24h",
        "outgoing_webhook_endpoint_failing_seconds",
      ]),
    );
    for (const name of names) expect(exposed, name).toContain(name);
    const threshold = (title: string) =>
      dashboard.panels.find((p) => p.title === title)?.fieldConfig.defaults.thresholds?.steps.at(-1)?.value;
    expect(threshold("Failure rate, last hour")).toBe(FAILURE_RATE_ALERT);
    expect(threshold("p95 processing time, last hour")).toBe(P95_ALERT_MS / 1000);
  });
});
