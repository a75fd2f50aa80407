import { randomInt } from "node:crypto";
import { isAbsolute, relative, resolve, sep } from "node:path";
import type { Command } from "commander";
import {
  attemptsOf,
  BUILTIN_SCENARIOS,
  builtinScenarioYaml,
  loadScenario,
  parseOverride,
  runSimulation,
  scenarioJsonSchema,
  type SimSummary,
} from "../../sim/index.js";
import { UsageError } from "../../util/errors.js";
import { MAX_SEED } from "../../util/rng.js";
import { simulatedTimeProgress } from "../progress.js";

interface SimulateFlags {
  readonly seed?: string;
  readonly set: string[];
  readonly pcap?: string;
  readonly bundle?: string;
  readonly json?: boolean;
  readonly list?: boolean;
  readonly schema?: boolean;
  readonly print?: boolean;
}

export function registerSimulate(program: Command): void {
  program
    .command("simulate")
    .description("run the Linux SYN-path model in a seeded simulation: clients, NAT/LVS, server; JSON, capture and evidence bundle")
    .argument("[scenario]", "YAML scenario file or built-in scenario name (see --list)")
    .option("--seed <n>", `master seed 0..${MAX_SEED} (default: the scenario's, else random; printed as SEED=… on stderr)`)
    .option("--set <key=value>", "sysctl (net.ipv4.tcp_tw_recycle=0) or scenario key (server.kernel=4.12, clients.count=50); repeatable", collect, [])
    .option("--pcap <file>", "write the server-side capture (pcap, Ethernet)")
    .option("--bundle <dir>", "write an evidence bundle (capture, nstat/netstat -s before and after, sysctl, ss, uname)")
    .option("--json", "print the contract's JSON document")
    .option("--list", "list the built-in scenarios")
    .option("--schema", "print the JSON Schema of scenario files")
    .option("--print", "print the scenario (a built-in as YAML, to copy and edit)")
    .addHelpText(
      "after",
      `
Examples:
  nosynack simulate --list
  nosynack simulate seed-lvs-tw-recycle --seed 1
  nosynack simulate seed-lvs-tw-recycle --seed 1 --set net.ipv4.tcp_tw_recycle=0
  nosynack simulate nat-timewait-collision --pcap /tmp/nat.pcap --json
  nosynack simulate accept-queue-overflow --bundle /tmp/aq && nosynack diagnose /tmp/aq
  nosynack simulate healthy --print > my.yaml && nosynack simulate my.yaml --set clients.count=50`,
    )
    .action(async (scenarioArg: string | undefined, flags: SimulateFlags) => {
      if (flags.schema) {
        process.stdout.write(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
        return;
      }
      if (flags.list) {
        printList(flags.json === true);
        return;
      }
      if (scenarioArg === undefined) throw new UsageError("simulate: name a scenario file or a built-in scenario (see --list)");
      if (flags.print) {
        const yaml = builtinScenarioYaml(scenarioArg);
        if (yaml === undefined) throw new UsageError(`--print: ${scenarioArg} is not a built-in scenario (see --list)`);
        process.stdout.write(yaml);
        return;
      }
      if (flags.pcap !== undefined && flags.bundle !== undefined) checkPcapOutsideBundle(flags.pcap, flags.bundle);
      const scenario = loadScenario(scenarioArg, flags.set.map(parseOverride));
      const seed = flags.seed !== undefined ? parseSeed(flags.seed) : (scenario.seed ?? randomInt(0, MAX_SEED));
      process.stderr.write(`SEED=${seed}\n`);
      const writesCapture = flags.pcap !== undefined || flags.bundle !== undefined;
      const note = sizeNote(attemptsOf(scenario).attempts, scenario.clients.count, writesCapture);
      if (note !== null) process.stderr.write(`${note}\n`);
      const progress = await simulatedTimeProgress("simulating");
      let result;
      try {
        result = runSimulation(scenario, {
          seed,
          ...(flags.pcap !== undefined ? { pcapPath: flags.pcap } : {}),
          ...(flags.bundle !== undefined ? { bundleDir: flags.bundle } : {}),
          onProgress: (nowUs, endUs) => progress.update(nowUs, endUs),
        });
      } finally {
        progress.stop();
      }
      const summary = result.run.summary;
      if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else process.stdout.write(renderSummary(summary));
      if (flags.pcap !== undefined) process.stderr.write(`capture written: ${flags.pcap} (${result.packets} packets)\n`);
      if (flags.bundle !== undefined && result.manifest) {
        process.stderr.write(`bundle written: ${flags.bundle} (${result.manifest.files.length} files, label ${result.manifest.label})\n`);
      }
    });
}

/**
 * The bundle writes its own capture: a --pcap inside it would overwrite one of the bundle's files (or be read by
 * `diagnose` as a second capture of the same traffic). Refused before anything is written.
 */
function checkPcapOutsideBundle(pcap: string, bundle: string): void {
  const inside = relative(resolve(bundle), resolve(pcap));
  const outside = inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  if (inside !== "" && !outside) {
    throw new UsageError(`--pcap ${pcap}: inside the --bundle directory ${bundle}, which holds its own capture; give --pcap a path outside it, or leave it out`);
  }
}

/**
 * Measured on the bench's VM: 0.1–0.3 M attempts per CPU-second, down to 0.02 M/s past 20 000 client hosts (their
 * ports in TIME_WAIT no longer fit any cache); ~600 capture bytes per attempt.
 */
const ATTEMPTS_PER_SECOND = { high: 300_000, low: 100_000, lowManyHosts: 20_000 };
const MANY_HOSTS = 20_000;
const CAPTURE_BYTES_PER_ATTEMPT = 600;

/** For a run that will last (≥ 2 M attempts): how long, and how large its capture, before it starts. */
export function sizeNote(attempts: number, hosts: number, writesCapture: boolean): string | null {
  if (attempts < 2_000_000) return null;
  const minutes = (rate: number): string => (attempts / rate / 60).toFixed(attempts / rate < 600 ? 1 : 0);
  const low = hosts > MANY_HOSTS ? ATTEMPTS_PER_SECOND.lowManyHosts : ATTEMPTS_PER_SECOND.low;
  const capture = writesCapture ? `; the capture will take about ${((attempts * CAPTURE_BYTES_PER_ATTEMPT) / 1e9).toFixed(1)} GB` : "";
  return `about ${(attempts / 1e6).toFixed(1)} M attempts: ${minutes(ATTEMPTS_PER_SECOND.high)}–${minutes(low)} min of CPU${capture}`;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseSeed(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > MAX_SEED) throw new UsageError(`--seed ${text}: expected an integer from 0 to ${MAX_SEED}`);
  return n;
}

function printList(json: boolean): void {
  if (json) {
    const list = BUILTIN_SCENARIOS.map((s) => ({ name: s.name, expect: s.expect, description: s.description ?? "" }));
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return;
  }
  const width = Math.max(...BUILTIN_SCENARIOS.map((s) => s.name.length));
  for (const s of BUILTIN_SCENARIOS) {
    const firstSentence = (s.description ?? "").split(/(?<=\.)\s/)[0] ?? "";
    process.stdout.write(`${s.name.padEnd(width)}  ${firstSentence}\n`);
  }
}

/** Human summary: totals, the kernel's decisions, counters that moved, the hosts that suffered most. */
export function renderSummary(s: SimSummary): string {
  const lines: string[] = [];
  const pct = (n: number, d: number): string => (d === 0 ? "0%" : `${((100 * n) / d).toFixed(1)}%`);
  lines.push(`scenario ${s.scenario} (expect ${s.expect}) · kernel ${s.kernel} · seed ${s.seed} · ${s.simulatedSeconds} s simulated`);
  lines.push(`attempts ${s.attempts}: answered ${s.answered}, unanswered ${s.unanswered} (${pct(s.unanswered, s.attempts)})`);
  lines.push(
    `SYNs received ${s.synsReceived}: synack ${s.outcomes.synack}, cookie ${s.outcomes.cookie}, dropped ${s.outcomes.dropped}, ack ${s.outcomes.ack}, rst ${s.outcomes.rst}`,
  );
  lines.push(`kernel reasons: ${Object.entries(s.reasons).map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`);
  const c = s.connections;
  lines.push(`connections: established ${c.established}, completed ${c.completed}, timed out ${c.timedOut}, refused ${c.refused}, reset ${c.reset}, stalled ${c.stalled}`);
  lines.push(`connect delay ms: p50 ${s.connectDelayMs.p50}, p90 ${s.connectDelayMs.p90}, p99 ${s.connectDelayMs.p99}, max ${s.connectDelayMs.max}`);
  const moved = Object.entries(s.counters).filter(([, v]) => v !== 0);
  lines.push("counters moved:");
  for (const [name, value] of moved) lines.push(`  ${name.padEnd(30)} ${value}`);
  if (s.flood) lines.push(`flood: ${s.flood.syns} spoofed SYNs, ${s.flood.answered} answered`);
  const worst = [...s.hosts].filter((h) => h.failed > 0 || h.synRetransmits > 0).sort((a, b) => b.failed - a.failed || b.synRetransmits - a.synRetransmits);
  if (worst.length > 0) {
    lines.push(`clients with trouble: ${worst.length} of ${s.hosts.length} (worst first)`);
    for (const h of worst.slice(0, 5)) {
      lines.push(`  ${h.addr.padEnd(15)} attempts ${h.attempts}, failed ${h.failed}, SYN retransmits ${h.synRetransmits}, bare ACKs ${h.bareAcks}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
