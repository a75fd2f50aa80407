import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readAttempts } from "../../lab/fidelity/attempts.js";
import { FIDELITY_SEED, FIDELITY_WORKLOADS, compareRuns, findWorkload, formatTable, runFidelity, simScenarioFor, type Comparison } from "../../lab/fidelity/index.js";
import type { LabOutcome } from "../../lab/fidelity/lab-run.js";
import { FIDELITY_NET } from "../../lab/fidelity/workloads.js";
import { runSimulation } from "../../src/sim/index.js";
import { resolveScenario } from "../../src/sim/scenario-load.js";
import type { ScenarioInput } from "../../src/sim/scenario.js";
import { labUnavailable } from "../lab-guard.js";

/**
 * The same workload once in network namespaces on this machine's kernel and once in the simulator with the
 * 6.18 profile (lab/fidelity): every attempt's first reply and the SYN-path counter deltas must agree.
 * One workload at a time: the lab's timing must not compete with another run.
 */
const skip = labUnavailable();
const root = await mkdtemp(join(tmpdir(), "nosynack-fidelity-"));
const rows: Comparison[] = [];
const labRuns = new Map<string, LabOutcome>();

/** The simulator on a workload's lab run, with one scenario field changed: the comparison must notice. */
async function perturbed(name: string, change: (s: ScenarioInput) => void): Promise<Comparison> {
  const w = findWorkload(name);
  const lab = labRuns.get(name);
  if (!lab) throw new Error(`no lab run of ${name}`);
  const raw = simScenarioFor(w, lab.clocks);
  change(raw);
  const pcap = join(root, `${name}.perturbed.pcap`);
  const { run } = runSimulation(resolveScenario({ file: `perturbed ${name}`, raw }), { seed: FIDELITY_SEED, pcapPath: pcap });
  return compareRuns(name, lab, { attempts: await readAttempts(pcap, FIDELITY_NET.port), counters: run.summary.counters });
}

describe.sequential("fidelity: namespace lab (real kernel) vs simulator (6.18)", () => {
  afterAll(async () => {
    if (rows.length > 0) process.stderr.write(`${formatTable(rows)}\n`);
    await rm(root, { recursive: true, force: true });
  });

  for (const w of FIDELITY_WORKLOADS) {
    it.skipIf(skip !== null)(
      `${w.name}: first replies and SYN-path counters agree`,
      async () => {
        const { comparison, lab } = await runFidelity(w, root);
        rows.push(comparison);
        labRuns.set(w.name, lab);
        // The real kernel reproduced the cause (otherwise agreement would prove little).
        for (const [counter, shown] of Object.entries(w.shows)) {
          const delta = lab.deltas[counter] ?? 0;
          expect({ counter, moved: delta > 0 }).toEqual({ counter, moved: shown === "moved" });
        }
        expect(comparison.attempts).toBe(w.connections.length + (w.flood?.count ?? 0));
        expect(comparison.mismatches).toEqual([]);
        expect(comparison.agreement).toBeGreaterThanOrEqual(0.99);
        expect(comparison.counterMismatches).toEqual([]);
      },
      60_000,
    );
  }

  it.skipIf(skip !== null)("agrees on at least 99 % of all attempts", () => {
    const attempts = rows.reduce((n, r) => n + r.attempts, 0);
    const matching = rows.reduce((n, r) => n + r.matching, 0);
    expect(attempts).toBeGreaterThan(50);
    expect(matching / attempts).toBeGreaterThanOrEqual(0.99);
  });

  it.skipIf(skip !== null)("notices a simulator that differs from the lab run (backlog 3 instead of 2; clients' clocks swapped)", async () => {
    const backlog = await perturbed("accept-queue-overflow", (s) => {
      s.server.backlog = 3;
    });
    expect(backlog.agreement).toBeLessThan(0.99);
    expect(backlog.counterMismatches.map((c) => c.counter)).toContain("TcpExtListenOverflows");
    // Which client gets the PAWS answer depends on the measured clocks: swapped, the other client is refused.
    const clocks = await perturbed("nat-timewait", (s) => {
      const measured = s.clients.tsvalAtZero ?? [];
      s.clients.tsvalAtZero = [...measured].reverse();
    });
    expect(clocks.agreement).toBeLessThan(0.99);
  });
});
