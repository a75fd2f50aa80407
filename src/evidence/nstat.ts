import { IssueList, parseInteger, quote, splitLines } from "./text.js";
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
  splitLines(text).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = NSTAT_LINE.exec(line);
    const value = match ? parseInteger(match[2] ?? "") : null;
    if (!match || value === null) {
      issues.add(index + 1, `not an nstat counter line: ${quote(raw)}`);
      return;
    }
    counters[match[1] ?? ""] = value;
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
  for (const [name, value] of Object.entries(kernel)) {
    if (typeof value === "number" && Number.isFinite(value)) counters[name] = value;
    else issues.add(null, `nstat JSON counter ${name} is not a number`);
  }
  return { value: counters, issues: issues.items };
}
