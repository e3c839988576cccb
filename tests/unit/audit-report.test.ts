import { describe, expect, it } from "vitest";
import { describeVerdict, evaluateAudit } from "@/scripts/audit-report";

// Shaped like `npm audit --omit=dev --json` (auditReportVersion 2) from npm 10/11.
const report = {
  auditReportVersion: 2,
  vulnerabilities: {
    next: {
      name: "next",
      severity: "critical",
      isDirect: true,
      via: [
        {
          source: 1101081,
          name: "next",
          dependency: "next",
          title: "Authorization Bypass in Next.js Middleware",
          url: "https://github.com/advisories/GHSA-f82v-jwr5-mffw",
          severity: "critical",
          range: ">=15.0.0 <15.2.3",
        },
        "postcss",
      ],
      effects: [],
      range: "15.0.0 - 15.2.2",
      nodes: ["node_modules/next"],
      fixAvailable: true,
    },
    postcss: {
      name: "postcss",
      severity: "moderate",
      isDirect: false,
      via: [
        {
          source: 1094544,
          name: "postcss",
          dependency: "postcss",
          title: "PostCSS line return parsing error",
          url: "https://github.com/advisories/GHSA-7fh5-64p2-3v2j",
          severity: "moderate",
          range: "<8.4.31",
        },
      ],
      effects: ["next"],
      range: "<8.4.31",
      nodes: ["node_modules/postcss"],
      fixAvailable: true,
    },
    ws: {
      name: "ws",
      severity: "high",
      isDirect: true,
      via: [
        {
          source: 1098392,
          name: "ws",
          dependency: "ws",
          title: "ws affected by a DoS when handling a request with many HTTP headers",
          url: "https://github.com/advisories/GHSA-3h5v-q93c-6h6q",
          severity: "high",
          range: ">=8.0.0 <8.17.1",
        },
      ],
      effects: [],
      range: "8.0.0 - 8.17.0",
      nodes: ["node_modules/ws"],
      fixAvailable: true,
    },
  },
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 1, high: 1, critical: 1, total: 3 } },
};

describe("evaluateAudit", () => {
  it("fails on high and critical advisories without a note, and lists lower ones", () => {
    const verdict = evaluateAudit(report, {});
    expect(verdict.status).toBe("fail");
    if (verdict.status === "unavailable") throw new Error("unreachable");
    expect(verdict.blocking.map((f) => `${f.package} ${f.advisory} ${f.severity}`).sort()).toEqual([
      "next GHSA-f82v-jwr5-mffw critical",
      "ws GHSA-3h5v-q93c-6h6q high",
    ]);
    expect(verdict.minor.map((f) => f.advisory)).toEqual(["GHSA-7fh5-64p2-3v2j"]);
    expect(describeVerdict(verdict)[0]).toContain("2 high/critical without a note");
  });

  it("passes once every high and critical advisory has a note (by id or by URL)", () => {
    const verdict = evaluateAudit(report, {
      "GHSA-f82v-jwr5-mffw": "middleware is not our only authorization check",
      "https://github.com/advisories/GHSA-3h5v-q93c-6h6q": "ws is only a client here (supabase realtime)",
    });
    expect(verdict.status).toBe("pass");
    if (verdict.status === "unavailable") throw new Error("unreachable");
    expect(verdict.excused.map((f) => f.note)).toContain("ws is only a client here (supabase realtime)");
  });

  it("a note for one advisory does not excuse another in the same package", () => {
    const verdict = evaluateAudit(report, { "GHSA-0000-0000-0000": "unrelated" });
    expect(verdict.status).toBe("fail");
  });

  it("reads a severity npm does not define as critical, so it is looked at", () => {
    const verdict = evaluateAudit(
      {
        vulnerabilities: {
          x: { via: [{ name: "x", url: "https://github.com/advisories/GHSA-aaaa-bbbb-cccc", severity: "severe" }] },
        },
      },
      {},
    );
    expect(verdict.status).toBe("fail");
  });

  it("passes a clean report", () => {
    const verdict = evaluateAudit({ auditReportVersion: 2, vulnerabilities: {} }, {});
    expect(verdict).toEqual({ status: "pass", blocking: [], excused: [], minor: [] });
  });

  it("reports a registry without the advisory endpoint as unavailable, never as a pass", () => {
    // What this machine's registry mirror answers (npm audit --json, exit 1).
    const verdict = evaluateAudit(
      {
        message: "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
        statusCode: 405,
        error: { summary: "", detail: "" },
      },
      {},
    );
    expect(verdict).toEqual({ status: "unavailable", reason: expect.stringContaining("405 Method Not Allowed") });
    expect(describeVerdict(verdict)[0]).toMatch(/could not reach the advisory database/);
  });
});
