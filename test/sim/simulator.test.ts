import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { retryWaitsMs } from "../../src/sim/clients.js";
import { loadScenario, parseOverride, runSimulation, type SimRun } from "../../src/sim/index.js";
import { createTranslator } from "../../src/sim/nat.js";
import { Rng } from "../../src/util/rng.js";

const tmp = mkdtempSync(join(tmpdir(), "nosynack-sim-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function sim(name: string, seed = 1, sets: string[] = [], pcapPath?: string): SimRun {
  const scenario = loadScenario(name, sets.map(parseOverride));
  return runSimulation(scenario, pcapPath === undefined ? { seed, trackMoves: true } : { seed, pcapPath, trackMoves: true }).run;
}

/** A small scenario for property tests: few clients, a few simulated seconds. */
const SMALL = ["clients.count=4", "durationSeconds=3"];

describe("determinism", () => {
  it("gives identical JSON and identical pcap bytes for the same seed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom("seed-lvs-tw-recycle", "nat-timewait-collision", "accept-queue-overflow"), (seed, name) => {
        const a = sim(name, seed, SMALL, join(tmp, "a.pcap"));
        const b = sim(name, seed, SMALL, join(tmp, "b.pcap"));
        expect(JSON.stringify(a.summary)).toBe(JSON.stringify(b.summary));
        expect(readFileSync(join(tmp, "a.pcap")).equals(readFileSync(join(tmp, "b.pcap")))).toBe(true);
      }),
      { numRuns: 6 },
    );
  });

  it("reports progress in simulated time, in order, without changing the run", () => {
    const scenario = loadScenario("healthy", ["clients.count=200", "clients.connectionsPerSecond=50"].map(parseOverride));
    const seen: [number, number][] = [];
    const watched = runSimulation(scenario, { seed: 7, onProgress: (nowUs, endUs) => seen.push([nowUs, endUs]) }).run;
    const plain = runSimulation(scenario, { seed: 7 }).run;
    expect(JSON.stringify(watched.summary)).toBe(JSON.stringify(plain.summary));
    // One call per 65 536 events.
    expect(seen).toHaveLength(Math.floor(plain.summary.events / 65536));
    expect(seen.every(([, end]) => end === 10_000_000)).toBe(true);
    expect(seen.every(([now], i) => i === 0 || now >= (seen[i - 1] as [number, number])[0])).toBe(true);
  });

  it("changes with the seed", () => {
    expect(JSON.stringify(sim("seed-lvs-tw-recycle", 1, SMALL).summary.counters)).not.toBe(JSON.stringify(sim("seed-lvs-tw-recycle", 2, SMALL).summary.counters));
  });
});

describe("counters move only with an outcome", () => {
  it("every counter move comes from a kernel result, and drop counters only from dropped segments", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.constantFrom("seed-lvs-tw-recycle", "tw-recycle-4.10-single-client", "nat-timewait-collision", "accept-queue-overflow", "syn-flood-no-cookies", "syn-flood-cookies", "healthy"),
        (seed, name) => {
          const run = sim(name, seed, name.startsWith("syn-flood") ? ["durationSeconds=1", "flood.synsPerSecond=500"] : SMALL);
          const counters = run.stack.counters();
          for (const [counter, value] of counters) expect([counter, run.tallied.get(counter) ?? 0]).toEqual([counter, value]);
          const dropOnly = ["TcpExtPAWSPassive", "TcpExtListenDrops", "TcpExtListenOverflows", "TcpExtTCPReqQFullDrop"] as const;
          for (const [outcome, moved] of run.movedByOutcome) {
            for (const counter of dropOnly) if ((moved.get(counter) ?? 0) > 0) expect([counter, outcome]).toEqual([counter, expect.stringMatching(/dropped$/)]);
          }
          const s = run.summary;
          expect(s.outcomes.synack + s.outcomes.cookie + s.outcomes.dropped + s.outcomes.ack + s.outcomes.rst).toBe(s.synsReceived);
          expect(s.firstReply.synack + s.firstReply.ack + s.firstReply.rst + s.firstReply.none).toBe(s.attempts);
          expect((s.counters.TcpExtPAWSPassive ?? 0) <= s.outcomes.dropped).toBe(true);
        },
      ),
      { numRuns: 10 },
    );
  });
});

describe("client SYN retry timing", () => {
  const sendTimes = (waits: number[]): number[] => waits.reduce<number[]>((acc, w) => [...acc, (acc[acc.length - 1] ?? 0) + w / 1000], [0]);
  it("≥6.5: four linear 1-s steps, then exponential; fails at 131 s", () => {
    expect(sendTimes(retryWaitsMs(1000, 6, 4))).toEqual([0, 1, 2, 3, 4, 5, 7, 11, 19, 35, 67, 131]);
  });
  it("older: 1, 3, 7, 15 … s; fails at 127 s", () => {
    expect(sendTimes(retryWaitsMs(1000, 6, 0))).toEqual([0, 1, 3, 7, 15, 31, 63, 127]);
  });
});

describe("translator", () => {
  const scenario = (allocation: string, hold: number): ReturnType<typeof loadScenario> =>
    loadScenario("nat-timewait-collision", [parseOverride(`nat.portAllocation=${allocation}`), parseOverride(`nat.timeWaitHoldSeconds=${hold}`), parseOverride("nat.portRange=[40000, 40003]")]);

  it("keeps a released port out of use for its hold time", () => {
    const nat = createTranslator(scenario("sequential", 2), new Rng(1));
    const ports = [0, 1, 2, 3].map((i) => nat.map(i, 1, 50000 + i, 0)?.port);
    expect(ports).toEqual([40000, 40001, 40002, 40003]);
    expect(nat.map(9, 1, 50009, 0)).toBeNull();
    const first = { addr: 0, port: 40000, slot: 0 };
    nat.release(first, 1_000_000);
    expect(nat.map(9, 1, 50009, 2_999_999)).toBeNull();
    expect(nat.map(9, 1, 50009, 3_000_000)?.port).toBe(40000);
  });

  it("preserves the client's port when it is free and in range", () => {
    const nat = createTranslator(scenario("preserve", 0), new Rng(1));
    expect(nat.map(0, 1, 40002, 0)?.port).toBe(40002);
    expect(nat.map(1, 2, 40002, 0)?.port).toBe(40003);
  });
});

describe("built-in scenarios reproduce their cause", () => {
  it("seed-lvs-tw-recycle: SYNs dropped with PAWSPassive; none with tw_recycle=0", () => {
    const bad = sim("seed-lvs-tw-recycle").summary;
    expect(bad.unanswered).toBeGreaterThan(0);
    expect(bad.counters.TcpExtPAWSPassive).toBe(bad.outcomes.dropped);
    expect(bad.counters.TcpExtListenDrops).toBe(bad.counters.TcpExtPAWSPassive);
    expect(bad.counters.TcpExtListenOverflows).toBe(0);
    const fixed = sim("seed-lvs-tw-recycle", 1, ["net.ipv4.tcp_tw_recycle=0"]).summary;
    expect(fixed.unanswered).toBe(0);
    expect(fixed.outcomes.dropped).toBe(0);
    expect(fixed.counters.TcpExtPAWSPassive).toBe(0);
  });

  it("tw-recycle-4.10-single-client: one client without NAT still loses SYNs; a 4.11 client does not", () => {
    expect(sim("tw-recycle-4.10-single-client").summary.counters.TcpExtPAWSPassive).toBeGreaterThan(0);
    expect(sim("tw-recycle-4.10-single-client", 1, ["clients.kernel=4.11"]).summary.counters.TcpExtPAWSPassive).toBe(0);
  });

  it("nat-timewait-collision: SYN → bare ACK → RST → quick retry; 2 jiffies on ≥5.6 clients, ~1 s before", () => {
    const s = sim("nat-timewait-collision").summary;
    expect(s.firstReply.ack).toBeGreaterThan(0);
    expect(s.counters.TcpExtPAWSTimewait).toBe(s.outcomes.ack);
    expect(s.unanswered).toBe(0);
    expect(s.connectDelayMs.max).toBeLessThan(20);
    const old = sim("nat-timewait-collision", 1, ["clients.kernel=5.4"]).summary;
    expect(old.firstReply.ack).toBeGreaterThan(0);
    expect(old.connectDelayMs.max).toBeGreaterThanOrEqual(1000);
    const rfc1337 = sim("nat-timewait-collision", 1, ["net.ipv4.tcp_rfc1337=1"]).summary;
    expect(rfc1337.connections.timedOut).toBeGreaterThan(0);
  });

  it("nat-timewait-collision on a 6.12 server counts PAWSEstab (no PAWSTimewait before 6.16)", () => {
    const s = sim("nat-timewait-collision", 1, ["server.kernel=6.12"]).summary;
    expect(s.counters.TcpExtPAWSEstab).toBeGreaterThan(0);
    expect(s.counters.TcpExtPAWSTimewait).toBeUndefined();
  });

  it("accept-queue-overflow: ListenOverflows = ListenDrops, SYNs dropped", () => {
    const s = sim("accept-queue-overflow").summary;
    expect(s.outcomes.dropped).toBeGreaterThan(0);
    expect(s.counters.TcpExtListenOverflows).toBe(s.counters.TcpExtListenDrops);
    expect(s.reasons["accept-queue-full"]).toBe(s.outcomes.dropped);
  });

  it("syn floods: ReqQFullDrop without cookies; cookies keep every legitimate client connected", () => {
    const noCookies = sim("syn-flood-no-cookies").summary;
    expect(noCookies.counters.TcpExtTCPReqQFullDrop).toBeGreaterThan(0);
    expect(noCookies.unanswered).toBeGreaterThan(0);
    const cookies = sim("syn-flood-cookies").summary;
    expect(cookies.counters.TcpExtSyncookiesSent).toBe(cookies.outcomes.cookie);
    expect(cookies.unanswered).toBe(0);
    expect(cookies.connections.timedOut).toBe(0);
  });

  it("healthy: everything answered, no SYN-path drop counter moved", () => {
    const s = sim("healthy").summary;
    expect(s.unanswered).toBe(0);
    for (const name of ["TcpExtListenDrops", "TcpExtListenOverflows", "TcpExtTCPReqQFullDrop", "TcpExtPAWSTimewait"]) expect(s.counters[name] ?? 0).toBe(0);
  });
});

describe("the simulated capture read back by analyze", () => {
  it("has the same attempts, answered and first replies", () => {
    for (const name of ["nat-timewait-collision", "seed-lvs-tw-recycle"]) {
      const pcap = join(tmp, `${name}.pcap`);
      const s = sim(name, 3, [], pcap).summary;
      const out = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "analyze", pcap, "--json"], { encoding: "utf8" });
      expect(out.status, out.stderr).toBe(0);
      const a = JSON.parse(out.stdout) as { handshakes: { attempts: number; answered: number; answeredAfterRetransmit: number; firstReply: Record<string, number> } };
      expect(a.handshakes.attempts).toBe(s.attempts);
      expect(a.handshakes.answered).toBe(s.answered);
      expect(a.handshakes.answeredAfterRetransmit).toBe(s.answeredAfterRetransmit);
      expect(a.handshakes.firstReply).toMatchObject(s.firstReply);
    }
  });
});
