/**
 * Simulator captures for the replay tests, written by the simulator itself (`runSimulation`, what
 * `nosynack simulate NAME --pcap FILE --bundle DIR` runs) into a fresh temporary directory.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenario, parseOverride, runSimulation, type SimRun } from "../../src/sim/index.js";

export interface SimCapture {
  /** server.pcap inside the bundle */
  readonly pcap: string;
  /** the bundle directory (manifest, sysctl, ss, uname, counters) */
  readonly bundle: string;
  readonly run: SimRun;
}

export function simulateBundle(name: string, seed: number, overrides: readonly string[] = []): SimCapture {
  const bundle = join(mkdtempSync(join(tmpdir(), "nosynack-replay-")), name);
  const result = runSimulation(loadScenario(name, overrides.map(parseOverride)), { seed, bundleDir: bundle });
  return { pcap: join(bundle, "server.pcap"), bundle, run: result.run };
}
