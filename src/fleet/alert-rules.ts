import { stringify } from "yaml";
import type { FindingCode } from "../diagnose/types.js";
import { netstatMetric, nodeExporterFlags, TW_RECYCLE_SYSCTL } from "./metrics.js";

/** One alert: a finding code of causes.md that node_exporter's counters alone can show. */
export interface AlertSpec {
  readonly code: FindingCode;
  readonly severity: "critical" | "warning";
  /** PromQL over the window `w` (a Prometheus duration) */
  readonly expr: (w: string) => string;
  readonly summary: string;
  /** the typical fix (causes.md) */
  readonly fix: string;
}

/** increase() of a counter over the window, by its nstat name. */
function rose(counter: string, w: string): string {
  return `increase(${netstatMetric(counter)}[${w}]) > 0`;
}

/**
 * Codes whose host evidence is a counter node_exporter exports. Firewall drops, lost SYN-ACKs, a missing
 * listener and an unanswered neighbour need rule counters, captures or socket lists: `nosynack collect` on the
 * host, then `nosynack diagnose`.
 */
export const ALERTS: readonly AlertSpec[] = [
  {
    code: "tw-recycle-paws",
    severity: "critical",
    expr: (w) => rose("TcpExtPAWSPassive", w),
    summary: "SYNs dropped by tcp_tw_recycle's per-peer timestamp check (PAWSPassive)",
    fix: "sysctl -w net.ipv4.tcp_tw_recycle=0 and persist it; do not turn timestamps off",
  },
  {
    code: "timewait-paws",
    severity: "warning",
    expr: (w) => `${rose("TcpExtPAWSTimewait", w)} or ${rose("TcpExtPAWSEstab", w)}`,
    summary: "SYNs on 4-tuples still in TIME_WAIT answered with a bare ACK (PAWSTimewait / PAWSEstab): a NAT reuses ports",
    fix: "let clients close first or keep connections alive; give the NAT a wider port range and a TIME_WAIT hold of at least 60 s",
  },
  {
    code: "accept-queue-overflow",
    severity: "critical",
    expr: (w) => rose("TcpExtListenOverflows", w),
    summary: "SYNs dropped because a listener's accept queue is full (ListenOverflows)",
    fix: "accept faster (more workers); raise the listen() backlog and net.core.somaxconn together",
  },
  {
    code: "syn-queue-overflow",
    severity: "critical",
    expr: (w) => rose("TcpExtTCPReqQFullDrop", w),
    summary: "SYNs dropped because the SYN queue is full and syncookies are off (TCPReqQFullDrop)",
    fix: "sysctl -w net.ipv4.tcp_syncookies=1; raise tcp_max_syn_backlog and the backlog; find the flood's source",
  },
  {
    code: "syn-flood-cookies",
    severity: "warning",
    expr: (w) => rose("TcpExtTCPReqQFullDoCookies", w),
    summary: "SYN queue full, answered with syncookies (TCPReqQFullDoCookies)",
    fix: "raise tcp_max_syn_backlog and the backlog; find the flood's source",
  },
  {
    code: "rp-filter",
    severity: "critical",
    expr: (w) => rose("TcpExtIPReversePathFilter", w),
    summary: "packets dropped by strict reverse-path filtering (IPReversePathFilter)",
    fix: "rp_filter=2 (loose) on the interface, or fix the routing",
  },
  {
    code: "conntrack-full",
    severity: "critical",
    expr: () => "node_nf_conntrack_entries / node_nf_conntrack_entries_limit >= 0.95",
    summary: "the conntrack table is (nearly) full: new flows are dropped",
    fix: "raise net.netfilter.nf_conntrack_max, shorten the timeouts, or NOTRACK the traffic",
  },
  {
    code: "bad-checksum",
    severity: "warning",
    expr: (w) => rose("TcpInCsumErrors", w),
    summary: "segments with a bad TCP checksum discarded (InCsumErrors)",
    fix: "find the corrupting hop or offload bug",
  },
  {
    code: "tcp-md5",
    severity: "warning",
    expr: (w) => ["TcpExtTCPMD5NotFound", "TcpExtTCPMD5Unexpected", "TcpExtTCPMD5Failure"].map((c) => rose(c, w)).join(" or "),
    summary: "segments dropped by the TCP-MD5 check (TCPMD5NotFound / Unexpected / Failure)",
    fix: "configure the same key on both sides, or remove it",
  },
  {
    code: "min-ttl",
    severity: "warning",
    expr: (w) => rose("TcpExtTCPMinTTLDrop", w),
    summary: "SYNs below a listener's IP_MINTTL dropped (TCPMinTTLDrop)",
    fix: "lower the socket's minimum TTL or peer directly",
  },
  {
    code: "no-return-route",
    severity: "critical",
    expr: (w) => `${rose("IpOutNoRoutes", w)} and ${rose("TcpExtListenDrops", w)}`,
    summary: "SYNs dropped for want of a route back to the client (OutNoRoutes with ListenDrops)",
    fix: "add the route or fix the policy routing",
  },
  {
    code: "tw-bucket-overflow",
    severity: "warning",
    expr: (w) => rose("TcpExtTCPTimeWaitOverflow", w),
    summary: "TIME_WAIT sockets not created: tcp_max_tw_buckets reached (TCPTimeWaitOverflow)",
    fix: "raise net.ipv4.tcp_max_tw_buckets, or let clients close first",
  },
  {
    code: "counters-not-exported",
    severity: "warning",
    expr: () => `${netstatMetric("TcpExtListenDrops")} unless on(instance) ${netstatMetric("TcpExtTCPReqQFullDrop")}`,
    summary: "node_exporter's netstat field filter hides SYN-path counters: the other alerts cannot see these drops",
    fix: "run node_exporter with the --collector.netstat.fields value `nosynack fleet rules` prints",
  },
];

/** "accept-queue-overflow" → "NosynackAcceptQueueOverflow". */
export function alertName(code: string): string {
  return `Nosynack${code
    .split("-")
    .map((part) => (part[0] ?? "").toUpperCase() + part.slice(1))
    .join("")}`;
}

/**
 * A Prometheus rule file (one group) with an alert per code, headed by the node_exporter flags that export every
 * counter the alerts read. `window`: the increase() range; `holdFor`: the alerts' `for`.
 */
export function alertRulesYaml(window: string, holdFor: string): string {
  const rules = ALERTS.map((a) => ({
    alert: alertName(a.code),
    expr: a.expr(window),
    for: holdFor,
    labels: { severity: a.severity, nosynack_code: a.code },
    annotations: {
      summary: `{{ $labels.instance }}: ${a.summary}`,
      description: `Fix: ${a.fix}. Proof and details: nosynack collect on the host, then nosynack diagnose on the bundle.`,
    },
  }));
  const header = [
    "# Prometheus alerting rules from nosynack: one alert per finding code that node_exporter's counters show.",
    "# node_exporter must export the counters and sysctls they read; run it with:",
    ...nodeExporterFlags().map((flag) => `#   '${flag}'`),
    `# and, on kernels up to 4.11 only (the sysctl collector fails when a listed sysctl is missing):`,
    `#   '--collector.sysctl.include=${TW_RECYCLE_SYSCTL}'`,
  ];
  return `${header.join("\n")}\n${stringify({ groups: [{ name: "nosynack", rules }] }, { lineWidth: 0 })}`;
}
