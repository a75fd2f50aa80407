/**
 * The fidelity comparison's workloads: one description per scenario from which both the namespace-lab run
 * (lab-run.ts) and the simulator scenario (sim-scenario.ts) are derived, so the two cannot drift apart.
 *
 * Every workload is open-loop and timing-safe on the real kernel: attempts start at fixed offsets, at least
 * 20 ms apart (a handshake on veth takes well under 1 ms), the application never accepts while a queue is
 * meant to fill, and only first replies and event-driven counters are compared (no SYN-ACK retransmit timers).
 */
import type { ScenarioInput } from "../../src/sim/scenario.js";

export type FidelityLabel = ScenarioInput["expect"];

export interface FidelityConnection {
  /** Client host index (namespace cliK in the lab, host K in the simulator). */
  readonly client: number;
  /** Start offset from the workload's time 0. */
  readonly atMs: number;
}

export interface FidelityWorkload {
  readonly name: string;
  /** The causes.md code this workload reproduces (the simulator scenario's `expect`). */
  readonly label: FidelityLabel;
  readonly summary: string;
  /**
   * What the real kernel must show for the run to count (nstat deltas in the server namespace): a run that
   * did not reproduce the cause would agree with the simulator about nothing interesting.
   */
  readonly shows: Readonly<Record<string, "moved" | "zero">>;
  /**
   * accepting: accepts at once and closes first (the lab's Node server); never-accept: listen() only (the
   * lab's python listener); none: nothing listens on the port.
   */
  readonly server: { readonly kind: "accepting" | "never-accept" | "none"; readonly backlog: number };
  /** Server sysctls (per-namespace in the lab, scenario sysctls in the simulator). */
  readonly serverSysctls: Readonly<Record<string, number>>;
  readonly clients: number;
  /** The clients' net.ipv4.tcp_timestamps. */
  readonly clientTimestamps: 0 | 1 | 2;
  readonly connections: readonly FidelityConnection[];
  /**
   * SYNs an unanswered attempt sends before its client gives up. On 6.18 (tcp_syn_linear_timeouts=4) the first
   * retransmissions come 1 s apart, so the lab client's deadline sits half a second after the last one.
   */
  readonly synsPerAttempt: number;
  /**
   * Fixed client source port (both sides). 6.18 derives a client's TS offset from the 4-tuple: with one port
   * a client keeps one offset, so the clock measured on its first SYN holds for all its connections.
   */
  readonly clientPort?: number;
  /** hping3 SYNs from `client`, whose SYN-ACKs that client drops (a half-open flood). */
  readonly flood?: { readonly client: number; readonly atMs: number; readonly count: number; readonly intervalMs: number };
  /** SNAT on the router to its server-side address and one port range; conntrack holds closed flows `holdS`. */
  readonly nat?: { readonly ports: readonly [number, number]; readonly holdS: number };
}

/** Server port and addresses shared by both sides (the lab's standard topology). */
export const FIDELITY_NET = { port: 8080, serverNet: "198.18.1", clientNet: "198.18.10", server: "198.18.1.1", router: "198.18.1.254" } as const;

/** `count` connections from one client, `gapMs` apart from `startMs`. */
function series(client: number, count: number, gapMs: number, startMs = 0): FidelityConnection[] {
  return Array.from({ length: count }, (_, i) => ({ client, atMs: startMs + i * gapMs }));
}

const healthy: FidelityWorkload = {
  name: "healthy",
  label: "healthy",
  summary: "8 connections 100 ms apart to a server that accepts and closes first",
  shows: { TcpPassiveOpens: "moved", TcpExtListenDrops: "zero", TcpOutRsts: "zero" },
  server: { kind: "accepting", backlog: 511 },
  serverSysctls: {},
  clients: 1,
  clientTimestamps: 1,
  connections: series(0, 8, 100),
  synsPerAttempt: 3,
};

const acceptQueueOverflow: FidelityWorkload = {
  name: "accept-queue-overflow",
  label: "accept-queue-overflow",
  summary: "listen(2), never accept(); 5 connections 20 ms apart, each gives up after 3 SYNs",
  shows: { TcpExtListenOverflows: "moved", TcpExtListenDrops: "moved" },
  server: { kind: "never-accept", backlog: 2 },
  serverSysctls: {},
  clients: 1,
  clientTimestamps: 1,
  connections: series(0, 5, 20),
  synsPerAttempt: 3,
};

const acceptQueueSomaxconn: FidelityWorkload = {
  ...acceptQueueOverflow,
  name: "accept-queue-somaxconn",
  summary: "listen(128) capped by net.core.somaxconn=2, never accept(); 5 connections 20 ms apart",
  server: { kind: "never-accept", backlog: 128 },
  serverSysctls: { "net.core.somaxconn": 2 },
};

/** 12 half-open SYNs 20 ms apart from client 0, then one real attempt from client 1. */
function synQueue(
  name: string,
  label: FidelityLabel,
  summary: string,
  backlog: number,
  sysctls: Record<string, number>,
  shows: FidelityWorkload["shows"],
): FidelityWorkload {
  return {
    name,
    label,
    summary,
    shows,
    server: { kind: "accepting", backlog },
    serverSysctls: sysctls,
    clients: 2,
    clientTimestamps: 1,
    connections: [{ client: 1, atMs: 800 }],
    synsPerAttempt: 3,
    flood: { client: 0, atMs: 0, count: 12, intervalMs: 20 },
  };
}

const synQueueOverflow = synQueue(
  "syn-queue-overflow",
  "syn-queue-overflow",
  "tcp_syncookies=0, listen(4): 12 half-open SYNs, then a real client",
  4,
  { "net.ipv4.tcp_syncookies": 0 },
  { TcpExtTCPReqQFullDrop: "moved", TcpExtListenOverflows: "zero" },
);
const synFloodCookies = synQueue(
  "syn-flood-cookies",
  "syn-flood-cookies",
  "tcp_syncookies=1, listen(4): 12 half-open SYNs, then a real client (answered by cookies)",
  4,
  { "net.ipv4.tcp_syncookies": 1 },
  { TcpExtSyncookiesSent: "moved", TcpExtSyncookiesRecv: "moved", TcpExtTCPReqQFullDrop: "zero" },
);
const synQueueThreeQuarters = synQueue(
  "syn-queue-three-quarters",
  "syn-queue-overflow",
  "tcp_syncookies=0, tcp_max_syn_backlog=8, listen(100): the 3/4 rule drops SYNs",
  100,
  { "net.ipv4.tcp_syncookies": 0, "net.ipv4.tcp_max_syn_backlog": 8 },
  { TcpExtListenDrops: "moved", TcpExtTCPReqQFullDrop: "zero" },
);

/**
 * Two clients behind SNAT to one port take turns 1.3 s apart; conntrack forgets a closed flow after 1 s, the
 * server (closing first) keeps TIME_WAIT for 60 s: every attempt after the first lands on a TIME_WAIT socket.
 * Whether it is accepted (newer TSval) or answered by an ACK (PAWS) depends on the two clients' TS offsets,
 * which the simulator takes as measured from the lab run.
 */
const natTimewait: FidelityWorkload = {
  name: "nat-timewait",
  label: "timewait-paws",
  summary: "2 clients behind SNAT to one port, 1.3 s turns, server closes first: SYNs land on TIME_WAIT",
  shows: { TcpExtPAWSTimewait: "moved" },
  server: { kind: "accepting", backlog: 511 },
  serverSysctls: {},
  clients: 2,
  clientTimestamps: 1,
  connections: [0, 1, 2, 3].map((k) => ({ client: k % 2, atMs: k * 1300 })),
  synsPerAttempt: 3,
  clientPort: 41000,
  nat: { ports: [40000, 40000], holdS: 1 },
};

/** tcp_timestamps=2 on the clients (no offsets, one clock): each later SYN has the newer TSval and reuses TIME_WAIT. */
const natTimewaitNoOffsets: FidelityWorkload = {
  ...natTimewait,
  name: "nat-timewait-ts2",
  label: "healthy",
  summary: "as nat-timewait with client tcp_timestamps=2: newer TSvals, every SYN reuses the TIME_WAIT socket",
  shows: { TcpPassiveOpens: "moved", TcpExtPAWSTimewait: "zero" },
  clientTimestamps: 2,
};

const noListener: FidelityWorkload = {
  name: "no-listener",
  label: "no-listener",
  summary: "nothing listens: 3 connections 100 ms apart",
  shows: { TcpOutRsts: "moved", TcpPassiveOpens: "zero" },
  server: { kind: "none", backlog: 0 },
  serverSysctls: {},
  clients: 1,
  clientTimestamps: 1,
  connections: series(0, 3, 100),
  synsPerAttempt: 3,
};

export const FIDELITY_WORKLOADS: readonly FidelityWorkload[] = [
  healthy,
  acceptQueueOverflow,
  acceptQueueSomaxconn,
  synQueueOverflow,
  synFloodCookies,
  synQueueThreeQuarters,
  natTimewait,
  natTimewaitNoOffsets,
  noListener,
];

export function findWorkload(name: string): FidelityWorkload {
  const w = FIDELITY_WORKLOADS.find((x) => x.name === name);
  if (!w) throw new Error(`unknown fidelity workload ${name} (known: ${FIDELITY_WORKLOADS.map((x) => x.name).join(", ")})`);
  return w;
}

/** The lab client's deadline for one attempt: half a second after its last SYN (SYNs 1 s apart on 6.18). */
export function attemptDeadlineMs(w: FidelityWorkload): number {
  return (w.synsPerAttempt - 1) * 1000 + 500;
}

/** When the last attempt of the workload is over (ms after time 0). */
export function workloadEndMs(w: FidelityWorkload): number {
  const lastStart = Math.max(0, ...w.connections.map((c) => c.atMs), w.flood ? w.flood.atMs + w.flood.count * w.flood.intervalMs : 0);
  return lastStart + attemptDeadlineMs(w);
}
