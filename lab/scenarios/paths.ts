import { num, type Scenario } from "../scenario.js";
import { probeWorkload, routed, startServer } from "./common.js";

/** The router drops the server's SYN-ACKs: the server sees SYNs and sends SYN-ACKs, the client never gets them. */
export const synackLost: Scenario = {
  name: "synack-lost",
  label: "synack-lost",
  summary: "The router drops SYN-ACKs on the way back; captures on server and client.",
  defaults: { timeoutMs: 3500 },
  clientCapture: true,
  topology: (p) => routed(p),
  async setup(ctx) {
    await ctx.lab.nft(
      ctx.topo.router,
      `table inet labpath {
  chain relay {
    type filter hook forward priority 0;
    tcp sport ${num(ctx.params, "port")} tcp flags & (syn|ack) == syn|ack counter drop
  }
}
`,
    );
    await startServer(ctx);
  },
  workload: probeWorkload,
};

/** The server has no route back to the client network (no default route): the SYN-ACK cannot be sent. */
export const noReturnRoute: Scenario = {
  name: "no-return-route",
  label: "no-return-route",
  summary: "The server has no route to the client network: SYN accepted, no SYN-ACK (ListenDrops, IpOutNoRoutes).",
  defaults: { timeoutMs: 2500 },
  topology: (p) => routed(p, 1, { serverDefaultRoute: false }),
  async setup(ctx) {
    await startServer(ctx);
  },
  workload: probeWorkload,
};

/** The route back to the clients points at a gateway address nobody owns: ARP goes unanswered. */
export const neighbourUnreachable: Scenario = {
  name: "neighbour-unreachable",
  label: "neighbour-unreachable",
  summary: "The server's route to the clients uses a next hop that never answers ARP.",
  defaults: { timeoutMs: 3500, deadHop: 253 },
  topology: (p) => routed(p),
  async setup(ctx) {
    const hop = `${String(ctx.params.serverNet)}.${num(ctx.params, "deadHop")}`;
    for (const net of ctx.topo.clientNets) await ctx.lab.route(ctx.topo.server, ["add", net, "via", hop]);
    await startServer(ctx);
  },
  workload: probeWorkload,
};
