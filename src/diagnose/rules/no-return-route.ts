/**
 * no-return-route (causes.md; linux-syn-path.md §2.12 G5, §12b): the SYN reaches the listener but the reply
 * route lookup fails, so no SYN-ACK is sent: ListenDrops rises without ListenOverflows/ReqQFullDrop/PAWSPassive.
 * Lab finding: on 6.18 IpOutNoRoutes does not move for it (causes.md expects it to).
 */
import { amountOf, attemptsOnPort, rise, rose, socketsInState, sysctlNumber, type RuleContext } from "../context.js";
import { routeTo } from "../../evidence/ip-route-neigh.js";
import { counterItem, counterItems, finding, fix, type Rule } from "../rule.js";
import type { EvidenceItem, Finding } from "../types.js";
import { silentEvidence } from "./common.js";
import { grouped } from "../../util/number-text.js";

export const noReturnRoute: Rule = {
  code: "no-return-route",
  kind: "cause",
  kernels: "all",
  evaluate(ctx: RuleContext): Finding | null {
    const drops = rose(ctx, "TcpExtListenDrops");
    const noRoutes = rose(ctx, "IpOutNoRoutes");
    if (!drops || drops.over !== "window") return null;
    const residual = drops.amount - amountOf(ctx, "TcpExtListenOverflows") - amountOf(ctx, "TcpExtTCPReqQFullDrop") - amountOf(ctx, "TcpExtPAWSPassive");
    if (residual <= 0) return null;
    const evidence: EvidenceItem[] = [counterItem(drops, `${grouped(residual)} listener drops not explained by a full queue or PAWS`)];
    evidence.push(...counterItems(rise(ctx, "TcpExtListenOverflows"), rise(ctx, "TcpExtTCPReqQFullDrop")));
    const conflicts: string[] = [];
    let confidence = 0.5;
    if (noRoutes) {
      evidence.push(counterItem(noRoutes, "no route for outgoing packets"));
      confidence += 0.3;
    }
    const routes = ctx.net?.routes ?? null;
    const clients = [...new Set(attemptsOnPort(ctx).filter((a) => a.firstReply === "none").map((a) => a.client))];
    if (routes !== null) {
      const unrouted = clients.filter((c) => routeTo(routes, c) === null);
      const hasDefault = routes.some((r) => r.dest === "default" && r.type === "unicast");
      if (clients.length > 0 && unrouted.length > 0) {
        evidence.push({ source: "kernel", detail: `ip route has no route to ${unrouted.slice(0, 3).join(", ")}`, file: ctx.net?.routeFile ?? null, version: null });
        confidence += 0.35;
      } else if (clients.length === 0 && !hasDefault) {
        evidence.push({ source: "kernel", detail: "ip route has no default route", file: ctx.net?.routeFile ?? null, version: null });
        confidence += 0.2;
      } else {
        conflicts.push("the main routing table has a route back to the clients (policy routing, an LSM or memory could still refuse)");
        confidence -= 0.15;
      }
    }
    // The ¾ rule (syncookies=0) moves only ListenDrops too.
    if (sysctlNumber(ctx, "net.ipv4.tcp_syncookies") === 0) {
      conflicts.push("tcp_syncookies=0: the ¾ rule of tcp_max_syn_backlog also moves only ListenDrops");
      confidence -= 0.25;
    }
    // SYN-ACKs were created (retransmitted, SYN-RECV): the route existed, the next hop did not answer.
    const synRetrans = amountOf(ctx, "TcpExtTCPSynRetrans");
    const synRecv = socketsInState(ctx, "SYN-RECV") ?? 0;
    if (synRetrans > 0 || synRecv > 0) {
      conflicts.push("SYN-ACKs were created (TCPSynRetrans / SYN-RECV sockets): the reply had a route");
      confidence -= 0.3;
    }
    evidence.push(...silentEvidence(ctx));
    return finding(this, ctx, {
      confidence,
      summary: "SYNs reach the listener but the server has no route back to the client, so it never sends a SYN-ACK",
      evidence,
      conflicts,
      fix: [
        fix("add the route back to the clients' network (ip route add NET via GATEWAY) or fix policy routing (ip rule)", "the network configuration (netplan, ifupdown, NetworkManager)", "check with: ip route get CLIENT_ADDR from SERVER_ADDR"),
      ],
    });
  },
};
