/**
 * syn-queue-overflow (causes.md with §13 correction 4; linux-syn-path.md §2.12 G1/G7, §12b): TCPReqQFullDrop
 * with syncookies off, or the ¾ rule (syncookies off, ListenDrops alone, spares peers with a tcp_metrics entry).
 */
import { amountOf, hasCounters, rise, rose, socketsInState, sysctl, sysctlNumber, type RuleContext } from "../context.js";
import { counterItem, counterItems, finding, fix, logItem, socketCountItem, sysctlFix, sysctlItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { captureItem } from "../rule.js";
import { allAnsweredConflict, halfOpenCount, silentEvidence, spoofedSourcesEvidence } from "./common.js";
import { grouped } from "../../util/number-text.js";

export const synQueueOverflow: Rule = {
  code: "syn-queue-overflow",
  kind: "cause",
  kernels: "all; ≥ 4.4 the SYN queue is sized by the listen backlog, tcp_max_syn_backlog only drives the ¾ rule",
  evaluate(ctx: RuleContext): Finding | null {
    const reqFull = rose(ctx, "TcpExtTCPReqQFullDrop");
    const cookies = sysctlNumber(ctx, "net.ipv4.tcp_syncookies");
    const halfOpen = halfOpenCount(ctx);
    // Capture signature: half-open requests fill the queue, then SYNs go unanswered (no cookies).
    const captureSign = halfOpen >= 2 && (ctx.capture?.handshakes.firstReply.none ?? 0) > 0;
    const evidence: EvidenceItem[] = [];
    const conflicts: string[] = [];
    let confidence: number;
    let how: string;
    if (captureSign) {
      evidence.push(captureItem(`${grouped(halfOpen)} half-open attempts: SYN-ACK retransmitted, never acknowledged, SYN never retried (flood-like)`, halfOpen));
      evidence.push(...spoofedSourcesEvidence(ctx));
    }
    if (reqFull) {
      evidence.push(counterItem(reqFull, "SYN queue full, syncookies off"), ...counterItems(rise(ctx, "TcpExtListenDrops")));
      confidence = reqFull.over === "window" ? 0.85 : 0.5;
      if (cookies === 0) confidence += 0.08;
      else if (cookies !== null) {
        conflicts.push(`tcp_syncookies is ${cookies} now: the drops happened while it was 0, or the counter is old`);
        confidence -= 0.2;
      }
      how = "the SYN queue is full and syncookies are off";
    } else {
      // ¾ rule: only ListenDrops moves, and only with syncookies=0 (§2.12 G7).
      const drops = rose(ctx, "TcpExtListenDrops");
      const residual = drops ? drops.amount - amountOf(ctx, "TcpExtListenOverflows") - amountOf(ctx, "TcpExtPAWSPassive") : 0;
      if (drops && drops.over === "window" && cookies === 0 && residual > 0) {
        evidence.push(counterItem(drops, `${grouped(residual)} drops not explained by overflows or PAWS`));
        confidence = captureSign ? 0.7 : 0.55;
        how = "the SYN queue is past ¾ of tcp_max_syn_backlog with syncookies off, and unproven peers are dropped (¾ rule)";
        const msb = sysctl(ctx, "net.ipv4.tcp_max_syn_backlog");
        if (msb !== null) evidence.push(sysctlItem("net.ipv4.tcp_max_syn_backlog", msb));
      } else if (captureSign && (cookies === null || cookies === 0) && !rose(ctx, "TcpExtTCPReqQFullDoCookies")) {
        confidence = hasCounters(ctx) ? 0.5 : 0.6;
        how = "the SYN queue is full of half-open requests and syncookies are off";
      } else return null;
    }
    if (cookies !== null) evidence.push(sysctlItem("net.ipv4.tcp_syncookies", String(cookies), cookies === 0 ? "no cookies: SYNs are dropped when the queue is full" : ""));
    const synRecv = socketsInState(ctx, "SYN-RECV");
    if (synRecv !== null && synRecv > 0) {
      evidence.push(socketCountItem("SYN-RECV", synRecv, ctx.port, "half-open requests fill the queue"));
      confidence += 0.03;
    }
    for (const e of ctx.logEvents.filter((e) => e.kind === "syn-flood" && e.action === "drop").slice(0, 2)) evidence.push(logItem(e));
    evidence.push(...silentEvidence(ctx));
    const answered = allAnsweredConflict(ctx);
    if (answered.length > 0) {
      conflicts.push(...answered);
      confidence -= 0.15;
    }
    return finding(this, ctx, {
      confidence,
      summary: `SYNs are dropped because ${how}; usually a SYN flood or clients that never complete the handshake`,
      evidence,
      conflicts,
      fix: [
        sysctlFix("net.ipv4.tcp_syncookies", "1", "cookies answer every SYN when the queue is full"),
        fix("raise the application's listen() backlog (and net.core.somaxconn): on ≥ 4.4 it sizes the SYN queue", "the application's configuration", null),
        sysctlFix("net.ipv4.tcp_max_syn_backlog", "4096", "only matters for the ¾ rule (syncookies off) on ≥ 4.4"),
        fix("find the flood source: ss -tan state syn-recv", null, "spoofed sources never complete the handshake"),
      ],
    });
  },
};
