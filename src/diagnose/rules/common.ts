/** Evidence pieces several rules share: the capture's unanswered SYNs, the capture's verdict on the port. */
import type { AttemptRecord } from "../../handshakes/analysis-types.js";
import { attemptsOnPort, captureCounts, type RuleContext } from "../context.js";
import { captureItem, packetItems } from "../rule.js";
import type { EvidenceItem } from "../types.js";
import { grouped } from "../../util/number-text.js";

/** Kept attempts whose first reply was nothing. */
export function silentRecords(ctx: RuleContext): AttemptRecord[] {
  return attemptsOnPort(ctx).filter((a) => a.firstReply === "none");
}

function transmissions(a: AttemptRecord): string {
  return a.syns === 1 ? "no answer" : `no answer to ${a.syns} transmissions`;
}

/** "N of M attempts got no reply at all" plus example packets; empty when the capture shows none. */
export function silentEvidence(ctx: RuleContext): EvidenceItem[] {
  const counts = captureCounts(ctx);
  if (!counts || counts.firstReply.none === 0) return [];
  return [
    captureItem(`${grouped(counts.firstReply.none)} of ${grouped(counts.attempts)} SYN attempts got no reply at all`, counts.firstReply.none, counts.attempts),
    ...packetItems(silentRecords(ctx), transmissions),
  ];
}

/** Conflict line when the capture shows every attempt answered with a SYN-ACK (a drop cause then did not bite here). */
export function allAnsweredConflict(ctx: RuleContext): string[] {
  const counts = captureCounts(ctx);
  if (!counts || counts.attempts === 0) return [];
  if (counts.firstReply.synack === counts.attempts) {
    return [`the capture shows all ${grouped(counts.attempts)} attempts${ctx.port === null ? "" : ` to port ${ctx.port}`} answered with a SYN-ACK; the counters are host-wide and may concern another port or another time`];
  }
  return [];
}

/** True when the capture exists and shows silent (unanswered) attempts. */
export function captureShowsSilence(ctx: RuleContext): boolean {
  return (captureCounts(ctx)?.firstReply.none ?? 0) > 0;
}

/**
 * "N attempts from about M distinct addresses" when nearly every attempt has an address of its own (at least half as
 * many addresses as attempts, and a thousand of them): what a flood from spoofed sources looks like, and what the
 * per-address figures cannot show once they stop at the first 200 000. Empty otherwise. Capture-wide, not per port.
 */
export function spoofedSourcesEvidence(ctx: RuleContext): EvidenceItem[] {
  const capture = ctx.capture;
  if (!capture) return [];
  const { count, estimated } = capture.sourceAddresses;
  const attempts = capture.handshakes.attempts;
  if (count < 1000 || count * 2 < attempts) return [];
  return [captureItem(`${grouped(attempts)} SYN attempts came from ${estimated ? "about " : ""}${grouped(count)} distinct addresses: spoofed sources look like this`, count, attempts)];
}

/**
 * Half-open attempts on the port (ListenerSummary.halfOpen): the server answered and retransmitted its SYN-ACK,
 * but the client neither completed the handshake nor retried its SYN (spoofed or flooding sources; a real client
 * that lost the SYN-ACK retries). Counted over the whole capture, not over the attempts kept as records.
 */
export function halfOpenCount(ctx: RuleContext): number {
  return (ctx.capture?.listeners ?? []).filter((l) => ctx.port === null || l.port === ctx.port).reduce((n, l) => n + l.halfOpen, 0);
}
