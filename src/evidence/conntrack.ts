import { forEachLine, IssueList, quote } from "./text.js";
import type { Parsed } from "./types.js";

/** Conntrack statistics summed over CPUs; `entries` is the table's current size when the source has it. */
export interface ConntrackStats {
  readonly totals: Readonly<Record<string, number>>;
  readonly entries: number | null;
  readonly cpus: number;
}

export function looksLikeConntrackStats(text: string): boolean {
  return /^cpu=\d+\s+\S+=\d+/m.test(text);
}

/** conntrack -S: one `cpu=N found=… drop=… early_drop=… insert_failed=…` line per CPU. */
export function parseConntrackStats(text: string): Parsed<ConntrackStats> {
  const totals: Record<string, number> = {};
  const issues = new IssueList();
  let cpus = 0;
  let entries: number | null = null;
  forEachLine(text, (raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    // Some conntrack versions add a global `entries N` line (`conntrack -S` on kernels with the count in stats).
    const global = /^entries\s+(\d+)$/.exec(line);
    if (global) {
      entries = Number(global[1]);
      return;
    }
    if (!/^cpu=\d+\s/.test(line)) {
      issues.add(index + 1, `not a conntrack -S line: ${quote(raw)}`);
      return;
    }
    cpus++;
    for (const pair of line.split(/\s+/).slice(1)) {
      const kv = /^([a-z_]+)=(\d+)$/.exec(pair);
      if (!kv) {
        issues.add(index + 1, `unreadable field "${pair}"`);
        continue;
      }
      const key = kv[1] ?? "";
      totals[key] = (totals[key] ?? 0) + Number(kv[2]);
    }
  });
  return { value: { totals, entries, cpus }, issues: issues.items };
}

export function looksLikeNfConntrackStat(text: string): boolean {
  return /^entries\s+(\S+\s+)*(insert_failed|drop|early_drop)\b/m.test(text);
}

/**
 * /proc/net/stat/nf_conntrack: a header of names, then one hex row per CPU. Every column is summed over
 * CPUs except `entries`, which each row repeats as the global table size.
 */
export function parseNfConntrackStat(text: string): Parsed<ConntrackStats> {
  const totals: Record<string, number> = {};
  const issues = new IssueList();
  let names: string[] | null = null;
  let cpus = 0;
  let entries: number | null = null;
  forEachLine(text, (raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    if (names === null) {
      if (!/^entries\s/.test(line)) {
        issues.add(index + 1, `expected the nf_conntrack header line: ${quote(raw)}`);
        return;
      }
      names = line.split(/\s+/);
      return;
    }
    const values = line.split(/\s+/);
    if (values.length !== names.length || !values.every((value) => /^[0-9a-fA-F]+$/.test(value))) {
      issues.add(index + 1, `expected ${names.length} hex columns: ${quote(raw)}`);
      return;
    }
    cpus++;
    values.forEach((value, k) => {
      const name = names?.[k] ?? "";
      const number = Number.parseInt(value, 16);
      if (name === "entries") entries = number;
      else totals[name] = (totals[name] ?? 0) + number;
    });
  });
  return { value: { totals, entries, cpus }, issues: issues.items };
}
