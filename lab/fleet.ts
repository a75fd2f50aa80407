import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { nodeExporterFlags } from "../src/fleet/index.js";
import { type BackgroundProcess, sleep } from "./exec.js";
import { Lab, repoRoot, workloadPath } from "./lab.js";
import { buildTopology, type Topology } from "./topology.js";

/**
 * A small fleet on the real kernel: two server namespaces, each with its own node_exporter (which reads the
 * counters of the namespace it runs in), and a real Prometheus in the router namespace that scrapes both every
 * second (behind Basic auth). `srv` (198.18.1.1) exports what `nosynack fleet rules` asks for; `quiet` (198.18.2.1) runs node_exporter
 * with its default field filter, which hides most SYN-path counters. Clients reach `srv` through the router.
 *
 *   cli0 (198.18.10.2) ── rtr (Prometheus on its 127.0.0.1:9090) ─┬─ srv   (198.18.1.1:9100)
 *                                                                  └─ quiet (198.18.2.1:9100)
 */
export interface FleetLab {
  readonly lab: Lab;
  readonly topo: Topology;
  readonly quiet: string;
  /** instance labels, as Prometheus names the targets */
  readonly srvInstance: string;
  readonly quietInstance: string;
  /** the two node_exporters (to stop one: a target that goes down) */
  readonly exporters: { readonly srv: BackgroundProcess; readonly quiet: BackgroundProcess };
  /** runs `nosynack …` (the built CLI) inside the router namespace, where Prometheus listens */
  nosynack(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** GET a Prometheus API path inside the router namespace; the parsed JSON */
  api(path: string): Promise<unknown>;
}

/**
 * Prometheus asks for Basic auth, as many do behind their proxy. The hash is bcrypt of the lab's password, made by
 * `htpasswd -nbBC 10 nosynack lab-secret` (apache2-utils); the lab needs no htpasswd itself.
 */
const USER = "nosynack";
const PASSWORD = "lab-secret";
const PASSWORD_BCRYPT = "$2y$10$xR7uAG2U//AqCUCYR.CUPuK/BUqFoW6gpfbHfRRC8mbJKKoxEbyla";
const PROMETHEUS = "http://127.0.0.1:9090";
/** The URL `nosynack fleet --prometheus` is given, credentials included. */
export const PROMETHEUS_URL = `http://${USER}:${PASSWORD}@127.0.0.1:9090`;

/** Which binaries the fleet lab needs, or why it cannot run (Debian names first, upstream names second). */
export function fleetTools(): { prometheus: string; nodeExporter: string } | string {
  const find = (names: readonly string[]): string | undefined =>
    names.find((name) => {
      try {
        execFileSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" });
        return true;
      } catch {
        return false;
      }
    });
  const prometheus = find(["prometheus"]);
  const nodeExporter = find(["prometheus-node-exporter", "node_exporter"]);
  if (prometheus === undefined) return "prometheus not installed";
  if (nodeExporter === undefined) return "prometheus-node-exporter not installed";
  return { prometheus, nodeExporter };
}

/**
 * Builds the fleet and waits until Prometheus has scraped both exporters. `rulesYaml` is loaded as Prometheus'
 * rule file. The caller owns `lab` and calls `lab.cleanup()` in a finally (processes by pid, then namespaces).
 */
export async function startFleetLab(lab: Lab, dir: string, rulesYaml: string): Promise<FleetLab> {
  const tools = fleetTools();
  if (typeof tools === "string") throw new Error(tools);
  const topo = await buildTopology(lab, { clients: 1, serverNet: "198.18.1", clientNet: "198.18.10" });
  const quiet = await lab.host("quiet");
  await lab.link(quiet, "eth0", topo.router, "q0");
  await lab.addr(quiet, "eth0", "198.18.2.1/24");
  await lab.addr(topo.router, "q0", "198.18.2.254/24");

  const collectors = ["--collector.disable-defaults", "--collector.netstat", "--collector.uname", "--collector.conntrack"];
  const srvExporter = lab.spawn(topo.server, "srv-node-exporter", tools.nodeExporter, ["--web.listen-address=198.18.1.1:9100", ...collectors, ...nodeExporterFlags()]);
  const quietExporter = lab.spawn(quiet, "quiet-node-exporter", tools.nodeExporter, ["--web.listen-address=198.18.2.1:9100", ...collectors]);
  await srvExporter.waitFor(/Listening on/, 10_000);
  await quietExporter.waitFor(/Listening on/, 10_000);

  await mkdir(join(dir, "tsdb"), { recursive: true });
  await writeFile(join(dir, "rules.yml"), rulesYaml);
  await writeFile(join(dir, "web.yml"), `basic_auth_users:\n  ${USER}: ${JSON.stringify(PASSWORD_BCRYPT)}\n`);
  await writeFile(
    join(dir, "prometheus.yml"),
    [
      "global: { scrape_interval: 1s, evaluation_interval: 1s }",
      `rule_files: [${JSON.stringify(join(dir, "rules.yml"))}]`,
      "scrape_configs:",
      "  - job_name: node",
      '    static_configs: [{ targets: ["198.18.1.1:9100", "198.18.2.1:9100"] }]',
      "",
    ].join("\n"),
  );
  const prometheus = lab.spawn(topo.router, "prometheus", tools.prometheus, [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "tsdb")}`,
    "--web.listen-address=127.0.0.1:9090",
    `--web.config.file=${join(dir, "web.yml")}`,
  ]);
  await prometheus.waitFor(/Server is ready to receive web requests/, 30_000);

  const cli = join(repoRoot(), "dist", "src", "cli", "main.js");
  const fleet: FleetLab = {
    lab,
    topo,
    quiet,
    srvInstance: "198.18.1.1:9100",
    quietInstance: "198.18.2.1:9100",
    exporters: { srv: srvExporter, quiet: quietExporter },
    nosynack: async (args) => {
      const r = await lab.exec(topo.router, process.execPath, [cli, ...args], { check: false, timeoutMs: 60_000, env: { ...process.env, NO_COLOR: "1" } });
      return { code: r.code, stdout: r.stdout, stderr: r.stderr };
    },
    api: async (path) => {
      const auth = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
      const script = `fetch(${JSON.stringify(PROMETHEUS + path)}, { headers: { authorization: ${JSON.stringify(auth)} } }).then((r) => r.text()).then((t) => process.stdout.write(t))`;
      const r = await lab.exec(topo.router, process.execPath, ["-e", script], { timeoutMs: 20_000 });
      return JSON.parse(r.stdout) as unknown;
    },
  };
  // Both targets up, each scraped a few times: the window then has a baseline before any workload.
  for (let i = 0; i < 60; i++) {
    if ((await scrapedTargets(fleet)) === 2) break;
    await sleep(500);
  }
  if ((await scrapedTargets(fleet)) !== 2) throw new Error(`Prometheus did not scrape both exporters: ${JSON.stringify(await fleet.api("/api/v1/targets"))}`);
  await sleep(3000);
  return fleet;
}

async function scrapedTargets(fleet: FleetLab): Promise<number> {
  const answer = (await fleet.api("/api/v1/query?query=up")) as { data?: { result?: { value: [number, string] }[] } };
  return (answer.data?.result ?? []).filter((r) => r.value[1] === "1").length;
}

/**
 * The accept-queue overflow on `srv`: a listener with backlog 1 that never accepts, and six connections at once
 * from the client; all but two SYNs (and their retransmissions) are dropped. Bounded: the client gives up after
 * `timeoutMs`, the listener exits by itself.
 */
export async function overflowAcceptQueue(fleet: FleetLab, timeoutMs = 2500): Promise<void> {
  const { lab, topo } = fleet;
  const listener = lab.spawn(topo.server, "raw-listener", "python3", [workloadPath("raw-listener.py"), "--host", topo.serverAddr, "--port", "8080", "--backlog", "1", "--lifetime", "60"]);
  await listener.waitFor(/^listening/m, 10_000);
  const client = lab.spawnWorkload(topo.clients[0] ?? "", "client0", "client.ts", [
    "--dst", topo.serverAddr,
    "--port", "8080",
    "--count", "6",
    "--concurrency", "6",
    "--timeout-ms", String(timeoutMs),
    "--hold-ms", String(timeoutMs),
    "--mode", "hold",
  ]);
  await client.exited;
}
