/**
 * min-ttl (causes.md; linux-syn-path.md §2.10): the listener sets IP_MINTTL (GTSM) and SYNs arrive with a
 * lower TTL: discarded silently (TcpExtTCPMinTTLDrop). The counter exists only on newer kernels.
 */
import { captureListener, rose, type RuleContext } from "../context.js";
import { captureItem, counterItem, finding, fix, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { silentEvidence } from "./common.js";

export const minTtl: Rule = {
  code: "min-ttl",
  kind: "cause",
  kernels: "all; TcpExtTCPMinTTLDrop only on newer kernels (≈ 5.16)",
  evaluate(ctx: RuleContext): Finding | null {
    const drops = rose(ctx, "TcpExtTCPMinTTLDrop");
    if (!drops) return null;
    const evidence: EvidenceItem[] = [counterItem(drops, "SYNs below the listener's minimum TTL")];
    const listener = captureListener(ctx);
    if (listener && listener.synTtlMin !== null) {
      evidence.push(captureItem(`SYNs arrive with TTL ${listener.synTtlMin}${listener.synTtlMax !== listener.synTtlMin ? `–${listener.synTtlMax}` : ""}`, listener.synTtlMin));
    }
    evidence.push(...silentEvidence(ctx));
    return finding(this, ctx, {
      confidence: drops.over === "window" ? 0.9 : 0.5,
      summary: "The listener sets a minimum TTL (IP_MINTTL / GTSM) and the SYNs arrive with a lower one: discarded silently",
      evidence,
      fix: [fix("lower the socket's minimum TTL (e.g. BGP ttl-security hops) or peer directly", "the application's configuration", null)],
    });
  },
};
