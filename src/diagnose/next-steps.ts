/**
 * What to collect when the evidence names no cause: exact commands, chosen by what is missing.
 * `nosynack collect` gathers everything at once; the single commands are for hosts without nosynack.
 */
import { hasCounters, hasDeltas, type RuleContext } from "./context.js";
import { fix } from "./rule.js";
import type { Fix } from "./types.js";

export function collectCommands(ctx: RuleContext): Fix[] {
  const port = ctx.port === null ? "PORT" : String(ctx.port);
  const steps: Fix[] = [
    fix(
      `sudo nosynack collect --out nosynack-bundle --duration 60 --port ${port}`,
      null,
      "run on the server while the problem happens; it reads counters, sysctls, sockets, firewall and conntrack before and after, and captures the handshakes; then: nosynack diagnose nosynack-bundle",
    ),
  ];
  const host = ctx.host;
  if (!ctx.capture) {
    steps.push(fix(`sudo tcpdump -i any -w server.pcap 'tcp port ${port} and (tcp[tcpflags] & (tcp-syn|tcp-rst|tcp-fin) != 0 or tcp[tcpflags] == tcp-ack) or arp or icmp'`, null, "a server-side capture shows which SYNs got which reply"));
  }
  if (!hasDeltas(ctx)) {
    steps.push(fix("nstat -asz > nstat-before.txt; sleep 60; nstat -asz > nstat-after.txt", null, hasCounters(ctx) ? "one snapshot gives totals since boot; two give what moved during the problem" : "the SYN-path counters (run inside the container's netns: nsenter -n -t PID nstat -asz)"));
  }
  if (!host || Object.keys(host.sysctl).length === 0) steps.push(fix("sysctl -a > sysctl.txt 2>/dev/null", null, null));
  if (!host || host.listeners.length === 0) steps.push(fix("ss -ltnm > ss-ltn.txt; ss -tan > ss-tan.txt", null, "listeners with their queues and drops, and socket states"));
  if (!host || host.firewall.length === 0) steps.push(fix("iptables-save -c > iptables-save.txt; nft list ruleset > nft-ruleset.txt", null, "firewall rules with their packet counters"));
  if (!host || host.conntrack === null) steps.push(fix("conntrack -S > conntrack-S.txt; sysctl net.netfilter.nf_conntrack_count net.netfilter.nf_conntrack_max", null, null));
  if (!ctx.net || ctx.net.routes === null || ctx.net.neighbours === null) steps.push(fix("ip route show table all > ip-route.txt; ip neigh > ip-neigh.txt", null, "return route and next-hop resolution for the SYN-ACK"));
  if (!ctx.clientCapture && (ctx.capture?.handshakes.firstReply.synack ?? 0) > 0) {
    steps.push(fix(`tcpdump -i any -w client.pcap 'tcp port ${port}' (on a client)`, null, "tells whether the SYN-ACKs the server sent arrive"));
  }
  steps.push(fix("perf record -a -e skb:kfree_skb -- sleep 30; perf script | grep -c kfree_skb", null, "drop reasons (≥ 5.17); SYNs dropped by the listener itself do not appear here"));
  return steps;
}
