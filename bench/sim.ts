/**
 * Simulator benchmark (npm run bench:sim): simulated SYNs per second through the kernel model, and a
 * 10 M-attempt run in bounded memory (peak RSS). Prints the figures; run on an otherwise idle machine.
 *   npm run bench:sim            # both
 *   npm run bench:sim -- quick   # throughput only
 */
import { loadScenario, parseOverride, runSimulation } from "../src/sim/index.js";

interface Timed {
  syns: number;
  attempts: number;
  events: number;
  /** Wall clock and CPU time of this process (CPU time is the fairer figure on a shared machine). */
  seconds: number;
  cpuSeconds: number;
  twOverflows: number;
}

function runTimed(name: string, sets: string[]): Timed {
  const scenario = loadScenario(name, sets.map(parseOverride));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const { run } = runSimulation(scenario, { seed: 1 });
  const cpu = process.cpuUsage(c0);
  const seconds = (performance.now() - t0) / 1000;
  const s = run.summary;
  return {
    syns: s.synsReceived,
    attempts: s.attempts,
    events: s.events,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    twOverflows: s.counters.TcpExtTCPTimeWaitOverflow ?? 0,
  };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

const quick = process.argv.includes("quick");
const cases: { label: string; name: string; sets: string[] }[] = [
  { label: "SYN flood, cookies (every SYN answered)", name: "syn-flood-cookies", sets: ["flood.synsPerSecond=400000", "durationSeconds=10", "clients.count=100"] },
  { label: "SYN flood, no cookies (queue full, drops)", name: "syn-flood-no-cookies", sets: ["flood.synsPerSecond=400000", "durationSeconds=10", "clients.count=100"] },
  { label: "full connections (SYN, SYN-ACK, ACK, close)", name: "healthy", sets: ["clients.count=2000", "clients.connectionsPerSecond=50", "durationSeconds=10"] },
  { label: "tw_recycle behind LVS (drops and retries)", name: "seed-lvs-tw-recycle", sets: ["clients.count=2000", "clients.connectionsPerSecond=20", "nat.addresses=[198.18.8.1, 198.18.8.2, 198.18.8.3, 198.18.8.4]"] },
];

process.stdout.write("simulated SYNs per second (wall clock, one core):\n");
for (const c of cases) {
  runTimed(c.name, [...c.sets.filter((s) => !s.startsWith("durationSeconds")), "durationSeconds=1"]); // warm-up
  const r = runTimed(c.name, c.sets);
  process.stdout.write(
    `  ${c.label.padEnd(46)} ${String(r.syns).padStart(9)} SYNs: wall ${r.seconds.toFixed(2)} s = ${(r.syns / r.seconds / 1e6).toFixed(2)} M SYN/s;` +
      ` CPU ${r.cpuSeconds.toFixed(2)} s = ${(r.syns / r.cpuSeconds / 1e6).toFixed(2)} M SYN/s, ${(r.events / r.cpuSeconds / 1e6).toFixed(2)} M events/s\n`,
  );
}

if (!quick) {
  // 10 M attempts: 1000 clients × 1000 connections per second for 10 simulated seconds, server closing first.
  // Memory stays bounded: live connections only, client ports freed on close, TIME_WAIT capped by
  // tcp_max_tw_buckets (the overflow is counted, as on a real server).
  const before = process.memoryUsage().rss;
  const r = runTimed("healthy", ["clients.count=1000", "clients.connectionsPerSecond=1000", "durationSeconds=10", "server.closePolicy=server-first"]);
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(
    `10 M-attempt run: ${r.attempts} attempts, ${r.syns} SYNs, ${r.events} events; wall ${r.seconds.toFixed(1)} s, CPU ${r.cpuSeconds.toFixed(1)} s ` +
      `(${(r.syns / r.cpuSeconds / 1e6).toFixed(2)} M SYN/s); TCPTimeWaitOverflow ${r.twOverflows}; RSS before ${mib(before)}, peak ${mib(peak)}\n`,
  );
}
