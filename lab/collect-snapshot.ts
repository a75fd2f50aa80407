import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BackgroundProcess } from "./exec.js";
import { repoRoot, type Lab } from "./lab.js";
import type { BundleFile } from "./snapshot.js";

/** The built CLI, when `npm run build` has produced it. */
export function collectCli(): string | null {
  const cli = join(repoRoot(), "dist", "src", "cli", "main.js");
  return existsSync(cli) ? cli : null;
}

interface CollectManifest {
  readonly files?: BundleFile[];
  readonly notes?: string[];
}

/**
 * Evidence snapshots by the product itself: `nosynack collect` runs in the server namespace around the
 * workload and is ended with SIGINT. It runs with --no-capture because its capture keeps only
 * SYN/FIN/RST segments, and some scenarios need the bare ACK a TIME_WAIT socket sends; the lab's own
 * tcpdump writes server.pcap instead.
 */
export class CollectSnapshotter {
  private proc: BackgroundProcess | null = null;

  constructor(
    private readonly lab: Lab,
    private readonly ns: string,
    private readonly dir: string,
    private readonly port: number,
  ) {}

  async before(): Promise<void> {
    const cli = collectCli();
    if (cli === null) throw new Error("dist/src/cli/main.js is missing: run npm run build");
    this.proc = this.lab.spawn(this.ns, "nosynack collect", process.execPath, [
      cli, "collect", "--out", this.dir, "--duration", "600", "--port", String(this.port), "--no-capture",
    ]);
    await this.proc.waitFor(/first snapshot done/, 60_000);
  }

  /** Ends collect's wait; returns the files and notes of the manifest it wrote. */
  async after(): Promise<{ files: BundleFile[]; notes: string[] }> {
    if (this.proc === null) throw new Error("collect was not started");
    const result = await this.proc.stop("SIGINT", 60_000);
    if (result.code !== 0) throw new Error(`nosynack collect exited with ${String(result.code)}: ${result.stderr.slice(-400)}`);
    const manifest = JSON.parse(await readFile(join(this.dir, "manifest.json"), "utf8")) as CollectManifest;
    const notes = manifest.notes ?? [];
    if (await this.trimKernelLog(manifest.files ?? [])) {
      notes.push("lab: kernel log trimmed to the lines logged during the run (the log is machine-wide)");
    }
    return { files: manifest.files ?? [], notes };
  }

  /**
   * The kernel log is global: collect's snapshots carry lines of earlier runs (e.g. another scenario's
   * "Possible SYN flooding"), which would be false evidence in a lab bundle. Keep only the new lines.
   */
  private async trimKernelLog(files: readonly BundleFile[]): Promise<boolean> {
    const logs = files.filter((f) => f.kind === "kernel-log" || f.kind === "dmesg");
    const before = logs.find((f) => f.snapshot === "before");
    const after = logs.find((f) => f.snapshot === "after");
    if (!before || !after) return false;
    const old = new Set((await readFile(join(this.dir, before.path), "utf8")).split("\n"));
    const fresh = (await readFile(join(this.dir, after.path), "utf8")).split("\n").filter((l) => l !== "" && !old.has(l));
    await writeFile(join(this.dir, before.path), "");
    await writeFile(join(this.dir, after.path), fresh.map((l) => `${l}\n`).join(""));
    return true;
  }
}
