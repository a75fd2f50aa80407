import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { run } from "./exec.js";
import type { Lab } from "./lab.js";

/** One file of a bundle, as listed in manifest.json. */
export interface BundleFile {
  readonly path: string;
  readonly kind: string;
  readonly snapshot?: "before" | "after";
  readonly side?: "server" | "client";
}

interface Source {
  readonly file: string;
  readonly kind: string;
  readonly cmd: string;
  readonly args: readonly string[];
  /** Counters: taken before and after; state: after only. */
  readonly counters: boolean;
}

/**
 * What the lab snapshots in the server namespace. This is the lab's own minimal snapshot, used while
 * `nosynack collect` cannot be driven from the lab; file names and kinds follow DEVELOPERS.md "Bundles".
 */
// Kinds follow src/collect/snapshot.ts so evidence readers see the same names from both producers.
const SOURCES: readonly Source[] = [
  { file: "nstat", kind: "nstat", cmd: "nstat", args: ["-asz"], counters: true },
  { file: "netstat-s", kind: "netstat-s", cmd: "netstat", args: ["-s"], counters: true },
  { file: "conntrack-S", kind: "conntrack-stats", cmd: "conntrack", args: ["-S"], counters: true },
  { file: "nf_conntrack", kind: "nf-conntrack-stat", cmd: "cat", args: ["/proc/net/stat/nf_conntrack"], counters: true },
  { file: "sysctl", kind: "sysctl", cmd: "sysctl", args: ["-a"], counters: false },
  { file: "ss-ltn", kind: "ss-ltn", cmd: "ss", args: ["-ltn"], counters: false },
  { file: "ss-tan", kind: "ss-tan", cmd: "ss", args: ["-tan"], counters: false },
  { file: "ss-s", kind: "ss-s", cmd: "ss", args: ["-s"], counters: false },
  { file: "uname", kind: "uname", cmd: "uname", args: ["-r"], counters: false },
  { file: "iptables-save", kind: "iptables-save", cmd: "iptables-save", args: ["-c"], counters: false },
  { file: "nft-ruleset", kind: "nft-ruleset", cmd: "nft", args: ["list", "ruleset"], counters: false },
  { file: "ip-route", kind: "ip-route", cmd: "ip", args: ["route", "show", "table", "all"], counters: false },
  { file: "ip-neigh", kind: "ip-neigh", cmd: "ip", args: ["neigh", "show"], counters: false },
];

/** Kernel log lines worth keeping: the SYN path's own messages. The log is global to the machine. */
const KERNEL_LOG_PATTERN = /Possible SYN flooding|nf_conntrack|martian|MD5|TCP:/;

export class Snapshotter {
  private dmesgLines = 0;
  readonly notes: string[] = [];

  constructor(
    private readonly lab: Lab,
    private readonly ns: string,
    private readonly dir: string,
  ) {}

  async before(): Promise<BundleFile[]> {
    this.dmesgLines = (await readDmesg()).length;
    return this.take("before");
  }

  async after(): Promise<BundleFile[]> {
    const files = await this.take("after");
    const lines = (await readDmesg()).slice(this.dmesgLines).filter((line) => KERNEL_LOG_PATTERN.test(line));
    await writeFile(join(this.dir, "dmesg.txt"), lines.map((l) => `${l}\n`).join(""));
    files.push({ path: "dmesg.txt", kind: "kernel-log" });
    return files;
  }

  private async take(when: "before" | "after"): Promise<BundleFile[]> {
    const files: BundleFile[] = [];
    for (const source of SOURCES) {
      if (!source.counters && when === "before") continue;
      const name = source.counters ? `${source.file}-${when}.txt` : `${source.file}.txt`;
      const result = await this.lab.exec(this.ns, source.cmd, source.args, { check: false, timeoutMs: 15_000 });
      if (result.code !== 0 && result.stdout.trim() === "") {
        this.notes.push(`${source.cmd} ${source.args.join(" ")} failed: ${result.stderr.trim().split("\n")[0] ?? ""}`);
        continue;
      }
      await writeFile(join(this.dir, name), result.stdout);
      files.push(source.counters ? { path: name, kind: source.kind, snapshot: when } : { path: name, kind: source.kind });
    }
    return files;
  }
}

async function readDmesg(): Promise<string[]> {
  const result = await run("dmesg", [], { check: false, timeoutMs: 10_000 });
  return result.stdout.split("\n").filter((l) => l !== "");
}
