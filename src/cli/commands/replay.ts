import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { buildEvidence, kernelFileOf, readEvidenceInputs, readManifestFile, unusedFiles } from "../../evidence/index.js";
import { KernelConfigError, profileFor } from "../../kernel/index.js";
import { checkWhatIf, DEFAULT_MAX_ATTEMPTS, extractCapture, listenersFromSockets, renderReplayText, whatIf, type WhatIfOptions } from "../../replay/index.js";
import { InputError, UsageError } from "../../util/errors.js";
import { parseIpv4Address, parsePort } from "../options.js";
import { byteProgress } from "../progress.js";

interface ReplayFlags {
  kernel?: string;
  sysctl: string[];
  set: string[];
  backlog?: number;
  server?: string;
  port?: number;
  rows: number;
  maxAttempts: number;
  json?: boolean;
}

const DEFAULT_KERNEL = "6.18";

/** Collects repeated KEY=VALUE settings of `flag` (--sysctl, or --set as simulate spells it). */
function collectSysctl(flag: string): (text: string, previous: string[]) => string[] {
  return (text, previous) => {
    if (!/^[^=\s]+=\S+$/.test(text.trim())) throw new UsageError(`${flag} ${text}: expected KEY=VALUE (e.g. net.ipv4.tcp_tw_recycle=0)`);
    return [...previous, text.trim()];
  };
}

function parseCount(name: string, min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) {
      throw new UsageError(`${name} ${text}: expected an integer ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}`);
    }
    return n;
  };
}

/** listen()'s backlog is a C int. */
const MAX_BACKLOG = 2 ** 31 - 1;

/** A bundle directory: its server capture (manifest first, else the first capture-looking file) and its port. */
function captureOfBundle(dir: string): { capture: string; port: number | undefined } {
  const manifest = readManifestFile(join(dir, "manifest.json"));
  const captures = (manifest?.files ?? []).filter((f) => f.kind === "pcap" || f.kind === "pcapng");
  const chosen = captures.find((f) => f.side === "server") ?? captures[0];
  if (chosen !== undefined) return { capture: join(dir, chosen.path), port: manifest?.port };
  const found = readdirSync(dir)
    .filter((name) => /\.(pcap|pcapng|cap)(\.gz)?$/.test(name))
    .sort();
  if (found[0] === undefined) throw new InputError("unreadable", { file: dir }, "holds no capture", "a bundle directory with a pcap or pcapng file");
  return { capture: join(dir, found[0]), port: manifest?.port };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A kernel read from the host files that the model cannot run (older than 3.10) is the same usage error as
 * `--kernel 2.6` (exit 2: the remedy is a choice on the command line), but it names the file it came from.
 */
function checkHostKernel(kernel: string, file: string | null): void {
  try {
    profileFor(kernel);
  } catch (error) {
    if (!(error instanceof KernelConfigError)) throw error;
    throw new KernelConfigError(error.code, `${file ?? "host files"}: ${error.message}; give --kernel 3.10 or newer to replay with another kernel's model`);
  }
}

export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description("what-if: replay a capture's SYNs through the kernel model under other settings and compare with what happened")
    .argument("<capture>", "pcap or pcapng file (gzip ok), or a bundle directory (its server capture and host files)")
    .argument("[hostfiles...]", "host files or directories (sysctl, ss -ltn, uname -r): baseline settings, listeners, kernel")
    .option("--kernel <version>", `kernel version for the model (default: the host files' uname, else ${DEFAULT_KERNEL})`)
    .option("--sysctl <key=value>", "a setting to try (repeatable); validated against the kernel", collectSysctl("--sysctl"), [])
    .option("--set <key=value>", "the same as --sysctl (simulate's spelling)", collectSysctl("--set"), [])
    .option("--backlog <n>", "listen() backlog to try for every listener", parseCount("--backlog", 0, MAX_BACKLOG))
    .option("--server <addr>", "only SYNs to this IPv4 address", parseIpv4Address)
    .option("--port <n>", "only SYNs to this port", parsePort)
    .option("--rows <n>", "per-attempt rows in the report", parseCount("--rows", 0), 50)
    .option("--max-attempts <n>", "replay the capture up to this many attempts (1–2.5 kB of memory each at peak)", parseCount("--max-attempts", 1), DEFAULT_MAX_ATTEMPTS)
    .option("--json", "print the JSON document")
    .addHelpText(
      "after",
      `
The capture fixes what the clients did; the model decides what the server answers. The report compares the
settings asked for with a baseline (the kernel's defaults, or the host files' settings) and says which one
answers the SYNs that went unanswered.

Examples:
  nosynack replay server.pcap --kernel 3.10 --sysctl net.ipv4.tcp_tw_recycle=1
  nosynack replay bundle/ --sysctl net.ipv4.tcp_tw_recycle=0
  nosynack replay server.pcap sysctl.txt ss-ltn.txt --backlog 1024 --json`,
    )
    .action(async (captureArg: string, hostArgs: string[], flags: ReplayFlags) => {
      let capture = captureArg;
      let port = flags.port;
      const hostPaths = [...hostArgs];
      if (isDirectory(captureArg)) {
        const bundle = captureOfBundle(captureArg);
        capture = bundle.capture;
        port ??= bundle.port;
        hostPaths.unshift(captureArg);
      }
      const inputs = hostPaths.length > 0 ? await readEvidenceInputs(hostPaths) : null;
      // A path named on the command line that cannot be read is an error, as in diagnose; files found inside a
      // directory that cannot be read are warnings below.
      const named = inputs?.unreadable.find((u) => hostArgs.includes(u.path));
      if (named !== undefined) throw new InputError("unreadable", { file: named.path }, named.message, "a readable host file or directory");
      const evidence = inputs !== null ? buildEvidence(inputs) : null;
      // Host files that add nothing are said, not skipped silently: a typo'd path or a wrong file changes the baseline.
      const warnings: string[] = inputs !== null && evidence !== null ? unusedFiles(inputs, evidence).map((u) => `${u.path}: ${u.reason}`) : [];
      let kernel = flags.kernel ?? evidence?.kernel ?? DEFAULT_KERNEL;
      if (flags.kernel !== undefined && evidence?.kernel && !evidence.kernel.startsWith(flags.kernel)) {
        warnings.push(`--kernel ${flags.kernel} differs from the host files' kernel ${evidence.kernel}; the model runs ${flags.kernel}`);
      }
      kernel = kernel.trim();
      if (flags.kernel === undefined && inputs !== null && evidence?.kernel) checkHostKernel(kernel, kernelFileOf(inputs, evidence));

      const overrides: Record<string, string> = {};
      for (const item of [...flags.sysctl, ...flags.set]) {
        const at = item.indexOf("=");
        overrides[item.slice(0, at)] = item.slice(at + 1);
      }
      const options: WhatIfOptions = { kernel, overrides, rows: flags.rows };
      if (flags.backlog !== undefined) Object.assign(options, { backlog: flags.backlog });
      if (evidence !== null && Object.keys(evidence.sysctl).length > 0) {
        Object.assign(options, { hostSysctls: evidence.sysctl, hostSysctlFiles: evidence.files.filter((f) => f.kind === "sysctl").map((f) => f.path) });
      }
      const hostListeners = evidence !== null ? listenersFromSockets(evidence.listeners) : [];
      if (hostListeners.length > 0) Object.assign(options, { hostListeners });
      // Settings are checked before the capture is read: a sysctl the kernel lacks is a usage error (exit 2).
      checkWhatIf(options);

      const progress = await byteProgress("reading");
      let extraction;
      try {
        const extractOptions = { onProgress: (read: number, total: number | null) => progress.update(read, total), maxAttempts: flags.maxAttempts };
        if (flags.server !== undefined) Object.assign(extractOptions, { server: flags.server });
        if (port !== undefined) Object.assign(extractOptions, { port });
        extraction = (await extractCapture([capture], extractOptions)).extraction;
      } finally {
        progress.stop();
      }
      const report = whatIf(extraction, options);
      const out = { capture, ...report, warnings: [...warnings, ...report.warnings] };
      if (flags.json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      else process.stdout.write(renderReplayText(out, capture));
    });
}
