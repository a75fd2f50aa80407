import { sleep } from "../exec.js";
import { num, type Scenario } from "../scenario.js";
import { routed, runClient, startRawListener } from "./common.js";

/**
 * listen(backlog) and never accept(): the accept queue holds backlog + 1 children, then SYNs are dropped
 * at SYN time (≥ 4.10): ListenOverflows = ListenDrops, clients retransmit SYNs.
 */
export const acceptQueueOverflow: Scenario = {
  name: "accept-queue-overflow",
  label: "accept-queue-overflow",
  summary: "listen(2), application never accepts; 8 held connections: SYNs dropped, ListenOverflows.",
  defaults: { backlog: 2, connections: 8, holdMs: 3500, timeoutMs: 3500 },
  ci: { connections: 5, holdMs: 2500, timeoutMs: 2500 },
  topology: (p) => routed(p),
  async setup(ctx) {
    await startRawListener(ctx, { backlog: num(ctx.params, "backlog") });
  },
  async workload(ctx) {
    await runClient(ctx, {
      count: num(ctx.params, "connections"),
      concurrency: num(ctx.params, "connections"),
      mode: "hold",
      holdMs: num(ctx.params, "holdMs"),
      timeoutMs: num(ctx.params, "timeoutMs"),
    });
    await sleep(200);
  },
};

/** Same overflow, but the cap comes from net.core.somaxconn (per namespace), not from the application. */
export const acceptQueueSomaxconn: Scenario = {
  ...acceptQueueOverflow,
  name: "accept-queue-somaxconn",
  summary: "listen(128) but net.core.somaxconn=2 in the server namespace; application never accepts.",
  defaults: { backlog: 128, somaxconn: 2, connections: 8, holdMs: 3500, timeoutMs: 3500 },
  async setup(ctx) {
    await ctx.lab.sysctl(ctx.topo.server, { "net.core.somaxconn": num(ctx.params, "somaxconn") });
    await startRawListener(ctx, { backlog: num(ctx.params, "backlog") });
  },
};
