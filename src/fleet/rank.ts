import { runEngine, type RuleContext } from "../diagnose/index.js";
import type { Finding, Verdict } from "../diagnose/types.js";
import { profileFor, type KernelProfile } from "../kernel/index.js";
import type { FleetHost } from "./host-evidence.js";

/** One host of the fleet, diagnosed from its counters over the window. */
export interface FleetHostReport {
  readonly instance: string;
  readonly up: boolean;
  readonly kernel: string | null;
  readonly verdict: Verdict;
  readonly confidence: number;
  /** the verdict finding's one line */
  readonly summary: string;
  /** SYNs the kernel dropped over the window, as far as its counters tell (see DROP_COUNTERS) */
  readonly dropped: number;
  readonly findings: readonly Finding[];
  readonly missingCounters: readonly string[];
}

export interface FleetReport {
  /** the server asked (without credentials) */
  readonly prometheus: string;
  readonly window: string;
  /** label matchers every series had to satisfy ([] = every node_exporter target) */
  readonly matchers: readonly string[];
  /** ISO time the queries were evaluated at */
  readonly evaluatedAt: string;
  /** worst first: a cause (by confidence, then drops), then weaker signs (a candidate cause, a risk, drops), then the rest */
  readonly hosts: readonly FleetHostReport[];
}

/**
 * Counters that each count SYNs (or segments of a handshake) the kernel dropped without a word, none counting
 * another's: ListenDrops already holds ListenOverflows, TCPReqQFullDrop and, ≤ 4.11, PAWSPassive.
 */
const DROP_COUNTERS = ["TcpExtListenDrops", "TcpExtIPReversePathFilter", "TcpInCsumErrors", "TcpExtTCPMinTTLDrop", "TcpExtTCPMD5NotFound", "TcpExtTCPMD5Unexpected", "TcpExtTCPMD5Failure"];

/** Runs the diagnosis rules on every host's evidence and ranks the hosts. */
export function rankFleet(hosts: readonly FleetHost[], meta: Omit<FleetReport, "hosts">): FleetReport {
  const reports = hosts.map(diagnoseHost);
  reports.sort((a, b) => rankOf(a) - rankOf(b) || b.confidence - a.confidence || b.dropped - a.dropped || (a.instance < b.instance ? -1 : 1));
  return { ...meta, hosts: reports };
}

function diagnoseHost(host: FleetHost): FleetHostReport {
  const evidence = host.evidence;
  const ctx: RuleContext = { capture: null, clientCapture: null, host: evidence, kernel: kernelProfile(evidence.kernel), port: null, net: null, logEvents: [], logSinceBoot: false };
  const result = runEngine(ctx);
  let dropped = 0;
  for (const name of DROP_COUNTERS) dropped += evidence.counters[name]?.delta ?? 0;
  dropped += evidence.conntrack?.dropsDelta ?? 0;
  return {
    instance: host.instance,
    up: host.up,
    kernel: evidence.kernel,
    verdict: result.verdict,
    confidence: result.confidence,
    summary: host.up ? (result.findings[0]?.summary ?? "") : `node_exporter target down (its last scrape failed): nothing current to diagnose. ${result.findings[0]?.summary ?? ""}`.trim(),
    dropped,
    findings: result.findings,
    missingCounters: host.missingCounters,
  };
}

/** Whether the host shows anything: a cause (as verdict or too weak for one), a risk, or dropped SYNs. */
export function showsTrouble(host: FleetHostReport): boolean {
  return host.dropped > 0 || host.findings.some((f) => f.kind === "cause" || f.kind === "risk");
}

/** 0: a cause as verdict; 1: other trouble (showsTrouble); 2: quiet. */
function rankOf(host: FleetHostReport): number {
  if (host.findings.some((f) => f.kind === "cause" && f.code === host.verdict)) return 0;
  return showsTrouble(host) ? 1 : 2;
}

/** A release nosynack cannot place is diagnosed without a profile (every counter then counts as possible). */
function kernelProfile(release: string | null): KernelProfile | null {
  if (release === null) return null;
  try {
    return profileFor(release);
  } catch {
    return null;
  }
}
