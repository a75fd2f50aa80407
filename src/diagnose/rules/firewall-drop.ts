/**
 * firewall-drop (causes.md with §13 correction 6; linux-syn-path.md §2.2, §2.4, §12b): a DROP/REJECT rule
 * matching the port counts the SYNs while no TCP counter moves (a REJECT's RST is not in TcpOutRsts).
 */
import { rulesMatchingPort } from "../../evidence/index.js";
import type { FirewallRule } from "../../evidence/types.js";
import { amountOf, captureCounts, hasDeltas, rise, silentAttempts, type RuleContext } from "../context.js";
import { captureItem, counterItem, finding, firewallItem, fix, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { silentEvidence } from "./common.js";
import { grouped } from "../../util/number-text.js";

/** ICMP codes netfilter REJECT sends (TCP itself never answers a SYN with ICMP): net/host/port unreachable, prohibited. */
const REJECT_ICMP_CODES = new Set([0, 1, 3, 9, 10, 13]);

function dropping(rule: FirewallRule): boolean {
  return rule.verdict === "drop" || rule.verdict === "reject";
}

function hits(rule: FirewallRule): { n: number; over: "window" | "load" } | null {
  if (rule.packetsDelta !== null) return rule.packetsDelta > 0 ? { n: rule.packetsDelta, over: "window" } : null;
  return rule.packets !== null && rule.packets > 0 ? { n: rule.packets, over: "load" } : null;
}

export const firewallDrop: Rule = {
  code: "firewall-drop",
  kind: "cause",
  kernels: "all",
  evaluate(ctx: RuleContext): Finding | null {
    const host = ctx.host;
    const candidates =
      host && ctx.port !== null
        ? rulesMatchingPort(host, ctx.port).filter((m) => m.by !== "sport" && dropping(m.rule) && hits(m.rule) !== null)
        : [];
    const counts = captureCounts(ctx);
    const icmpRejects = (ctx.capture?.attempts ?? []).filter((a) => a.firstReply === "icmp" && a.icmp !== null && a.icmp.type === 3 && REJECT_ICMP_CODES.has(a.icmp.code));
    if (candidates.length === 0 && icmpRejects.length === 0) return null;

    const evidence: EvidenceItem[] = [];
    const conflicts: string[] = [];
    let confidence = 0;
    const byPort = candidates.filter((m) => m.by === "dport");
    const best = (byPort.length > 0 ? byPort : candidates).map((m) => m.rule);
    for (const rule of best.slice(0, 3)) evidence.push(firewallItem(rule, rule.verdict === "reject" ? "rejects (its RST/ICMP is not counted by TCP)" : "drops"));
    if (best.length > 0) {
      const h = best.map(hits).find((x) => x !== null) ?? null;
      const portSpecific = byPort.length > 0;
      confidence = portSpecific ? (h?.over === "window" ? 0.88 : 0.6) : h?.over === "window" ? 0.55 : 0.35;
      // The SYNs never reached TCP: TcpInSegs rose by less than the rule counted.
      const inSegs = rise(ctx, "TcpInSegs");
      if (inSegs && hasDeltas(ctx) && h && h.over === "window") {
        evidence.push(counterItem(inSegs, inSegs.amount < h.n ? "TCP did not see the dropped SYNs" : ""));
        if (amountOf(ctx, "TcpExtListenDrops") === 0) confidence += 0.05;
      }
      const silent = silentAttempts(ctx);
      const rsts = counts?.firstReply.rst ?? 0;
      if (counts && silent + rsts > 0) confidence += 0.04;
      if (counts && counts.attempts > 0 && counts.firstReply.synack === counts.attempts) {
        conflicts.push("the capture shows every attempt answered: the rule matched other traffic");
        confidence -= 0.4;
      }
    }
    if (icmpRejects.length > 0) {
      evidence.push(captureItem(`${grouped(icmpRejects.length)} SYNs answered with ICMP unreachable (a REJECT rule; TCP never answers with ICMP)`, icmpRejects.length));
      confidence = Math.max(confidence, 0.75) + (best.length > 0 ? 0.1 : 0);
    }
    evidence.push(...silentEvidence(ctx));
    if ((counts?.firstReply.rst ?? 0) > 0) evidence.push(captureItem(`${grouped(counts?.firstReply.rst ?? 0)} SYNs answered with RST (REJECT with tcp-reset looks like a closed port)`, counts?.firstReply.rst ?? 0));
    const first = best[0];
    return finding(this, ctx, {
      confidence,
      summary: `A firewall rule ${first?.verdict === "reject" || (best.length === 0 && icmpRejects.length > 0) ? "rejects" : "drops"} the SYNs${ctx.port === null ? "" : ` to port ${ctx.port}`} before TCP sees them`,
      evidence,
      conflicts,
      fix: [
        fix(
          first ? `fix or remove the rule: ${first.text.trim()}` : "find the REJECT rule: iptables-save -c; nft list ruleset",
          first?.source === "nft" ? "the nftables configuration (/etc/nftables.conf)" : "the firewall's saved rules (iptables-save > /etc/iptables/rules.v4, firewalld, ufw …)",
          "rules may also be managed by Kubernetes, Docker or a cloud agent",
        ),
      ],
    });
  },
};
