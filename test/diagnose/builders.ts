/** Small hand-built AnalyzeSummary / HostEvidence values for rule unit tests. */
import type { AnalyzeSummary, AttemptRecord, FirstReply } from "../../src/handshakes/analysis-types.js";
import type { CounterValue, HostEvidence, Listener } from "../../src/evidence/types.js";
import type { RuleContext } from "../../src/diagnose/context.js";
import { profileFor } from "../../src/kernel/index.js";
import type { NetState } from "../../src/evidence/ip-route-neigh.js";

const T0 = 1_700_000_000_000_000;

export function attempt(over: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    client: "198.18.10.2",
    clientPort: 40000,
    server: "198.18.1.1",
    serverPort: 8080,
    isn: 1000,
    firstSyn: T0,
    lastSyn: T0,
    syns: 1,
    tsVal: 12345,
    ttl: 64,
    firstReply: "synack",
    firstReplyAt: T0 + 100,
    answeredAt: T0 + 100,
    synacks: 1,
    replyTsEcr: null,
    clientRstAfterAck: false,
    badChecksum: false,
    md5Option: false,
    icmp: null,
    tsvalRegression: false,
    ...over,
  };
}

/** A capture summary whose totals are computed from the attempts (all to port 8080). */
export function summary(attempts: AttemptRecord[], over: Partial<AnalyzeSummary> = {}): AnalyzeSummary {
  const firstReply: Record<FirstReply, number> = { synack: 0, ack: 0, rst: 0, icmp: 0, none: 0 };
  for (const a of attempts) firstReply[a.firstReply]++;
  const answered = attempts.filter((a) => a.answeredAt !== null).length;
  const base: AnalyzeSummary = {
    packets: attempts.length * 3,
    tcpPackets: attempts.length * 3,
    handshakes: {
      attempts: attempts.length,
      answered,
      unanswered: attempts.length - answered,
      answeredAfterRetransmit: 0,
      firstReply,
      synRetransmits: attempts.reduce((n, a) => n + a.syns - 1, 0),
      synackRetransmits: attempts.reduce((n, a) => n + Math.max(0, a.synacks - 1), 0),
    },
    listeners: [
      {
        addr: "198.18.1.1",
        port: 8080,
        attempts: attempts.length,
        unanswered: attempts.length - answered,
        firstReply: { ...firstReply },
        // Built attempts get their reply, if any, on their first SYN.
        synsWithoutReply: attempts.reduce((n, a) => n + (a.firstReply === "none" ? a.syns : 0), 0),
        halfOpen: attempts.filter((a) => a.firstReply === "synack" && a.syns === 1 && a.synacks >= 2).length,
        synTtlMin: 64,
        synTtlMax: 64,
      },
    ],
    sources: [],
    sourceAddresses: { count: new Set(attempts.map((a) => a.client)).size, estimated: false },
    timeRange: { first: T0, last: T0 + 10_000_000 },
    signals: {
      synBadChecksum: attempts.filter((a) => a.badChecksum).length,
      synChecksumChecked: attempts.length,
      synWithMd5: attempts.filter((a) => a.md5Option).length,
      synWithTimestamps: attempts.filter((a) => a.tsVal !== null).length,
      synMalformedOptions: 0,
      clientRstAfterBareAck: attempts.filter((a) => a.clientRstAfterAck).length,
      arpUnanswered: [],
      synOnServerClosedTuple: 0,
      serverClosedConnections: 0,
      clientClosedConnections: 0,
    },
    timeline: { startSeconds: null, stepSeconds: 1, syn: [], synRetransmits: [], synack: [], bareAck: [], rst: [] },
    tsSeries: [],
    attempts,
    attemptsOmitted: 0,
    files: [],
    warnings: [],
  };
  return { ...base, ...over };
}

/** `counters`: name → delta (before/after snapshots) — or name → [value, null] for one snapshot. */
export function host(over: {
  counters?: Record<string, number | [number, null]>;
  sysctl?: Record<string, string>;
  listeners?: Array<Partial<Listener> & { local: string }>;
  states?: Record<string, number>;
  kernel?: string;
  firewall?: HostEvidence["firewall"];
  conntrack?: HostEvidence["conntrack"];
  logEvents?: HostEvidence["logEvents"];
} = {}): HostEvidence {
  const counters: Record<string, CounterValue> = {};
  for (const [name, v] of Object.entries(over.counters ?? {})) {
    counters[name] = Array.isArray(v) ? { value: v[0], delta: null } : { value: 1000 + v, delta: v };
  }
  const listeners: Listener[] = (over.listeners ?? []).map((l) => {
    const [addr, port] = [l.local.slice(0, l.local.lastIndexOf(":")), Number(l.local.slice(l.local.lastIndexOf(":") + 1))];
    return { addr, port, recvQ: 0, sendQ: 128, process: null, drops: null, ...l };
  });
  const states = over.states ?? {};
  return {
    kernel: over.kernel ?? null,
    kernelVersion: null,
    counters,
    sysctl: over.sysctl ?? {},
    listeners,
    socketStates: { ...states, ...(listeners.length > 0 ? { LISTEN: listeners.length } : {}) },
    socketStatesByPort: { "8080": { ...states } },
    socketSummary: null,
    conntrack: over.conntrack ?? null,
    firewall: over.firewall ?? [],
    logEvents: over.logEvents ?? [],
    net: null,
    files: listeners.length > 0 || over.states ? [{ path: "ss-ltn.txt", kind: "ss-ltn", snapshot: null }] : [],
    issues: [],
  };
}

export function ctx(over: { capture?: AnalyzeSummary; clientCapture?: AnalyzeSummary; host?: HostEvidence; kernel?: string; port?: number | null; net?: NetState } = {}): RuleContext {
  return {
    capture: over.capture ?? null,
    clientCapture: over.clientCapture ?? null,
    host: over.host ?? null,
    kernel: over.kernel ? profileFor(over.kernel) : null,
    port: over.port === undefined ? 8080 : over.port,
    net: over.net ?? null,
    logEvents: over.host?.logEvents ?? [],
    logSinceBoot: false,
  };
}

export function silent(n: number, syns = 3): AttemptRecord[] {
  return Array.from({ length: n }, (_, i) => attempt({ clientPort: 40000 + i, syns, lastSyn: T0 + 3_000_000, firstReply: "none", firstReplyAt: null, answeredAt: null, synacks: 0 }));
}

export function answered(n: number): AttemptRecord[] {
  return Array.from({ length: n }, (_, i) => attempt({ clientPort: 50000 + i }));
}
