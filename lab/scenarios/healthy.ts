import { num, type Scenario } from "../scenario.js";
import { routed, runClient, startServer } from "./common.js";

export const healthy: Scenario = {
  name: "healthy",
  label: "healthy",
  summary: "A server that accepts and closes; every SYN gets a SYN-ACK.",
  defaults: { count: 20, concurrency: 2 },
  ci: { count: 6 },
  topology: (p) => routed(p),
  async setup(ctx) {
    await startServer(ctx);
  },
  async workload(ctx) {
    await runClient(ctx, { count: num(ctx.params, "count"), concurrency: num(ctx.params, "concurrency") });
  },
};
