/**
 * no-listener (causes.md; linux-syn-path.md §2.7, §12b): nothing listens on the port, or only on another
 * address (127.0.0.1): SYN → RST/ACK, TcpOutRsts rises. A REJECT rule with tcp-reset looks the same on the wire.
 */
import { rulesMatchingPort } from "../../evidence/index.js";
import { attemptsOnPort, captureCounts, isLoopback, isWildcard, listenersOnPort, rose, type RuleContext } from "../context.js";
import { captureItem, counterItem, finding, fix, listenerItem, packetItems, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { grouped } from "../../util/number-text.js";

export const noListener: Rule = {
  code: "no-listener",
  kind: "cause",
  kernels: "all",
  evaluate(ctx: RuleContext): Finding | null {
    const counts = captureCounts(ctx);
    const rstFirst = counts?.firstReply.rst ?? 0;
    const outRsts = rose(ctx, "TcpOutRsts");
    const hasSockets = ctx.host !== null && (ctx.host.listeners.length > 0 || Object.keys(ctx.host.socketStates).length > 0 || ctx.host.files.some((f) => f.kind === "ss-ltn" || f.kind === "ss-tan" || f.kind === "proc-net-tcp"));
    const listeners = listenersOnPort(ctx);
    const serverAddrs = new Set(attemptsOnPort(ctx).map((a) => a.server));
    const covering = listeners.filter((l) => isWildcard(l.addr) || serverAddrs.has(l.addr) || (serverAddrs.size === 0 && !isLoopback(l.addr)));
    const noneOnPort = hasSockets && ctx.port !== null && covering.length === 0;
    if (rstFirst === 0 && !noneOnPort) return null;

    const evidence: EvidenceItem[] = [];
    const conflicts: string[] = [];
    let confidence: number;
    if (rstFirst > 0 && counts) {
      evidence.push(captureItem(`${grouped(rstFirst)} of ${grouped(counts.attempts)} SYNs were answered with RST`, rstFirst, counts.attempts));
      evidence.push(...packetItems(attemptsOnPort(ctx).filter((a) => a.firstReply === "rst"), () => "RST/ACK"));
    }
    if (noneOnPort) {
      const elsewhere = listeners.filter((l) => !covering.includes(l));
      for (const l of elsewhere) evidence.push(listenerItem(l, `bound to ${l.addr} only`));
      if (elsewhere.length === 0) evidence.push({ source: "socket", detail: `no LISTEN socket on port ${ctx.port} in the socket list`, file: null, local: null, state: "LISTEN", recvQ: null, sendQ: null, count: 0 });
      confidence = rstFirst > 0 ? 0.95 : outRsts ? 0.85 : 0.6;
    } else if (hasSockets && ctx.port !== null) {
      // A listener covers the address: RSTs come from something else (REJECT rule, a reset after handshake).
      for (const l of covering.slice(0, 2)) evidence.push(listenerItem(l, "a listener exists"));
      conflicts.push(`a listener covers port ${ctx.port}: the RSTs come from elsewhere (a REJECT rule, a middlebox)`);
      confidence = 0.15;
    } else {
      // Capture only: a netfilter REJECT with tcp-reset sends the same RST/ACK (§2.2).
      conflicts.push("without the server's socket list this RST could also come from a firewall REJECT rule (tcp-reset)");
      confidence = 0.45;
    }
    if (outRsts) evidence.push(counterItem(outRsts, "RSTs sent by TCP (a REJECT rule's RST is not counted here)"));
    if (ctx.host && ctx.port !== null) {
      const rejects = rulesMatchingPort(ctx.host, ctx.port).filter((m) => m.rule.verdict === "reject" && (m.rule.packetsDelta ?? 0) > 0);
      if (rejects.length > 0) {
        conflicts.push("a REJECT rule matching the port counted packets: the RSTs may be the firewall's");
        confidence -= 0.4;
      }
    }
    return finding(this, ctx, {
      confidence,
      summary: noneOnPort
        ? `Nothing listens on port ${ctx.port}${listeners.length > 0 ? ` on the address the clients use (only ${listeners.map((l) => l.local).join(", ")})` : ""}: the kernel answers SYNs with RST`
        : "SYNs are answered with RST: no socket listens on the port (or a REJECT rule answers for it)",
      evidence,
      conflicts,
      fix: [fix("start the service, or fix its bind address (0.0.0.0 / the service address instead of 127.0.0.1)", "the service's unit/configuration", null)],
    });
  },
};
