/**
 * Simulator benchmark (npm run bench:sim): simulated SYNs per second through the kernel model, and a
 * 10 M-attempt run in bounded memory (peak RSS). Prints the figures; CPU time is the fair figure on a shared
 * machine (wall clock includes other people's jobs), best of 3 runs per case.
 *   npm run bench:sim            # every case, then the 10 M-attempt run in a child process (its own peak RSS)
 *   npm run bench:sim -- quick   # throughput only
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadScenario, parseOverride, runSimulation } from "../src/sim/index.js";
import { runSkeleton } from "./sim-skeleton.js";

interface Timed {
  syns: number;
  attempts: number;
  events: number;
  seconds: number;
  /** CPU time of the simulating (main) thread. */
  cpuSeconds: number;
  /** CPU time of the whole process: adds V8's GC helper threads (and tsx's loader thread). */
  processCpuSeconds: number;
  twOverflows: number;
}

/**
 * CPU seconds of this thread: Linux /proc/self/task/<pid>/stat (utime + stime in USER_HZ = 100 ticks, so
 * 10 ms resolution), else the whole process's (Node 20 has no per-thread figure of its own).
 */
function threadCpuSeconds(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
}

function runTimed(name: string, sets: string[]): Timed {
  const scenario = loadScenario(name, sets.map(parseOverride));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const th0 = threadCpuSeconds();
  const { run } = runSimulation(scenario, { seed: 1 });
  const thread = threadCpuSeconds() - th0;
  const cpu = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1000;
  const s = run.summary;
  return {
    syns: s.synsReceived,
    attempts: s.attempts,
    events: s.events,
    seconds,
    cpuSeconds: thread,
    processCpuSeconds: (cpu.user + cpu.system) / 1e6,
    twOverflows: s.counters.TcpExtTCPTimeWaitOverflow ?? 0,
  };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

const RUNS = 3;
const FULL_CONNECTIONS = "full connections (SYN, SYN-ACK, ACK, close)";
const cases: { label: string; name: string; sets: string[] }[] = [
  { label: "SYN flood, cookies (every SYN answered)", name: "syn-flood-cookies", sets: ["flood.synsPerSecond=400000", "durationSeconds=10", "clients.count=100"] },
  { label: "SYN flood, no cookies (queue full, drops)", name: "syn-flood-no-cookies", sets: ["flood.synsPerSecond=400000", "durationSeconds=10", "clients.count=100"] },
  { label: FULL_CONNECTIONS, name: "healthy", sets: ["clients.count=2000", "clients.connectionsPerSecond=50", "durationSeconds=10"] },
  { label: "tw_recycle behind LVS (drops and retries)", name: "seed-lvs-tw-recycle", sets: ["clients.count=2000", "clients.connectionsPerSecond=20", "nat.addresses=[198.18.8.1, 198.18.8.2, 198.18.8.3, 198.18.8.4]"] },
];
// 10 M attempts: 1000 clients × 1000 connections per second for 10 simulated seconds, server closing first.
// Memory stays bounded: live connections only, client ports freed on close, TIME_WAIT capped by
// tcp_max_tw_buckets (the overflow is counted, as on a real server).
const TEN_MILLION = ["clients.count=1000", "clients.connectionsPerSecond=1000", "durationSeconds=10", "server.closePolicy=server-first"];

function tenMillion(): void {
  const before = process.memoryUsage().rss;
  const r = runTimed("healthy", TEN_MILLION);
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    `10 M-attempt run: ${r.attempts} attempts, ${r.syns} SYNs, ${r.events} events; thread CPU ${r.cpuSeconds.toFixed(1)} s ` +
      `(${(r.syns / r.cpuSeconds / 1e6).toFixed(2)} M SYN/s), process CPU ${r.processCpuSeconds.toFixed(1)} s, wall ${r.seconds.toFixed(1)} s; ` +
      `TCPTimeWaitOverflow ${r.twOverflows}; RSS before ${mib(before)}, peak ${mib(peak)}\n`,
  );
}

/**
 * The full-connection case's workload through the bookkeeping skeleton (bench/sim-skeleton.ts): what the same
 * connections cost with every rule of the model taken out, and how many times that the real simulator takes.
 */
function skeletonBeside(c: (typeof cases)[number], model: Timed): void {
  const s = loadScenario(c.name, c.sets.map(parseOverride));
  const workload = {
    hosts: s.clients.count,
    connectionsPerSecond: s.clients.connectionsPerSecond,
    durationSeconds: s.durationSeconds,
    rttMs: s.network.rttMs,
    serviceTimeMs: s.server.serviceTimeMs,
  };
  runSkeleton({ ...workload, durationSeconds: 1 }); // warm-up
  let best = Infinity;
  let connections = 0;
  for (let i = 0; i < RUNS; i++) {
    const th0 = threadCpuSeconds();
    connections = runSkeleton(workload).connections;
    best = Math.min(best, threadCpuSeconds() - th0);
  }
  process.stdout.write(
    `  ${"the same workload, bookkeeping only (skeleton)".padEnd(46)} ${String(connections).padStart(9)} SYNs: thread CPU ${best.toFixed(2)} s = ` +
      `${(connections / best / 1e6).toFixed(2)} M SYN/s; the model takes ${(model.cpuSeconds / best).toFixed(1)}× the skeleton's time\n`,
  );
}

if (process.argv.includes("ten-million")) {
  tenMillion();
} else {
  const results = new Map<string, Timed>();
  process.stdout.write(`simulated SYNs per CPU-second of the simulating thread (best of ${RUNS}; process CPU adds GC helper threads):\n`);
  for (const c of cases) {
    runTimed(c.name, [...c.sets.filter((s) => !s.startsWith("durationSeconds")), "durationSeconds=1"]); // warm-up
    let best: Timed | undefined;
    for (let i = 0; i < RUNS; i++) {
      const r = runTimed(c.name, c.sets);
      if (best === undefined || r.cpuSeconds < best.cpuSeconds) best = r;
    }
    const r = best as Timed;
    results.set(c.label, r);
    process.stdout.write(
      `  ${c.label.padEnd(46)} ${String(r.syns).padStart(9)} SYNs: thread CPU ${r.cpuSeconds.toFixed(2)} s = ${(r.syns / r.cpuSeconds / 1e6).toFixed(2)} M SYN/s,` +
        ` ${(r.events / r.cpuSeconds / 1e6).toFixed(2)} M events/s; process CPU ${r.processCpuSeconds.toFixed(2)} s; wall ${r.seconds.toFixed(2)} s\n`,
    );
  }
  skeletonBeside(cases.find((c) => c.label === FULL_CONNECTIONS) as (typeof cases)[number], results.get(FULL_CONNECTIONS) as Timed);
  if (!process.argv.includes("quick")) {
    // In a fresh process, so that its peak RSS is its own and not the cases' above.
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "ten-million"], { stdio: ["ignore", "inherit", "inherit"] });
    if (child.status !== 0) process.exitCode = 1;
  }
}
