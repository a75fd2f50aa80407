import { splitEndpoint } from "./ss.js";
import { forEachLine, IssueList, quote, splitLines } from "./text.js";
import type { KernelLogEvent, Parsed } from "./types.js";

/** The log-line shapes we accept: time prefix → [time as printed, uptime seconds or null, message]. */
const PREFIXES: readonly { re: RegExp; uptime: boolean }[] = [
  { re: /^\[\s*(\d+\.\d+)\]\s?(.*)$/, uptime: true }, // dmesg
  { re: /^\[((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4})\]\s?(.*)$/, uptime: false }, // dmesg -T
  { re: /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?)\s+(?:\S+\s+kernel:\s?)?(.*)$/, uptime: false }, // --time-format iso, journalctl -o short-iso
  { re: /^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d)\s+\S+\s+kernel:\s?(.*)$/, uptime: false }, // journalctl short, syslog kern.log
  { re: /^(?:kern|user|daemon|syslog)\s*:\s*\w+\s*:\s*\[\s*(\d+\.\d+)\]\s?(.*)$/, uptime: true }, // dmesg -x
];

const JOURNAL_META = /^-- (Logs begin|No entries|Boot |Reboot|Journal begins)/;

export function looksLikeKernelLog(text: string): boolean {
  const lines = splitLines(text).filter((line) => line.trim() !== "" && !JOURNAL_META.test(line));
  if (lines.length === 0) return false;
  const sample = lines.slice(0, 200);
  return sample.filter((line) => PREFIXES.some((p) => p.re.test(line))).length >= sample.length * 0.6;
}

/**
 * Events kept per log file: the latest ones. A journal of weeks holds millions of rate-limited "table full" lines;
 * the rules need whether they occur and a few examples, and every event kept cost about a kilobyte.
 */
export const MAX_LOG_EVENTS = 10_000;

/**
 * dmesg (plain, -T, iso, -x), journalctl -k and kern.log: keeps only lines relevant to the SYN path (SYN flood,
 * conntrack table full, TIME_WAIT bucket overflow, martian source, TCP-MD5). Other kernel lines are fine and
 * ignored; lines without a log prefix become issues.
 */
export function parseKernelLog(text: string): Parsed<Omit<KernelLogEvent, "path">[]> {
  // A ring of the last MAX_LOG_EVENTS events; `seen` counts all of them.
  const ring: Omit<KernelLogEvent, "path">[] = [];
  let seen = 0;
  const issues = new IssueList();
  forEachLine(text, (raw, index) => {
    if (raw.trim() === "" || JOURNAL_META.test(raw)) return;
    let time: string | null = null;
    let uptime: number | null = null;
    let message: string | null = null;
    for (const prefix of PREFIXES) {
      const match = prefix.re.exec(raw);
      if (!match) continue;
      time = match[1] ?? null;
      message = match[2] ?? "";
      // kern.log lines may carry the dmesg uptime after "kernel:".
      const inner = /^\[\s*(\d+\.\d+)\]\s?(.*)$/.exec(message);
      if (prefix.uptime) uptime = Number(time);
      else if (inner) {
        uptime = Number(inner[1]);
        message = inner[2] ?? "";
      }
      break;
    }
    if (message === null) {
      issues.add(index + 1, `not a kernel log line: ${quote(raw)}`);
      return;
    }
    const event = classify(message);
    if (event) ring[seen++ % MAX_LOG_EVENTS] = { ...event, time, uptimeSeconds: uptime, message: message.trim(), line: index + 1 };
  });
  if (seen <= MAX_LOG_EVENTS) return { value: ring, issues: issues.items };
  const first = seen % MAX_LOG_EVENTS;
  const events = [...ring.slice(first), ...ring.slice(0, first)];
  issues.add(null, `${(seen - MAX_LOG_EVENTS).toLocaleString("en-US")} earlier SYN-path events not kept (the last ${MAX_LOG_EVENTS.toLocaleString("en-US")} are, from line ${events[0]?.line ?? "?"} on)`);
  return { value: events, issues: issues.items };
}

type Classified = Pick<KernelLogEvent, "kind" | "port" | "addr" | "action">;

function classify(message: string): Classified | null {
  // ≤3.17 "Possible SYN flooding on port 80. Sending cookies."; ≥6.2 "… on port 10.99.1.1:8090. Dropping request."
  const flood = /Possible SYN flooding on port (\S+?)\.\s+(Sending cookies|Dropping request)/.exec(message);
  if (flood) {
    const where = flood[1] ?? "";
    const endpoint = where.includes(":") ? splitEndpoint(where) : { addr: null, port: Number(where) };
    return {
      kind: "syn-flood",
      port: Number.isInteger(endpoint.port) ? endpoint.port : null,
      addr: endpoint.addr,
      action: flood[2] === "Sending cookies" ? "cookies" : "drop",
    };
  }
  if (/nf_conntrack: (?:nf_conntrack: )?table full, dropping packet/.test(message)) {
    return { kind: "conntrack-full", port: null, addr: null, action: null };
  }
  if (/time wait bucket table overflow/.test(message)) return { kind: "tw-bucket-overflow", port: null, addr: null, action: null };
  const martian = /martian source (\S+) from (\S+), on dev/.exec(message);
  if (martian) return { kind: "martian-source", port: null, addr: (martian[2] ?? "").replace(/,$/, ""), action: null };
  if (/MD5 Hash (?:not found|failed|mismatch)/.test(message)) return { kind: "md5-not-found", port: null, addr: null, action: null };
  return null;
}
