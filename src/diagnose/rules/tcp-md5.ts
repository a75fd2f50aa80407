/**
 * tcp-md5 (causes.md; linux-syn-path.md §2.10): the listener holds a TCP-MD5 key for the peer and the SYN
 * lacks the option (or carries a wrong one): discarded silently (TCPMD5NotFound/Unexpected/Failure).
 */
import { rose, type RuleContext } from "../context.js";
import { captureItem, counterItem, finding, fix, logItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { captureShowsSilence, silentEvidence } from "./common.js";
import { grouped } from "../../util/number-text.js";

export const tcpMd5: Rule = {
  code: "tcp-md5",
  kind: "cause",
  kernels: "all (TCPMD5Failure ≥ 5.13)",
  evaluate(ctx: RuleContext): Finding | null {
    const rises = ["TcpExtTCPMD5NotFound", "TcpExtTCPMD5Unexpected", "TcpExtTCPMD5Failure"].map((n) => rose(ctx, n)).filter((r) => r !== null);
    const logs = ctx.logSinceBoot ? [] : ctx.logEvents.filter((e) => e.kind === "md5-not-found");
    const withMd5 = ctx.capture?.signals.synWithMd5 ?? 0;
    if (rises.length === 0 && logs.length === 0) {
      // Capture only: SYNs with an MD5 option that nobody answers hint at a key mismatch, weakly.
      if (withMd5 === 0 || !captureShowsSilence(ctx)) return null;
    }
    const evidence: EvidenceItem[] = rises.map((r) => counterItem(r, "SYNs discarded by the TCP-MD5 check"));
    evidence.push(...logs.slice(0, 2).map(logItem));
    let confidence = rises.some((r) => r.over === "window") ? 0.9 : rises.length > 0 ? 0.5 : logs.length > 0 ? 0.6 : 0.35;
    const signals = ctx.capture?.signals;
    if (signals && signals.synChecksumChecked > 0) {
      evidence.push(captureItem(withMd5 === 0 ? "the SYNs carry no MD5 option (kind 19)" : `${grouped(withMd5)} SYNs carry an MD5 option (kind 19): the keys differ`, withMd5));
      if (captureShowsSilence(ctx) && rises.length > 0) confidence += 0.05;
    }
    evidence.push(...silentEvidence(ctx));
    return finding(this, ctx, {
      confidence,
      summary: "The listener has a TCP-MD5 key (RFC 2385) for the client's address and the SYNs do not carry a matching signature: the kernel discards them silently",
      evidence,
      fix: [fix("configure the same MD5 key on both sides (e.g. the BGP neighbour's password), or remove it from the listener", "the application's configuration (bird/frr/…)", null)],
    });
  },
};
