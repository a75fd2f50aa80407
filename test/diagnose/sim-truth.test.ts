/**
 * Truth on simulated evidence: every built-in simulator scenario is written as a bundle by
 * `nosynack simulate NAME --bundle DIR` and diagnosed whole, by capture alone and by host files alone.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BUILTIN_SCENARIOS } from "../../src/sim/scenarios/index.js";
import { assertTruth, readBundle } from "./truth.js";

const ROOT = join(import.meta.dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "nosynack-diag-sim-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("diagnose on simulator bundles", () => {
  it("has built-in scenarios", () => {
    expect(BUILTIN_SCENARIOS.length).toBeGreaterThan(0);
  });

  for (const scenario of BUILTIN_SCENARIOS) {
    it(`${scenario.name} → ${scenario.expect}`, async () => {
      const dir = join(work, scenario.name);
      const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "simulate", scenario.name, "--seed", "1", "--bundle", dir], {
        cwd: ROOT,
        encoding: "utf8",
      });
      expect(run.status, run.stderr).toBe(0);
      const bundle = readBundle(dir, scenario.name);
      expect(bundle.label).toBe(scenario.expect);
      await assertTruth(bundle);
    });
  }
});
