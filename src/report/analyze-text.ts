import type { AnalyzeSummary, SourceSummary } from "../handshakes/analysis-types.js";
import { formatEndpoint } from "../util/addr.js";
import { grouped } from "../util/number-text.js";
import { columns, counted, percent, PLAIN, seconds, type Style } from "./text-format.js";

const TOP = 5;

const REGIME_TEXT: Record<SourceSummary["tsRegime"], string> = {
  "single-clock": "one clock",
  "per-host": "several hosts behind one address (one clock each)",
  "per-connection": "a fresh offset per connection (4.10, or 2026+ kernels)",
  unknown: "too few timestamps to tell",
};

/** The ten-second reading of a capture: totals, first replies, worst listeners and sources, timestamps, warnings. */
export function renderAnalyzeText(summary: AnalyzeSummary, style: Style = PLAIN): string {
  const h = summary.handshakes;
  const lines: string[] = [];
  const span = summary.timeRange.first !== null && summary.timeRange.last !== null ? `, ${seconds(summary.timeRange.last - summary.timeRange.first)}` : "";
  lines.push(`${style.bold("Capture")}  ${summary.files.map((f) => f.path).join(", ")}  (${grouped(summary.packets)} packets, ${grouped(summary.tcpPackets)} TCP${span})`);
  lines.push("");
  const unansweredText = h.unanswered > 0 ? style.warn(`unanswered ${grouped(h.unanswered)} (${percent(h.unanswered, h.attempts)})`) : "unanswered 0";
  lines.push(`${style.bold("SYN attempts")}  ${grouped(h.attempts)}   answered ${grouped(h.answered)}   ${unansweredText}`);
  const r = h.firstReply;
  lines.push(`${style.bold("First reply")}   SYN-ACK ${grouped(r.synack)} · bare ACK ${grouped(r.ack)} · RST ${grouped(r.rst)} · ICMP ${grouped(r.icmp)} · none ${grouped(r.none)}`);
  lines.push(`${style.bold("Retransmits")}   SYN ${grouped(h.synRetransmits)} · SYN-ACK ${grouped(h.synackRetransmits)} · answered only after a SYN retry ${grouped(h.answeredAfterRetransmit)}`);

  if (summary.listeners.length > 0) {
    lines.push("", style.bold("Listeners") + (summary.listeners.length > TOP ? ` (worst ${TOP} of ${summary.listeners.length})` : ""));
    lines.push(...columns(summary.listeners.slice(0, TOP).map((l) => [formatEndpoint(l.addr, l.port), counted(l.attempts, "attempt"), `${grouped(l.unanswered)} unanswered`, percent(l.unanswered, l.attempts) + (l.halfOpen > 0 ? `  ${grouped(l.halfOpen)} half-open` : "")])));
  }
  if (summary.sources.length > 0) {
    const all = summary.sourceAddresses;
    const of = all.estimated ? ` (worst ${TOP} of the first ${grouped(summary.sources.length)}; about ${grouped(all.count)} addresses in all)` : summary.sources.length > TOP ? ` (worst ${TOP} of ${grouped(summary.sources.length)})` : "";
    lines.push("", style.bold("Sources") + of);
    lines.push(
      ...columns(
        summary.sources.slice(0, TOP).map((s) => [s.addr, counted(s.attempts, "attempt"), `${grouped(s.unanswered)} unanswered`, counted(s.tsvalRegressions, "TSval regression"), counted(s.tsClocks, "clock")]),
      ),
    );
  }

  const tsLines = timestampFindings(summary);
  if (tsLines.length > 0) lines.push("", style.bold("Timestamps"), ...tsLines);

  const signalLines = wireSignals(summary);
  if (signalLines.length > 0) lines.push("", style.bold("Also seen"), ...signalLines);

  const problems = summary.files.flatMap((f) => {
    const notes: string[] = [];
    if (f.snaplenTruncated > 0) notes.push(`${grouped(f.snaplenTruncated)} packets cut by snaplen (decoded as far as captured)`);
    if (f.headerTruncated > 0) notes.push(`${grouped(f.headerTruncated)} packets cut before the TCP header`);
    if (f.malformed > 0) notes.push(`${grouped(f.malformed)} malformed headers`);
    return notes.map((n) => `  ${f.path}: ${n}`);
  });
  const warnings = [...problems, ...summary.warnings.map((w) => `  ${w.file}${w.offset !== undefined ? ` @${w.offset}` : ""}: ${w.message}`)];
  // Reading problems and the tracker's bounds (sources followed, attempts open at once) alike.
  if (warnings.length > 0) lines.push("", style.bold("Warnings"), ...warnings);
  return `${lines.join("\n")}\n`;
}

function timestampFindings(summary: AnalyzeSummary): string[] {
  const lines: string[] = [];
  const regressing = summary.sources.filter((s) => s.tsvalRegressions > 0);
  for (const s of regressing.slice(0, TOP)) {
    lines.push(`  ${s.addr}: ${counted(s.tsvalRegressions, "SYN")} carried a TSval older than the last one seen on a connection the server closed < 60 s before — a tcp_tw_recycle server (kernel ≤ 4.11) drops exactly these`);
  }
  const multi = summary.sources.filter((s) => s.tsClocks > 1 && s.tsRegime !== "unknown");
  for (const s of multi.filter((m) => m.tsRegime !== "per-connection").slice(0, TOP)) {
    lines.push(`  ${s.addr}: ${counted(s.tsClocks, "TSval clock")} in ${counted(s.tsSamples, "SYN")} — ${REGIME_TEXT[s.tsRegime]}`);
  }
  lines.push(...perConnectionFindings(multi.filter((m) => m.tsRegime === "per-connection")));
  if (lines.length === 0 && summary.signals.synWithTimestamps === 0 && summary.handshakes.attempts > 0) lines.push("  no SYN carried a timestamp option");
  return lines;
}

/** From this many per-connection sources on, they share one line (a spoofed flood has thousands)... */
const GROUP_FROM = 3;
/** ...which names the first few of them. */
const EXAMPLES = 3;

/**
 * Sources whose connections each start a TSval clock of their own: a client kernel that draws a fresh offset per
 * connection, or a flood tool's random TSvals (its spoofed sources never get an answer). A few are named one by
 * one, many in one line, so that a flood's thousands of alike sources do not fill the section.
 */
function perConnectionFindings(sources: readonly SourceSummary[]): string[] {
  const never = sources.filter((s) => s.unanswered === s.attempts).length;
  if (sources.length < GROUP_FROM) {
    return sources.map((s) => {
      const flood = s.unanswered === s.attempts ? ", or a flood tool's random TSvals (no attempt was answered)" : "";
      return `  ${s.addr}: ${counted(s.tsClocks, "TSval clock")} in ${counted(s.tsSamples, "SYN")} — ${REGIME_TEXT["per-connection"]}${flood}`;
    });
  }
  const examples = `${sources.slice(0, EXAMPLES).map((s) => s.addr).join(", ")}${sources.length > EXAMPLES ? ", …" : ""}`;
  const flood =
    never === sources.length
      ? ", or a flood tool's random TSvals (none of them was answered)"
      : never > 0
        ? `; ${grouped(never)} of them ${never === 1 ? "was" : "were"} never answered (a flood tool's random TSvals look the same)`
        : "";
  return [`  ${grouped(sources.length)} sources (${examples}) — ${REGIME_TEXT["per-connection"]}${flood}`];
}

function wireSignals(summary: AnalyzeSummary): string[] {
  const s = summary.signals;
  const lines: string[] = [];
  if (s.clientRstAfterBareAck > 0) lines.push(`  ${grouped(s.clientRstAfterBareAck)} SYNs answered by a bare ACK and reset by the client (a 4-tuple still in TIME_WAIT on the server)`);
  if (s.synOnServerClosedTuple > 0) lines.push(`  ${grouped(s.synOnServerClosedTuple)} SYNs reused a 4-tuple the server had closed < 60 s before`);
  if (s.synBadChecksum > 0) lines.push(`  ${grouped(s.synBadChecksum)} of ${grouped(s.synChecksumChecked)} SYNs had a bad TCP checksum (ignore if captured on the sending host: checksum offload)`);
  if (s.synWithMd5 > 0) lines.push(`  ${grouped(s.synWithMd5)} SYNs carried a TCP-MD5 option`);
  if (s.synMalformedOptions > 0) lines.push(`  ${grouped(s.synMalformedOptions)} SYNs had malformed TCP options`);
  for (const a of s.arpUnanswered.slice(0, 3)) lines.push(`  ARP who-has ${a.target} asked ${grouped(a.requests)} times, never answered`);
  return lines;
}
