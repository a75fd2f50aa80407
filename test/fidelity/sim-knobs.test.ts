import { describe, expect, it } from "vitest";
import { ACK, RST, SYN, type Segment } from "../../src/kernel/types.js";
import { createServerStack } from "../../src/sim/kernel-server.js";
import { resolveScenario } from "../../src/sim/scenario-load.js";
import type { ScenarioInput } from "../../src/sim/scenario.js";
import { simulate, type SimRun } from "../../src/sim/simulator.js";
import { Rng } from "../../src/util/rng.js";

/**
 * The scenario knobs the fidelity comparison needs to replay a lab workload: a scripted arrival schedule,
 * clocks measured on real hosts, an application that never accepts, no listener, a counted uniform flood.
 */
interface Seen {
  readonly atUs: number;
  readonly seg: Segment;
}

function run(input: ScenarioInput, seed = 7): { run: SimRun; seen: Seen[] } {
  const scenario = resolveScenario({ file: "test", raw: input });
  const seen: Seen[] = [];
  // Copies: the engine may reuse one segment object for every packet it emits.
  const result = simulate(scenario, { seed, stack: createServerStack(scenario, new Rng(seed)), sink: { packet: (atUs, seg) => seen.push({ atUs, seg: { ...seg } }) } });
  return { run: result, seen };
}

const SERVER = "198.18.1.1";
const isSyn = (s: Seen): boolean => (s.seg.flags & (SYN | ACK)) === SYN && s.seg.daddr === ipv4(SERVER);
const isSynAck = (s: Seen): boolean => (s.seg.flags & (SYN | ACK)) === (SYN | ACK);

function ipv4(text: string): number {
  return text.split(".").reduce((n, p) => n * 256 + Number(p), 0);
}

function base(over: Partial<ScenarioInput["clients"]> = {}, server: Partial<ScenarioInput["server"]> = {}): ScenarioInput {
  return {
    name: "knobs",
    expect: "healthy",
    durationSeconds: 10,
    network: { rttMs: 0.2 },
    clients: { count: 2, kernel: "6.18", schedule: [[0, 250], [100]], synRetries: 0, linearTimeouts: 2, initialRtoMs: 1000, ...over },
    server: { kernel: "6.18", addr: SERVER, serviceTimeMs: 1, ...server },
  };
}

describe("clients.schedule", () => {
  it("starts each host's connections at its scripted times, in time order across hosts", () => {
    const { run: r, seen } = run(base());
    const syns = seen.filter(isSyn);
    expect(syns.map((s) => s.atUs)).toEqual([0, 100_000, 250_000]);
    expect(syns.map((s) => s.seg.saddr)).toEqual([ipv4("198.18.16.1"), ipv4("198.18.16.2"), ipv4("198.18.16.1")]);
    expect(r.summary.attempts).toBe(3);
  });

  it("allows a host without connections and refuses a schedule that does not have one entry per host", () => {
    expect(run(base({ schedule: [[], [0]] })).run.summary.attempts).toBe(1);
    expect(() => resolveScenario({ file: "t", raw: base({ schedule: [[0]] }) })).toThrow(/clients\.schedule: expected one entry per client host/);
  });
});

describe("clients.tsvalAtZero", () => {
  it("gives each host the measured clock: TSval = value at 0 + elapsed ms", () => {
    const { seen } = run(base({ tsvalAtZero: [1_000_000, 4_294_967_000] }));
    const tsvals = seen.filter(isSyn).map((s) => s.seg.tsval);
    // One-way delay 0.1 ms: a SYN that reaches the server at t left the client at t − 0.1 ms.
    expect(tsvals).toEqual([999_999, (4_294_967_000 + 99) >>> 0, 1_000_249]);
  });

  it("sends no TS option when the hosts' tcp_timestamps is 0", () => {
    const { seen } = run(base({ tsvalAtZero: [5, 6], timestamps: 0 }));
    expect(seen.filter(isSyn).every((s) => !s.seg.hasTs)).toBe(true);
  });
});

describe("server.acceptRate never and server.listen false", () => {
  it("never accepting: the accept queue holds backlog + 1 children, later SYNs are dropped at every retry", () => {
    const schedule = [[0, 20, 40, 60, 80]];
    const { run: r, seen } = run(base({ count: 1, schedule }, { backlog: 2, acceptRate: "never" }));
    expect(r.summary.firstReply).toEqual({ synack: 3, ack: 0, rst: 0, none: 2 });
    // 2 unanswered attempts × 3 SYNs (0, 1, 2 s), each dropped by the full accept queue.
    expect(seen.filter(isSyn)).toHaveLength(3 + 2 * 3);
    expect(r.summary.counters.TcpExtListenOverflows).toBe(6);
    expect(r.summary.counters.TcpExtListenDrops).toBe(6);
  });

  it("the same workload with an accepting application: every attempt answered", () => {
    const { run: r } = run(base({ count: 1, schedule: [[0, 20, 40, 60, 80]] }, { backlog: 2 }));
    expect(r.summary.firstReply.synack).toBe(5);
    expect(r.summary.counters.TcpExtListenOverflows).toBe(0);
  });

  it("no listener: every SYN is answered by RST and the clients are refused", () => {
    const { run: r, seen } = run(base({}, { listen: false }));
    expect(r.summary.firstReply).toEqual({ synack: 0, ack: 0, rst: 3, none: 0 });
    expect(seen.filter((s) => (s.seg.flags & RST) !== 0)).toHaveLength(3);
    expect(r.summary.counters.TcpOutRsts).toBe(3);
    expect(r.summary.connections.refused).toBe(3);
  });
});

describe("flood.count and flood.arrivals uniform", () => {
  it("sends exactly count spoofed SYNs, evenly spaced from the start time", () => {
    const input: ScenarioInput = {
      ...base({ count: 1, schedule: [[] as number[]] }, { backlog: 4, sysctls: { "net.ipv4.tcp_syncookies": 0 } }),
      flood: { synsPerSecond: 50, sources: 1, sourceBase: "198.18.20.2", startSeconds: 0.5, count: 12, arrivals: "uniform" },
    };
    const { run: r, seen } = run(input);
    const floodSyns = seen.filter((s) => isSyn(s) && s.seg.saddr === ipv4("198.18.20.2"));
    expect(floodSyns.map((s) => s.atUs)).toEqual(Array.from({ length: 12 }, (_, i) => 500_000 + i * 20_000));
    // listen(4): the SYN queue holds 5 requests; the other 7 SYNs are dropped (no cookies).
    expect(r.summary.flood).toEqual({ syns: 12, answered: 5 });
    expect(r.summary.counters.TcpExtTCPReqQFullDrop).toBe(7);
    expect(seen.filter((s) => isSynAck(s) && s.seg.daddr === ipv4("198.18.20.2")).length).toBeGreaterThanOrEqual(5);
  });
});
