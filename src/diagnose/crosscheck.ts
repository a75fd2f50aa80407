/**
 * Cross-check: unanswered SYN transmissions in the capture against the counters that count a silently
 * dropped SYN on this kernel (linux-syn-path.md §7, §12b). A SYN dropped before TCP (firewall, conntrack)
 * moves none of them, so "counters lower" points there.
 */
import { attemptsOnPort, hasDeltas, rise, type RuleContext } from "./context.js";
import type { CrossCheck } from "./types.js";
import { grouped } from "../util/number-text.js";

/** Counters that rise once per SYN dropped without a reply (ListenDrops already includes the listener drops). */
const DROP_COUNTERS = ["TcpExtListenDrops", "TcpExtIPReversePathFilter", "TcpInCsumErrors", "TcpExtTCPMinTTLDrop", "TcpExtTCPMD5NotFound", "TcpExtTCPMD5Unexpected", "TcpExtTCPMD5Failure"];

export function crossCheck(ctx: RuleContext): CrossCheck | null {
  if (!ctx.capture || !hasDeltas(ctx)) return null;
  const silent = attemptsOnPort(ctx).filter((a) => a.firstReply === "none");
  // Every SYN the server let pass without a reply, retries that were answered later included (the attempt list
  // is capped, the listener tallies are not).
  const unansweredSyns = (ctx.capture.listeners ?? []).filter((l) => ctx.port === null || l.port === ctx.port).reduce((n, l) => n + l.synsWithoutReply, 0);
  const counters: Record<string, number> = {};
  let total = 0;
  for (const name of DROP_COUNTERS) {
    const r = rise(ctx, name);
    if (r === null || r.over !== "window" || r.amount <= 0) continue;
    counters[name] = r.amount;
    total += r.amount;
  }
  const tolerance = Math.max(1, Math.round(0.1 * Math.max(unansweredSyns, total)));
  let agreement: CrossCheck["agreement"];
  let detail: string;
  if (unansweredSyns === 0 && total === 0) {
    agreement = "no-drops";
    detail = "no unanswered SYN in the capture and no drop counter moved";
  } else if (unansweredSyns > 0 && total > 0 && Math.abs(unansweredSyns - total) <= tolerance) {
    agreement = "match";
    detail = `${grouped(unansweredSyns)} unanswered SYN transmissions in the capture, ${grouped(total)} counted as dropped by the kernel: the counters account for them`;
  } else if (total < unansweredSyns) {
    agreement = "counters-lower";
    detail = `${grouped(unansweredSyns)} unanswered SYN transmissions but only ${grouped(total)} counted by TCP: ${grouped(unansweredSyns - total)} were dropped before TCP (firewall, conntrack) or outside the counter window`;
  } else {
    agreement = "counters-higher";
    detail = `${grouped(total)} SYNs counted as dropped but only ${grouped(unansweredSyns)} unanswered in the capture: drops on other ports, interfaces or times`;
  }
  return { unansweredAttempts: silent.length, unansweredSyns, dropCounterDelta: total, counters, agreement, detail };
}
