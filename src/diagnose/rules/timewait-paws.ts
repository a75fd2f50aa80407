/**
 * timewait-paws (causes.md with §13 correction 2; linux-syn-path.md §2.8, §9B): a SYN lands on a 4-tuple the
 * server holds in TIME_WAIT with an older TSval (or, without timestamps, an old sequence number): bare ACK,
 * client RST, retried SYN. Counter PAWSTimewait on ≥ 6.16, PAWSEstab before; none when the SYN has no TS.
 */
import { attemptsOnPort, captureCounts, rose, socketsInState, sysctlNumber, type RuleContext } from "../context.js";
import { captureItem, counterItem, finding, fix, packetItems, socketCountItem, sysctlItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { grouped } from "../../util/number-text.js";

export const timewaitPaws: Rule = {
  code: "timewait-paws",
  kind: "cause",
  kernels: "all; counter TcpExtPAWSTimewait on ≥ 6.16, TcpExtPAWSEstab before; no counter for SYNs without timestamps",
  evaluate(ctx: RuleContext): Finding | null {
    const counts = captureCounts(ctx);
    const bareAck = counts?.firstReply.ack ?? 0;
    const signals = ctx.capture?.signals;
    const rstAfterAck = signals?.clientRstAfterBareAck ?? 0;
    const onClosedTuple = signals?.synOnServerClosedTuple ?? 0;
    // Without a known kernel, whichever PAWS counter the evidence has.
    const counterName = ctx.kernel?.behaviour.twPawsCounter ?? (ctx.host?.counters["TcpExtPAWSTimewait"] !== undefined ? "TcpExtPAWSTimewait" : "TcpExtPAWSEstab");
    const paws = rose(ctx, counterName);
    const timeWait = socketsInState(ctx, "TIME-WAIT");
    const captureSign = bareAck > 0 && (rstAfterAck > 0 || onClosedTuple > 0);
    const unambiguousCounter = paws !== null && counterName === "TcpExtPAWSTimewait";
    if (!captureSign && !paws) return null;

    const evidence: EvidenceItem[] = [];
    const conflicts: string[] = [];
    let confidence = 0;
    if (captureSign && counts) {
      const acked = attemptsOnPort(ctx).filter((a) => a.firstReply === "ack");
      evidence.push(captureItem(`${grouped(bareAck)} of ${grouped(counts.attempts)} SYNs were answered with a bare ACK (a TIME_WAIT socket's reply)`, bareAck, counts.attempts));
      if (rstAfterAck > 0) evidence.push(captureItem(`${grouped(rstAfterAck)} times the client reset after that ACK and retried`, rstAfterAck));
      if (onClosedTuple > 0) evidence.push(captureItem(`${grouped(onClosedTuple)} SYNs reused a 4-tuple the server had closed first less than 60 s before (NAT port reuse)`, onClosedTuple));
      evidence.push(...packetItems(acked, (a) => `bare ACK${a.replyTsEcr !== null ? ` with TSecr ${a.replyTsEcr} (the old connection's TSval)` : ""}${a.clientRstAfterAck ? ", client RST, SYN retried" : ""}`));
      confidence = rstAfterAck > 0 && onClosedTuple > 0 ? 0.9 : 0.8;
    }
    if (paws) {
      evidence.push(counterItem(paws, counterName === "TcpExtPAWSTimewait" ? "SYNs rejected by a TIME_WAIT socket's PAWS check" : "PAWS rejects (TIME_WAIT SYNs among others on < 6.16)"));
      if (unambiguousCounter) confidence = captureSign ? confidence + 0.07 : paws.over === "window" ? 0.85 : 0.6;
      else if (timeWait !== null && timeWait > 0) confidence = captureSign ? confidence + 0.05 : paws.over === "window" ? 0.6 : 0.4;
      else confidence = captureSign ? confidence : 0.35;
    }
    if (timeWait !== null && timeWait > 0) evidence.push(socketCountItem("TIME-WAIT", timeWait, ctx.port, "the server closes first and holds TIME_WAIT"));
    if (captureSign && paws === null && (ctx.capture?.signals.synWithTimestamps ?? 1) === 0) {
      evidence.push(captureItem("the SYNs carry no timestamps: the sequence-number check rejected them and no counter moves", 0));
    }
    const rfc1337 = sysctlNumber(ctx, "net.ipv4.tcp_rfc1337");
    if (rfc1337 === 1) evidence.push(sysctlItem("net.ipv4.tcp_rfc1337", "1", "the client's RST does not clear TIME_WAIT: connections fail"));
    return finding(this, ctx, {
      confidence,
      summary:
        "New SYNs hit 4-tuples the server still holds in TIME_WAIT (a NAT reused the source port) with an older timestamp: the server answers with a bare ACK, the client resets and retries" +
        (rfc1337 === 1 ? "; with tcp_rfc1337=1 they fail" : " (10 ms later on Linux ≥ 5.6 clients, about 1 s on others)"),
      evidence,
      conflicts,
      fix: [
        fix("let clients close first, or keep connections alive (HTTP keep-alive, connection pools)", "the application's configuration", "the side that closes first holds TIME_WAIT"),
        fix("widen the NAT's source-port range and make it hold closed flows ≥ 60 s before reusing a port", "the NAT/load balancer configuration", null),
        fix("keep net.ipv4.tcp_timestamps=1 on both sides", null, "without timestamps the collisions still happen but leave no counter"),
      ],
    });
  },
};
