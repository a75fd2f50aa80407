/**
 * synack-lost (causes.md; linux-syn-path.md §2.14): the server sends SYN-ACKs but the client never gets them.
 * Server capture: SYN-ACK retransmitted while the client retransmits its SYN; client capture: no SYN-ACK.
 * Host: TCPSynRetrans and SYN-RECV sockets with no listener drops and the neighbour resolved.
 */
import { amountOf, attemptsOnPort, rise, socketsInState, type RuleContext } from "../context.js";
import { unresolvedNeighbours } from "../../evidence/ip-route-neigh.js";
import { captureItem, counterItems, finding, fix, packetItems, socketCountItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { grouped } from "../../util/number-text.js";

export const synackLost: Rule = {
  code: "synack-lost",
  kind: "cause",
  kernels: "all",
  evaluate(ctx: RuleContext): Finding | null {
    // An attempt the server answered while the client kept sending its SYN: the SYN-ACK did not arrive.
    // The SYN retransmitted after the first SYN-ACK left (not before: that is a drop, then an answer).
    const lost = attemptsOnPort(ctx).filter((a) => a.firstReply === "synack" && a.synacks >= 2 && a.firstReplyAt !== null && a.lastSyn > a.firstReplyAt);
    const clientSilent = new Set((ctx.clientCapture?.attempts ?? []).filter((a) => a.firstReply === "none").map((a) => `${a.client}:${a.clientPort}`));
    const confirmed = lost.filter((a) => clientSilent.has(`${a.client}:${a.clientPort}`));
    const synRetrans = rise(ctx, "TcpExtTCPSynRetrans");
    const synRecv = socketsInState(ctx, "SYN-RECV") ?? 0;
    const drops = amountOf(ctx, "TcpExtListenDrops") + amountOf(ctx, "TcpExtTCPReqQFullDoCookies");
    const neighbours = ctx.net?.neighbours ?? null;
    const neighbourTrouble = neighbours !== null && unresolvedNeighbours(neighbours).length > 0;
    const hostSign = synRetrans !== null && synRetrans.over === "window" && synRetrans.amount > 0 && synRecv > 0 && drops === 0;
    if (lost.length === 0 && !hostSign) return null;

    const evidence: EvidenceItem[] = [];
    const conflicts: string[] = [];
    let confidence = 0;
    if (lost.length > 0) {
      evidence.push(captureItem(`${grouped(lost.length)} attempts: the server sent and retransmitted its SYN-ACK while the client kept retransmitting its SYN`, lost.length));
      evidence.push(...packetItems(lost, (a) => `${a.synacks} SYN-ACKs sent, ${a.syns} SYNs received`));
      confidence = 0.72;
      if (confirmed.length > 0) {
        evidence.push(captureItem(`the client capture shows no SYN-ACK for ${grouped(confirmed.length)} of them`, confirmed.length, lost.length));
        confidence = 0.95;
      }
    }
    if (hostSign) {
      evidence.push(...counterItems(synRetrans));
      evidence.push(socketCountItem("SYN-RECV", synRecv, ctx.port, "requests waiting for the client's ACK"));
      if (lost.length === 0) {
        confidence = neighbours !== null && !neighbourTrouble ? 0.6 : 0.4;
        if (neighbours === null) conflicts.push("without `ip neigh` an unresolved next hop (neighbour-unreachable) looks the same in the counters");
      } else confidence += 0.03;
    }
    if (neighbourTrouble) {
      conflicts.push("ip neigh shows an unresolved neighbour: the SYN-ACKs may never have left the server");
      confidence -= 0.35;
    }
    return finding(this, ctx, {
      confidence,
      summary: "The server answers with SYN-ACKs but the client never receives them: the return path loses them (asymmetric routing, a middlebox, a firewall on the way back)",
      evidence,
      conflicts,
      fix: [
        fix("follow the return path: capture on the client and on each hop back (tcpdump 'tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)')", null, null),
        fix("check stateful firewalls and asymmetric routes between server and client (ip route get CLIENT_ADDR)", "the network's configuration", null),
      ],
    });
  },
};
