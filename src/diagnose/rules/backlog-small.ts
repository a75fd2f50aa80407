/**
 * Risk backlog-small (causes.md): effective backlog B = min(listen() backlog, somaxconn), shown as Send-Q of
 * the listener, far below the SYN rate × accept latency. The accept latency is unknown; 100 ms is assumed.
 */
import { listenersOnPort, sysctlNumber, type RuleContext } from "../context.js";
import { captureItem, finding, fix, listenerItem, sysctlItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";

const ASSUMED_ACCEPT_LATENCY_S = 0.1;

export const backlogSmall: Rule = {
  code: "backlog-small",
  kind: "risk",
  kernels: "all; somaxconn default 128 before 5.4, 4096 since",
  evaluate(ctx: RuleContext): Finding | null {
    if (ctx.port === null) return null;
    const listeners = listenersOnPort(ctx).filter((l) => l.sendQ !== null);
    const smallest = listeners.sort((a, b) => (a.sendQ ?? 0) - (b.sendQ ?? 0))[0];
    if (!smallest || smallest.sendQ === null) return null;
    const b = smallest.sendQ;
    const range = ctx.capture?.timeRange;
    const attempts = ctx.capture?.handshakes.attempts ?? 0;
    const seconds = range && range.first !== null && range.last !== null ? (range.last - range.first) / 1e6 : 0;
    const rate = seconds >= 1 && attempts / seconds >= 1 ? attempts / seconds : null;
    const needed = rate === null ? null : rate * ASSUMED_ACCEPT_LATENCY_S;
    const somaxconn = sysctlNumber(ctx, "net.core.somaxconn");
    const tooSmall = (needed !== null && b < needed / 2) || b < 16 || smallest.recvQ > b;
    if (!tooSmall) return null;
    const evidence: EvidenceItem[] = [listenerItem(smallest, `effective backlog ${b}`)];
    if (somaxconn !== null) evidence.push(sysctlItem("net.core.somaxconn", String(somaxconn), somaxconn === b ? "the backlog is capped here" : ""));
    if (rate !== null) evidence.push(captureItem(`${rate.toFixed(1)} SYNs per second on average in the capture`, Math.round(rate)));
    return finding(this, ctx, {
      confidence: smallest.recvQ > b ? 0.8 : 0.55,
      summary: `The effective listen backlog of port ${ctx.port} is ${b}${needed !== null ? `, small for ${rate?.toFixed(0)} SYNs/s` : ""}: a short stall in accept() overflows it`,
      evidence,
      fix: [fix("raise the application's listen() backlog and net.core.somaxconn together", "the application's configuration and /etc/sysctl.d/", null)],
    });
  },
};
