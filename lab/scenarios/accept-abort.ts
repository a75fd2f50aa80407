import { sleep } from "../exec.js";
import { num, type Scenario, type ScenarioContext } from "../scenario.js";
import { routed, startClient, startRawListener } from "./common.js";

/**
 * tcp_abort_on_overflow=1. On ≥ 4.10 a full accept queue drops SYNs, so the 3rd-ACK overflow needs a race:
 * the victim's first ACK is dropped on the client (nft), fillers then fill the queue, the rule goes away,
 * the server's SYN-ACK retransmit is re-ACKed and overflows: the server answers that ACK with a RST.
 */
export const acceptQueueAbort: Scenario = {
  name: "accept-queue-abort",
  label: "accept-queue-overflow",
  summary: "listen(1), no accept(), tcp_abort_on_overflow=1: the victim's late 3rd ACK is answered with RST.",
  defaults: { backlog: 1, victimPort: 50000, fillers: 2, holdMs: 12000 },
  topology: (p) => routed(p),
  async setup(ctx) {
    await ctx.lab.sysctl(ctx.topo.server, { "net.ipv4.tcp_abort_on_overflow": 1 });
    await startRawListener(ctx, { backlog: num(ctx.params, "backlog") });
    const client = ctx.topo.clients[0] ?? "";
    await ctx.lab.nft(
      client,
      `table inet labvictim {
  chain out {
    type filter hook output priority 0;
    tcp sport ${num(ctx.params, "victimPort")} tcp flags & (syn|ack|fin|rst) == ack counter drop
  }
}
`,
    );
  },
  async workload(ctx) {
    const holdMs = num(ctx.params, "holdMs");
    const port = num(ctx.params, "port");
    const victim = startClient(ctx, { mode: "hold", holdMs, timeoutMs: 2000, sport: num(ctx.params, "victimPort") });
    // Order matters and process start-up times vary: victim in SYN-RECV first, then a full queue, then the ACK.
    await waitFor(ctx, ["-tan", "state", "syn-recv", `sport = :${port}`], (out) => out.trim().split("\n").length > 1);
    const fillers = startClient(ctx, { count: num(ctx.params, "fillers"), concurrency: num(ctx.params, "fillers"), mode: "hold", holdMs: holdMs + 1000 });
    await waitFor(ctx, ["-ltn", `sport = :${port}`], (out) => {
      const cols = out.trim().split("\n")[1]?.trim().split(/\s+/) ?? [];
      return Number(cols[1]) > Number(cols[2]);
    });
    await ctx.lab.exec(ctx.topo.clients[0] ?? "", "nft", ["delete", "table", "inet", "labvictim"]);
    // The victim ends as soon as the server's RST arrives (within one SYN-ACK backoff step), or at holdMs.
    const result = await victim.exited;
    ctx.note(`victim: ${result.stdout.trim()}`);
    await fillers.stop("SIGTERM");
  },
};

/** Polls `ss ARGS` in the server namespace until `done(stdout)` (bounded: 10 s). */
async function waitFor(ctx: ScenarioContext, args: readonly string[], done: (stdout: string) => boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const result = await ctx.lab.exec(ctx.topo.server, "ss", args, { check: false });
    if (done(result.stdout)) return;
    await sleep(100);
  }
  throw new Error(`accept-queue-abort: ss ${args.join(" ")} never showed the expected state`);
}
