import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inspectBundle } from "../../lab/inspect.js";
import { diagnosePaths } from "../../src/diagnose/index.js";
import { listScenarios, runScenario } from "../../lab/run.js";
import { labUnavailable } from "../lab-guard.js";
import { EXPECTATIONS } from "./expectations.js";

/**
 * Every lab scenario on the real kernel, CI-sized, one at a time (2 cores, captures must not starve).
 * Each run must yield a bundle with the scenario's label whose capture and counters show the cause, and
 * `diagnose` on that fresh bundle must return the label as its verdict.
 */
const skip = labUnavailable();
const root = await mkdtemp(join(tmpdir(), "nosynack-lab-"));

describe.sequential("lab scenarios on the real kernel", () => {
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("has an expectation for every scenario", () => {
    expect(listScenarios().map((s) => s.name).sort()).toEqual(Object.keys(EXPECTATIONS).sort());
  });

  for (const scenario of listScenarios()) {
    it.skipIf(skip !== null)(
      `${scenario.name} reproduces ${scenario.label}`,
      async () => {
        const expectation = EXPECTATIONS[scenario.name];
        if (!expectation) throw new Error(`no expectation for ${scenario.name}`);
        const { bundleDir, manifest } = await runScenario(scenario.name, join(root, scenario.name), {}, { ci: true });
        expect(manifest.label).toBe(expectation.label);
        expect(manifest.producer).toBe("lab");
        const onDisk = JSON.parse(await readFile(join(bundleDir, "manifest.json"), "utf8")) as { label: string };
        expect(onDisk.label).toBe(expectation.label);
        expectation.check(await inspectBundle(bundleDir), bundleDir);
        const diagnosis = await diagnosePaths([bundleDir]);
        expect(diagnosis.verdict, `diagnose ${scenario.name}: ${diagnosis.findings[0]?.summary ?? ""}`).toBe(expectation.label);
      },
      90_000,
    );
  }
});
