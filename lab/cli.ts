/**
 * npm run lab -- list
 * npm run lab -- SCENARIO OUTDIR [key=value…]
 * npm run lab:all [-- OUTROOT] [--ci]          (every scenario, one bundle directory each)
 * npm run lab -- inspect BUNDLE…               (counter deltas and tshark reading of a bundle)
 * npm run lab -- fleet [FLEET ARGS…]           (Prometheus + node_exporter fleet, an accept-queue overflow on
 *                                               one host, then `nosynack fleet --prometheus … FLEET ARGS`)
 * Needs root and `ip netns`; everything it creates is removed at the end.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alertRulesYaml } from "../src/fleet/index.js";
import { overflowAcceptQueue, PROMETHEUS_URL, startFleetLab } from "./fleet.js";
import { inspectBundle } from "./inspect.js";
import { Lab } from "./lab.js";
import { listScenarios, runScenario } from "./run.js";
import { parseAssignments } from "./scenario.js";

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h") {
    process.stdout.write("usage: lab list | lab SCENARIO OUTDIR [key=value…] | lab all [OUTROOT] [--ci] | lab fleet [FLEET ARGS…]\n");
    return command === undefined ? 2 : 0;
  }
  if (command === "list") {
    for (const s of listScenarios()) {
      const params = Object.entries(s.params).map(([k, v]) => `${k}=${String(v)}`).join(" ");
      process.stdout.write(`${s.name.padEnd(28)} ${s.label.padEnd(22)} ${s.summary}\n${"".padEnd(29)}${params}\n`);
    }
    return 0;
  }
  if (command === "inspect") {
    for (const dir of rest) process.stdout.write(`${dir}\n${JSON.stringify(await inspectBundle(dir), null, 1)}\n`);
    return 0;
  }
  if (command === "fleet") return fleetDemo(rest);
  if (command === "all") {
    const ci = rest.includes("--ci");
    const root = rest.find((a) => !a.startsWith("--")) ?? "out/lab";
    let failed = 0;
    for (const s of listScenarios()) {
      try {
        const { manifest } = await runScenario(s.name, join(root, s.name), {}, { ci, log });
        process.stdout.write(`${s.name}: ok (${manifest.notes.length} notes)\n`);
      } catch (error) {
        failed++;
        process.stdout.write(`${s.name}: FAILED ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    return failed === 0 ? 0 : 1;
  }
  const [outDir, ...assignments] = rest;
  if (outDir === undefined) {
    process.stderr.write("lab: missing OUTDIR\n");
    return 2;
  }
  const { bundleDir, manifest } = await runScenario(command, outDir, parseAssignments(assignments), { log });
  process.stdout.write(`${bundleDir}\n`);
  for (const note of manifest.notes) process.stdout.write(`  ${note}\n`);
  return 0;
}

/** The fleet lab (lab/fleet.ts) with the accept queue of one host overflowed; prints what `nosynack fleet` says. */
async function fleetDemo(args: readonly string[]): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "nosynack-fleet-"));
  const lab = new Lab();
  try {
    log("starting node_exporter ×2 and Prometheus in namespaces …");
    const fleet = await startFleetLab(lab, dir, alertRulesYaml("1m", "0s"));
    log("overflowing the accept queue of 198.18.1.1 …");
    await overflowAcceptQueue(fleet);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const run = await fleet.nosynack(["fleet", "--prometheus", PROMETHEUS_URL, "--window", "1m", ...args]);
    process.stdout.write(run.stdout);
    process.stderr.write(run.stderr);
    return run.code ?? 1;
  } finally {
    for (const problem of await lab.cleanup()) log(problem);
    await rm(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`lab: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
