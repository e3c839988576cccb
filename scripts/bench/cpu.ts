/**
 * CPU time from Linux /proc (user + system, clock ticks of 1/100 s; NaN
 * elsewhere): a process with its descendants, and Postgres backends picked by
 * pid. CPU per request is the figure that holds on a busy machine.
 */
import fs from "node:fs";

const TICKS_PER_SECOND = 100; // USER_HZ

function statFields(pid: number): string[] | undefined {
  try {
    // comm may contain spaces and parentheses: split after the last ") "
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) one process has used so far, NaN when unreadable. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : NaN;
}

/** The process and every descendant (e.g. `next start` and the next-server it may fork). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (!fields) continue;
    const parent = Number(fields[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const walk = (pid: number) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return tree;
}

/** CPU seconds of a process tree (children that already exited are not counted: servers keep theirs). */
export function treeCpuSeconds(root: number): number {
  return processTree(root).reduce((sum, pid) => sum + (cpuSeconds(pid) || 0), 0);
}

/** CPU seconds per pid, for a set of pids read before and after a round. */
export function cpuByPid(pids: number[]): Map<number, number> {
  return new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
}

/** CPU used between two readings; pids that appeared in between count from zero. */
export function cpuDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) {
    if (Number.isFinite(seconds)) total += seconds - (before.get(pid) ?? 0);
  }
  return total;
}
