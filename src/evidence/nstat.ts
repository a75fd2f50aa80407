import { counterProblem, forEachLine, isCounterNumber, IssueList, quote, setCounter, splitLines } from "./text.js";
import type { CounterSet, Parsed } from "./types.js";

const NSTAT_LINE = /^([A-Za-z][A-Za-z0-9_]*)\s+(-?\d+)(?:\s+(-?[\d.]+))?\s*$/;

/** True when most non-comment lines are `Name value [rate]` rows (or the file starts with nstat's `#kernel`). */
export function looksLikeNstat(text: string): boolean {
  const lines = splitLines(text).filter((line) => line.trim() !== "");
  if (lines[0]?.trim() === "#kernel") return true;
  const rows = lines.filter((line) => !line.startsWith("#"));
  if (rows.length === 0) return false;
  const matched = rows.filter((line) => NSTAT_LINE.test(line.trim())).length;
  return matched >= Math.max(1, rows.length * 0.8) && rows.some((line) => /^(Ip|Tcp|Udp|Icmp)/.test(line));
}

/**
 * nstat text output: `TcpExtListenOverflows  12  0.0`. With -a the values are absolute; without it they are
 * increments since nstat's last run (nothing in the text says which; collect always uses -asz).
 * Without -z zero counters are simply absent.
 */
export function parseNstat(text: string): Parsed<CounterSet> {
  const counters: Record<string, number> = {};
  const issues = new IssueList();
  forEachLine(text, (raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = NSTAT_LINE.exec(line);
    if (!match) {
      issues.add(index + 1, `not an nstat counter line: ${quote(raw)}`);
      return;
    }
    // The third column is nstat's rate (a decimal fraction), not a counter: not checked.
    setCounter(counters, issues, index + 1, match[1] ?? "", match[2] ?? "");
  });
  return { value: counters, issues: issues.items };
}

/** `nstat -j`: {"kernel": {"TcpExtListenOverflows": 12, …}}. */
export function looksLikeNstatJson(text: string): boolean {
  return /^\s*\{\s*"kernel"\s*:\s*\{/.test(text);
}

export function parseNstatJson(text: string): Parsed<CounterSet> {
  const counters: Record<string, number> = {};
  const issues = new IssueList();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    issues.add(null, `nstat JSON does not parse: ${(error as Error).message}`);
    return { value: counters, issues: issues.items };
  }
  const kernel = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>).kernel : undefined;
  if (typeof kernel !== "object" || kernel === null) {
    issues.add(null, 'nstat JSON has no "kernel" object');
    return { value: counters, issues: issues.items };
  }
  const lineOf = lineFinder(text);
  for (const [name, value] of Object.entries(kernel)) {
    // Values above 2^53 are approximate here, as every JSON number that large; real u64 counters, so kept.
    if (typeof value === "number" && isCounterNumber(name, value)) counters[name] = value;
    else issues.add(lineOf(name), typeof value === "number" ? counterProblem(name, String(value)) : `nstat JSON counter ${name} is not a number`);
  }
  return { value: counters, issues: issues.items };
}

/** The 1-based line where `"name"` first appears (nstat -j prints one line; a reformatted file has one per key). */
function lineFinder(text: string): (name: string) => number | null {
  let newlines: number[] | null = null;
  return (name) => {
    const at = text.indexOf(JSON.stringify(name));
    if (at < 0) return null;
    newlines ??= [...text.matchAll(/\n/g)].map((m) => m.index);
    let lo = 0;
    let hi = newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((newlines[mid] ?? 0) < at) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };
}
