import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { sleep } from "../exec.js";
import { counterDeltas } from "../nstat.js";
import { readWire, summarizeWire } from "../wire-summary.js";
import { bool, num, str, type Scenario, type ScenarioContext } from "../scenario.js";

import { routed, runClient, startClient, startServer } from "./common.js";

/**
 * SNAT on the router to its server-side address with a narrow port range, and short conntrack timeouts
 * for closing TCP states (per namespace: only the router's own conntrack), so the NAT reuses a port while
 * the server, which closed first, still holds the 4-tuple in TIME_WAIT for 60 s.
 */
async function setupNat(ctx: ScenarioContext): Promise<void> {
  const { lab, topo, params } = ctx;
  const holdS = num(params, "natTimeWaitS");
  await lab.sysctl(topo.router, {
    "net.netfilter.nf_conntrack_tcp_timeout_time_wait": holdS,
    "net.netfilter.nf_conntrack_tcp_timeout_close": holdS,
    "net.netfilter.nf_conntrack_tcp_timeout_close_wait": holdS,
    "net.netfilter.nf_conntrack_tcp_timeout_last_ack": holdS,
    "net.netfilter.nf_conntrack_tcp_timeout_fin_wait": holdS,
  });
  await lab.nft(
    topo.router,
    `table ip labnat {
  chain post {
    type nat hook postrouting priority 100;
    oifname "${topo.routerServerIf}" ip protocol tcp snat to ${topo.routerServerAddr}:${str(params, "natPorts")}
  }
}
`,
  );
  if (!bool(params, "timestamps")) {
    for (const client of topo.clients) await lab.sysctl(client, { "net.ipv4.tcp_timestamps": 0 });
  }
  await startServer(ctx, { close: "server" });
}

/** Two clients behind the NAT take turns on the same NAT port; the same client port makes each TS offset fixed. */
function natCollision(name: string, timestamps: boolean): Scenario {
  return {
    name,
    label: "timewait-paws",
    summary: timestamps
      ? "2 clients behind SNAT to one port (40000), server closes first: SYN hits TIME_WAIT → ACK, RST, retry (PAWSTimewait)."
      : "As nat-timewait, clients with tcp_timestamps=0: same ACK/RST/retry dance decided by sequence numbers, no PAWS counter.",
    defaults: { natPorts: "40000-40000", natTimeWaitS: 1, rounds: 6, gapMs: 1300, clientPort: 41000, timestamps, timeoutMs: 3000 },
    ci: { rounds: 4 },
    topology: (p) => routed(p, 2),
    setup: setupNat,
    async workload(ctx) {
      const p = ctx.params;
      for (let round = 0; round < num(p, "rounds"); round++) {
        await runClient(ctx, { client: round % 2, sport: num(p, "clientPort"), timeoutMs: num(p, "timeoutMs") });
        await sleep(num(p, "gapMs"));
      }
    },
  };
}

export const natTimewait = natCollision("nat-timewait", true);
export const natTimewaitNoTimestamps = natCollision("nat-timewait-nots", false);

/**
 * The larger run: several client namespaces on a bridge behind one SNAT with a few hundred ports, thousands
 * of short connections; the collision rate is measured from the capture and the counters.
 */
export const natTimewaitMulti: Scenario = {
  name: "nat-timewait-multi",
  label: "timewait-paws",
  summary: "4 clients × 500 short connections through SNAT with 64 ports; measures how often a SYN hits a server TIME_WAIT.",
  defaults: { natPorts: "40000-40063", natTimeWaitS: 1, clients: 4, perClient: 500, concurrency: 2, intervalMs: 40, timestamps: true, timeoutMs: 3000 },
  ci: { clients: 3, perClient: 60, intervalMs: 30 },
  topology: (p) => routed(p, num(p, "clients"), { bridge: true }),
  setup: setupNat,
  async workload(ctx) {
    const p = ctx.params;
    const procs = ctx.topo.clients.map((_, i) =>
      startClient(ctx, { client: i, count: num(p, "perClient"), concurrency: num(p, "concurrency"), intervalMs: num(p, "intervalMs"), timeoutMs: num(p, "timeoutMs") }),
    );
    let total = { attempts: 0, ok: 0, timeout: 0, refused: 0, reset: 0, error: 0 };
    for (const [i, proc] of procs.entries()) {
      const result = await proc.exited;
      const line = result.stdout.trim();
      ctx.note(`client ${i}: ${line}`);
      const s = JSON.parse(line || "{}") as Partial<typeof total>;
      total = {
        attempts: total.attempts + (s.attempts ?? 0),
        ok: total.ok + (s.ok ?? 0),
        timeout: total.timeout + (s.timeout ?? 0),
        refused: total.refused + (s.refused ?? 0),
        reset: total.reset + (s.reset ?? 0),
        error: total.error + (s.error ?? 0),
      };
    }
    ctx.result("clients", total);
  },
  async analyze(ctx, bundleDir) {
    const packets = await readWire(join(bundleDir, "server.pcap"));
    const wire = summarizeWire(packets);
    // A retried SYN (same ISN) that the NAT maps to another port: the client's RST had closed its conntrack entry.
    const portsByIsn = new Map<number, Set<number>>();
    for (const pkt of packets) {
      if (pkt.kind !== "tcp" || (pkt.flags & 0x12) !== 0x02) continue;
      const ports = portsByIsn.get(pkt.seq) ?? new Set<number>();
      ports.add(pkt.sport);
      portsByIsn.set(pkt.seq, ports);
    }
    const remapped = [...portsByIsn.values()].filter((ports) => ports.size > 1).length;
    const connections = num(ctx.params, "clients") * num(ctx.params, "perClient");
    const deltas = counterDeltas(await readFile(join(bundleDir, "nstat-before.txt"), "utf8"), await readFile(join(bundleDir, "nstat-after.txt"), "utf8"));
    const paws = deltas.TcpExtPAWSTimewait ?? 0;
    const rate = (n: number): number => (wire.attempts > 0 ? Math.round((n / wire.attempts) * 1000) / 1000 : 0);
    ctx.result("collisions", {
      attempts: wire.attempts,
      reusedTuples: wire.reusedTuples,
      answeredByAck: wire.firstReply.ack,
      pawsTimewait: paws,
      retriesRemappedByNat: remapped,
      connections,
      reuseRate: rate(wire.reusedTuples),
      rejectRate: rate(wire.firstReply.ack),
      rejectsPerConnection: Math.round((wire.firstReply.ack / connections) * 1000) / 1000,
    });
    ctx.note(
      `collisions: ${wire.reusedTuples}/${wire.attempts} attempts reused a 4-tuple within 60 s; ` +
        `${wire.firstReply.ack} were answered by a TIME_WAIT ACK (PAWSTimewait +${paws}); ${remapped} retried SYNs were re-mapped to another NAT port`,
    );
  },
};

