/**
 * The terminal summary of `evidence`: what moved, what is set, then the rest. Pure (HostEvidence → string). Counts
 * are grouped by thousands; addresses, rule texts and log lines are shown as the tools printed them.
 */
import { SYN_PATH_COUNTERS, type HostEvidence } from "../evidence/index.js";
import { grouped } from "../util/number-text.js";

/** Sysctls of the SYN path (linux-syn-path.md §1), shown first in the human summary. */
const SYN_PATH_SYSCTLS = [
  "net.core.somaxconn",
  "net.ipv4.tcp_max_syn_backlog",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.tcp_abort_on_overflow",
  "net.ipv4.tcp_timestamps",
  "net.ipv4.tcp_tw_recycle",
  "net.ipv4.tcp_tw_reuse",
  "net.ipv4.tcp_rfc1337",
  "net.ipv4.tcp_max_tw_buckets",
  "net.ipv4.tcp_synack_retries",
  "net.ipv4.conf.all.rp_filter",
  "net.ipv4.conf.default.rp_filter",
  "net.netfilter.nf_conntrack_count",
  "net.netfilter.nf_conntrack_max",
];

/** The human summary: what moved, what is set, then the rest. */
export function renderEvidenceText(evidence: HostEvidence): string {
  const out: string[] = [];
  out.push(`Kernel: ${evidence.kernel ?? "unknown (no uname or /proc/version)"}`);

  const counters = Object.entries(evidence.counters);
  const moved = counters.filter(([, c]) => c.delta !== null && c.delta !== 0);
  const paired = counters.some(([, c]) => c.delta !== null);
  if (counters.length === 0) {
    out.push("", "Counters: none in the input");
  } else if (paired) {
    out.push("", `Counters that moved (after − before): ${moved.length}`);
    const synPath = moved.filter(([name]) => SYN_PATH_COUNTERS.includes(name));
    const other = moved.filter(([name]) => !SYN_PATH_COUNTERS.includes(name));
    for (const [name, c] of synPath) out.push(`  ${name.padEnd(30)} ${grouped(c.value).padStart(14)}  (${signed(c.delta ?? 0)})  SYN path`);
    for (const [name, c] of other.slice(0, 40)) out.push(`  ${name.padEnd(30)} ${grouped(c.value).padStart(14)}  (${signed(c.delta ?? 0)})`);
    if (other.length > 40) out.push(`  … ${other.length - 40} more (see --json)`);
  } else {
    out.push("", "Counters (one snapshot, no deltas): SYN-path counters that are not zero");
    const shown = SYN_PATH_COUNTERS.filter((name) => (evidence.counters[name]?.value ?? 0) !== 0);
    for (const name of shown) out.push(`  ${name.padEnd(30)} ${grouped(evidence.counters[name]?.value ?? 0).padStart(14)}`);
    if (shown.length === 0) out.push("  (all zero or absent)");
    out.push(`  ${grouped(counters.length)} counters in total (see --json)`);
  }

  const sysctls = SYN_PATH_SYSCTLS.filter((key) => key in evidence.sysctl);
  out.push("", `Sysctls: ${Object.keys(evidence.sysctl).length} read${sysctls.length > 0 ? "; SYN path:" : ""}`);
  for (const key of sysctls) out.push(`  ${key} = ${evidence.sysctl[key]}`);

  out.push("", `Listeners: ${evidence.listeners.length}`);
  for (const l of evidence.listeners) {
    const full = l.sendQ !== null && l.recvQ > l.sendQ ? "  ACCEPT QUEUE FULL (Recv-Q > Send-Q)" : "";
    const extra = [l.process ? `process ${l.process}` : "", l.drops !== null ? `drops ${l.drops}` : ""].filter(Boolean).join(", ");
    out.push(`  ${l.local.padEnd(28)} Recv-Q ${l.recvQ}  Send-Q ${l.sendQ ?? "?"}${extra ? `  ${extra}` : ""}${full}`);
  }
  const states = Object.entries(evidence.socketStates);
  out.push("", `Socket states: ${states.length === 0 ? "no full socket list" : states.map(([s, n]) => `${s} ${grouped(n)}`).join(", ")}`);
  if (evidence.socketSummary) {
    const s = evidence.socketSummary;
    out.push(`  ss -s: TCP ${known(s.total)} (estab ${known(s.estab)}, timewait ${known(s.timewait)}, orphaned ${known(s.orphaned)})`);
  }

  const ct = evidence.conntrack;
  out.push("", ct ? `Conntrack: ${known(ct.count)} / ${known(ct.max)} entries; drop ${fmt(ct.drops, ct.dropsDelta)}, insert_failed ${fmt(ct.insertFailed, ct.insertFailedDelta)}, early_drop ${fmt(ct.earlyDrop, ct.earlyDropDelta)}` : "Conntrack: not in the input");

  const blocking = evidence.firewall.filter((r) => r.verdict === "drop" || r.verdict === "reject");
  out.push("", `Firewall: ${evidence.firewall.length} rules/policies; ${blocking.length} drop or reject`);
  for (const r of blocking.slice(0, 30)) {
    const counter = r.packets === null ? "no counter" : `${grouped(r.packets)} packets${r.packetsDelta !== null ? ` (${signed(r.packetsDelta)})` : ""}`;
    out.push(`  ${r.source} ${r.family} ${r.table} ${r.chain}${r.policy ? " policy" : ""}: ${r.text}  [${counter}]`);
  }

  const net = evidence.net;
  if (net) {
    const defaults = (net.routes ?? []).filter((r) => r.dest === "default");
    const routes = net.routes === null ? "no ip route" : `${net.routes.length} routes${defaults.length > 0 ? ` (${defaults.map((r) => `default via ${r.via ?? "?"} dev ${r.dev ?? "?"}`).join("; ")})` : ", no default route"}`;
    const unresolved = (net.neighbours ?? []).filter((n) => n.state === "INCOMPLETE" || n.state === "FAILED");
    const neighbours = net.neighbours === null ? "no ip neigh" : `${net.neighbours.length} neighbours${unresolved.length > 0 ? `, unresolved: ${unresolved.map((n) => `${n.addr} ${n.state}`).join(", ")}` : ""}`;
    out.push("", `Routes: ${routes}; ${neighbours}`);
  }

  out.push("", `Kernel log events: ${evidence.logEvents.length}`);
  for (const e of evidence.logEvents.slice(0, 20)) out.push(`  ${e.time ?? "?"}  ${e.kind}: ${e.message}`);

  const unrecognised = evidence.files.filter((f) => f.kind === null);
  out.push("", `Files: ${evidence.files.length} read, ${unrecognised.length} not recognised`);
  for (const f of evidence.files) out.push(`  ${f.path}: ${f.kind ?? "NOT RECOGNISED"}${f.snapshot ? ` (${f.snapshot})` : ""}`);
  if (evidence.issues.length > 0) {
    out.push("", `Issues: ${evidence.issues.length}`);
    for (const i of evidence.issues.slice(0, 20)) out.push(`  ${i.path}${i.line !== null ? `:${i.line}` : ""}: ${i.message}`);
    if (evidence.issues.length > 20) out.push(`  … ${evidence.issues.length - 20} more (see --json)`);
  }
  return `${out.join("\n")}\n`;
}

function signed(n: number): string {
  return n > 0 ? `+${grouped(n)}` : grouped(n);
}

/** A count, or "?" when the input did not have it. */
function known(n: number | null): string {
  return n === null ? "?" : grouped(n);
}

function fmt(value: number | null, delta: number | null): string {
  if (value === null) return "?";
  return delta === null ? grouped(value) : `${grouped(value)} (${signed(delta)})`;
}
