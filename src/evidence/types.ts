/**
 * Normalised host evidence: what counters, sysctls, sockets, conntrack, firewall rules and kernel logs of one
 * server say. Every parser in src/evidence produces a piece of this; `loadEvidence()` merges them.
 *
 * Stability: the diagnosis rules build on these types. Fields are only added, never renamed; absent facts are
 * `null` (never `undefined`), so "not collected" and "zero" stay distinguishable.
 */

import type { NetState } from "./ip-route-neigh.js";

/** What a host file is, detected from its content (file names are only a tie-breaker). */
export const EVIDENCE_KINDS = [
  "nstat", // nstat text, with or without -a/-z (values are absolute only with -a)
  "nstat-json", // nstat -j
  "netstat-s", // netstat -s (net-tools 1.60 or 2.10 wording)
  "proc-netstat", // raw /proc/net/netstat (TcpExt:, IpExt:, MPTcpExt: header/value pairs)
  "proc-snmp", // raw /proc/net/snmp (Ip:, Icmp:, Tcp:, Udp: … header/value pairs)
  "sysctl", // sysctl -a, or a sysctl.conf-style file
  "ss-ltn", // ss -ltn / -ltnp / -ltnm (only LISTEN rows)
  "ss-tan", // ss -tan (any states)
  "ss-s", // ss -s
  "proc-net-tcp", // /proc/net/tcp or /proc/net/tcp6
  "uname", // uname -r and/or uname -a
  "proc-version", // /proc/version
  "conntrack-stats", // conntrack -S
  "nf-conntrack-stat", // /proc/net/stat/nf_conntrack
  "iptables-save", // iptables-save [-c] (also ip6tables-save)
  "nft-ruleset", // nft list ruleset
  "nft-json", // nft -j list ruleset
  "kernel-log", // dmesg, dmesg -T, journalctl -k
  "ip-route", // ip route [show table all]
  "ip-neigh", // ip neigh
  "pcap", // a capture (read by src/capture, listed here so bundles can name it)
  "pcapng",
  "manifest", // a bundle's manifest.json
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** A problem in one input that did not stop reading it. `line` is 1-based; null when not line-specific. */
export interface EvidenceIssue {
  readonly path: string;
  readonly line: number | null;
  readonly message: string;
}

/** What a parser returns: a value plus the lines it could not use. Parsers never throw on content. */
export interface Parsed<T> {
  readonly value: T;
  readonly issues: readonly LineIssue[];
}

/** A parser-level issue; `loadEvidence` adds the path. */
export interface LineIssue {
  readonly line: number | null;
  readonly message: string;
}

/** One counter in nstat spelling (`TcpExtListenOverflows`). `delta` is after − before, null with one snapshot. */
export interface CounterValue {
  readonly value: number;
  readonly delta: number | null;
}

/** Counter name (nstat spelling) → value. */
export type CounterSet = Readonly<Record<string, number>>;

/** A LISTEN socket. For ss, Send-Q of a listener is its effective backlog B = min(listen() backlog, somaxconn). */
export interface Listener {
  /** "addr:port" as ss prints it ("0.0.0.0:8080", "[::]:22", "*:80", "127.0.0.1%lo:53"). */
  readonly local: string;
  /** Address part without brackets ("0.0.0.0", "::", "*"). */
  readonly addr: string;
  readonly port: number;
  /** Children waiting in the accept queue (sk_ack_backlog). The queue is full when recvQ > sendQ. */
  readonly recvQ: number;
  /** Effective backlog (sk_max_ack_backlog); null when read from /proc/net/tcp, which does not show it. */
  readonly sendQ: number | null;
  /** Process from `ss -p` ("nginx,pid=12,fd=6"); null without -p. */
  readonly process: string | null;
  /** Per-listener drop count from `ss -m` skmem d<N> (tcp_listendrop() calls); null without -m. */
  readonly drops: number | null;
}

/** `ss -s` summary line for TCP. Any field the ss version did not print is null. */
export interface SocketSummary {
  readonly total: number | null;
  readonly estab: number | null;
  readonly closed: number | null;
  readonly orphaned: number | null;
  readonly synrecv: number | null;
  readonly timewait: number | null;
}

/** Conntrack usage and the statistics that rise when the table is full. Null = not in the evidence. */
export interface ConntrackUsage {
  /** net.netfilter.nf_conntrack_count, else the `entries` column of /proc/net/stat/nf_conntrack. */
  readonly count: number | null;
  /** net.netfilter.nf_conntrack_max (or net.nf_conntrack_max). */
  readonly max: number | null;
  /** Summed over CPUs. */
  readonly drops: number | null;
  readonly insertFailed: number | null;
  readonly earlyDrop: number | null;
  /** after − before of drops/insertFailed/earlyDrop when two snapshots exist. */
  readonly dropsDelta: number | null;
  readonly insertFailedDelta: number | null;
  readonly earlyDropDelta: number | null;
}

/** A port condition on a rule: a list of single ports and inclusive ranges; `negated` for `!=` / `! --dport`. */
export interface PortMatch {
  readonly ranges: readonly (readonly [number, number])[];
  readonly negated: boolean;
  /** True when the rule refers to a named set/map (`@web_ports`) whose content we did not resolve. */
  readonly unresolved: boolean;
}

export type FirewallVerdict = "accept" | "drop" | "reject" | "queue" | "return" | "jump" | "goto" | "continue" | "log" | "other" | "none";

/** One firewall rule (or a chain policy) with its packet counter. */
export interface FirewallRule {
  readonly source: "iptables" | "nft";
  /** iptables: ip/ip6 as far as known ("ip"); nft: table family (ip, ip6, inet, bridge, arp, netdev). */
  readonly family: string;
  readonly table: string;
  readonly chain: string;
  /** nft base chains: the hook (input, prerouting, forward, output, postrouting); iptables: the built-in chain in lower case; null for user chains. */
  readonly hook: string | null;
  /** True for a chain's default policy (iptables `:INPUT DROP [p:b]`, nft `policy drop;`). */
  readonly policy: boolean;
  /** Null when the rule has no counter (nft rule without `counter`, iptables-save without -c). */
  readonly packets: number | null;
  readonly bytes: number | null;
  readonly verdict: FirewallVerdict;
  /** jump/goto target chain, reject type etc. */
  readonly verdictArg: string | null;
  /** Transport protocol the rule requires ("tcp", "udp"), null when it does not restrict it. */
  readonly protocol: string | null;
  readonly dport: PortMatch | null;
  readonly sport: PortMatch | null;
  /** True when the rule has further conditions we do not model (addresses, interfaces, ct state …). */
  readonly otherConditions: boolean;
  /** The rule as written, for evidence output. */
  readonly text: string;
  readonly path: string;
  readonly line: number | null;
  /** after − before of `packets`, when the same rule appears in two snapshots. */
  readonly packetsDelta: number | null;
}

export type KernelLogKind = "syn-flood" | "conntrack-full" | "tw-bucket-overflow" | "martian-source" | "md5-not-found";

/** A kernel log line relevant to the SYN path. */
export interface KernelLogEvent {
  readonly kind: KernelLogKind;
  /** The time as printed ("12345.678901", "Mon Jan  5 10:00:00 2026", "2026-01-05T10:00:00+0000"); null if none. */
  readonly time: string | null;
  /** Seconds since boot when the log printed them (plain dmesg), else null. */
  readonly uptimeSeconds: number | null;
  /** syn-flood: the port (and address on ≥6.2 kernels) named by the line. */
  readonly port: number | null;
  readonly addr: string | null;
  /** syn-flood: "Sending cookies" or "Dropping request"; null otherwise. */
  readonly action: "cookies" | "drop" | null;
  readonly message: string;
  readonly path: string;
  readonly line: number;
}

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

export interface EvidenceFile {
  readonly path: string;
  /** Null when the file was read but not recognised (it is then also named in `issues`). */
  readonly kind: EvidenceKind | null;
  /** From the manifest or the file name; null when the file is a single snapshot. */
  readonly snapshot: "before" | "after" | null;
}

export interface HostEvidence {
  /** Kernel release as printed (`uname -r`), e.g. "6.18.44" or "3.10.0-1160.el7.x86_64"; null if unknown. */
  readonly kernel: string | null;
  readonly kernelVersion: KernelVersion | null;
  /** nstat spelling → latest value and delta. */
  readonly counters: Readonly<Record<string, CounterValue>>;
  /** Dotted key → value, whitespace collapsed ("4096 16384 4194304"). */
  readonly sysctl: Readonly<Record<string, string>>;
  /** LISTEN sockets from the latest socket snapshot. */
  readonly listeners: readonly Listener[];
  /** Socket counts by ss state spelling (ESTAB, SYN-RECV, TIME-WAIT, …) from the latest full socket list. */
  readonly socketStates: Readonly<Record<string, number>>;
  /** Per local port → state → count, from the same list (only ports with at least one socket). */
  readonly socketStatesByPort: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly socketSummary: SocketSummary | null;
  readonly conntrack: ConntrackUsage | null;
  readonly firewall: readonly FirewallRule[];
  readonly logEvents: readonly KernelLogEvent[];
  /** Routes and neighbours (`ip route`, `ip neigh`); null when neither was in the input. */
  readonly net: NetState | null;
  readonly files: readonly EvidenceFile[];
  readonly issues: readonly EvidenceIssue[];
}
