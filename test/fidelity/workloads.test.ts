import { describe, expect, it } from "vitest";
import { attemptsOf, type Attempt } from "../../lab/fidelity/attempts.js";
import { compareRuns, formatTable } from "../../lab/fidelity/compare.js";
import { FIDELITY_SEED, FIDELITY_WORKLOADS, simScenarioFor } from "../../lab/fidelity/index.js";
import { attemptDeadlineMs, findWorkload, type FidelityWorkload } from "../../lab/fidelity/workloads.js";
import { runSimulation } from "../../src/sim/index.js";
import { resolveScenario } from "../../src/sim/scenario-load.js";

/** The fidelity workloads without root: their simulator side, and the comparison's own pieces. */

/**
 * Client clocks as a lab run might measure them: with random offsets (tcp_timestamps=1) far apart, client 1
 * ten seconds behind client 0; without offsets (2) one machine clock.
 */
const clocksFor = (w: FidelityWorkload): number[] =>
  Array.from({ length: w.clients }, (_, k) => 50_000_000 - (w.clientTimestamps === 2 ? 0 : k * 10_000));

describe("fidelity workloads on the simulator side", () => {
  for (const w of FIDELITY_WORKLOADS) {
    it(`${w.name}: the derived scenario is valid, replays the schedule and shows the cause`, () => {
      const scenario = resolveScenario({ file: w.name, raw: simScenarioFor(w, clocksFor(w)) });
      expect(scenario.server.kernel).toBe("6.18");
      const scheduled = (scenario.clients.schedule ?? []).flatMap((times, client) => times.map((atMs) => ({ client, atMs })));
      expect(scheduled.sort((a, b) => a.atMs - b.atMs)).toEqual([...w.connections].sort((a, b) => a.atMs - b.atMs));
      // The lab client gives up half a second after its last SYN; the simulated one after as many SYNs.
      expect(scenario.clients.linearTimeouts).toBe(w.synsPerAttempt - 1);
      expect(attemptDeadlineMs(w)).toBe((w.synsPerAttempt - 1) * 1000 + 500);

      const { run } = runSimulation(scenario, { seed: FIDELITY_SEED });
      expect(run.summary.attempts).toBe(w.connections.length + (w.flood?.count ?? 0));
      for (const [counter, shown] of Object.entries(w.shows)) {
        expect({ counter, moved: (run.summary.counters[counter] ?? 0) > 0 }).toEqual({ counter, moved: shown === "moved" });
      }
    });
  }

  it("nat-timewait: which client meets PAWS follows the clocks", () => {
    const w = findWorkload("nat-timewait");
    const replies = (clocks: number[]): number => {
      const { run } = runSimulation(resolveScenario({ file: w.name, raw: simScenarioFor(w, clocks) }), { seed: FIDELITY_SEED });
      return run.summary.firstReply.ack;
    };
    // Client 1 behind: its two SYNs (rounds 2 and 4) are refused; client 0 behind: only its round-3 SYN.
    expect(replies([50_000_000, 40_000_000])).toBe(2);
    expect(replies([40_000_000, 50_000_000])).toBe(1);
  });
});

describe("attempts from a capture", () => {
  const pkt = (time: number, src: string, sport: number, dst: string, dport: number, flags: number, seq: number) => ({ time, src, dst, sport, dport, flags, seq, tsval: null });
  const C = "198.18.1.254";
  const S = "198.18.1.1";

  it("keys attempts by 4-tuple and ISN, counts retransmissions and takes the first server segment as the reply", () => {
    const attempts = attemptsOf(
      [
        pkt(0, C, 40000, S, 8080, 0x02, 100),
        pkt(0.001, S, 8080, C, 40000, 0x12, 900),
        pkt(1, C, 40000, S, 8080, 0x02, 200), // same tuple, new ISN: a new attempt, answered by a TIME_WAIT ACK
        pkt(1.0001, S, 8080, C, 40000, 0x10, 901),
        pkt(1.0002, C, 40000, S, 8080, 0x04, 0),
        pkt(1.01, C, 40000, S, 8080, 0x02, 200), // its retry (same ISN)
        pkt(1.0101, S, 8080, C, 40000, 0x12, 300),
        pkt(2, C, 40001, S, 8080, 0x02, 300),
        pkt(3, C, 40001, S, 8080, 0x02, 300),
        pkt(4, C, 40002, S, 8080, 0x02, 400),
        pkt(4.0001, S, 8080, C, 40002, 0x14, 0),
      ],
      8080,
    );
    expect(attempts.map((a) => [a.sport, a.isn, a.syns, a.reply])).toEqual([
      [40000, 100, 1, "synack"],
      [40000, 200, 2, "ack"],
      [40001, 300, 2, "none"],
      [40002, 400, 1, "rst"],
    ]);
  });
});

describe("comparison", () => {
  const att = (reply: Attempt["reply"]): Attempt => ({ time: 0, src: "", sport: 0, isn: 0, tsval: null, syns: 1, reply });

  it("matches the i-th attempts, counts one-sided attempts as disagreement and lists unequal counters", () => {
    const c = compareRuns(
      "x",
      { attempts: [att("synack"), att("none"), att("none")], deltas: { TcpExtListenDrops: 6, TcpPassiveOpens: 1 } },
      { attempts: [att("synack"), att("synack")], counters: { TcpExtListenDrops: 3, TcpPassiveOpens: 1, TcpExtTW: 9 } },
    );
    expect(c.attempts).toBe(3);
    expect(c.matching).toBe(1);
    expect(c.mismatches).toEqual([
      { index: 1, lab: "none", sim: "synack" },
      { index: 2, lab: "none", sim: "missing" },
    ]);
    expect(c.counterMismatches).toEqual([{ counter: "TcpExtListenDrops", lab: 6, sim: 3 }]);
    const table = formatTable([c]);
    expect(table).toContain("| x | 3 | synack 1, none 2 | synack 2 | 33.3 % | PassiveOpens 1, ListenDrops **6 ≠ 3** |");
    expect(table).toContain("| **all** | 3 |");
  });
});
