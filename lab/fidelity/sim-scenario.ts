/**
 * The simulator's side of a fidelity workload: the same schedule, listener, sysctls, flood, NAT port policy
 * and retry budget, on the 6.18 profile.
 */
import type { ScenarioInput } from "../../src/sim/scenario.js";
import { FIDELITY_NET, workloadEndMs, type FidelityWorkload } from "./workloads.js";

/** The kernel profile compared with this machine's kernel. */
export const FIDELITY_KERNEL = "6.18";

/**
 * `clocks`: per client host, the TSval its clock showed at the workload's time 0 as measured in the lab run
 * (client TS offsets are random per boot; they decide PAWS and are an input, like any client's clock).
 */
export function simScenarioFor(w: FidelityWorkload, clocks?: readonly number[]): ScenarioInput {
  const schedule = Array.from({ length: w.clients }, (_, k) => w.connections.filter((c) => c.client === k).map((c) => c.atMs));
  const endS = Math.ceil(workloadEndMs(w) / 1000) + 1;
  const input: ScenarioInput = {
    name: `fidelity-${w.name}`,
    description: `fidelity workload: ${w.summary}`,
    expect: w.label,
    durationSeconds: endS,
    maxSeconds: endS + 5,
    network: { rttMs: 0.1 },
    clients: {
      count: w.clients,
      kernel: FIDELITY_KERNEL,
      addressBase: "198.18.10.2",
      timestamps: w.clientTimestamps,
      schedule,
      // The retry budget of the lab client: SYNs 1 s apart (linear timeouts), no exponential ones.
      synRetries: 0,
      linearTimeouts: w.synsPerAttempt - 1,
      initialRtoMs: 1000,
      ...(clocks ? { tsvalAtZero: [...clocks] } : {}),
      ...(w.clientPort === undefined ? {} : { ephemeralPorts: [w.clientPort, w.clientPort] }),
    },
    server: {
      kernel: FIDELITY_KERNEL,
      addr: FIDELITY_NET.server,
      port: FIDELITY_NET.port,
      sysctls: { ...w.serverSysctls },
      backlog: w.server.backlog,
      acceptRate: w.server.kind === "never-accept" ? "never" : "unlimited",
      listen: w.server.kind !== "none",
      serviceTimeMs: 1,
      closePolicy: "server-first",
    },
  };
  if (w.nat) {
    input.nat = { type: "snat", addresses: [FIDELITY_NET.router], portAllocation: "sequential", portRange: [w.nat.ports[0], w.nat.ports[1]], timeWaitHoldSeconds: w.nat.holdS };
  }
  if (w.flood) {
    input.flood = {
      synsPerSecond: 1000 / w.flood.intervalMs,
      sources: 1,
      sourceBase: "198.18.20.2",
      startSeconds: w.flood.atMs / 1000,
      count: w.flood.count,
      arrivals: "uniform",
      timestamps: false,
    };
  }
  return input;
}
