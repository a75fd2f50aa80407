/**
 * npm run bench:fleet — `nosynack fleet` on a large fleet held by a real Prometheus, beside the one PromQL query an
 * engineer would run by hand (topk of ListenDrops' increase), in the same run.
 *
 * A generator writes, once, the node_exporter series of N hosts (default 1000) for the 20 minutes before
 * 2026-01-01T00:00:00Z, 30 s apart, as OpenMetrics: every host's SYN-path counters (most of them flat), kernel
 * release (5.15, one in ten 6.18), sysctls, conntrack usage and `up`; one host in 20 overflows its accept queue in
 * the last 10 minutes, one in 50 answers SYNs in TIME_WAIT (PAWSTimewait, on 6.18), one in 97 fills its SYN queue. `promtool tsdb create-blocks-from
 * openmetrics` turns them into TSDB blocks (bench/data/fleet-N/). Prometheus serves those blocks inside a network
 * namespace of its own (loopback only); `nosynack fleet --at 2026-01-01T00:00:00Z --window 10m --json` runs there,
 * best of --runs, and its ranking is checked against what the generator planted.
 * Needs root (ip netns), prometheus and promtool. Options: --hosts N, --runs N.
 */
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { once } from "node:events";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { fleetTools } from "../lab/fleet.js";
import { Lab } from "../lab/lab.js";
import { run } from "../lab/exec.js";
import { FLEET_COUNTERS, FLEET_SYSCTLS, netstatMetric, type FleetReport } from "../src/fleet/index.js";
import { sysctlMetric } from "../src/fleet/metrics.js";

const { values } = parseArgs({ options: { hosts: { type: "string", default: "1000" }, runs: { type: "string", default: "3" } } });
const HOSTS = Number(values.hosts);
const RUNS = Number(values.runs);
const END = Date.parse("2026-01-01T00:00:00Z") / 1000;
const STEP = 30;
const SAMPLES = 41; // 20 minutes
const DATA = join(import.meta.dirname, "data", `fleet-${HOSTS}`);
const CLI = join(import.meta.dirname, "..", "dist", "src", "cli", "main.js");

const instance = (h: number): string => `host${String(h).padStart(5, "0")}:9100`;
/** What the generator plants: the cause of host h, or null. */
function plantedCause(h: number): string | null {
  if (h % 20 === 0) return "accept-queue-overflow";
  if (h % 50 === 7) return "timewait-paws";
  if (h % 97 === 3) return "syn-queue-overflow";
  return null;
}

/** The hosts that answer SYNs in TIME_WAIT, and one in ten others, run 6.18 (whose PAWSTimewait is unambiguous). */
function kernelOf(h: number): string {
  return plantedCause(h) === "timewait-paws" || h % 10 === 5 ? "6.18.4" : "5.15.0-91-generic";
}

/** Counter value of host h at sample i: flat, except what the host's planted cause moves in the last 10 minutes. */
function counterValue(name: string, h: number, i: number): number {
  const late = Math.max(0, i - (SAMPLES - 21));
  const cause = plantedCause(h);
  if (name === "TcpInSegs" || name === "TcpOutSegs") return 1_000_000 + h * 17 + i * 4_000;
  if (name === "TcpPassiveOpens") return 50_000 + i * 300;
  if (cause === "accept-queue-overflow" && (name === "TcpExtListenOverflows" || name === "TcpExtListenDrops")) return 100 + late * (5 + (h % 7));
  if (cause === "syn-queue-overflow" && (name === "TcpExtTCPReqQFullDrop" || name === "TcpExtListenDrops")) return late * 40;
  if (cause === "timewait-paws" && name === "TcpExtPAWSTimewait") return 10 + late * 3;
  return name === "TcpExtListenDrops" || name === "TcpExtListenOverflows" ? 100 : 0;
}

async function generate(): Promise<void> {
  if (existsSync(DATA) && readdirSync(DATA).some((f) => f.startsWith("01"))) return;
  rmSync(DATA, { recursive: true, force: true });
  mkdirSync(DATA, { recursive: true });
  const file = join(DATA, "series.om");
  const out = createWriteStream(file);
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, "drain");
  };
  const labels = (h: number, extra = ""): string => `{instance="${instance(h)}",job="node"${extra}}`;
  const family = async (name: string, value: (h: number, i: number) => number, extra: (h: number) => string = () => "", has: (h: number) => boolean = () => true): Promise<void> => {
    await write(`# TYPE ${name} gauge\n`);
    for (let h = 0; h < HOSTS; h++) {
      if (!has(h)) continue;
      let lines = "";
      for (let i = 0; i < SAMPLES; i++) lines += `${name}${labels(h, extra(h))} ${value(h, i)} ${END - (SAMPLES - 1 - i) * STEP}\n`;
      await write(lines);
    }
  };
  process.stderr.write(`generating ${HOSTS} hosts' series …\n`);
  // Neither kernel has PAWSPassive (gone with tw_recycle in 4.12); only 6.18 has PAWSTimewait (6.16).
  for (const name of FLEET_COUNTERS) {
    if (name === "TcpExtPAWSPassive") continue;
    await family(netstatMetric(name), (h, i) => counterValue(name, h, i), () => "", (h) => name !== "TcpExtPAWSTimewait" || kernelOf(h).startsWith("6."));
  }
  await family("node_uname_info", () => 1, (h) => `,release="${kernelOf(h)}",sysname="Linux"`);
  await family("up", () => 1);
  for (const key of FLEET_SYSCTLS) await family(sysctlMetric(key), () => (key.endsWith("syncookies") ? 1 : key.endsWith("somaxconn") ? 4096 : 0));
  await family("node_nf_conntrack_entries", (h) => 1000 + h);
  await family("node_nf_conntrack_entries_limit", () => 262_144);
  await write("# EOF\n");
  out.end();
  await once(out, "finish");
  process.stderr.write("promtool tsdb create-blocks-from openmetrics …\n");
  await run("promtool", ["tsdb", "create-blocks-from", "openmetrics", "--quiet", file, DATA], { timeoutMs: 600_000 });
  rmSync(file);
}

async function main(): Promise<number> {
  const tools = fleetTools();
  if (typeof tools === "string") {
    process.stderr.write(`bench:fleet skipped: ${tools}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write("bench:fleet skipped: not root (Prometheus runs in a network namespace of its own)\n");
    return 0;
  }
  await generate();
  const lab = new Lab();
  try {
    const ns = await lab.host("prom");
    const prometheus = lab.spawn(ns, "prometheus", tools.prometheus, [
      `--config.file=${join(import.meta.dirname, "fleet-prometheus.yml")}`,
      `--storage.tsdb.path=${DATA}`,
      "--storage.tsdb.retention.time=100y",
      "--web.listen-address=127.0.0.1:9090",
    ]);
    await prometheus.waitFor(/Server is ready to receive web requests/, 120_000);
    const at = new Date(END * 1000).toISOString();

    const timed = async (argv: readonly string[]): Promise<{ seconds: number; stdout: string }> => {
      const started = performance.now();
      const r = await lab.exec(ns, process.execPath, argv, { timeoutMs: 600_000 });
      return { seconds: (performance.now() - started) / 1000, stdout: r.stdout };
    };
    const byHand = `fetch("http://127.0.0.1:9090/api/v1/query?" + new URLSearchParams({ query: "topk(20, increase(node_netstat_TcpExt_ListenDrops[10m]))", time: "${END}" })).then((r) => r.text()).then((t) => process.stdout.write(t))`;
    let fleetBest = Infinity;
    let queryBest = Infinity;
    let report: FleetReport | null = null;
    for (let r = 0; r < RUNS; r++) {
      const fleet = await timed([CLI, "fleet", "--prometheus", "http://127.0.0.1:9090", "--window", "10m", "--at", at, "--json"]);
      fleetBest = Math.min(fleetBest, fleet.seconds);
      report = JSON.parse(fleet.stdout) as FleetReport;
      queryBest = Math.min(queryBest, (await timed(["-e", byHand])).seconds);
    }
    if (report === null) return 1;

    // The ranking against what was planted: every host with a cause first, each with that cause.
    const planted = Array.from({ length: HOSTS }, (_, h) => plantedCause(h)).filter((c) => c !== null).length;
    const top = report.hosts.slice(0, planted);
    const wrong = top.filter((h) => plantedCause(Number(h.instance.slice(4, 9))) !== h.verdict);
    const rest = report.hosts.slice(planted).filter((h) => h.verdict !== "unknown");
    process.stdout.write(
      [
        `fleet of ${HOSTS} node_exporter targets in a real Prometheus (${SAMPLES} samples each, ${STEP} s apart): bench/data/fleet-${HOSTS}`,
        "",
        "  tool                                              wall    hosts/s   nosynack time ÷ tool time",
        `  nosynack fleet --json                         ${fleetBest.toFixed(2).padStart(7)} s ${(HOSTS / fleetBest).toFixed(0).padStart(9)}   1.00`,
        `  one PromQL topk(ListenDrops) query by hand    ${queryBest.toFixed(2).padStart(7)} s ${"".padStart(9)}   ${(fleetBest / queryBest).toFixed(2)}`,
        "",
        `  ranking: ${planted} hosts with a planted cause, ${planted - wrong.length} of them first with that verdict; ${rest.length} others with a cause verdict`,
        "",
      ].join("\n"),
    );
    return wrong.length === 0 && rest.length === 0 ? 0 : 1;
  } finally {
    for (const problem of await lab.cleanup()) process.stderr.write(`${problem}\n`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench:fleet: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
