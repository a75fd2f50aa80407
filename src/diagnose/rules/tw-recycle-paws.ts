/**
 * tw-recycle-paws (causes.md; linux-syn-path.md §2.13, §9A): kernel ≤ 4.11 with tcp_tw_recycle=1 drops SYNs
 * whose TSval is older than the last one cached for the source address (TcpExtPAWSPassive, ListenDrops).
 * Never a cause on ≥ 4.12: the feature and its counter are gone.
 */
import { compareVersions } from "../../kernel/index.js";
import { attemptsOnPort, rise, rose, sysctlNumber, type RuleContext } from "../context.js";
import { captureItem, counterItem, counterItems, finding, packetItems, sysctlFix, sysctlItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { grouped } from "../../util/number-text.js";

export const twRecyclePaws: Rule = {
  code: "tw-recycle-paws",
  kind: "cause",
  kernels: "≤ 4.11 (tcp_tw_recycle removed in 4.12)",
  evaluate(ctx: RuleContext): Finding | null {
    if (ctx.kernel !== null && ctx.kernel.behaviour.twRecycle === "absent") return null;
    const passive = rose(ctx, "TcpExtPAWSPassive");
    const recycle = sysctlNumber(ctx, "net.ipv4.tcp_tw_recycle");
    const regressed = attemptsOnPort(ctx).filter((a) => a.tsvalRegression);
    const silentRegressed = regressed.filter((a) => a.firstReply === "none");
    const silent = attemptsOnPort(ctx).filter((a) => a.firstReply === "none");
    // Capture signature: the unanswered attempts are (mostly) the ones the tw_recycle check would reject.
    const captureSign = silent.length > 0 && silentRegressed.length >= Math.max(1, 0.6 * silent.length);
    if (!passive && !captureSign) return null;

    const evidence: EvidenceItem[] = [];
    const conflicts: string[] = [];
    let confidence = 0;
    if (passive) {
      evidence.push(counterItem(passive, "SYNs rejected by the per-peer timestamp check"), ...counterItems(rise(ctx, "TcpExtListenDrops")));
      confidence = passive.over === "window" ? 0.85 : 0.7;
    }
    if (captureSign) {
      evidence.push(
        captureItem(`${grouped(silentRegressed.length)} of ${grouped(silent.length)} unanswered attempts carry a TSval older than the source's last one on a connection the server closed < 60 s before`, silentRegressed.length, silent.length),
        ...packetItems(silentRegressed, (a) => `TSval ${a.tsVal ?? "?"} older than the cached one, no answer`),
      );
      confidence = passive ? confidence + 0.08 : 0.65;
    }
    if (recycle === 1) {
      evidence.push(sysctlItem("net.ipv4.tcp_tw_recycle", "1"));
      confidence += passive ? 0.07 : 0.1;
    } else if (recycle === 0) {
      conflicts.push("net.ipv4.tcp_tw_recycle is 0 in the evidence: the drops predate a change, or another cause is at work");
      confidence -= 0.35;
    }
    const ts = sysctlNumber(ctx, "net.ipv4.tcp_timestamps");
    if (ts !== null) evidence.push(sysctlItem("net.ipv4.tcp_timestamps", String(ts)));
    if (ctx.kernel === null) {
      conflicts.push("kernel version unknown: tw_recycle exists only up to 4.11");
      confidence -= 0.1;
    } else if (compareVersions(ctx.kernel.version, { major: 4, minor: 12, patch: 0, text: "4.12" }) < 0) {
      evidence.push({ source: "kernel", detail: `kernel ${ctx.kernel.version.text} still has tcp_tw_recycle`, file: null, version: ctx.kernel.version.text });
    }
    return finding(this, ctx, {
      confidence,
      summary: "tcp_tw_recycle drops SYNs whose timestamp is older than the last one seen from the same address: clients behind NAT/LVS (or 4.10 clients) time out",
      evidence,
      conflicts,
      fix: [
        sysctlFix("net.ipv4.tcp_tw_recycle", "0", "do NOT turn off tcp_timestamps instead; tcp_tw_reuse only helps the connecting side"),
      ],
    });
  },
};
