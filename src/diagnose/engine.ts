/**
 * The rule engine: runs every rule over the context, picks the verdict, and adds the verdict finding for
 * `healthy` / `unknown`. Pure: no I/O.
 *
 * Verdict = the highest-confidence cause whose confidence reaches VERDICT_MIN_CONFIDENCE; below it the
 * evidence does not separate causes (e.g. an RST that a missing listener and a REJECT rule both send), and
 * the verdict is `unknown` with the candidates listed. `healthy` needs a capture: counters alone cannot see
 * every way a SYN goes unanswered (a TIME_WAIT collision without timestamps moves no counter).
 */
import { amountOf, captureCounts, hasCounters, hasDeltas, type RuleContext } from "./context.js";
import { crossCheck } from "./crosscheck.js";
import { collectCommands } from "./next-steps.js";
import { captureItem, clamp, counterItem } from "./rule.js";
import { RULES } from "./rules/index.js";
import type { CrossCheck, EvidenceItem, Finding, Verdict, CauseCode } from "./types.js";
import { grouped } from "../util/number-text.js";

export const VERDICT_MIN_CONFIDENCE = 0.5;
/** A candidate cause at or above this confidence rules out `healthy`. */
const HEALTHY_MAX_CANDIDATE = 0.3;

/** Counters whose rise means the kernel dropped or refused SYNs (any one rising rules out `healthy`). */
const TROUBLE_COUNTERS = [
  "TcpExtListenDrops",
  "TcpExtListenOverflows",
  "TcpExtTCPReqQFullDrop",
  "TcpExtTCPReqQFullDoCookies",
  "TcpExtPAWSPassive",
  "TcpExtPAWSTimewait",
  "TcpExtIPReversePathFilter",
  "TcpInCsumErrors",
  "TcpExtTCPMinTTLDrop",
  "TcpExtTCPMD5NotFound",
  "TcpExtTCPMD5Unexpected",
  "TcpExtTCPMD5Failure",
];

export interface EngineResult {
  readonly verdict: Verdict;
  readonly confidence: number;
  readonly findings: Finding[];
  readonly crossCheck: CrossCheck | null;
}

const KIND_ORDER = { cause: 0, risk: 1, info: 2 } as const;

export function runEngine(ctx: RuleContext): EngineResult {
  const found: Finding[] = [];
  for (const rule of RULES) {
    const f = rule.evaluate(ctx);
    if (f !== null && f.confidence > 0) found.push(f);
  }
  const check = crossCheck(ctx);
  if (check !== null && check.agreement !== "no-drops") {
    found.push({
      code: "counter-crosscheck",
      kind: "info",
      confidence: check.agreement === "match" ? 0.9 : 0.6,
      summary: check.detail,
      evidence: [captureItem(`${grouped(check.unansweredSyns)} unanswered SYN transmissions (${grouped(check.unansweredAttempts)} attempts)`, check.unansweredSyns)],
      fix: [],
      kernels: "all",
      conflicts: [],
      port: ctx.port,
    });
  }
  found.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || b.confidence - a.confidence);
  const top = found.find((f) => f.kind === "cause");
  if (top && top.confidence >= VERDICT_MIN_CONFIDENCE) {
    return { verdict: top.code as CauseCode, confidence: top.confidence, findings: found, crossCheck: check };
  }
  // A weak candidate cause still rules out "healthy".
  const verdictFinding = (top && top.confidence >= HEALTHY_MAX_CANDIDATE ? null : healthy(ctx)) ?? unknown(ctx, found);
  return { verdict: verdictFinding.code as Verdict, confidence: verdictFinding.confidence, findings: [verdictFinding, ...found], crossCheck: check };
}

function troubleCounters(ctx: RuleContext): string[] {
  return TROUBLE_COUNTERS.filter((n) => amountOf(ctx, n) > 0 && hasDeltas(ctx));
}

/** Healthy: the capture shows SYN attempts, every one answered with a SYN-ACK, and no SYN-path counter rose. */
function healthy(ctx: RuleContext): Finding | null {
  const counts = captureCounts(ctx);
  if (!counts || counts.attempts === 0 || counts.firstReply.synack !== counts.attempts) return null;
  // Retransmitted SYN-ACKs mean handshakes did not complete (lost ACKs, a full accept queue, a flood).
  const synackRetransmits = ctx.capture?.handshakes.synackRetransmits ?? 0;
  if (synackRetransmits > Math.floor(0.01 * counts.attempts)) return null;
  if (troubleCounters(ctx).length > 0) return null;
  const evidence: EvidenceItem[] = [captureItem(`all ${grouped(counts.attempts)} SYN attempts${ctx.port === null ? "" : ` to port ${ctx.port}`} were answered with a SYN-ACK`, counts.attempts, counts.attempts)];
  if (hasDeltas(ctx)) evidence.push({ source: "counter", detail: "no SYN-path drop counter rose over the window", file: null, counter: "TcpExtListenDrops", before: null, after: amountOf(ctx, "TcpExtListenDrops"), delta: 0 });
  return {
    code: "healthy",
    kind: "info",
    confidence: hasDeltas(ctx) ? 0.95 : 0.9,
    summary: "Every SYN got a SYN-ACK and no SYN-path counter moved",
    evidence,
    fix: [],
    kernels: "all",
    conflicts: [],
    port: ctx.port,
  };
}

function unknown(ctx: RuleContext, found: readonly Finding[]): Finding {
  const evidence: EvidenceItem[] = [];
  const counts = captureCounts(ctx);
  if (counts) {
    const problems = counts.attempts - counts.firstReply.synack;
    evidence.push(
      counts.attempts === 0
        ? captureItem(`the capture holds no SYN${ctx.port === null ? "" : ` to port ${ctx.port}`}`, 0)
        : captureItem(`${grouped(problems)} of ${grouped(counts.attempts)} SYN attempts did not get a SYN-ACK as first reply (${grouped(counts.firstReply.none)} no reply, ${grouped(counts.firstReply.rst)} RST, ${grouped(counts.firstReply.ack)} bare ACK, ${grouped(counts.firstReply.icmp)} ICMP)`, problems, counts.attempts),
    );
  }
  for (const name of troubleCounters(ctx)) {
    const value = ctx.host?.counters[name];
    if (value) evidence.push(counterItem({ name, amount: value.delta ?? value.value, over: "window", value }));
  }
  const candidates = found.filter((f) => f.kind === "cause");
  let summary: string;
  if (candidates.length > 0) {
    summary = `The evidence does not separate the possible causes (${candidates.map((c) => `${c.code} ${Math.round(c.confidence * 100)}%`).join(", ")}); collect what is missing`;
  } else if (!ctx.capture && hasCounters(ctx) && troubleCounters(ctx).length === 0) {
    summary = "No SYN-path counter moved, but without a capture nosynack cannot tell a healthy server from silent drops (e.g. TIME_WAIT collisions without timestamps)";
  } else if (counts && counts.attempts > 0 && counts.firstReply.synack === counts.attempts && (ctx.capture?.handshakes.synackRetransmits ?? 0) > 0) {
    summary = `Every SYN got a SYN-ACK, but ${grouped(ctx.capture?.handshakes.synackRetransmits ?? 0)} SYN-ACKs were retransmitted: handshakes did not complete (lost ACKs, a full accept queue, a flood); collect the counters`;
  } else if (counts && counts.attempts > 0 && counts.firstReply.synack < counts.attempts) {
    summary = "SYNs went unanswered and the evidence names no cause; collect what is missing";
  } else {
    summary = "The evidence is not enough for a verdict; collect what is missing";
  }
  return {
    code: "unknown",
    kind: "info",
    confidence: clamp(0),
    summary,
    evidence,
    fix: collectCommands(ctx),
    kernels: "all",
    conflicts: [],
    port: ctx.port,
  };
}
