/**
 * Risk timestamps-disabled: tcp_timestamps=0 on the server, or clients' SYNs without timestamps. Without
 * them TIME_WAIT collisions are decided by sequence numbers and leave no counter (§2.8, §9B).
 */
import { sysctlNumber, type RuleContext } from "../context.js";
import { captureItem, finding, sysctlFix, sysctlItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { grouped } from "../../util/number-text.js";

export const timestampsDisabled: Rule = {
  code: "timestamps-disabled",
  kind: "risk",
  kernels: "all",
  evaluate(ctx: RuleContext): Finding | null {
    const server = sysctlNumber(ctx, "net.ipv4.tcp_timestamps");
    const signals = ctx.capture?.signals;
    const syns = ctx.capture?.handshakes.attempts ?? 0;
    const clientsOff = signals !== undefined && syns >= 3 && signals.synWithTimestamps === 0;
    if (server !== 0 && !clientsOff) return null;
    const evidence: EvidenceItem[] = [];
    if (server === 0) evidence.push(sysctlItem("net.ipv4.tcp_timestamps", "0"));
    if (clientsOff) evidence.push(captureItem(`none of ${grouped(syns)} SYNs carries a timestamp option`, 0, syns));
    return finding(this, ctx, {
      confidence: 0.7,
      summary: `${server === 0 ? "The server" : "The clients"} run without TCP timestamps: no PAWS, no RTT samples per ACK, and TIME_WAIT collisions leave no counter`,
      evidence,
      port: null,
      fix: server === 0 ? [sysctlFix("net.ipv4.tcp_timestamps", "1")] : [],
    });
  },
};
