/**
 * accept-queue-overflow (causes.md; linux-syn-path.md §2.12 G2, §3, §12b): ListenOverflows ≈ ListenDrops,
 * ss Recv-Q > Send-Q on the port. With tcp_abort_on_overflow=1 the final ACK gets an RST (EmbryonicRsts,
 * there is no TCPAbortOnOverflow counter).
 */
import { atLeast } from "../../kernel/index.js";
import { amountOf, listenersOnPort, rise, rose, sysctl, sysctlNumber, type RuleContext } from "../context.js";
import { counterItem, counterItems, finding, fix, listenerItem, sysctlFix, sysctlItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { allAnsweredConflict, silentEvidence } from "./common.js";
import { grouped } from "../../util/number-text.js";

export const acceptQueueOverflow: Rule = {
  code: "accept-queue-overflow",
  kind: "cause",
  kernels: "all; ≥ 4.10 drops the SYN itself, older kernels answer it and ignore the final ACK",
  evaluate(ctx: RuleContext): Finding | null {
    const overflows = rose(ctx, "TcpExtListenOverflows");
    const full = listenersOnPort(ctx).filter((l) => l.sendQ !== null && l.recvQ > l.sendQ);
    if (!overflows && full.length === 0) return null;

    const evidence: EvidenceItem[] = [];
    const conflicts: string[] = [];
    let confidence: number;
    if (overflows) {
      const drops = rise(ctx, "TcpExtListenDrops");
      evidence.push(counterItem(overflows, "accept queue full"));
      if (drops) evidence.push(counterItem(drops));
      confidence = overflows.over === "window" ? 0.8 : 0.5;
      // ListenDrops is the superset; equal rises mean every listener drop was an overflow.
      if (drops && drops.amount > 0 && overflows.amount >= 0.8 * drops.amount) confidence += 0.1;
      if (full.length > 0) confidence += 0.08;
    } else {
      // A full queue in one ss snapshot without a counter to show that SYNs hit it.
      confidence = 0.45;
      const counter = rise(ctx, "TcpExtListenOverflows");
      if (counter && counter.over === "window" && counter.amount === 0) {
        conflicts.push("TcpExtListenOverflows did not rise over the window: the queue was full but no SYN or ACK arrived while it was");
        confidence = 0.3;
      }
    }
    for (const l of full) evidence.push(listenerItem(l, `queue full (Recv-Q > Send-Q: it holds backlog + 1)`));
    for (const l of listenersOnPort(ctx).filter((x) => !full.includes(x)).slice(0, 2)) evidence.push(listenerItem(l));

    const abort = sysctlNumber(ctx, "net.ipv4.tcp_abort_on_overflow") === 1;
    if (abort) {
      evidence.push(sysctlItem("net.ipv4.tcp_abort_on_overflow", "1", "the final ACK is answered with RST"));
      evidence.push(...counterItems(rose(ctx, "TcpExtEmbryonicRsts"), rose(ctx, "TcpOutRsts")));
    }
    const somaxconn = sysctl(ctx, "net.core.somaxconn");
    if (somaxconn !== null) evidence.push(sysctlItem("net.core.somaxconn", somaxconn, "caps every listen() backlog"));
    evidence.push(...silentEvidence(ctx));
    // A third-ACK overflow (old kernels, races, abort_on_overflow) leaves every SYN answered: no conflict then.
    const thirdAck = abort || (ctx.capture?.handshakes.synackRetransmits ?? 0) > 0;
    conflicts.push(...(overflows && !thirdAck ? allAnsweredConflict(ctx) : []));
    if (conflicts.length > 0 && overflows) confidence -= 0.15;

    const oldKernel = ctx.kernel !== null && !atLeast(ctx.kernel.version, 4, 10);
    const backlog = full[0]?.sendQ ?? listenersOnPort(ctx)[0]?.sendQ ?? null;
    const summary =
      `The listen queue${ctx.port === null ? "" : ` of port ${ctx.port}`} overflowed: the application does not accept() fast enough` +
      (backlog !== null ? ` (backlog ${backlog})` : "") +
      (oldKernel ? "; on this kernel SYNs are still answered and the final ACK is ignored" : "; new SYNs are dropped") +
      (abort ? ", and completed handshakes are reset (tcp_abort_on_overflow=1)" : "") +
      ` (${grouped(amountOf(ctx, "TcpExtListenOverflows"))} overflows)`;
    return finding(this, ctx, {
      confidence,
      summary,
      evidence,
      conflicts,
      fix: [
        fix("accept faster: more workers/threads, or a shorter accept loop", null, "the root cause is the application's accept rate"),
        fix("raise the backlog in the application's listen() call (e.g. nginx `listen … backlog=4096`)", "the application's configuration", "the kernel caps it at net.core.somaxconn"),
        sysctlFix("net.core.somaxconn", "4096", "raise together with the application's backlog; the listener must be reopened to take effect"),
        ...(abort ? [sysctlFix("net.ipv4.tcp_abort_on_overflow", "0", "with 1, clients see resets instead of a late success")] : []),
      ],
    });
  },
};
