/**
 * Golden summaries of the built-in scenarios (seed 1): what `nosynack simulate NAME --seed 1 --json` prints.
 * Written only by scripts/golden-sim.ts with UPDATE_GOLDEN=1; test/sim/golden.test.ts compares against them.
 */
import { join } from "node:path";
import { BUILTIN_SCENARIOS, loadScenario, runSimulation, type SimSummary } from "../../../src/sim/index.js";

export const GOLDEN_SEED = 1;
export const GOLDEN_DIR = import.meta.dirname;

export function goldenPath(name: string): string {
  return join(GOLDEN_DIR, `${name}.json`);
}

export function goldenNames(): string[] {
  return BUILTIN_SCENARIOS.map((s) => s.name);
}

export function goldenSummary(name: string): SimSummary {
  return runSimulation(loadScenario(name), { seed: GOLDEN_SEED }).run.summary;
}

export function goldenText(name: string): string {
  return `${JSON.stringify(goldenSummary(name), null, 2)}\n`;
}
