import { readdirSync } from "node:fs";
import { readdir, rename } from "node:fs/promises";
import { join, resolve } from "node:path";
import { BUNDLE_FORMAT, type BundleManifest, type BundleManifestFile } from "../evidence/manifest.js";
import { OutputError, UsageError } from "../util/errors.js";
import { makeOutputDirectory, writeOutputFile } from "../util/output-files.js";
import { startCapture, type RunningCapture } from "./capture.js";
import { CommandRunner } from "./runner.js";
import { takeSnapshot, type Snapshot } from "./snapshot.js";

export interface CollectOptions {
  readonly outDir: string;
  /** Seconds between the two snapshots (capture runs meanwhile). */
  readonly durationSeconds: number;
  readonly port?: number | null | undefined;
  /** Capture interface; "any" when not given. */
  readonly iface?: string | null | undefined;
  /** False for --no-capture. */
  readonly capture?: boolean | undefined;
  readonly snaplen?: number | undefined;
  /** Ends the wait early; the second snapshot and the manifest are still written. */
  readonly signal?: AbortSignal | undefined;
  readonly onEvent?: ((event: CollectEvent) => void) | undefined;
  /** Injected for tests that audit the spawned argv. */
  readonly runner?: CommandRunner | undefined;
  /** Whether we may capture (root). Defaults to the effective uid. */
  readonly isRoot?: boolean | undefined;
}

export type CollectEvent =
  | { readonly type: "phase"; readonly phase: "snapshot-before" | "capturing" | "snapshot-after" | "done" }
  | { readonly type: "tick"; readonly elapsedSeconds: number; readonly durationSeconds: number }
  | { readonly type: "note"; readonly message: string };

export const DEFAULT_SNAPLEN = 128;
export const DEFAULT_DURATION_SECONDS = 30;
const PCAP_NAME = "server.pcap";

/**
 * Collects a bundle on the live host (or in the network namespace it runs in): snapshot, optional tcpdump capture
 * during the wait, second snapshot, manifest.json (written last, so a manifest means a complete bundle).
 * Only reads the host: commands go through the read-only allow-list of CommandRunner.
 */
export async function collectBundle(options: CollectOptions): Promise<BundleManifest> {
  validate(options);
  const outDir = resolve(options.outDir);
  await prepareOutDir(outDir);
  const runner = options.runner ?? new CommandRunner({ outDir });
  const emit = options.onEvent ?? (() => undefined);
  const notes: string[] = [];
  const note = (message: string): void => {
    notes.push(message);
    emit({ type: "note", message });
  };
  const started = new Date();
  const files: BundleManifestFile[] = [];

  emit({ type: "phase", phase: "snapshot-before" });
  const before = await takeSnapshot(runner, "before");
  await writeSnapshot(outDir, before, files, notes);

  const capture = await maybeStartCapture(runner, outDir, options, note);
  emit({ type: "phase", phase: "capturing" });
  try {
    await waitFor(options.durationSeconds, options.signal, (elapsedSeconds) =>
      emit({ type: "tick", elapsedSeconds, durationSeconds: options.durationSeconds }),
    );
  } finally {
    if (capture) {
      const early = capture.exitedEarly();
      if (early) note(`${early} during the wait; the capture covers only part of it`);
      for (const message of await capture.stop()) note(message);
      files.push({ path: PCAP_NAME, kind: "pcap", side: "server" });
    }
  }
  if (options.signal?.aborted) note("wait ended early by a signal");

  emit({ type: "phase", phase: "snapshot-after" });
  const after = await takeSnapshot(runner, "after");
  await writeSnapshot(outDir, after, files, notes);

  const kernel = before.files.find((file) => file.kind === "uname")?.text.split("\n")[0]?.trim();
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    producer: "collect",
    ...(kernel ? { kernel } : {}),
    started: started.toISOString(),
    ended: new Date().toISOString(),
    ...(options.port !== undefined && options.port !== null ? { port: options.port } : {}),
    files,
    notes,
  };
  // Write-then-rename: a reader never sees half a manifest.
  const tmp = join(outDir, ".manifest.json.tmp");
  writeOutputFile("--out", tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  try {
    await rename(tmp, join(outDir, "manifest.json"));
  } catch (error) {
    throw new OutputError("--out", join(outDir, "manifest.json"), error);
  }
  emit({ type: "phase", phase: "done" });
  return manifest;
}

function validate(options: CollectOptions): void {
  // A day at most: timers past 2^31 ms fire at once, and a longer wait is no longer one incident's evidence.
  if (!Number.isFinite(options.durationSeconds) || options.durationSeconds < 0 || options.durationSeconds > 86_400) {
    throw new UsageError(`--duration must be a number of seconds from 0 to 86400, got ${options.durationSeconds}`);
  }
  const port = options.port;
  if (port !== undefined && port !== null && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new UsageError(`--port must be an integer 1-65535, got ${port}`);
  }
  const snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
  if (!Number.isInteger(snaplen) || snaplen < 68 || snaplen > 262144) {
    throw new UsageError(`--snaplen must be an integer 68-262144, got ${snaplen}`);
  }
  // The interface name goes to tcpdump as one argv element; still refuse anything that is not an ifname.
  if (options.iface && !/^[A-Za-z0-9_.:@-]{1,15}$/.test(options.iface)) {
    throw new UsageError(`--iface is not an interface name: ${options.iface}`);
  }
  // Said up front: a tcpdump that cannot open the interface would only leave a note in the manifest.
  if (options.iface && options.iface !== "any" && options.capture !== false) {
    const known = interfaceNames();
    if (known !== null && !known.includes(options.iface)) {
      throw new UsageError(`--iface ${options.iface}: no such interface here (this host has ${["any", ...known].join(", ")})`);
    }
  }
}

/** Network interfaces of this network namespace, or null where /sys does not list them. */
function interfaceNames(): string[] | null {
  try {
    return readdirSync("/sys/class/net").sort();
  } catch {
    return null;
  }
}

async function prepareOutDir(outDir: string): Promise<void> {
  makeOutputDirectory("--out", outDir);
  const existing = await readdir(outDir);
  if (existing.length > 0) throw new UsageError(`--out ${outDir} is not empty; give a new or empty directory`);
}

async function writeSnapshot(outDir: string, snapshot: Snapshot, files: BundleManifestFile[], notes: string[]): Promise<void> {
  for (const file of snapshot.files) {
    writeOutputFile("--out", join(outDir, file.path), file.text);
    files.push(file.snapshot ? { path: file.path, kind: file.kind, snapshot: file.snapshot } : { path: file.path, kind: file.kind });
  }
  notes.push(...snapshot.notes);
}

async function maybeStartCapture(
  runner: CommandRunner,
  outDir: string,
  options: CollectOptions,
  note: (message: string) => void,
): Promise<RunningCapture | null> {
  if (options.capture === false) {
    note("capture disabled (--no-capture)");
    return null;
  }
  const isRoot = options.isRoot ?? (typeof process.getuid === "function" && process.getuid() === 0);
  if (!isRoot) {
    note("capture skipped: not root (tcpdump needs CAP_NET_RAW)");
    return null;
  }
  if (options.port === undefined || options.port === null) note("capture covers every port (no --port given)");
  try {
    return await startCapture(runner, {
      pcapPath: join(outDir, PCAP_NAME),
      iface: options.iface ?? "any",
      port: options.port ?? null,
      snaplen: options.snaplen ?? DEFAULT_SNAPLEN,
    });
  } catch (error) {
    note(`capture skipped: ${(error as Error).message}`);
    return null;
  }
}

/** Waits `seconds`, ticking once a second, or until the signal aborts. */
function waitFor(seconds: number, signal: AbortSignal | undefined, tick: (elapsedSeconds: number) => void): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted || seconds <= 0) {
      done();
      return;
    }
    const startedAt = Date.now();
    const finish = (): void => {
      clearInterval(ticker);
      clearTimeout(timer);
      signal?.removeEventListener("abort", finish);
      done();
    };
    const ticker = setInterval(() => tick(Math.min(seconds, (Date.now() - startedAt) / 1000)), 1000);
    const timer = setTimeout(finish, seconds * 1000);
    signal?.addEventListener("abort", finish, { once: true });
  });
}
