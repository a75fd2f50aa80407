/**
 * npm run bench: nosynack analyze against the tools an engineer would otherwise use, on the same captures, in the
 * same run. Prints packets/s, wall time, peak RSS and ratios. The captures are generated once (deterministic) into
 * bench/data/ by bench/generate-capture.ts: the mix of the targets (~1 GB: connections, unanswered SYNs, NAT, TIME_WAIT
 * collisions) and a SYN flood from spoofed sources (~0.35 GB, the tracker's worst case). Needs tshark, tcpdump and
 * GNU time (/usr/bin/time) for RSS.
 * Options: --connections N (size of the mix), --flood-syns N (size of the flood, 0 to skip it), --runs N (best of N),
 * --skip-tshark.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateCapture, generateFloodCapture } from "./generate-capture.js";

const { values } = parseArgs({
  options: {
    connections: { type: "string", default: "210000" },
    "flood-syns": { type: "string", default: "4000000" },
    runs: { type: "string", default: "3" },
    "skip-tshark": { type: "boolean", default: false },
  },
});
const DATA = join(import.meta.dirname, "data");
const CLI = join(import.meta.dirname, "..", "dist", "src", "cli", "main.js");

interface Measurement {
  name: string;
  command: string;
  seconds: number;
  rssMb: number | null;
}

function have(tool: string): boolean {
  return !spawnSync(tool, ["--version"], { stdio: "ignore" }).error;
}

/** Runs a command with stdout to /dev/null; wall time from GNU time when available (with peak RSS). */
function measure(name: string, argv: string[]): Measurement {
  const useTime = existsSync("/usr/bin/time");
  const full = useTime ? ["/usr/bin/time", "-f", "@@ %e %M", ...argv] : argv;
  const started = process.hrtime.bigint();
  const result = spawnSync(full[0] as string, full.slice(1), { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", maxBuffer: 1 << 26 });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr.slice(-500)}`);
  const match = /@@ ([\d.]+) (\d+)/.exec(result.stderr);
  return { name, command: argv.join(" "), seconds: wall, rssMb: match ? Number(match[2]) / 1024 : null };
}

function best(name: string, argv: string[], runs: number): Measurement {
  let winner: Measurement | null = null;
  for (let i = 0; i < runs; i++) {
    const m = measure(name, argv);
    if (!winner || m.seconds < winner.seconds) winner = m;
  }
  return winner as Measurement;
}

/** Generates the capture on first use. */
function ensure(file: string, what: string, generate: () => void): void {
  if (existsSync(file)) return;
  process.stderr.write(`generating ${file} (${what})…\n`);
  execFileSync("mkdir", ["-p", DATA]);
  generate();
}

/** Measures every tool on one capture and prints the table; the targets are printed for the mix only. */
function benchCapture(file: string, title: string, withTargets: boolean): void {
  const bytes = statSync(file).size;
  execFileSync("cat", [file], { stdio: ["ignore", "ignore", "ignore"] }); // warm the page cache for everyone
  const packets = Number((JSON.parse(execFileSync(process.execPath, [CLI, "analyze", "--json", file], { encoding: "utf8", maxBuffer: 1 << 28 })) as { packets: number }).packets);
  const runs = Number(values.runs);
  const results: Measurement[] = [best("nosynack analyze", [process.execPath, CLI, "analyze", "--json", file], runs)];
  // The same analysis split over two threads (same JSON): whether it pays depends on the machine's cores.
  results.push(best("nosynack analyze --threads 2", [process.execPath, CLI, "analyze", "--json", "--threads", "2", file], runs));
  if (have("tcpdump")) results.push(best("tcpdump BPF pass", ["tcpdump", "-nr", file, "-w", "/dev/null", "tcp[tcpflags] & tcp-syn != 0"], runs));
  else process.stderr.write("tcpdump not installed: skipped\n");
  if (have("tshark") && !values["skip-tshark"]) {
    results.push(measure("tshark SYN fields", ["tshark", "-n", "-r", file, "-Y", "tcp.flags.syn==1", "-T", "fields", "-e", "frame.time_epoch", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport", "-e", "tcp.flags", "-e", "tcp.options.timestamp.tsval"]));
  } else process.stderr.write("tshark skipped\n");

  const ours = results[0] as Measurement;
  process.stdout.write(`${title}: ${file}\n  ${packets.toLocaleString("en-US")} packets, ${(bytes / 1e9).toFixed(2)} GB\n\n`);
  const rows = results.map((m) => [
    m.name,
    `${m.seconds.toFixed(2)} s`,
    `${(packets / m.seconds / 1e6).toFixed(2)} M pkt/s`,
    m.rssMb === null ? "n/a" : `${m.rssMb.toFixed(0)} MB`,
    m === ours ? "1.00" : `${(ours.seconds / m.seconds).toFixed(2)}`,
  ]);
  const header = ["tool", "wall", "rate", "peak RSS", "nosynack time ÷ tool time"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  for (const row of [header, ...rows]) process.stdout.write(`  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ")}\n`);
  const tshark = results.find((m) => m.name.startsWith("tshark"));
  const tcpdump = results.find((m) => m.name.startsWith("tcpdump"));
  const target = (text: string): string => (withTargets ? ` (target ${text})` : "");
  process.stdout.write("\n");
  if (tshark) process.stdout.write(`  vs tshark:  ${(tshark.seconds / ours.seconds).toFixed(0)}× faster${target("≥ 150×")}\n`);
  if (tcpdump) process.stdout.write(`  vs tcpdump: time ratio ${(ours.seconds / tcpdump.seconds).toFixed(2)}${target("≤ 1.00")}\n`);
  const threaded = results[1] as Measurement;
  process.stdout.write(`  --threads 2: ${(threaded.seconds / ours.seconds).toFixed(2)} × the single-thread time on ${availableParallelism()} cores\n`);
  if (ours.rssMb !== null) process.stdout.write(`  peak RSS:   ${ours.rssMb.toFixed(0)} MB${withTargets ? " (target ≤ 250 MB on a 1 GB capture)" : ""}\n`);
  process.stdout.write("\n");
}

function main(): void {
  if (!existsSync(CLI)) throw new Error("build first: npm run build");
  const connections = Number(values.connections);
  const mix = join(DATA, `bench-${connections}.pcap`);
  ensure(mix, `${connections} connections`, () => generateCapture(mix, connections));
  benchCapture(mix, "mix (the targets)", true);
  const floodSyns = Number(values["flood-syns"]);
  if (floodSyns > 0) {
    const flood = join(DATA, `flood-${floodSyns}.pcap`);
    ensure(flood, `${floodSyns} SYNs`, () => generateFloodCapture(flood, floodSyns));
    benchCapture(flood, "SYN flood from spoofed sources", false);
  }
}

main();
