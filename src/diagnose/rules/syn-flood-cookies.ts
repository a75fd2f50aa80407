/**
 * syn-flood-cookies (causes.md; linux-syn-path.md §2.12 G1, §12b): the SYN queue is full but cookies answer.
 * Not a drop. With tcp_syncookies=2 TCPReqQFullDoCookies counts every SYN (the name misleads), so no flood.
 */
import { rise, rose, sysctlNumber, type RuleContext } from "../context.js";
import { captureItem, counterItem, counterItems, finding, fix, logItem, sysctlFix, sysctlItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { halfOpenCount, spoofedSourcesEvidence } from "./common.js";
import { grouped } from "../../util/number-text.js";

export const synFloodCookies: Rule = {
  code: "syn-flood-cookies",
  kind: "cause",
  kernels: "all (TCPReqQFullDoCookies ≥ 3.1)",
  evaluate(ctx: RuleContext): Finding | null {
    const doCookies = rose(ctx, "TcpExtTCPReqQFullDoCookies");
    const sent = rose(ctx, "TcpExtSyncookiesSent");
    const logs = ctx.logEvents.filter((e) => e.kind === "syn-flood" && e.action === "cookies");
    const halfOpen = halfOpenCount(ctx);
    // A full accept queue drops the client's final ACK and the server repeats its SYN-ACK: from the server's
    // side that looks half-open too, so the capture alone says nothing about a flood while ListenOverflows rose.
    const acceptQueueExplains = rose(ctx, "TcpExtListenOverflows")?.over === "window";
    const captureSign = halfOpen >= 2 && (ctx.capture?.handshakes.firstReply.none ?? 0) === 0 && !acceptQueueExplains;
    if (!doCookies && !sent && !captureSign) return null;
    const evidence: EvidenceItem[] = [];
    const conflicts: string[] = [];
    if (!doCookies && !sent) {
      // Capture only: a flood shows, but not whether cookies or a roomy queue answered it.
      evidence.push(captureItem(`${grouped(halfOpen)} half-open attempts: SYN-ACK retransmitted, never acknowledged, SYN never retried (flood-like); every SYN still answered`, halfOpen));
      evidence.push(...spoofedSourcesEvidence(ctx));
      return finding(this, ctx, {
        confidence: 0.45,
        summary: "A SYN flood (or clients that never complete the handshake) fills the SYN queue, but every SYN is still answered",
        evidence,
        fix: [fix("confirm with the counters: nstat -az TcpExtTCPReqQFullDoCookies TcpExtSyncookiesSent", null, null)],
      });
    }
    if (doCookies) evidence.push(counterItem(doCookies, "SYN queue full, cookies sent instead"));
    evidence.push(...counterItems(sent, rise(ctx, "TcpExtSyncookiesRecv"), rise(ctx, "TcpExtSyncookiesFailed")));
    let confidence = doCookies && sent ? 0.8 : 0.6;
    if ((doCookies ?? sent)?.over === "boot") confidence -= 0.3;
    const mode = sysctlNumber(ctx, "net.ipv4.tcp_syncookies");
    if (mode !== null) evidence.push(sysctlItem("net.ipv4.tcp_syncookies", String(mode)));
    if (mode === 2) {
      conflicts.push("tcp_syncookies=2 sends a cookie for every SYN and counts each in TCPReqQFullDoCookies: not a sign of a full queue");
      confidence = 0.25;
    }
    if (!ctx.logSinceBoot) for (const e of logs.slice(0, 2)) evidence.push(logItem(e));
    return finding(this, ctx, {
      confidence,
      summary: "The SYN queue is saturated and the kernel answers with SYN cookies: connections still work, but something floods the listener (or its backlog is too small)",
      evidence,
      conflicts,
      fix: [
        fix("find the flood source: ss -tan state syn-recv; count SYN sources in a capture", null, "spoofed sources never complete the handshake"),
        fix("raise the application's listen() backlog and net.core.somaxconn (the SYN queue size on ≥ 4.4)", "the application's configuration", null),
        sysctlFix("net.ipv4.tcp_syncookies", "1", "keep cookies on; old kernels lose window scaling/SACK on cookie connections"),
      ],
    });
  },
};
