/**
 * The fidelity comparison: each workload once in the namespace lab (this machine's kernel) and once in the
 * simulator (6.18 profile), then attempt by attempt and counter by counter (compare.ts).
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { runSimulation } from "../../src/sim/index.js";
import { resolveScenario } from "../../src/sim/scenario-load.js";
import { readAttempts } from "./attempts.js";
import { compareRuns, type Comparison } from "./compare.js";
import { LateStartError, runLabWorkload, type LabOutcome } from "./lab-run.js";
import { simScenarioFor } from "./sim-scenario.js";
import { FIDELITY_NET, type FidelityWorkload } from "./workloads.js";

export { FIDELITY_WORKLOADS, findWorkload, type FidelityWorkload } from "./workloads.js";
export { compareRuns, formatTable, COMPARED_COUNTERS, type Comparison } from "./compare.js";
export { simScenarioFor } from "./sim-scenario.js";

/** The simulator's master seed: its random choices (ISNs, ports) do not decide any compared outcome. */
export const FIDELITY_SEED = 1;

export interface FidelityResult {
  readonly comparison: Comparison;
  readonly lab: LabOutcome;
  readonly simCounters: Readonly<Record<string, number>>;
}

/** Runs one workload on both sides; captures go to `outDir` (`NAME.lab.pcap`, `NAME.sim.pcap`). */
export async function runFidelity(w: FidelityWorkload, outDir: string, log: (line: string) => void = () => {}): Promise<FidelityResult> {
  await mkdir(outDir, { recursive: true });
  let lab: LabOutcome;
  try {
    lab = await runLabWorkload(w, outDir, log);
  } catch (error) {
    // A busy machine may delay a client start; one more try before giving up.
    if (!(error instanceof LateStartError)) throw error;
    log(`[${w.name}] ${error.message}; once more`);
    await rm(join(outDir, `${w.name}.lab.pcap`), { force: true });
    lab = await runLabWorkload(w, outDir, log);
  }
  const simPcap = join(outDir, `${w.name}.sim.pcap`);
  const scenario = resolveScenario({ file: `fidelity workload ${w.name}`, raw: simScenarioFor(w, lab.clocks) });
  const { run } = runSimulation(scenario, { seed: FIDELITY_SEED, pcapPath: simPcap });
  const simAttempts = await readAttempts(simPcap, FIDELITY_NET.port);
  const comparison = compareRuns(w.name, lab, { attempts: simAttempts, counters: run.summary.counters });
  log(`[${w.name}] agreement ${comparison.matching}/${comparison.attempts}, counter mismatches ${comparison.counterMismatches.length}`);
  return { comparison, lab, simCounters: run.summary.counters };
}
