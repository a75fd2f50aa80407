import type { Diagnosis, Finding } from "../../src/diagnose/types.js";
import type { AnalyzeSummary, AttemptRecord } from "../../src/handshakes/analysis-types.js";

/**
 * Hand-built diagnoses for the renderers: the shapes of the diagnose engine's output with numbers small enough
 * to check by eye. `hostile` puts markup into every string that comes from the input.
 */

export const HOSTILE = {
  script: "<script>window.__pwned=1</script>",
  img: '"><img src=x onerror="window.__pwned=2">',
  closeScript: "</script><script>window.__pwned=3</script>",
  md: "`|** [x](javascript:alert(1)) <b>bold</b> ``` | \n# heading",
} as const;

const T0 = 1_767_225_600_000_000; // 2026-01-01T00:00:00Z in microseconds

function attempt(i: number, answered: boolean, over: Partial<AttemptRecord> = {}): AttemptRecord {
  const t = T0 + i * 250_000;
  return {
    client: "198.18.8.1",
    clientPort: 40000 + i,
    server: "198.18.0.2",
    serverPort: 8080,
    isn: 1000 + i,
    firstSyn: t,
    lastSyn: answered ? t : t + 7_000_000,
    syns: answered ? 1 : 4,
    tsVal: 5_000_000 + i * 17,
    ttl: 64,
    firstReply: answered ? "synack" : "none",
    firstReplyAt: answered ? t + 100 : null,
    answeredAt: answered ? t + 100 : null,
    synacks: answered ? 1 : 0,
    replyTsEcr: null,
    clientRstAfterAck: false,
    badChecksum: false,
    md5Option: false,
    icmp: null,
    tsvalRegression: !answered,
    ...over,
  };
}

export interface SampleOptions {
  readonly hostile?: boolean;
  /** Unanswered attempts kept in the capture summary. */
  readonly unanswered?: number;
  readonly verdict?: "tw-recycle-paws" | "healthy" | "unknown";
  readonly capture?: boolean;
  readonly counters?: boolean;
}

export function sampleCapture(options: SampleOptions = {}): AnalyzeSummary {
  const unanswered = options.unanswered ?? 6;
  const hostile = options.hostile ?? false;
  const attempts: AttemptRecord[] = [];
  for (let i = 0; i < unanswered; i++) attempts.push(attempt(i, false, hostile && i === 0 ? { icmp: { type: 3, code: 13, from: HOSTILE.img } } : {}));
  for (let i = 0; i < 4; i++) attempts.push(attempt(unanswered + i, true));
  // Three clocks behind one address: offsets 1e6, 4e6, 9e6 ticks, 1000 Hz, one SYN every 100 ms in turn. The first
  // point is the first SYN of unanswered attempt 0 (same port and time), a TSval regression.
  const points: Array<[number, number, number]> = [];
  for (let i = 0; i < 60; i++) {
    const t = T0 + i * 100_000;
    points.push([t, [1_000_000, 4_000_000, 9_000_000][i % 3]! + Math.floor((i * 100_000) / 1000), 40000 + i]);
  }
  const seconds = 10;
  const syn = Array.from({ length: seconds }, (_, i) => (i < 6 ? 8 : 0));
  return {
    packets: 500,
    tcpPackets: 500,
    handshakes: {
      attempts: unanswered + 4,
      answered: 4,
      unanswered,
      answeredAfterRetransmit: 1,
      firstReply: { synack: 4, ack: 0, rst: 0, icmp: 0, none: unanswered },
      synRetransmits: unanswered * 3,
      synackRetransmits: 0,
    },
    listeners: [{ addr: "198.18.0.2", port: 8080, attempts: unanswered + 4, unanswered, firstReply: { synack: 4, ack: 0, rst: 0, icmp: 0, none: unanswered }, synsWithoutReply: unanswered * 4, halfOpen: 0, synTtlMin: 64, synTtlMax: 64 }],
    sources: [{ addr: hostile ? HOSTILE.script : "198.18.8.1", attempts: unanswered + 4, unanswered, tsvalRegressions: unanswered, tsClocks: 3, tsRegime: "per-host", tsRateHz: 1000, tsSamples: 60 }],
    sourceAddresses: { count: 1, estimated: false },
    timeRange: { first: T0, last: T0 + seconds * 1_000_000 },
    signals: {
      synBadChecksum: 0,
      synChecksumChecked: 0,
      synWithMd5: 0,
      synWithTimestamps: 60,
      synMalformedOptions: 0,
      clientRstAfterBareAck: 0,
      arpUnanswered: [],
      synOnServerClosedTuple: 0,
      serverClosedConnections: 4,
      clientClosedConnections: 0,
    },
    timeline: {
      startSeconds: T0 / 1e6,
      stepSeconds: 1,
      syn,
      synRetransmits: syn.map((n, i) => (i > 0 ? n / 2 : 0)),
      synack: syn.map((n) => n / 4),
      bareAck: syn.map(() => 0),
      rst: syn.map((_, i) => (i === 3 ? 1 : 0)),
    },
    tsSeries: [{ addr: hostile ? HOSTILE.closeScript : "198.18.8.1", tsClocks: 3, tsvalRegressions: unanswered, points }],
    attempts,
    attemptsOmitted: 0,
    files: [{ path: hostile ? `/tmp/${HOSTILE.script}.pcap` : "/tmp/bundle/server.pcap", format: "pcap", compressed: false, packets: 500, snaplenTruncated: 0, headerTruncated: 0, fragments: 0, malformed: 0, linkTypes: { ETHERNET: 500 } }],
    warnings: [],
  };
}

export function sampleDiagnosis(options: SampleOptions = {}): Diagnosis {
  const hostile = options.hostile ?? false;
  const verdict = options.verdict ?? "tw-recycle-paws";
  const capture = options.capture === false ? null : sampleCapture(options);
  const sysctlValue = hostile ? HOSTILE.img : "1";
  const file = hostile ? `/tmp/${HOSTILE.closeScript}/sysctl.txt` : "/tmp/bundle/sysctl.txt";
  const cause: Finding = {
    code: "tw-recycle-paws",
    kind: "cause",
    confidence: 0.95,
    summary: hostile ? `tcp_tw_recycle drops SYNs from ${HOSTILE.script} ${HOSTILE.md}` : "tcp_tw_recycle drops SYNs whose timestamp is older than the last one seen from the same address",
    evidence: [
      { source: "counter", detail: "TcpExtPAWSPassive 0 → 42 (+42)", file: null, counter: "TcpExtPAWSPassive", before: 0, after: 42, delta: 42 },
      { source: "sysctl", detail: `net.ipv4.tcp_tw_recycle = ${sysctlValue}`, file, key: "net.ipv4.tcp_tw_recycle", value: sysctlValue },
      {
        source: "packet",
        detail: "SYN unanswered, TSval older than the cached one",
        file: null,
        time: T0,
        client: hostile ? HOSTILE.img : "198.18.8.1",
        clientPort: 40000,
        server: "198.18.0.2",
        serverPort: 8080,
      },
    ],
    fix: [
      {
        command: hostile ? `sysctl -w net.ipv4.tcp_tw_recycle=0 ${HOSTILE.closeScript} | tee ${HOSTILE.md}` : "sysctl -w net.ipv4.tcp_tw_recycle=0",
        persist: "echo 'net.ipv4.tcp_tw_recycle = 0' > /etc/sysctl.d/90-nosynack.conf && sysctl --system",
        note: "do NOT turn off tcp_timestamps instead",
      },
    ],
    kernels: "≤ 4.11",
    conflicts: hostile ? [HOSTILE.img] : [],
    port: 8080,
  };
  const info: Finding = {
    code: verdict === "healthy" ? "healthy" : "unknown",
    kind: "info",
    confidence: verdict === "healthy" ? 0.9 : 0.3,
    summary: verdict === "healthy" ? "Every SYN got a SYN-ACK" : "SYNs went unanswered and nothing in the evidence explains them",
    evidence: [],
    fix: verdict === "unknown" ? [{ command: "nstat -asz > nstat-before.txt; sleep 60; nstat -asz > nstat-after.txt", persist: null, note: null }] : [],
    kernels: "all",
    conflicts: [],
    port: 8080,
  };
  const risk: Finding = {
    code: "nat-detected",
    kind: "risk",
    confidence: 0.8,
    summary: hostile ? `Several hosts share ${HOSTILE.closeScript}` : "Several hosts share source address 198.18.8.1",
    evidence: [{ source: "capture", detail: "198.18.8.1: 3 TSval clocks over 60 SYNs", file: null, count: 3, of: null }],
    fix: [],
    kernels: "all",
    conflicts: [],
    port: null,
  };
  const findings = verdict === "tw-recycle-paws" ? [cause, risk] : [info, risk];
  const counters =
    options.counters === false
      ? null
      : {
          kernel: "3.10.0",
          counters: {
            TcpExtPAWSPassive: { value: 42, delta: 42 },
            TcpExtListenDrops: { value: 42, delta: 42 },
            TcpExtListenOverflows: { value: 7, delta: 0 },
            TcpExtTCPReqQFullDrop: { value: 0, delta: 0 },
          },
          hasDeltas: true,
          sysctl: { "net.ipv4.tcp_tw_recycle": sysctlValue },
          listeners: [],
          socketStates: {},
          conntrack: null,
          issues: hostile ? [{ path: file, line: 3, message: HOSTILE.script }] : [],
        };
  return {
    verdict,
    confidence: findings[0]!.confidence,
    findings,
    capture,
    host: counters,
    inputs: [
      { path: hostile ? `/tmp/${HOSTILE.img}.pcap` : "/tmp/bundle/server.pcap", kind: "pcap" },
      { path: file, kind: "sysctl" },
    ],
    kernel: { version: "3.10.0", source: "evidence", profile: "3.10" },
    port: 8080,
    crossCheck: null,
    evidence: { capture: capture !== null, counters: counters !== null, counterDeltas: counters !== null, sockets: false, sysctl: true },
    warnings: hostile ? [`${HOSTILE.closeScript} could not be read`] : [],
  };
}
