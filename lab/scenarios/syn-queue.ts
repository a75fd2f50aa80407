import { num, type Scenario } from "../scenario.js";
import { hping, routed, runClient, startRawListener } from "./common.js";

/**
 * Half-open flood: client 0 sends raw SYNs (hping3) and drops the SYN-ACKs (nft) so it never answers them;
 * the listener's SYN queue (sized by the backlog on ≥ 4.4) fills. Client 1 is a real client trying to connect.
 */
function synQueue(
  name: string,
  label: "syn-queue-overflow" | "syn-flood-cookies",
  summary: string,
  settings: { syncookies: number; backlog: number; maxSynBacklog: number },
): Scenario {
  return {
    name,
    label,
    summary,
    defaults: { ...settings, syns: 20, synIntervalUs: 20000, sourcePort: 31000, victims: 2, timeoutMs: 2500 },
    ci: { syns: 12, victims: 1 },
    topology: (p) => routed(p, 2),
    async setup(ctx) {
      await ctx.lab.sysctl(ctx.topo.server, {
        "net.ipv4.tcp_syncookies": num(ctx.params, "syncookies"),
        "net.ipv4.tcp_max_syn_backlog": num(ctx.params, "maxSynBacklog"),
      });
      await startRawListener(ctx, { backlog: num(ctx.params, "backlog"), accept: true });
      // The flooding client must not answer SYN-ACKs with RST (it has no socket): drop them on arrival.
      await ctx.lab.nft(
        ctx.topo.clients[0] ?? "",
        `table inet labflood {
  chain in {
    type filter hook input priority 0;
    tcp sport ${num(ctx.params, "port")} counter drop
  }
}
`,
      );
    },
    async workload(ctx) {
      const p = ctx.params;
      await hping(ctx, 0, ["-S", "-p", String(num(p, "port")), "-s", String(num(p, "sourcePort")), "-i", `u${num(p, "synIntervalUs")}`, "-c", String(num(p, "syns"))]);
      await runClient(ctx, { client: 1, count: num(p, "victims"), timeoutMs: num(p, "timeoutMs") });
    },
  };
}

export const synQueueOverflow = synQueue(
  "syn-queue-overflow",
  "syn-queue-overflow",
  "tcp_syncookies=0, listen(4), 20 half-open SYNs from hping3: SYNs dropped (TCPReqQFullDrop).",
  { syncookies: 0, backlog: 4, maxSynBacklog: 2048 },
);
export const synFloodCookies = synQueue(
  "syn-flood-cookies",
  "syn-flood-cookies",
  "tcp_syncookies=1, listen(4), 20 half-open SYNs from hping3: SYN-ACKs with cookies (TCPReqQFullDoCookies).",
  { syncookies: 1, backlog: 4, maxSynBacklog: 2048 },
);
/**
 * The "3/4 rule": syncookies off, tcp_max_syn_backlog=8, listen(100): once the SYN queue passes 3/4 of
 * tcp_max_syn_backlog, SYNs from peers without a tcp_metrics RTT entry are dropped; only ListenDrops moves.
 */
export const synQueueThreeQuarters = synQueue(
  "syn-queue-three-quarters",
  "syn-queue-overflow",
  "tcp_syncookies=0, tcp_max_syn_backlog=8, listen(100), 20 half-open SYNs: the 3/4 rule drops SYNs (ListenDrops only).",
  { syncookies: 0, backlog: 100, maxSynBacklog: 8 },
);
