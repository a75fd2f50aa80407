/**
 * The simulator's public entry points: load a scenario (built-in name or YAML file, with --set overrides) and
 * run it, optionally writing the server-side capture and an evidence bundle.
 */
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { parseManifest } from "../evidence/manifest.js";
import { InputError, UsageError } from "../util/errors.js";
import { makeOutputDirectory } from "../util/output-files.js";
import { readFileUpTo } from "../util/read-bounded.js";
import { Rng } from "../util/rng.js";
import { ipv4ToNumber } from "./addr.js";
import type { BundleManifest } from "../evidence/manifest.js";
import { writeBundle } from "./bundle.js";
import { createServerStack } from "./kernel-server.js";
import { PcapSink } from "./pcap-sink.js";
import type { Scenario } from "./scenario.js";
import { readScenarioYaml, resolveScenario, type Override } from "./scenario-load.js";
import { BUILTIN_SCENARIOS, builtinScenario } from "./scenarios/index.js";
import { simulate, type SimRun } from "./simulator.js";

export { attemptsOf, parseOverride, type Override } from "./scenario-load.js";
export { scenarioJsonSchema, type Scenario } from "./scenario.js";
export type { SimRun, SimSummary, HostOutcome } from "./simulator.js";
export { BUILTIN_SCENARIOS } from "./scenarios/index.js";
export { netstatAfter } from "./bundle.js";

/** Scenarios and bundle manifests are a few kB; anything near this is neither. */
const SMALL_FILE_BYTES = 1 << 20;

/** A built-in scenario by name, or a YAML file by path; overrides applied and everything validated. */
export function loadScenario(nameOrPath: string, overrides: readonly Override[] = []): Scenario {
  const builtin = builtinScenario(nameOrPath);
  if (builtin) return resolveScenario({ file: `built-in scenario ${nameOrPath}`, raw: builtin }, overrides);
  if (!existsSync(nameOrPath)) {
    const names = BUILTIN_SCENARIOS.map((s) => s.name).join(", ");
    throw new UsageError(`${nameOrPath}: no such scenario file and not a built-in scenario (built-in: ${names})`);
  }
  let bytes: Buffer | null;
  try {
    bytes = readFileUpTo(nameOrPath, SMALL_FILE_BYTES);
  } catch (error) {
    throw new InputError("unreadable", { file: nameOrPath }, (error as Error).message, "a readable YAML scenario file");
  }
  if (bytes === null) throw new InputError("bad-format", { file: nameOrPath }, `more than ${SMALL_FILE_BYTES} bytes`, "a YAML scenario (a few kB)");
  return resolveScenario(readScenarioYaml(nameOrPath, bytes.toString("utf8")), overrides);
}

/** The YAML text of a built-in scenario, to copy and edit. */
export function builtinScenarioYaml(name: string): string | undefined {
  const s = builtinScenario(name);
  return s === undefined ? undefined : stringify(s, { lineWidth: 0 });
}

export interface RunOptions {
  readonly seed: number;
  /** Write the server-side capture here. */
  readonly pcapPath?: string;
  /** Write an evidence bundle (with its own server.pcap) into this directory. */
  readonly bundleDir?: string;
  /** Record which counters each kernel call moved (SimRun.tallied and movedByOutcome are empty without it). */
  readonly trackMoves?: boolean;
  /** Simulated time and planned end (µs), now and then during the run. */
  readonly onProgress?: (nowUs: number, endUs: number) => void;
}

export interface RunResult {
  readonly run: SimRun;
  readonly manifest: BundleManifest | null;
  readonly packets: number;
}

/** Runs one simulation; the capture streams to disk while the run goes, so memory stays bounded. */
export function runSimulation(scenario: Scenario, options: RunOptions): RunResult {
  const rng = new Rng(options.seed);
  const stack = createServerStack(scenario, rng, options.trackMoves ?? false);
  const serverAddr = ipv4ToNumber(scenario.server.addr);
  const sinks: PcapSink[] = [];
  if (options.pcapPath !== undefined) sinks.push(new PcapSink(options.pcapPath, serverAddr, "--pcap"));
  if (options.bundleDir !== undefined) {
    prepareBundleDir(options.bundleDir);
    sinks.push(new PcapSink(join(options.bundleDir, "server.pcap"), serverAddr, "--bundle"));
  }
  const sink =
    sinks.length === 0
      ? undefined
      : sinks.length === 1
        ? sinks[0]
        : { packet: (at: number, seg: Parameters<PcapSink["packet"]>[1]) => sinks.forEach((s) => s.packet(at, seg)) };
  let run: SimRun;
  try {
    const progress = options.onProgress !== undefined ? { onProgress: options.onProgress } : {};
    run = simulate(scenario, sink ? { seed: options.seed, stack, sink, ...progress } : { seed: options.seed, stack, ...progress });
  } finally {
    for (const s of sinks) s.close();
  }
  const manifest = options.bundleDir === undefined ? null : writeBundle(options.bundleDir, scenario, run, options.seed, true);
  return { run, manifest, packets: sinks[0]?.packets ?? 0 };
}

/** A bundle directory must be new or empty of bundle files: never mix two runs. */
function prepareBundleDir(dir: string): void {
  makeOutputDirectory("--bundle", dir);
  if (existsSync(join(dir, "manifest.json"))) {
    // Re-running into the same directory replaces the earlier simulated bundle, and only that.
    const text = readFileUpTo(join(dir, "manifest.json"), SMALL_FILE_BYTES);
    const parsed = text === null ? { value: null, issues: [{ message: `larger than ${SMALL_FILE_BYTES} bytes` }] } : parseManifest(text.toString("utf8"));
    const manifest = parsed.value;
    if (manifest === null) {
      throw new UsageError(`--bundle ${dir}: holds a manifest.json that is not a bundle's (${parsed.issues[0]?.message ?? "invalid"}); choose another directory`);
    }
    if (manifest.producer !== "simulate") throw new UsageError(`--bundle ${dir}: holds a bundle from "${manifest.producer ?? "?"}"; choose another directory`);
    // Only plain file names inside the directory (a manifest is input: never follow "../").
    for (const f of manifest.files ?? []) if (/^[\w][\w.-]*$/.test(f.path)) rmSync(join(dir, f.path), { force: true });
  }
}
