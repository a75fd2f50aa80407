/**
 * Risk counters-not-exported (causes.md; fleet): a SYN-path counter this kernel has is missing from the
 * evidence, so a drop could go unseen. With single-file nstat/netstat -s (zeros omitted) absence means zero,
 * so this only fires when the counter source lists zeros elsewhere (a filtered export).
 */
import type { RuleContext } from "../context.js";
import { hasCounters, kernelHas } from "../context.js";
import { finding, fix, type Rule } from "../rule.js";
import type { Finding } from "../types.js";

const ESSENTIAL = ["TcpExtListenDrops", "TcpExtListenOverflows", "TcpExtTCPReqQFullDrop", "TcpExtIPReversePathFilter", "TcpInCsumErrors", "TcpOutRsts"];

export const countersNotExported: Rule = {
  code: "counters-not-exported",
  kind: "risk",
  kernels: "all",
  evaluate(ctx: RuleContext): Finding | null {
    if (!hasCounters(ctx) || ctx.host === null) return null;
    const counters = ctx.host.counters;
    // Zeros are listed (nstat -a/-z, /proc files): a missing name then means it was filtered out.
    const listsZeros = Object.values(counters).some((c) => c.value === 0);
    if (!listsZeros) return null;
    const missing = ESSENTIAL.filter((n) => kernelHas(ctx, n) && counters[n] === undefined);
    if (missing.length === 0) return null;
    return finding(this, ctx, {
      confidence: 0.5,
      summary: `The counter evidence lacks ${missing.join(", ")}: a filtered export (node_exporter --collector.netstat.fields) can hide drops`,
      evidence: missing.map((n) => ({ source: "counter" as const, detail: `${n} not in the evidence`, file: null, counter: n, before: null, after: 0, delta: null })),
      port: null,
      fix: [fix("collect all counters: nstat -asz (or node_exporter --collector.netstat.fields with `nosynack fleet rules`)", null, null)],
    });
  },
};
