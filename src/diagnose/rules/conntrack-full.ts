/**
 * conntrack-full (causes.md; linux-syn-path.md §2.2): the conntrack table is full and new flows are dropped;
 * conntrack -S drop/early_drop/insert_failed rise, the kernel logs "table full, dropping packet".
 */
import type { RuleContext } from "../context.js";
import { captureItem, finding, fix, logItem, sysctlFix, type Rule } from "../rule.js";
import type { ConntrackEvidence, EvidenceItem, Finding } from "../types.js";
import { silentEvidence } from "./common.js";

export const conntrackFull: Rule = {
  code: "conntrack-full",
  kind: "cause",
  kernels: "all (with nf_conntrack loaded)",
  evaluate(ctx: RuleContext): Finding | null {
    const ct = ctx.host?.conntrack ?? null;
    const logs = ctx.logEvents.filter((e) => e.kind === "conntrack-full");
    const atMax = ct !== null && ct.count !== null && ct.max !== null && ct.max > 0 && ct.count >= 0.98 * ct.max;
    const dropDelta = ct === null ? 0 : (ct.dropsDelta ?? 0) + (ct.earlyDropDelta ?? 0) + (ct.insertFailedDelta ?? 0);
    if (!atMax && dropDelta === 0 && logs.length === 0) return null;
    const evidence: EvidenceItem[] = [];
    let confidence = 0.3;
    if (ct !== null) {
      const item: ConntrackEvidence = {
        source: "conntrack",
        detail: `conntrack entries ${ct.count ?? "?"} of max ${ct.max ?? "?"}; drops +${ct.dropsDelta ?? "?"}, early_drop +${ct.earlyDropDelta ?? "?"}, insert_failed +${ct.insertFailedDelta ?? "?"}`,
        file: null,
        count: ct.count,
        max: ct.max,
        dropsDelta: ct.dropsDelta,
      };
      evidence.push(item);
    }
    if (atMax) confidence = 0.6;
    if (dropDelta > 0) confidence += atMax ? 0.3 : 0.35;
    if (logs.length > 0) {
      confidence += ctx.logSinceBoot ? 0.1 : 0.25;
      for (const e of logs.slice(0, 2)) evidence.push(logItem(e));
    }
    if (ctx.capture && ctx.capture.handshakes.firstReply.none > 0 && (atMax || dropDelta > 0)) {
      evidence.push(captureItem("SYNs vanished without a reply, as conntrack drops do", ctx.capture.handshakes.firstReply.none));
    }
    evidence.push(...silentEvidence(ctx).filter((e) => e.source === "packet"));
    return finding(this, ctx, {
      confidence,
      summary: "The conntrack table is full: new flows, SYNs included, are dropped before TCP sees them",
      evidence,
      fix: [
        sysctlFix("net.netfilter.nf_conntrack_max", String(Math.max(262144, (ct?.max ?? 0) * 2)), "costs memory (~300 bytes per entry); also raise the hash size (nf_conntrack hashsize module parameter)"),
        fix("shorten timeouts: sysctl -w net.netfilter.nf_conntrack_tcp_timeout_time_wait=30", "/etc/sysctl.d/", null),
        fix("or exempt the service: nft add rule inet raw prerouting tcp dport PORT notrack", "the firewall configuration", "untracked traffic cannot be NATed"),
      ],
    });
  },
};
