import { IssueList, quote, setCounter, splitLines } from "./text.js";
import type { CounterSet, Parsed } from "./types.js";

const HEADER = /^([A-Za-z][A-Za-z0-9]*):((?:\s+[A-Za-z][A-Za-z0-9_]*)+)\s*$/;
const VALUES = /^([A-Za-z][A-Za-z0-9]*):((?:\s+-?\d+)+)\s*$/;

/** Which raw file a header/value layout is: /proc/net/netstat has TcpExt:, /proc/net/snmp has Tcp:/Ip:. */
export function procMibKind(text: string): "proc-netstat" | "proc-snmp" | null {
  const lines = splitLines(text).filter((line) => line.trim() !== "");
  if (lines.length < 2 || !HEADER.test(lines[0] ?? "") || !VALUES.test(lines[1] ?? "")) return null;
  if (lines.some((line) => /^(TcpExt|IpExt|MPTcpExt):/.test(line))) return "proc-netstat";
  if (lines.some((line) => /^(Ip|Tcp|Udp|Icmp):/.test(line))) return "proc-snmp";
  return null;
}

/**
 * /proc/net/netstat and /proc/net/snmp: pairs of `Section: Name1 Name2 …` / `Section: v1 v2 …` lines.
 * Names come out in nstat spelling: section + field (`TcpExt` + `ListenOverflows`).
 */
export function parseProcMib(text: string): Parsed<CounterSet> {
  const counters: Record<string, number> = {};
  const issues = new IssueList();
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.trim() === "") continue;
    const header = HEADER.exec(line);
    const next = lines[i + 1] ?? "";
    const values = VALUES.exec(next);
    if (!header || !values || header[1] !== values[1]) {
      issues.add(i + 1, `expected a "Section: names" line followed by its values: ${quote(line)}`);
      continue;
    }
    const section = header[1] ?? "";
    const names = (header[2] ?? "").trim().split(/\s+/);
    const numbers = (values[2] ?? "").trim().split(/\s+/);
    if (names.length !== numbers.length) {
      issues.add(i + 2, `${section}: ${names.length} names but ${numbers.length} values`);
    }
    names.forEach((name, k) => {
      const value = numbers[k];
      if (value !== undefined) setCounter(counters, issues, i + 2, `${section}${name}`, value);
    });
    i++;
  }
  return { value: counters, issues: issues.items };
}
