/**
 * The namespace-lab side of a fidelity workload on this machine's kernel: the standard topology (lab/topology.ts),
 * the workload's listener, sysctls, NAT and flood, open-loop clients (workloads/scheduled-client.py) that share
 * one start time, a server-side capture and `nstat -asz` before and after in the server namespace.
 */
import { rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Capture } from "../capture.js";
import { run, sleep, type BackgroundProcess } from "../exec.js";
import { Lab, workloadPath } from "../lab.js";
import { counterDeltas } from "../nstat.js";
import { buildTopology, type Topology } from "../topology.js";
import { readAttempts, type Attempt } from "./attempts.js";
import { FIDELITY_NET, attemptDeadlineMs, type FidelityWorkload } from "./workloads.js";

/** Namespace prefix of fidelity runs (apart from the lab's `nsklab-`). */
export const FIDELITY_NS_PREFIX = "nsfid-";
/** Time 0 is this long after every client reported ready (they poll the start file every 2 ms). */
const START_LEAD_MS = 300;

/** The schedule was not kept (an attempt started over 15 ms late, or the flood too late): the run proves nothing. */
export class LateStartError extends Error {
  override readonly name = "LateStartError";
}

export interface LabOutcome {
  readonly attempts: readonly Attempt[];
  /** nstat deltas in the server namespace (counters that moved). */
  readonly deltas: Readonly<Record<string, number>>;
  /** Per client: the TSval its clock showed at time 0 (0 when it sent no SYN with a TS option). */
  readonly clocks: readonly number[];
  readonly kernel: string;
}

export async function runLabWorkload(w: FidelityWorkload, outDir: string, log: (line: string) => void = () => {}): Promise<LabOutcome> {
  const lab = new Lab(undefined, FIDELITY_NS_PREFIX);
  const port = FIDELITY_NET.port;
  try {
    log(`[${w.name}] lab run ${lab.runId}: namespaces`);
    const topo = await buildTopology(lab, { clients: w.clients, serverNet: FIDELITY_NET.serverNet, clientNet: FIDELITY_NET.clientNet });
    await lab.sysctl(topo.server, w.serverSysctls);
    for (const client of topo.clients) await lab.sysctl(client, { "net.ipv4.tcp_timestamps": w.clientTimestamps });
    if (w.nat) await setupNat(lab, topo, w.nat);
    if (w.flood) await dropSynAcks(lab, topo.clients[w.flood.client] ?? "", port);
    const python = await pythonPath();
    if (w.server.kind !== "none") {
      // raw-listener.py: listen(backlog); with --accept it accepts and closes at once (the server closes first).
      const args = [workloadPath("raw-listener.py"), "--port", String(port), "--backlog", String(w.server.backlog), "--lifetime", "120"];
      if (w.server.kind === "accepting") args.push("--accept");
      await lab.spawn(topo.server, "listener", python, args).waitFor(/^listening/m, 20_000);
    }

    log(`[${w.name}] setup done`);
    const before = (await lab.exec(topo.server, "nstat", ["-asz"])).stdout;
    const pcap = join(outDir, `${w.name}.lab.pcap`);
    const capture = await Capture.start(lab, topo.server, topo.serverIf, pcap, `tcp port ${port}`);
    const startFile = join(outDir, `${w.name}.start`);
    await rm(startFile, { force: true });
    const clients = startClients(lab, topo, w, startFile, python);
    for (const c of clients) await c.waitFor(/^ready/m, 20_000);
    log(`[${w.name}] clients ready`);
    const t0 = Date.now() + START_LEAD_MS;
    // Written whole (rename): a client never reads half a number.
    await writeFile(`${startFile}.tmp`, `${t0 / 1000}\n`);
    await rename(`${startFile}.tmp`, startFile);
    const flood = w.flood ? runFlood(lab, topo, w.flood, t0) : Promise.resolve();
    const outputs = await Promise.all(clients.map((c) => c.exited));
    await flood;
    await sleep(200);
    await capture.stop();
    const after = (await lab.exec(topo.server, "nstat", ["-asz"])).stdout;

    for (const out of outputs) if (out.code !== 0) throw new Error(`${w.name}: client workload failed: ${out.stderr.slice(-300)}`);
    const late = outputs.flatMap((out) => out.stdout.split("\n").filter((l) => l.includes('"late": true')));
    if (late.length > 0) throw new LateStartError(`${w.name}: ${late.length} attempts started late (machine too busy): ${late.join(" ")}`);
    log(`[${w.name}] workload done`);
    const attempts = await readAttempts(pcap, port);
    checkFloodStart(w, topo, attempts, t0);
    const kernel = (await run("uname", ["-r"])).stdout.trim();
    return { attempts, deltas: counterDeltas(before, after), clocks: measureClocks(w, topo, attempts, t0), kernel };
  } finally {
    for (const problem of await lab.cleanup()) log(`[${w.name}] cleanup: ${problem}`);
  }
}

let pythonCache: string | undefined;

/** The interpreter behind `python3` (a version-manager shim costs a second per start). */
async function pythonPath(): Promise<string> {
  pythonCache ??= (await run("python3", ["-c", "import sys; print(sys.executable)"])).stdout.trim() || "python3";
  return pythonCache;
}

function startClients(lab: Lab, topo: Topology, w: FidelityWorkload, startFile: string, python: string): BackgroundProcess[] {
  const procs: BackgroundProcess[] = [];
  for (const [k, ns] of topo.clients.entries()) {
    const offsets = w.connections.filter((c) => c.client === k).map((c) => c.atMs);
    if (offsets.length === 0) continue;
    procs.push(
      lab.spawn(ns, `client${k}`, python, [
        workloadPath("scheduled-client.py"),
        "--dst", topo.serverAddr,
        "--port", String(FIDELITY_NET.port),
        "--schedule-ms", offsets.join(","),
        "--start-file", startFile,
        "--deadline-ms", String(attemptDeadlineMs(w)),
        "--sport", String(w.clientPort ?? 0),
      ]),
    );
  }
  return procs;
}

/** hping3 SYNs at the flood's start time; bounded by -c. */
async function runFlood(lab: Lab, topo: Topology, flood: NonNullable<FidelityWorkload["flood"]>, t0: number): Promise<void> {
  const ns = topo.clients[flood.client];
  if (ns === undefined) throw new Error(`no flood client ${flood.client}`);
  await sleep(Math.max(0, t0 + flood.atMs - Date.now()));
  await lab.exec(ns, "hping3", ["-q", "-S", "-p", String(FIDELITY_NET.port), "-s", "31000", "-i", `u${flood.intervalMs * 1000}`, "-c", String(flood.count), topo.serverAddr], {
    check: false,
    timeoutMs: 30_000,
  });
}

/** The flooding client has no socket: without this its kernel would answer each SYN-ACK with RST. */
async function dropSynAcks(lab: Lab, ns: string, port: number): Promise<void> {
  await lab.nft(ns, `table inet fidflood {\n  chain in {\n    type filter hook input priority 0;\n    tcp sport ${port} drop\n  }\n}\n`);
}

/** SNAT to the router's server-side address and the workload's ports; the router's conntrack forgets closed flows after holdS. */
async function setupNat(lab: Lab, topo: Topology, nat: NonNullable<FidelityWorkload["nat"]>): Promise<void> {
  const hold = nat.holdS;
  await lab.sysctl(topo.router, {
    "net.netfilter.nf_conntrack_tcp_timeout_time_wait": hold,
    "net.netfilter.nf_conntrack_tcp_timeout_close": hold,
    "net.netfilter.nf_conntrack_tcp_timeout_close_wait": hold,
    "net.netfilter.nf_conntrack_tcp_timeout_last_ack": hold,
    "net.netfilter.nf_conntrack_tcp_timeout_fin_wait": hold,
  });
  const [lo, hi] = nat.ports;
  await lab.nft(
    topo.router,
    `table ip fidnat {\n  chain post {\n    type nat hook postrouting priority 100;\n    oifname "${topo.routerServerIf}" ip protocol tcp snat to ${topo.routerServerAddr}:${lo}-${hi}\n  }\n}\n`,
  );
}

/**
 * hping3 keeps its own pace once started, but `ip netns exec hping3` may start late on a busy machine: its last
 * SYN must still come at least 50 ms before the next scheduled connection (or within 100 ms of the plan).
 */
function checkFloodStart(w: FidelityWorkload, topo: Topology, attempts: readonly Attempt[], t0: number): void {
  const flood = w.flood;
  if (!flood) return;
  const floodAddr = topo.clientAddrs[flood.client];
  const first = attempts.find((a) => a.src === floodAddr);
  const lagMs = first === undefined ? Infinity : first.time * 1000 - t0 - flood.atMs;
  const floodEnd = flood.atMs + flood.count * flood.intervalMs;
  const next = Math.min(...w.connections.filter((c) => c.atMs >= flood.atMs).map((c) => c.atMs));
  const allowedMs = Number.isFinite(next) ? next - floodEnd - 50 : 100;
  if (lagMs > allowedMs) throw new LateStartError(`${w.name}: the flood started ${Math.round(lagMs)} ms late`);
}

/**
 * Each client's clock at time 0, read off its first SYN in the capture: TSval − ms elapsed since t0. Attempts
 * of the workload's clients are taken in schedule order (behind the NAT all share one address); the flood's
 * SYNs (from its own client's address) are left out.
 */
function measureClocks(w: FidelityWorkload, topo: Topology, attempts: readonly Attempt[], t0: number): number[] {
  const clocks = Array.from({ length: w.clients }, () => 0);
  const floodAddr = w.flood ? topo.clientAddrs[w.flood.client] : undefined;
  const ours = attempts.filter((a) => a.src !== floodAddr);
  const planned = [...w.connections].sort((a, b) => a.atMs - b.atMs);
  const seen = new Set<number>();
  ours.forEach((a, i) => {
    const client = planned[i]?.client;
    if (client === undefined || seen.has(client) || a.tsval === null) return;
    seen.add(client);
    clocks[client] = (a.tsval - Math.round(a.time * 1000 - t0)) >>> 0;
  });
  return clocks;
}
