/**
 * What the fleet reads from node_exporter, and how its metric names map onto nstat spelling.
 *
 * node_exporter's netstat collector names a counter `node_netstat_<Section>_<Field>` (`TcpExt_ListenDrops` in
 * /proc/net/netstat becomes `node_netstat_TcpExt_ListenDrops`, nstat's `TcpExtListenDrops`), and exports only
 * the fields its `--collector.netstat.fields` pattern admits: by default neither PAWSPassive nor TCPReqQFullDrop.
 * Its sysctl collector (off by default) names `net.ipv4.tcp_syncookies` `node_sysctl_net_ipv4_tcp_syncookies`, and
 * fails as a whole when one listed sysctl does not exist (tcp_tw_recycle on ≥ 4.12).
 */
import { SYN_PATH_COUNTERS } from "../evidence/syn-path-counters.js";

/** The counters the fleet reads: those of the SYN path, which include every counter the diagnosis rules read. */
export const FLEET_COUNTERS = SYN_PATH_COUNTERS;

/** Sysctls the rules read that every kernel has (the sysctl collector fails on a missing one). */
export const FLEET_SYSCTLS = [
  "net.core.somaxconn",
  "net.ipv4.tcp_max_syn_backlog",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.tcp_abort_on_overflow",
  "net.ipv4.tcp_timestamps",
  "net.ipv4.tcp_tw_reuse",
  "net.ipv4.tcp_rfc1337",
  "net.ipv4.tcp_max_tw_buckets",
  "net.ipv4.conf.all.rp_filter",
  "net.ipv4.conf.default.rp_filter",
] as const;

/** Only kernels ≤ 4.11 have it: list it for those hosts alone. */
export const TW_RECYCLE_SYSCTL = "net.ipv4.tcp_tw_recycle";

/** node_exporter 1.5's default `--collector.netstat.fields`, kept whole so that existing dashboards lose nothing. */
export const NODE_EXPORTER_DEFAULT_FIELDS =
  "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$";

/** /proc/net/netstat and /proc/net/snmp section names, longest first (TcpExt before Tcp, IpExt before Ip). */
const SECTIONS = ["MPTcpExt", "TcpExt", "IpExt", "Icmp6", "IcmpMsg", "Icmp", "Udp6", "UdpLite", "Udp", "Tcp", "Ip6", "Ip"] as const;

/** nstat name → [section, field]: "TcpExtListenDrops" → ["TcpExt", "ListenDrops"]. */
export function splitCounter(name: string): [string, string] {
  for (const section of SECTIONS) {
    if (name.startsWith(section) && name.length > section.length) return [section, name.slice(section.length)];
  }
  throw new RangeError(`${name} is not a counter in nstat spelling`);
}

/** "TcpExtListenDrops" → "node_netstat_TcpExt_ListenDrops". */
export function netstatMetric(counter: string): string {
  const [section, field] = splitCounter(counter);
  return `node_netstat_${section}_${field}`;
}

/** "net.ipv4.tcp_syncookies" → "node_sysctl_net_ipv4_tcp_syncookies". */
export function sysctlMetric(key: string): string {
  return `node_sysctl_${key.replace(/[.-]/g, "_")}`;
}

/**
 * A `--collector.netstat.fields` value that exposes every fleet counter besides the defaults: the default pattern,
 * then one alternative per section for the fields it misses, sorted, so the text is stable.
 */
export function netstatFieldsPattern(): string {
  const byDefault = new RegExp(NODE_EXPORTER_DEFAULT_FIELDS);
  const bySection = new Map<string, string[]>();
  for (const counter of FLEET_COUNTERS) {
    const [section, field] = splitCounter(counter);
    if (byDefault.test(`${section}_${field}`)) continue;
    const fields = bySection.get(section) ?? [];
    fields.push(field);
    bySection.set(section, fields);
  }
  const ours = [...bySection].sort(([a], [b]) => (a < b ? -1 : 1)).map(([section, fields]) => `${section}_(${fields.sort().join("|")})`);
  const defaults = NODE_EXPORTER_DEFAULT_FIELDS.slice(2, -2);
  return `^(${defaults}|${ours.join("|")})$`;
}

/** The node_exporter flags that give the fleet its evidence (sysctls of every kernel; add tcp_tw_recycle on ≤ 4.11). */
export function nodeExporterFlags(): string[] {
  return [`--collector.netstat.fields=${netstatFieldsPattern()}`, "--collector.sysctl", ...FLEET_SYSCTLS.map((key) => `--collector.sysctl.include=${key}`)];
}
