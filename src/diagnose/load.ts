/**
 * From paths to a Diagnosis: walks files and directories, sorts captures from host files (by content),
 * analyzes server-side captures together and client-side ones apart, merges host evidence, settles kernel
 * and port, and runs the engine. Throws InputError for unreadable paths or captures (exit 3).
 */
import { basename, dirname, join } from "node:path";
import { analyzeCaptures } from "../handshakes/analyze.js";
import type { AnalyzeSummary } from "../handshakes/analysis-types.js";
import { buildEvidence, parseManifest, readEvidenceInputs, unusedFiles, type BundleManifest, type InputFile } from "../evidence/index.js";
import type { HostEvidence, KernelLogEvent } from "../evidence/types.js";
import { COUNTER_NAMES, parseKernelVersion, profileFor, type KernelProfile } from "../kernel/index.js";
import { InputError, UsageError } from "../util/errors.js";
import type { RuleContext } from "./context.js";
import { runEngine } from "./engine.js";
import type { DiagnoseInput, Diagnosis, DiagnosisKernel, HostDigest, KernelSource } from "./types.js";

export interface DiagnoseOptions {
  /** Server kernel version ("3.10.0-1160.el7"); overrides what the evidence says. */
  readonly kernel?: string;
  /** Server port; overrides the manifest and the capture. */
  readonly port?: number;
}

/** Sysctls the rules and reports care about. */
const SYN_PATH_SYSCTLS = /^net\.(ipv4\.(tcp_(syncookies|max_syn_backlog|abort_on_overflow|timestamps|tw_recycle|tw_reuse|rfc1337|max_tw_buckets|synack_retries|syn_retries)|conf\.[^.]+\.rp_filter)|core\.somaxconn|netfilter\.nf_conntrack_(count|max))$/;

export async function diagnosePaths(paths: readonly string[], options: DiagnoseOptions = {}): Promise<Diagnosis> {
  if (paths.length === 0) throw new UsageError("diagnose needs at least one file or directory");
  const inputs = await readEvidenceInputs(paths);
  const missing = inputs.unreadable.filter((u) => paths.includes(u.path));
  if (missing.length > 0) {
    const first = missing[0];
    throw new InputError("unreadable", { file: first?.path ?? "" }, first?.message ?? "unreadable", "a readable capture, host-evidence file or bundle directory");
  }

  const manifests = manifestsOf(inputs.files);
  const sides = sideIndex(manifests);
  const captureFiles = inputs.files.filter((f) => f.capture !== null);
  const clientFiles = captureFiles.filter((f) => (sides.get(join(f.path)) ?? guessSide(f.path)) === "client");
  const serverFiles = captureFiles.filter((f) => !clientFiles.includes(f));
  const capture = serverFiles.length > 0 ? await analyzeCaptures(serverFiles.map((f) => f.path)) : null;
  const clientCapture = clientFiles.length > 0 ? await analyzeCaptures(clientFiles.map((f) => f.path)) : null;

  const hostInputs = { ...inputs, files: inputs.files.filter((f) => f.capture === null) };
  const evidence = buildEvidence(hostInputs);
  // Unreadable and unrecognised files are said whether or not other host files were usable.
  const unused = unusedFiles(hostInputs, evidence);
  const warnings = unused.map((u) => `${u.path}: ${u.reason}`);
  const given = evidence.files.filter((f) => f.kind !== "manifest");
  if (given.length > 0 && given.every((f) => f.kind === null)) {
    warnings.push(`none of the host files was recognised (${given.map((f) => f.path).join(", ")}): the diagnosis has no host evidence`);
  }
  // Routes and neighbours alone are no host evidence for the rules (they read them as ctx.net).
  const hostFiles = evidence.files.filter((f) => f.kind !== null && f.kind !== "manifest" && f.kind !== "ip-route" && f.kind !== "ip-neigh");
  const host: HostEvidence | null = hostFiles.length > 0 ? evidence : null;
  const net = evidence.net;
  if (!capture && !clientCapture && !host && !net) {
    throw new InputError("bad-format", { file: paths.join(", ") }, "no capture or host evidence recognised", "pcap/pcapng captures or host files (nstat, netstat -s, sysctl, ss, …)");
  }

  const manifest = manifests[0]?.manifest ?? null;
  const kernel = settleKernel(options.kernel, host, manifest, warnings);
  const port = options.port ?? manifest?.port ?? busiestPort(capture) ?? singleListenerPort(host);
  const { events, sinceBoot } = newLogEvents(host);
  const ctx: RuleContext = { capture, clientCapture, host, kernel: kernel.profile, port, net, logEvents: events, logSinceBoot: sinceBoot };
  const result = runEngine(ctx);

  const diagnoseInputs: DiagnoseInput[] = [
    ...captureFiles.map((f) => ({ path: f.path, kind: f.capture })),
    ...evidence.files.filter((f) => f.kind !== "pcap" && f.kind !== "pcapng").map((f) => ({ path: f.path, kind: f.kind })),
  ];
  // Other file-level issues (a manifest that disagrees with the content, …); those of unused files are said above.
  const saidAbove = new Set(unused.map((u) => u.path));
  if (host) for (const issue of host.issues.filter((i) => i.line === null && !saidAbove.has(i.path))) warnings.push(`${issue.path}: ${issue.message}`);
  if (capture) for (const w of capture.warnings) warnings.push(`${w.file}: ${w.message}`);
  return {
    verdict: result.verdict,
    confidence: result.confidence,
    findings: result.findings,
    capture,
    host: host ? digest(host) : null,
    inputs: diagnoseInputs,
    kernel: kernel.info,
    port,
    crossCheck: result.crossCheck,
    evidence: {
      capture: capture !== null,
      counters: host !== null && Object.keys(host.counters).length > 0,
      counterDeltas: host !== null && Object.values(host.counters).some((c) => c.delta !== null),
      sockets: host !== null && (host.listeners.length > 0 || Object.keys(host.socketStates).length > 0),
      sysctl: host !== null && Object.keys(host.sysctl).length > 0,
    },
    warnings,
  };
}

interface FoundManifest {
  readonly path: string;
  readonly manifest: BundleManifest;
}

function manifestsOf(files: readonly InputFile[]): FoundManifest[] {
  const out: FoundManifest[] = [];
  for (const f of files) {
    if (basename(f.path) !== "manifest.json" || f.text === null) continue;
    const parsed = parseManifest(f.text).value;
    if (parsed) out.push({ path: f.path, manifest: parsed });
  }
  return out;
}

function sideIndex(manifests: readonly FoundManifest[]): Map<string, "server" | "client"> {
  const index = new Map<string, "server" | "client">();
  for (const { path, manifest } of manifests) {
    for (const file of manifest.files) if (file.side) index.set(join(dirname(path), file.path), file.side);
  }
  return index;
}

/** Without a manifest, a capture named like "client…" is the client's; everything else the server's. */
function guessSide(path: string): "server" | "client" {
  return /client/i.test(basename(path)) ? "client" : "server";
}

function settleKernel(flag: string | undefined, host: HostEvidence | null, manifest: BundleManifest | null, warnings: string[]): { profile: KernelProfile | null; info: DiagnosisKernel } {
  let text: string | null = null;
  let source: KernelSource = "unknown";
  if (flag !== undefined) {
    try {
      parseKernelVersion(flag);
    } catch {
      throw new UsageError(`--kernel ${flag}: expected a kernel version such as 3.10.0-1160.el7 or 6.18.44`);
    }
    text = flag;
    source = "flag";
  } else if (host?.kernel) {
    text = host.kernel;
    source = "evidence";
  } else if (manifest?.kernel) {
    text = manifest.kernel;
    source = "manifest";
  }
  if (text === null) return { profile: null, info: { version: null, source, profile: null } };
  try {
    const profile = profileFor(text);
    return { profile, info: { version: text, source, profile: profile.name } };
  } catch (error) {
    if (source === "flag") throw new UsageError(`--kernel ${text}: ${(error as Error).message}`);
    warnings.push(`kernel ${text}: ${(error as Error).message}; diagnosing without a kernel profile`);
    return { profile: null, info: { version: text, source, profile: null } };
  }
}

function busiestPort(capture: AnalyzeSummary | null): number | null {
  const list = [...(capture?.listeners ?? [])].sort((a, b) => b.unanswered - a.unanswered || b.attempts - a.attempts);
  return list[0]?.port ?? null;
}

function singleListenerPort(host: HostEvidence | null): number | null {
  const ports = new Set((host?.listeners ?? []).map((l) => l.port));
  return ports.size === 1 ? ([...ports][0] ?? null) : null;
}

/** Log lines of the after snapshot not already in the before snapshot; all lines when there is one snapshot. */
function newLogEvents(host: HostEvidence | null): { events: KernelLogEvent[]; sinceBoot: boolean } {
  if (!host) return { events: [], sinceBoot: false };
  const snapshotOf = new Map(host.files.map((f) => [f.path, f.snapshot]));
  const before = host.logEvents.filter((e) => snapshotOf.get(e.path) === "before");
  const after = host.logEvents.filter((e) => snapshotOf.get(e.path) === "after");
  if (before.length === 0 && after.length === 0) return { events: [...host.logEvents], sinceBoot: true };
  const key = (e: KernelLogEvent): string => `${e.kind}|${e.time ?? ""}|${e.message}`;
  const seen = new Set(before.map(key));
  return { events: after.filter((e) => !seen.has(key(e))), sinceBoot: false };
}

function digest(host: HostEvidence): HostDigest {
  const names = new Set<string>([...COUNTER_NAMES, "TcpExtTCPReqQFullDoCookies", "TcpExtIPReversePathFilter", "TcpExtTCPTimeouts"]);
  const counters = Object.fromEntries(Object.entries(host.counters).filter(([name]) => names.has(name)));
  const sysctl = Object.fromEntries(Object.entries(host.sysctl).filter(([key]) => SYN_PATH_SYSCTLS.test(key)));
  return {
    kernel: host.kernel,
    counters,
    hasDeltas: Object.values(host.counters).some((c) => c.delta !== null),
    sysctl,
    listeners: host.listeners,
    socketStates: host.socketStates,
    conntrack: host.conntrack,
    issues: host.issues.map((i) => ({ path: i.path, line: i.line, message: i.message })),
  };
}
