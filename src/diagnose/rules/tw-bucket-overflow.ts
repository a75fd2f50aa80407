/** Risk tw-bucket-overflow (causes.md; linux-syn-path.md §6): tcp_max_tw_buckets reached, sockets closed without TIME_WAIT. */
import { rose, sysctl, type RuleContext } from "../context.js";
import { counterItem, finding, fix, sysctlItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";

export const twBucketOverflow: Rule = {
  code: "tw-bucket-overflow",
  kind: "risk",
  kernels: "≥ 2.6.37 (a log line before)",
  evaluate(ctx: RuleContext): Finding | null {
    const overflow = rose(ctx, "TcpExtTCPTimeWaitOverflow");
    if (!overflow) return null;
    const evidence: EvidenceItem[] = [counterItem(overflow, "connections closed without TIME_WAIT")];
    const max = sysctl(ctx, "net.ipv4.tcp_max_tw_buckets");
    if (max !== null) evidence.push(sysctlItem("net.ipv4.tcp_max_tw_buckets", max));
    return finding(this, ctx, {
      confidence: overflow.over === "window" ? 0.85 : 0.6,
      summary: "The TIME_WAIT table is full (tcp_max_tw_buckets): closing sockets skip TIME_WAIT, so late segments can hit new connections",
      evidence,
      port: null,
      fix: [fix("let clients close first or reuse connections; raise net.ipv4.tcp_max_tw_buckets if memory allows", "/etc/sysctl.d/", "not a SYN drop by itself")],
    });
  },
};
