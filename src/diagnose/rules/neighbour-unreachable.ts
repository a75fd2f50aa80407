/**
 * neighbour-unreachable (causes.md; linux-syn-path.md §12b): the SYN-ACK's next hop does not answer ARP/ND;
 * SYN-ACKs wait in the neighbour queue and are never sent: ARP who-has repeated, no SYN-ACK on the wire,
 * TCPSynRetrans rising, SYN-RECV sockets, `ip neigh` INCOMPLETE/FAILED.
 */
import { amountOf, rise, socketsInState, type RuleContext } from "../context.js";
import { routeTo, unresolvedNeighbours } from "../../evidence/ip-route-neigh.js";
import { captureItem, counterItems, finding, fix, socketCountItem, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { silentEvidence } from "./common.js";
import { grouped } from "../../util/number-text.js";

export const neighbourUnreachable: Rule = {
  code: "neighbour-unreachable",
  kind: "cause",
  kernels: "all",
  evaluate(ctx: RuleContext): Finding | null {
    const arp = (ctx.capture?.signals.arpUnanswered ?? []).filter((a) => a.requests >= 2);
    const failed = ctx.net?.neighbours ? unresolvedNeighbours(ctx.net.neighbours) : [];
    const synRetrans = amountOf(ctx, "TcpExtTCPSynRetrans");
    const synRecv = socketsInState(ctx, "SYN-RECV") ?? 0;
    const captureSilent = (ctx.capture?.handshakes.firstReply.none ?? 0) > 0;
    const synacksSeen = (ctx.capture?.handshakes.firstReply.synack ?? 0) > 0;
    const captureSign = arp.length > 0 && captureSilent;
    const hostSign = failed.length > 0 && (synRetrans > 0 || synRecv > 0);
    if (!captureSign && !hostSign) return null;

    const evidence: EvidenceItem[] = [];
    const conflicts: string[] = [];
    let confidence = 0;
    if (captureSign) {
      for (const a of arp.slice(0, 3)) evidence.push(captureItem(`ARP who-has ${a.target} asked ${grouped(a.requests)} times without a reply`, a.requests));
      confidence = 0.7;
      if (synacksSeen) {
        conflicts.push("some SYN-ACKs did leave: the unanswered ARP may concern another next hop");
        confidence -= 0.2;
      }
    }
    if (failed.length > 0) {
      const routes = ctx.net?.routes ?? null;
      const gateways = new Set(routes ? routes.flatMap((r) => (r.via ? [r.via] : [])) : []);
      const clients = (ctx.capture?.attempts ?? []).map((a) => a.client);
      const onPath = failed.filter((n) => gateways.has(n.addr) || clients.includes(n.addr) || (routes !== null && clients.some((c) => routeTo(routes, c)?.via === n.addr)));
      for (const n of (onPath.length > 0 ? onPath : failed).slice(0, 3)) {
        evidence.push({ source: "kernel", detail: `ip neigh: ${n.line.trim()}${gateways.has(n.addr) ? " (a gateway of the routing table)" : ""}`, file: ctx.net?.neighFile ?? null, version: null });
      }
      confidence = Math.max(confidence, onPath.length > 0 ? 0.8 : 0.6) + (captureSign ? 0.15 : 0);
    }
    evidence.push(...counterItems(rise(ctx, "TcpExtTCPSynRetrans")));
    if (synRecv > 0) evidence.push(socketCountItem("SYN-RECV", synRecv, ctx.port, "requests waiting for an ACK that cannot come"));
    evidence.push(...silentEvidence(ctx));
    return finding(this, ctx, {
      confidence,
      summary: "The SYN-ACK's next hop does not answer ARP: SYN-ACKs wait in the neighbour queue and never leave the server",
      evidence,
      conflicts,
      fix: [fix("fix the gateway / neighbour: check it is up and on the same L2 segment (ip neigh show; arping -I IFACE GATEWAY)", "the network configuration", null)],
    });
  },
};
