/** Risk tw-recycle-enabled (causes.md): tcp_tw_recycle=1 on a kernel that still has it (≤ 4.11). */
import type { RuleContext } from "../context.js";
import { sysctlNumber } from "../context.js";
import { finding, sysctlFix, sysctlItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";

export const twRecycleEnabled: Rule = {
  code: "tw-recycle-enabled",
  kind: "risk",
  kernels: "≤ 4.11",
  evaluate(ctx: RuleContext): Finding | null {
    if (sysctlNumber(ctx, "net.ipv4.tcp_tw_recycle") !== 1) return null;
    if (ctx.kernel !== null && ctx.kernel.behaviour.twRecycle === "absent") return null;
    const evidence: EvidenceItem[] = [sysctlItem("net.ipv4.tcp_tw_recycle", "1", "per-peer timestamp check active")];
    const nat = (ctx.capture?.sources ?? []).filter((s) => s.tsClocks > 1 || s.tsvalRegressions > 0);
    return finding(this, ctx, {
      confidence: nat.length > 0 ? 0.9 : 0.7,
      summary: "tcp_tw_recycle is on: clients behind NAT/LVS, and 4.10 clients, will see SYNs dropped silently",
      evidence,
      port: null,
      fix: [sysctlFix("net.ipv4.tcp_tw_recycle", "0", "do NOT turn off tcp_timestamps instead")],
    });
  },
};
