/**
 * Judges `npm audit --omit=dev --json` output (report format 2): every high or
 * critical advisory fails the check unless scripts/audit-exceptions.json has a
 * note for it (advisory id or URL → why it does not apply here). Lower
 * severities are listed, not fatal. A registry without the advisory endpoint
 * (this machine's mirror answers 405) is "unavailable", never a silent pass.
 */

export type Severity = "info" | "low" | "moderate" | "high" | "critical";

export interface AuditFinding {
  package: string;
  advisory: string;
  title: string;
  severity: Severity;
  range: string;
  note?: string;
}

export type AuditVerdict =
  | { status: "unavailable"; reason: string }
  | { status: "pass" | "fail"; blocking: AuditFinding[]; excused: AuditFinding[]; minor: AuditFinding[] };

interface Via {
  source?: number;
  name?: string;
  title?: string;
  url?: string;
  severity?: string;
  range?: string;
}

export interface AuditReport {
  auditReportVersion?: number;
  vulnerabilities?: Record<string, { via?: Array<Via | string> }>;
  statusCode?: number;
  message?: string;
  error?: { summary?: string; detail?: string } | string;
}

const BLOCKING: ReadonlySet<Severity> = new Set(["high", "critical"]);
const SEVERITIES: ReadonlySet<string> = new Set(["info", "low", "moderate", "high", "critical"]);

/** npm's five levels; anything else is read as critical so that it is looked at, not skipped. */
const severityOf = (value: string | undefined): Severity =>
  value === undefined ? "info" : SEVERITIES.has(value) ? (value as Severity) : "critical";

/** The advisory's stable id: GHSA-… from its URL, else the npm source number. */
function advisoryId(via: Via): string {
  const ghsa = via.url?.match(/GHSA-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}/i)?.[0];
  return ghsa ?? (via.source !== undefined ? `npm:${via.source}` : (via.url ?? "unknown"));
}

export function evaluateAudit(report: AuditReport, exceptions: Record<string, string>): AuditVerdict {
  if (report.vulnerabilities === undefined) {
    const reason =
      report.message ??
      (typeof report.error === "string" ? report.error : report.error?.summary || report.error?.detail) ??
      "npm audit printed no report";
    return { status: "unavailable", reason };
  }
  // One finding per advisory: `via` strings only point at another package's entry, which lists it itself.
  const seen = new Map<string, AuditFinding>();
  for (const [name, entry] of Object.entries(report.vulnerabilities)) {
    for (const via of entry.via ?? []) {
      if (typeof via === "string") continue;
      const advisory = advisoryId(via);
      const key = `${via.name ?? name}|${advisory}`;
      if (seen.has(key)) continue;
      seen.set(key, {
        package: via.name ?? name,
        advisory,
        title: via.title ?? "",
        severity: severityOf(via.severity),
        range: via.range ?? "",
        note: exceptions[advisory] ?? (via.url ? exceptions[via.url] : undefined),
      });
    }
  }
  const findings = [...seen.values()];
  const blocking = findings.filter((f) => BLOCKING.has(f.severity) && !f.note);
  const excused = findings.filter((f) => BLOCKING.has(f.severity) && f.note);
  const minor = findings.filter((f) => !BLOCKING.has(f.severity));
  return { status: blocking.length ? "fail" : "pass", blocking, excused, minor };
}

export function describeVerdict(verdict: AuditVerdict): string[] {
  if (verdict.status === "unavailable") {
    return [`npm audit could not reach the advisory database: ${verdict.reason}`];
  }
  const line = (f: AuditFinding) => `  ${f.severity.padEnd(8)} ${f.package} ${f.range} ${f.advisory} ${f.title}`;
  return [
    `npm audit --omit=dev: ${verdict.blocking.length} high/critical without a note, ${verdict.excused.length} with a note, ${verdict.minor.length} lower`,
    ...verdict.blocking.map((f) => line(f) + "  ← needs a fix or a note in scripts/audit-exceptions.json"),
    ...verdict.excused.map((f) => `${line(f)}  (note: ${f.note})`),
    ...verdict.minor.map(line),
  ];
}
