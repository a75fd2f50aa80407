import { randomBytes } from "node:crypto";
import { BackgroundProcess, run, type ExitInfo, type RunOptions } from "./exec.js";

/** Every namespace the lab creates starts with this, followed by a per-run id. */
export const NS_PREFIX = "nsklab-";

/** The lab may only use addresses from the benchmarking block (RFC 2544). */
const LAB_NET = { first: ipToInt("198.18.0.0"), last: ipToInt("198.19.255.255") };

export function assertLabAddress(addr: string): void {
  const ip = addr.split("/")[0] ?? "";
  const n = ipToInt(ip);
  if (!(n >= LAB_NET.first && n <= LAB_NET.last)) throw new Error(`lab address ${addr} is outside 198.18.0.0/15`);
}

export function ipToInt(ip: string): number {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`bad IPv4 address ${ip}`);
  return (((parts[0] ?? 0) << 24) | ((parts[1] ?? 0) << 16) | ((parts[2] ?? 0) << 8) | (parts[3] ?? 0)) >>> 0;
}

/**
 * One lab run: the namespaces and processes it created, and nothing else.
 * Hosts are network namespaces named `nsklab-<run id>-<role>`; cleanup() removes exactly those.
 */
export class Lab {
  readonly runId: string;
  private readonly namespaces: string[] = [];
  private readonly processes: BackgroundProcess[] = [];

  /** `prefix`: another tool sharing the machine (the fidelity comparison) names its namespaces apart. */
  constructor(
    runId?: string,
    readonly prefix: string = NS_PREFIX,
  ) {
    if (!/^[a-z][a-z0-9]{1,10}-$/.test(prefix)) throw new Error(`bad namespace prefix ${prefix}`);
    this.runId = runId ?? randomBytes(3).toString("hex");
  }

  /** Creates a namespace for a host with loopback up; returns its name. */
  async host(role: string): Promise<string> {
    if (!/^[a-z0-9]{1,8}$/.test(role)) throw new Error(`bad host role ${role}`);
    const ns = `${this.prefix}${this.runId}-${role}`;
    await run("ip", ["netns", "add", ns]);
    this.namespaces.push(ns);
    await this.ip(ns, ["link", "set", "lo", "up"]);
    // Defaults differ between distributions; scenarios start from known values.
    await this.sysctl(ns, { "net.ipv4.conf.all.rp_filter": 0, "net.ipv4.conf.default.rp_filter": 0 });
    return ns;
  }

  /**
   * A veth pair whose ends are created directly inside the two namespaces
   * (`ip -n A link add … peer … netns B`): no device ever exists in the root namespace.
   */
  async link(nsA: string, ifA: string, nsB: string, ifB: string): Promise<void> {
    this.assertOwn(nsA);
    this.assertOwn(nsB);
    await this.ip(nsA, ["link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", nsB]);
    await this.ip(nsA, ["link", "set", ifA, "up"]);
    await this.ip(nsB, ["link", "set", ifB, "up"]);
  }

  /**
   * Turns off TX checksum offload on a veth end. Packets sent from it then carry real checksums, as
   * packets from a NIC do: otherwise veth passes partial checksums and every received packet would look
   * corrupt in the server's capture.
   */
  async fullChecksums(ns: string, ifname: string): Promise<void> {
    await this.exec(ns, "ethtool", ["-K", ifname, "tx", "off"]);
  }

  async addr(ns: string, ifname: string, cidr: string): Promise<void> {
    assertLabAddress(cidr);
    await this.ip(ns, ["addr", "add", cidr, "dev", ifname]);
  }

  async route(ns: string, args: readonly string[]): Promise<void> {
    await this.ip(ns, ["route", ...args]);
  }

  /** `ip -n NS …` */
  ip(ns: string, args: readonly string[], options?: RunOptions): Promise<ExitInfo> {
    this.assertOwn(ns);
    return run("ip", ["-n", ns, ...args], options);
  }

  /** Per-namespace sysctls only: always through `ip netns exec`. */
  async sysctl(ns: string, values: Record<string, string | number>): Promise<void> {
    const args = Object.entries(values).map(([k, v]) => `${k}=${String(v)}`);
    if (args.length > 0) await this.exec(ns, "sysctl", ["-q", "-w", ...args]);
  }

  /** Runs a command inside a namespace of this run. */
  exec(ns: string, cmd: string, args: readonly string[], options?: RunOptions): Promise<ExitInfo> {
    this.assertOwn(ns);
    return run("ip", ["netns", "exec", ns, cmd, ...args], options);
  }

  /** Loads an nft ruleset (text on stdin) into a namespace. */
  async nft(ns: string, ruleset: string): Promise<void> {
    await this.exec(ns, "nft", ["-f", "-"], { input: ruleset });
  }

  /** Starts a background process in a namespace; `ip netns exec` execs it, so the pid is the command's own. */
  spawn(ns: string, label: string, cmd: string, args: readonly string[]): BackgroundProcess {
    this.assertOwn(ns);
    const proc = new BackgroundProcess(label, "ip", ["netns", "exec", ns, cmd, ...args]);
    this.processes.push(proc);
    return proc;
  }

  /** Node workload from lab/workloads, run through tsx in a namespace. */
  spawnWorkload(ns: string, label: string, script: string, args: readonly string[]): BackgroundProcess {
    return this.spawn(ns, label, process.execPath, ["--import", "tsx", workloadPath(script), ...args]);
  }

  /** Stops the processes this run started (by pid) and deletes its namespaces. Never throws. */
  async cleanup(): Promise<string[]> {
    const problems: string[] = [];
    for (const proc of this.processes.reverse()) {
      try {
        await proc.stop("SIGTERM", 2000);
      } catch (error) {
        problems.push(`stop ${proc.label}: ${String(error)}`);
      }
    }
    for (const ns of this.namespaces.reverse()) {
      try {
        await run("ip", ["netns", "del", ns], { timeoutMs: 10_000 });
      } catch (error) {
        problems.push(`delete ${ns}: ${String(error)}`);
      }
    }
    this.namespaces.length = 0;
    return problems;
  }

  private assertOwn(ns: string): void {
    if (!this.namespaces.includes(ns)) throw new Error(`namespace ${ns} was not created by lab run ${this.runId}`);
  }
}

/** The repository root, whether this file runs from lab/ (tsx) or dist/lab/ (compiled). */
export function repoRoot(): string {
  return new URL("..", import.meta.url).pathname.replace(/\/dist\/$/, "/").replace(/\/$/, "");
}

export function workloadPath(script: string): string {
  return `${repoRoot()}/lab/workloads/${script}`;
}
