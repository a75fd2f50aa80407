/**
 * What the Markdown and HTML reports show, as plain rows: titles of finding codes, counter rows, the bounded
 * table of unanswered attempts, time and number formats. The two renderers differ only in how they escape and
 * lay these out, so both read from here and always agree.
 */
import type { CounterEvidence, CrossCheck, Diagnosis, EvidenceItem, Finding, FindingCode } from "../diagnose/types.js";
import type { AnalyzeSummary, AttemptRecord } from "../handshakes/analysis-types.js";
import { formatEndpoint } from "../util/addr.js";
import { grouped } from "../util/number-text.js";

/** One line per code, what a person would call it in a ticket title. */
export const CODE_TITLES: Readonly<Record<FindingCode, string>> = {
  "tw-recycle-paws": "SYNs dropped by the tcp_tw_recycle timestamp check",
  "timewait-paws": "SYNs hit a 4-tuple still in TIME_WAIT (answered by a bare ACK)",
  "accept-queue-overflow": "Accept queue overflow: the application does not accept() fast enough",
  "syn-queue-overflow": "SYN queue overflow with syncookies off",
  "syn-flood-cookies": "SYN queue full, syncookies sent",
  "firewall-drop": "A firewall rule drops the SYNs",
  "rp-filter": "Reverse-path filter drops the SYNs",
  "conntrack-full": "Conntrack table full: new flows dropped",
  "no-listener": "Nothing listens on the port: SYNs answered by RST",
  "synack-lost": "SYN-ACKs sent but lost on the way back",
  "bad-checksum": "SYNs with a bad TCP checksum are discarded",
  "tcp-md5": "TCP-MD5 key mismatch: SYNs discarded",
  "min-ttl": "SYNs below the listener's minimum TTL (IP_MINTTL) are discarded",
  "no-return-route": "No route back to the client: SYN-ACKs never sent",
  "neighbour-unreachable": "Next hop does not answer ARP/ND: SYN-ACKs never sent",
  "tw-recycle-enabled": "tcp_tw_recycle is on",
  "nat-detected": "Several hosts share one source address (NAT)",
  "timestamps-disabled": "TCP timestamps are off",
  "backlog-small": "Listen backlog is small for the SYN rate",
  "tw-bucket-overflow": "TIME_WAIT bucket table overflowed",
  "counters-not-exported": "Counters not exported by node_exporter",
  healthy: "Healthy: every SYN got a SYN-ACK",
  unknown: "Unanswered SYNs, cause not proven by the evidence",
  "counter-crosscheck": "Capture vs counters cross-check",
};

/** How the verdict reads: a cause (bad), healthy (good) or unknown (needs more evidence). */
export type VerdictTone = "cause" | "healthy" | "unknown";

export function verdictTone(diagnosis: Diagnosis): VerdictTone {
  if (diagnosis.verdict === "healthy") return "healthy";
  if (diagnosis.verdict === "unknown") return "unknown";
  return "cause";
}

/** The verdict's finding: the engine guarantees it is first; null only for a malformed document. */
export function verdictFinding(diagnosis: Diagnosis): Finding | null {
  const first = diagnosis.findings[0];
  return first !== undefined && first.code === diagnosis.verdict ? first : null;
}

/** Every finding except the verdict's. */
export function otherFindings(diagnosis: Diagnosis): readonly Finding[] {
  return verdictFinding(diagnosis) === null ? diagnosis.findings : diagnosis.findings.slice(1);
}

export interface CounterRow {
  readonly counter: string;
  readonly before: number | null;
  readonly after: number;
  readonly delta: number | null;
  /** The verdict's evidence names this counter. */
  readonly cited: boolean;
}

/**
 * SYN-path counters of the host digest plus any counter a finding cites: those the verdict cites first, then
 * moving ones (largest delta first), then the rest by name. Without deltas the ordering is by value.
 */
export function counterRows(diagnosis: Diagnosis): CounterRow[] {
  const cited = new Set<string>();
  const verdict = verdictFinding(diagnosis);
  for (const item of verdict?.evidence ?? []) if (item.source === "counter") cited.add(item.counter);
  const rows = new Map<string, CounterRow>();
  for (const [counter, value] of Object.entries(diagnosis.host?.counters ?? {})) {
    const before = value.delta === null ? null : value.value - value.delta;
    rows.set(counter, { counter, before, after: value.value, delta: value.delta, cited: cited.has(counter) });
  }
  // A finding may cite a counter the digest does not list (not on the SYN path list); show it too.
  for (const finding of diagnosis.findings) {
    for (const item of finding.evidence) {
      if (item.source !== "counter" || rows.has(item.counter)) continue;
      rows.set(item.counter, { counter: item.counter, before: item.before, after: item.after, delta: item.delta, cited: cited.has(item.counter) });
    }
  }
  return [...rows.values()].sort((a, b) => {
    if (a.cited !== b.cited) return a.cited ? -1 : 1;
    const da = Math.abs(a.delta ?? 0);
    const db = Math.abs(b.delta ?? 0);
    if (da !== db) return db - da;
    if (a.delta === null && b.delta === null && a.after !== b.after) return b.after - a.after;
    return a.counter < b.counter ? -1 : a.counter > b.counter ? 1 : 0;
  });
}

export interface AttemptTable {
  readonly rows: readonly AttemptRecord[];
  /** Unanswered attempts not in `rows` (beyond the limit here or beyond analyze's own limit). */
  readonly omitted: number;
  readonly total: number;
}

/** Unanswered attempts in capture order, at most `limit` of them. */
export function unansweredAttempts(capture: AnalyzeSummary, limit: number): AttemptTable {
  const unanswered = capture.attempts.filter((a) => a.answeredAt === null).sort((a, b) => a.firstSyn - b.firstSyn);
  const total = Math.max(capture.handshakes.unanswered, unanswered.length);
  const rows = unanswered.slice(0, Math.max(0, limit));
  return { rows, omitted: total - rows.length, total };
}

/** Short flags that explain an attempt ("TSval regression", "bad checksum", "ICMP 3/13 from …"). */
export function attemptNotes(a: AttemptRecord): string[] {
  const notes: string[] = [];
  if (a.tsvalRegression) notes.push("TSval regression");
  if (a.clientRstAfterAck) notes.push("client RST after bare ACK");
  if (a.replyTsEcr !== null) notes.push(`bare ACK TSecr ${a.replyTsEcr}`);
  if (a.badChecksum) notes.push("bad checksum");
  if (a.md5Option) notes.push("TCP-MD5 option");
  if (a.icmp !== null) notes.push(`ICMP ${a.icmp.type}/${a.icmp.code} from ${a.icmp.from}`);
  if (a.synacks > 0) notes.push(`${a.synacks} SYN-ACK${a.synacks === 1 ? "" : "s"} not acknowledging the ISN`);
  return notes;
}

export const REPLY_TEXT: Readonly<Record<AttemptRecord["firstReply"], string>> = {
  synack: "SYN-ACK",
  ack: "bare ACK",
  rst: "RST",
  icmp: "ICMP",
  none: "none",
};

export function endpoint(addr: string, port: number): string {
  return formatEndpoint(addr, port);
}

/** "2026-01-05 10:00:00.123 UTC" from microseconds since the epoch; "?" when out of range. */
export function utcTime(micros: number): string {
  const date = new Date(Math.floor(micros / 1000));
  if (Number.isNaN(date.getTime())) return "?";
  return `${date.toISOString().replace("T", " ").replace("Z", "")} UTC`;
}

/** "10:00:00.123" (UTC, time of day only) for table cells whose day is given once above the table. */
export function utcClock(micros: number): string {
  const date = new Date(Math.floor(micros / 1000));
  if (Number.isNaN(date.getTime())) return "?";
  return date.toISOString().slice(11, 23);
}

export function percentText(confidence: number): string {
  return `${Math.round(Math.min(1, Math.max(0, confidence)) * 100)} %`;
}

export function signed(n: number | null): string {
  if (n === null) return "–";
  return n > 0 ? `+${grouped(n)}` : grouped(n);
}

/** The capture window as text, or null without a capture. */
export function captureWindow(capture: AnalyzeSummary): string | null {
  const { first, last } = capture.timeRange;
  if (first === null || last === null) return null;
  return `${utcTime(first)} – ${utcClock(last)} (${((last - first) / 1e6).toFixed(1)} s)`;
}

/**
 * The numbers of an evidence item as one short line, to show beside `detail` — or null when `detail` already
 * names them (rules usually write the counter, key or 4-tuple into the detail line).
 */
export function evidenceFacts(item: EvidenceItem): string | null {
  const facts = rawFacts(item);
  if (facts === null) return null;
  const names = item.source === "counter" ? item.counter : item.source === "sysctl" ? item.key : item.source === "packet" ? endpoint(item.client, item.clientPort) : facts;
  return item.detail.includes(names) ? null : facts;
}

function rawFacts(item: EvidenceItem): string | null {
  switch (item.source) {
    case "counter":
      return counterFacts(item);
    case "packet":
      return `${utcTime(item.time)}  ${endpoint(item.client, item.clientPort)} → ${endpoint(item.server, item.serverPort)}`;
    case "sysctl":
      return `${item.key} = ${item.value ?? "(absent)"}`;
    case "capture":
      return item.of === null ? grouped(item.count) : `${grouped(item.count)} of ${grouped(item.of)}`;
    case "socket":
      return item.local === null ? item.state : `${item.state} ${item.local}`;
    case "firewall":
      return item.packetsDelta !== null ? `${signed(item.packetsDelta)} packets` : item.packets !== null ? `${grouped(item.packets)} packets` : null;
    case "conntrack":
      return item.count !== null && item.max !== null ? `${grouped(item.count)} / ${grouped(item.max)} entries` : null;
    case "kernel":
      return item.version;
    case "log":
      return null;
  }
}

function counterFacts(item: CounterEvidence): string {
  if (item.before === null || item.delta === null) return `${item.counter} = ${grouped(item.after)}`;
  return `${item.counter} ${grouped(item.before)} → ${grouped(item.after)} (${signed(item.delta)})`;
}

/**
 * A fix command that is a shell line (shown as code to copy) rather than an action in words ("accept faster:
 * more workers"). Same reading as the terminal report's.
 */
export function isShellCommand(command: string): boolean {
  return /^(sudo|sysctl|ip|nstat|ss|tcpdump|iptables|iptables-save|ip6tables|nft|conntrack|perf|echo|ethtool|arping|cat|dmesg|uname|nosynack)\s/.test(command);
}

/** The cross-check's agreement in words. */
export const AGREEMENT_TEXT: Readonly<Record<CrossCheck["agreement"], string>> = {
  match: "match",
  "counters-lower": "counters lower",
  "counters-higher": "counters higher",
  "no-drops": "no drops",
};

/** Where the kernel version came from, for the header line. */
export function kernelText(diagnosis: Diagnosis): string {
  const k = diagnosis.kernel;
  if (k.version === null) return "kernel unknown";
  const from = k.source === "flag" ? "--kernel" : k.source === "manifest" ? "bundle manifest" : k.source === "evidence" ? "host files" : "?";
  return `kernel ${k.version} (from ${from}${k.profile !== null && k.profile !== k.version ? `, modelled as ${k.profile}` : ""})`;
}
