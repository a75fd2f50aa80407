import type { BackgroundProcess } from "../exec.js";
import { workloadPath } from "../lab.js";
import { num, str, type Params, type ScenarioContext } from "../scenario.js";
import type { TopologyOptions } from "../topology.js";

/** The usual topology: `clients` clients behind the router, addresses from the common params. */
export function routed(params: Params, clients = 1, extra: Partial<TopologyOptions> = {}): TopologyOptions {
  return { clients, serverNet: str(params, "serverNet"), clientNet: str(params, "clientNet"), ...extra };
}

export interface ServerOptions {
  readonly host?: string;
  readonly backlog?: number;
  /** Who closes first: "server" leaves TIME_WAIT on the server. */
  readonly close?: "server" | "client";
  readonly lifetimeS?: number;
}

/** Starts the Node server workload in the server namespace and waits until it listens. */
export async function startServer(ctx: ScenarioContext, options: ServerOptions = {}): Promise<BackgroundProcess> {
  const proc = ctx.lab.spawnWorkload(ctx.topo.server, "server", "server.ts", [
    "--host", options.host ?? "0.0.0.0",
    "--port", String(num(ctx.params, "port")),
    "--backlog", String(options.backlog ?? 511),
    "--close", options.close ?? "server",
    "--lifetime", String(options.lifetimeS ?? 300),
  ]);
  await proc.waitFor(/^listening/m, 20_000);
  return proc;
}

export interface RawListenerOptions {
  readonly backlog?: number;
  readonly accept?: boolean;
  readonly md5Peer?: string;
  readonly minTtl?: number;
}

/** Starts the python listener (no accept(), MD5, MINTTL: what Node cannot do) and waits until it listens. */
export async function startRawListener(ctx: ScenarioContext, options: RawListenerOptions): Promise<BackgroundProcess> {
  const args = [workloadPath("raw-listener.py"), "--port", String(num(ctx.params, "port")), "--lifetime", "300"];
  if (options.backlog !== undefined) args.push("--backlog", String(options.backlog));
  if (options.accept) args.push("--accept");
  if (options.md5Peer) args.push("--md5-peer", options.md5Peer);
  if (options.minTtl) args.push("--min-ttl", String(options.minTtl));
  const proc = ctx.lab.spawn(ctx.topo.server, "raw-listener", "python3", args);
  await proc.waitFor(/^listening/m, 10_000);
  return proc;
}

export interface ClientOptions {
  readonly client?: number;
  readonly count?: number;
  readonly concurrency?: number;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly holdMs?: number;
  readonly sport?: number;
  readonly mode?: "read" | "hold";
  readonly dst?: string;
}

export interface ClientResult {
  readonly attempts: number;
  readonly ok: number;
  readonly refused: number;
  readonly reset: number;
  readonly timeout: number;
  readonly error: number;
  readonly connectMsP50: number | null;
  readonly connectMsMax: number | null;
}

/** Runs the Node client workload to completion in client namespace `client` and records its summary. */
export async function runClient(ctx: ScenarioContext, options: ClientOptions = {}): Promise<ClientResult> {
  const proc = startClient(ctx, options);
  const result = await proc.exited;
  const line = result.stdout.trim().split("\n").pop() ?? "";
  if (result.code !== 0 || !line.startsWith("{")) throw new Error(`client workload failed: ${result.stderr.slice(-400)}`);
  const summary = JSON.parse(line) as ClientResult;
  ctx.note(`client ${options.client ?? 0}: ${line}`);
  return summary;
}

/** Starts the client workload in the background (for scenarios that overlap several clients). */
/** The usual workload of a "SYNs go unanswered" scenario: one client attempt, bounded by the timeoutMs param. */
export async function probeWorkload(ctx: ScenarioContext): Promise<void> {
  await runClient(ctx, { timeoutMs: num(ctx.params, "timeoutMs") });
}

export function startClient(ctx: ScenarioContext, options: ClientOptions = {}): BackgroundProcess {
  const index = options.client ?? 0;
  const ns = ctx.topo.clients[index];
  if (ns === undefined) throw new Error(`no client ${index}`);
  return ctx.lab.spawnWorkload(ns, `client${index}`, "client.ts", [
    "--dst", options.dst ?? ctx.topo.serverAddr,
    "--port", String(num(ctx.params, "port")),
    "--count", String(options.count ?? 1),
    "--concurrency", String(options.concurrency ?? 1),
    "--interval-ms", String(options.intervalMs ?? 0),
    "--timeout-ms", String(options.timeoutMs ?? 3000),
    "--hold-ms", String(options.holdMs ?? 0),
    "--sport", String(options.sport ?? 0),
    "--mode", options.mode ?? "read",
  ]);
}

/** hping3 from a client namespace (raw SYNs, bad checksums, floods); bounded by -c. */
export async function hping(ctx: ScenarioContext, client: number, args: readonly string[]): Promise<void> {
  const ns = ctx.topo.clients[client];
  if (ns === undefined) throw new Error(`no client ${client}`);
  await ctx.lab.exec(ns, "hping3", ["-q", ...args, ctx.topo.serverAddr], { check: false, timeoutMs: 120_000 });
}
