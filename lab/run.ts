import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Capture, portFilter } from "./capture.js";
import { CollectSnapshotter, collectCli } from "./collect-snapshot.js";
import { run, sleep } from "./exec.js";
import { Lab } from "./lab.js";
import { COMMON_DEFAULTS, num, resolveParams, type ParamValue, type Params, type LabLabel } from "./scenario.js";
import { SCENARIOS, findScenario } from "./scenarios/index.js";
import { Snapshotter, type BundleFile } from "./snapshot.js";
import { buildTopology } from "./topology.js";

export interface LabManifest {
  readonly format: "nosynack-bundle/1";
  readonly producer: "lab";
  readonly label: LabLabel;
  readonly scenario: string;
  readonly kernel: string;
  readonly started: string;
  readonly ended: string;
  readonly port: number;
  readonly server: string;
  readonly clients: readonly string[];
  readonly params: Params;
  /** Who took the evidence snapshots: the product's `collect` or the lab's own minimal snapshot. */
  readonly snapshots: "collect" | "lab";
  readonly files: readonly BundleFile[];
  readonly notes: readonly string[];
  readonly results: Record<string, unknown>;
}

export interface RunOptions {
  /** Use the scenario's smaller CI values before the explicit params. */
  readonly ci?: boolean;
  /** Evidence snapshots by `nosynack collect` (default when dist/ is built) or by the lab itself. */
  readonly snapshots?: "collect" | "lab";
  /** Progress lines (the CLI prints them to stderr). */
  readonly log?: (line: string) => void;
}

export interface RunResult {
  readonly bundleDir: string;
  readonly manifest: LabManifest;
}

export function listScenarios(): ReadonlyArray<{ name: string; label: LabLabel; summary: string; params: Params }> {
  return SCENARIOS.map((s) => ({ name: s.name, label: s.label, summary: s.summary, params: { ...COMMON_DEFAULTS, ...s.defaults } }));
}

/**
 * Builds the scenario's namespaces, runs its workload between two evidence snapshots of the server namespace
 * while tcpdump captures, writes a bundle into `outDir`, and removes everything it created.
 */
export async function runScenario(
  name: string,
  outDir: string,
  params: Record<string, ParamValue> = {},
  options: RunOptions = {},
): Promise<RunResult> {
  const scenario = findScenario(name);
  const resolved = resolveParams({ ...COMMON_DEFAULTS, ...scenario.defaults }, options.ci ? scenario.ci : undefined, params);
  const bundleDir = resolve(outDir);
  await mkdir(bundleDir, { recursive: true });
  if ((await readdir(bundleDir)).length > 0) throw new Error(`${bundleDir} is not empty`);
  const log = options.log ?? ((): void => {});
  const notes: string[] = [];
  const results: Record<string, unknown> = {};
  const lab = new Lab();
  const started = new Date();
  let manifest: LabManifest | undefined;
  try {
    log(`[${scenario.name}] run ${lab.runId}: building namespaces`);
    const topo = await buildTopology(lab, scenario.topology(resolved));
    const ctx = { lab, topo, params: resolved, note: (l: string) => notes.push(l), result: (k: string, v: unknown) => (results[k] = v) };
    await scenario.setup(ctx);
    const port = num(resolved, "port");
    let snapshots = options.snapshots ?? (collectCli() ? "collect" : "lab");
    const files: BundleFile[] = [];
    const ownSnap = new Snapshotter(lab, topo.server, bundleDir);
    const collect = new CollectSnapshotter(lab, topo.server, bundleDir, port);
    if (snapshots === "collect") {
      try {
        await collect.before();
      } catch (error) {
        // dist/ may be mid-rebuild by someone else; the lab's own snapshot keeps the run useful.
        if (options.snapshots === "collect") throw error;
        notes.push(`collect failed, lab snapshot used instead: ${String(error).split("\n")[0] ?? ""}`);
        await emptyDir(bundleDir);
        snapshots = "lab";
      }
    }
    if (snapshots === "lab") files.push(...(await ownSnap.before()));
    const captures: Array<{ capture: Capture; file: BundleFile }> = [];
    captures.push({
      capture: await Capture.start(lab, topo.server, topo.serverIf, join(bundleDir, "server.pcap"), portFilter(port)),
      file: { path: "server.pcap", kind: "pcap", side: "server" },
    });
    const firstClient = topo.clients[0];
    if (scenario.clientCapture && firstClient !== undefined) {
      captures.push({
        capture: await Capture.start(lab, firstClient, topo.clientIf, join(bundleDir, "client.pcap"), portFilter(port)),
        file: { path: "client.pcap", kind: "pcap", side: "client" },
      });
    }
    log(`[${scenario.name}] workload`);
    await scenario.workload(ctx);
    await sleep(num(resolved, "settleMs"));
    for (const { capture, file } of captures) {
      const stats = await capture.stop();
      const line = stats.split("\n").find((l) => /packets captured/.test(l));
      if (line) notes.push(`${file.path}: ${line.trim()}`);
      files.push(file);
    }
    if (snapshots === "collect") {
      const collected = await collect.after();
      files.unshift(...collected.files.filter((f) => f.kind !== "pcap"));
      notes.push(...collected.notes.map((n) => `collect: ${n}`));
    } else {
      files.push(...(await ownSnap.after()));
      notes.push(...ownSnap.notes);
    }
    if (snapshots === "collect") files.push(...(await extraState(lab, topo.server, bundleDir)));
    if (scenario.analyze) await scenario.analyze(ctx, bundleDir);
    const kernel = (await run("uname", ["-r"])).stdout.trim();
    manifest = {
      format: "nosynack-bundle/1",
      producer: "lab",
      label: scenario.label,
      scenario: scenario.name,
      kernel,
      started: started.toISOString(),
      ended: new Date().toISOString(),
      port,
      server: topo.serverAddr,
      clients: topo.clientAddrs,
      params: resolved,
      snapshots,
      files,
      notes,
      results,
    };
    await writeFile(join(bundleDir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  } finally {
    const problems = await lab.cleanup();
    for (const p of problems) log(`[${scenario.name}] cleanup: ${p}`);
  }
  log(`[${scenario.name}] bundle written to ${bundleDir}`);
  return { bundleDir, manifest };
}

/** Routing state that collect does not take but no-return-route and neighbour-unreachable are about. */
async function extraState(lab: Lab, ns: string, dir: string): Promise<BundleFile[]> {
  const files: BundleFile[] = [];
  for (const [name, kind, args] of [
    ["ip-route.txt", "ip-route", ["route", "show", "table", "all"]],
    ["ip-neigh.txt", "ip-neigh", ["neigh", "show"]],
  ] as const) {
    const result = await lab.exec(ns, "ip", args, { check: false });
    await writeFile(join(dir, name), result.stdout);
    files.push({ path: name, kind });
  }
  return files;
}

async function emptyDir(dir: string): Promise<void> {
  for (const name of await readdir(dir)) await rm(join(dir, name), { recursive: true, force: true });
}
