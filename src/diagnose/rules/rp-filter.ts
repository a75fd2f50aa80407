/**
 * rp-filter (causes.md; linux-syn-path.md §2.3, §12b): strict reverse-path filtering drops the SYN
 * (TcpExtIPReversePathFilter), TCP counters unchanged. Effective value = max(all, interface).
 */
import type { RuleContext } from "../context.js";
import { rose } from "../context.js";
import { counterItem, finding, fix, sysctlFix, sysctlItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { allAnsweredConflict, silentEvidence } from "./common.js";

export const rpFilter: Rule = {
  code: "rp-filter",
  kind: "cause",
  kernels: "all",
  evaluate(ctx: RuleContext): Finding | null {
    const drops = rose(ctx, "TcpExtIPReversePathFilter");
    if (!drops) return null;
    const evidence: EvidenceItem[] = [counterItem(drops, "packets dropped by the reverse-path filter")];
    let confidence = drops.over === "window" ? 0.88 : 0.5;
    const strict = Object.entries(ctx.host?.sysctl ?? {}).filter(([k, v]) => /^net\.ipv4\.conf\.[^.]+\.rp_filter$/.test(k) && v === "1");
    for (const [k, v] of strict.slice(0, 3)) evidence.push(sysctlItem(k, v, "strict"));
    if (strict.length > 0) confidence += 0.07;
    evidence.push(...silentEvidence(ctx));
    const conflicts = allAnsweredConflict(ctx);
    if (conflicts.length > 0) confidence -= 0.3;
    const iface = strict.map(([k]) => k.split(".")[3]).find((i) => i !== "all" && i !== "default") ?? "all";
    return finding(this, ctx, {
      confidence,
      summary: "Strict reverse-path filtering drops the SYNs: the route back to the client leaves through another interface (asymmetric routing)",
      evidence,
      conflicts,
      fix: [
        sysctlFix(`net.ipv4.conf.${iface}.rp_filter`, "2", "loose mode; the effective value is max(all, interface), so lower conf.all too"),
        fix("or fix the routing so replies leave through the interface the SYNs arrive on", null, null),
      ],
    });
  },
};
