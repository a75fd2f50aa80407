import { open, readdir, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { constants as zlibConstants, createGunzip, gunzipSync } from "node:zlib";
import { parseConntrackStats, parseNfConntrackStat, type ConntrackStats } from "./conntrack.js";
import { captureKind, detectKind } from "./detect.js";
import type { ParsedRule } from "./firewall.js";
import { parseIpNeigh, parseIpRoute, type NetState } from "./ip-route-neigh.js";
import { iptablesBackend, parseIptablesSave } from "./iptables.js";
import { parseKernelLog } from "./kernel-log.js";
import { parseManifest, type BundleManifest } from "./manifest.js";
import { parseNetstatS } from "./netstat-s.js";
import { parseNftJson } from "./nft-json.js";
import { parseNftRuleset } from "./nft.js";
import { parseNstat, parseNstatJson } from "./nstat.js";
import { parseProcNetTcp } from "./proc-net-tcp.js";
import { parseProcMib } from "./proc-mib.js";
import { listenersOf, parseSsSockets, parseSsSummary, type SocketListing } from "./ss.js";
import { parseSysctl } from "./sysctl.js";
import { decodeHostText } from "./text.js";
import {
  EVIDENCE_KINDS,
  type ConntrackUsage,
  type CounterSet,
  type CounterValue,
  type EvidenceFile,
  type EvidenceIssue,
  type EvidenceKind,
  type FirewallRule,
  type HostEvidence,
  type KernelLogEvent,
  type LineIssue,
  type Listener,
  type SocketSummary,
} from "./types.js";
import { kernelVersionOf, parseKernelRelease } from "./uname.js";
import { GZIP_PIECE, gzipCorruptProblem } from "../util/gzip-fault.js";
import { readFileUpTo } from "../util/read-bounded.js";

/** A file read from disk: its display path, its bytes (absent for captures, which are only sniffed). */
export interface InputFile {
  readonly path: string;
  /** Text content; null for binary captures. */
  readonly text: string | null;
  readonly capture: "pcap" | "pcapng" | null;
  /** The manifest entry that names this file, when a manifest sits in a parent directory of the walk. */
  readonly manifestEntry: { readonly kind: string; readonly snapshot: "before" | "after" | null } | null;
}

export interface EvidenceInputs {
  readonly files: readonly InputFile[];
  /** Paths that could not be read at all (also listed as issues). */
  readonly unreadable: readonly EvidenceIssue[];
  /** How many of the given paths could be opened (a file or a directory). */
  readonly readableRoots: number;
}

const MAX_TEXT_BYTES = 256 * 1024 * 1024;
/**
 * Bounds of one run over its inputs, so that a directory given by mistake (`evidence /tmp`, a home directory) ends
 * soon in bounded memory instead of reading everything below it. A collect bundle holds about 20 files.
 */
const MAX_INPUT_FILES = 2000;
const MAX_TOTAL_TEXT_BYTES = MAX_TEXT_BYTES;

/** What is left of a run's bounds. */
interface InputBudget {
  files: number;
  textBytes: number;
}

/** Walks the given files and directories (recursively; dot-files skipped) and reads what can be read. */
export async function readEvidenceInputs(paths: readonly string[]): Promise<EvidenceInputs> {
  const files: InputFile[] = [];
  const unreadable: EvidenceIssue[] = [];
  const budget: InputBudget = { files: MAX_INPUT_FILES, textBytes: MAX_TOTAL_TEXT_BYTES };
  let readableRoots = 0;
  for (const root of paths) {
    let info;
    try {
      info = await stat(root);
      readableRoots++;
    } catch (error) {
      unreadable.push({ path: root, line: null, message: `unreadable: ${errorCode(error)}` });
      continue;
    }
    if (budget.files === 0) {
      unreadable.push({ path: root, line: null, message: `skipped: the first ${MAX_INPUT_FILES} files of the inputs were read already` });
      continue;
    }
    const list = info.isDirectory() ? await walk(root, unreadable, budget.files) : [root];
    budget.files -= list.length;
    if (budget.files === 0 && info.isDirectory()) {
      unreadable.push({ path: root, line: null, message: `only the first ${MAX_INPUT_FILES} files below it are read (a collect bundle holds about 20): give the bundle's own directory` });
    }
    const manifests = await manifestIndex(list);
    for (const path of list) {
      const file = await readInput(path, manifests, unreadable, budget);
      if (file) files.push(file);
    }
  }
  return { files, unreadable, readableRoots };
}

/** A given file that adds nothing to the evidence, and why: for the warnings of commands that take host files. */
export interface UnusedFile {
  readonly path: string;
  /** "unreadable: ENOENT", "skipped: larger than …", "not a recognised host file", "not a recognised host file (empty)" */
  readonly reason: string;
}

/**
 * The files among `inputs` that could not be read, then those read whose kind no parser recognises (captures and
 * manifests are recognised). `evidence` is `buildEvidence(inputs)`.
 */
export function unusedFiles(inputs: EvidenceInputs, evidence: HostEvidence): UnusedFile[] {
  const out: UnusedFile[] = inputs.unreadable.map((u) => ({ path: u.path, reason: u.message }));
  const read = new Map(inputs.files.map((f) => [f.path, f]));
  for (const file of evidence.files) {
    if (file.kind !== null) continue;
    const text = read.get(file.path)?.text ?? null;
    const detail = text === null ? " (binary, not a capture)" : text.trim() === "" ? " (empty)" : "";
    out.push({ path: file.path, reason: `not a recognised host file${detail}` });
  }
  return out;
}

/** The uname or /proc/version file that `evidence.kernel` was read from (`evidence` is `buildEvidence(inputs)`). */
export function kernelFileOf(inputs: EvidenceInputs, evidence: HostEvidence): string | null {
  if (evidence.kernel === null) return null;
  const read = new Map(inputs.files.map((f) => [f.path, f]));
  // buildEvidence takes the first of these files, in input order, that names a release.
  for (const file of evidence.files) {
    if (file.kind !== "uname" && file.kind !== "proc-version") continue;
    const release = parseKernelRelease(read.get(file.path)?.text ?? "").value;
    if (release !== null) return release === evidence.kernel ? file.path : null;
  }
  return null;
}

/** Reads and merges everything under `paths` into one HostEvidence. Never throws on file content. */
export async function loadEvidence(paths: readonly string[]): Promise<HostEvidence> {
  return buildEvidence(await readEvidenceInputs(paths));
}

/** The files below `dir`, in name order, at most `limit` of them. */
async function walk(dir: string, unreadable: EvidenceIssue[], limit: number): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    unreadable.push({ path: dir, line: null, message: `unreadable directory: ${errorCode(error)}` });
    return [];
  }
  const out: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (out.length >= limit) break;
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(path, unreadable, limit - out.length)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** The bundle manifest at `path`; null when it is missing, unreadable, too large or not a manifest. */
export function readManifestFile(path: string): BundleManifest | null {
  try {
    const bytes = readFileUpTo(path, MAX_TEXT_BYTES);
    return bytes === null ? null : parseManifest(decodeHostText(bytes)).value;
  } catch {
    return null;
  }
}

type ManifestIndex = Map<string, { kind: string; snapshot: "before" | "after" | null }>;

/** Manifest entries keyed by the file path they name (resolved against the manifest's directory). */
async function manifestIndex(paths: readonly string[]): Promise<ManifestIndex> {
  const index: ManifestIndex = new Map();
  for (const path of paths.filter((p) => basename(p) === "manifest.json")) {
    // A manifest that cannot be used is reported when it is read as an input file.
    const manifest = readManifestFile(path);
    for (const file of manifest?.files ?? []) {
      index.set(join(dirname(path), file.path), { kind: file.kind, snapshot: file.snapshot ?? null });
    }
  }
  return index;
}

async function readInput(path: string, manifests: ManifestIndex, unreadable: EvidenceIssue[], budget: InputBudget): Promise<InputFile | null> {
  const manifestEntry = manifests.get(join(path)) ?? null;
  try {
    const head = await readHead(path, GZIP_HEAD_BYTES);
    const capture = captureKind(head.subarray(0, 4));
    if (capture) return { path, text: null, capture, manifestEntry };
    // A gzipped capture is told by its first bytes; the capture reader streams the rest later.
    if (head[0] === 0x1f && head[1] === 0x8b) {
      const innerCapture = captureKind(gunzipHead(head));
      if (innerCapture) return { path, text: null, capture: innerCapture, manifestEntry };
    }
    const overBudget = (): null => {
      const message = `skipped: the inputs already hold ${MAX_TOTAL_TEXT_BYTES - budget.textBytes} bytes of host text, and at most ${MAX_TOTAL_TEXT_BYTES} are read`;
      unreadable.push({ path, line: null, message });
      return null;
    };
    // A regular file past what is left of the run's bytes is not read at all (its size is known beforehand).
    const { size } = await stat(path);
    if (size > budget.textBytes && size <= MAX_TEXT_BYTES) return overBudget();
    let bytes = readFileUpTo(path, MAX_TEXT_BYTES);
    if (bytes === null) {
      unreadable.push({ path, line: null, message: `skipped: larger than ${MAX_TEXT_BYTES} bytes and not a capture` });
      return null;
    }
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
      const inner = await gunzipText(bytes, MAX_TEXT_BYTES);
      if (typeof inner === "string") {
        unreadable.push({ path, line: null, message: inner });
        return null;
      }
      bytes = inner;
    }
    if (bytes.length > budget.textBytes) return overBudget();
    budget.textBytes -= bytes.length;
    // The one place host-file bytes become text: by the BOM, so UTF-16 (which is full of zero bytes) is not "binary".
    const text = decodeHostText(bytes);
    if (text.includes("\u0000")) return { path, text: null, capture: null, manifestEntry };
    return { path, text, capture: null, manifestEntry };
  } catch (error) {
    unreadable.push({ path, line: null, message: `unreadable: ${errorCode(error)}` });
    return null;
  }
}

/**
 * A gzipped host file's content, or why there is none: larger than `limit` once gunzipped, or corrupt at a byte
 * offset (within GZIP_PIECE), said as `analyze` says it of a capture.
 */
async function gunzipText(bytes: Buffer, limit: number): Promise<Buffer | string> {
  const gunzip = createGunzip();
  const pieces = (function* () {
    for (let at = 0; at < bytes.length; at += GZIP_PIECE) yield bytes.subarray(at, at + GZIP_PIECE);
  })();
  const out: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of Readable.from(pieces).pipe(gunzip) as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) {
        gunzip.destroy();
        return `skipped: larger than ${limit} bytes once gunzipped`;
      }
      out.push(chunk);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `byte offset ${gunzip.bytesWritten}: ${gzipCorruptProblem(message)}`;
  }
  return Buffer.concat(out, total);
}

/** Compressed bytes read to see what a gzip file holds: the first few bytes of its content come out of far fewer. */
const GZIP_HEAD_BYTES = 4096;

/** Whatever the first compressed bytes of a gzip stream decompress to (possibly nothing, never more than 64 KiB). */
function gunzipHead(head: Uint8Array): Uint8Array {
  try {
    return gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 1 << 16 });
  } catch {
    return new Uint8Array(0);
  }
}

async function readHead(path: string, length: number): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

// --- merging ---

type Snap = "before" | "after" | "single";

interface Classified {
  readonly file: InputFile;
  readonly kind: EvidenceKind | null;
  readonly snap: Snap;
}

/** Counter sources from most to least complete: nstat -a lists every counter, netstat -s omits zeros. */
const COUNTER_PRIORITY: readonly EvidenceKind[] = ["nstat", "nstat-json", "proc-netstat", "proc-snmp", "netstat-s"];

/** Pure: merges read files into HostEvidence. */
export function buildEvidence(inputs: EvidenceInputs): HostEvidence {
  const issues: EvidenceIssue[] = [...inputs.unreadable];
  const addIssues = (path: string, list: readonly LineIssue[]): void => {
    for (const issue of list) issues.push({ path, line: issue.line, message: issue.message });
  };
  const classified: Classified[] = inputs.files.map((file) => classify(file, issues));
  const files: EvidenceFile[] = classified.map(({ file, kind, snap }) => ({
    path: file.path,
    kind,
    snapshot: snap === "single" ? null : snap,
  }));

  const ofKind = (...kinds: EvidenceKind[]): Classified[] => classified.filter((c) => c.kind !== null && kinds.includes(c.kind));
  /** The files of the latest snapshot holding one of these kinds (after, else single, else before). */
  const latest = (...kinds: EvidenceKind[]): Classified[] => {
    const all = ofKind(...kinds);
    for (const snap of ["after", "single", "before"] as const) {
      const found = all.filter((c) => c.snap === snap);
      if (found.length > 0) return found;
    }
    return [];
  };

  // Counters
  const counterSets: Record<Snap, Record<string, number>> = { before: {}, after: {}, single: {} };
  const counterFiles = ofKind(...COUNTER_PRIORITY).sort(
    (a, b) => COUNTER_PRIORITY.indexOf(b.kind ?? "nstat") - COUNTER_PRIORITY.indexOf(a.kind ?? "nstat"),
  );
  for (const c of counterFiles) {
    const parsed = parseCounters(c.kind, c.file.text ?? "");
    addIssues(c.file.path, parsed.issues);
    Object.assign(counterSets[c.snap], parsed.value); // higher priority sources come last and win
  }
  const counters = pairCounters(counterSets);
  const fell = countersThatFell(counters, counterSets.before);
  const afterFile = counterFiles.find((c) => c.snap === "after");
  if (fell.length > 0 && afterFile) {
    const shown = fell.slice(0, 3).map(([name, before, after]) => `${name} ${before} → ${after}`).join(", ");
    const more = fell.length > 3 ? ` and ${fell.length - 3} more` : "";
    issues.push({
      path: afterFile.file.path,
      line: null,
      message: `${fell.length} counter${fell.length === 1 ? "" : "s"} went down since the before snapshot (${shown}${more}): the host rebooted or the snapshots come from different hosts or are swapped; those deltas are not rises`,
    });
  }

  // Sysctls: every snapshot, later ones win.
  const sysctl: Record<string, string> = {};
  for (const snap of ["before", "single", "after"] as const) {
    for (const c of ofKind("sysctl").filter((x) => x.snap === snap)) {
      const parsed = parseSysctl(c.file.text ?? "");
      addIssues(c.file.path, parsed.issues);
      Object.assign(sysctl, parsed.value);
    }
  }

  // Kernel
  let kernel: string | null = null;
  for (const c of ofKind("uname", "proc-version")) {
    const parsed = parseKernelRelease(c.file.text ?? "");
    addIssues(c.file.path, parsed.issues);
    kernel ??= parsed.value;
  }

  // Sockets
  const { listeners, socketStates, socketStatesByPort } = sockets(latest("ss-ltn"), latest("ss-tan"), latest("proc-net-tcp"), addIssues);
  let socketSummary: SocketSummary | null = null;
  for (const c of latest("ss-s")) {
    const parsed = parseSsSummary(c.file.text ?? "");
    addIssues(c.file.path, parsed.issues);
    socketSummary = parsed.value;
  }
  // Socket files of other snapshots still get their issues reported.
  for (const c of ofKind("ss-ltn", "ss-tan", "proc-net-tcp", "ss-s").filter((x) => !latestSet(latest, x))) {
    const parsed = c.kind === "ss-s" ? parseSsSummary(c.file.text ?? "") : c.kind === "proc-net-tcp" ? parseProcNetTcp(c.file.text ?? "") : parseSsSockets(c.file.text ?? "");
    addIssues(c.file.path, parsed.issues);
  }

  const conntrack = conntrackUsage(sysctl, ofKind("conntrack-stats", "nf-conntrack-stat"), addIssues);
  const firewall = firewallRules(ofKind("iptables-save", "nft-ruleset", "nft-json"), addIssues);
  const logEvents = kernelLogEvents(ofKind("kernel-log"), addIssues);
  const net = netState(latest("ip-route"), latest("ip-neigh"));

  return {
    kernel,
    kernelVersion: kernel === null ? null : kernelVersionOf(kernel),
    counters,
    sysctl: sortKeys(sysctl),
    listeners,
    socketStates,
    socketStatesByPort,
    socketSummary,
    conntrack,
    firewall,
    logEvents,
    net,
    files,
    issues,
  };
}

/** Routes and neighbours from the latest snapshot of each (the state at the end of the window). */
function netState(routeFiles: readonly Classified[], neighbourFiles: readonly Classified[]): NetState | null {
  const route = routeFiles[0];
  const neigh = neighbourFiles[0];
  if (route === undefined && neigh === undefined) return null;
  return {
    routes: route === undefined ? null : parseIpRoute(route.file.text ?? ""),
    neighbours: neigh === undefined ? null : parseIpNeigh(neigh.file.text ?? ""),
    routeFile: route?.file.path ?? null,
    neighFile: neigh?.file.path ?? null,
  };
}

function latestSet(latest: (...kinds: EvidenceKind[]) => Classified[], c: Classified): boolean {
  return c.kind !== null && latest(c.kind).includes(c);
}

function classify(file: InputFile, issues: EvidenceIssue[]): Classified {
  const snap = snapshotOf(file);
  if (file.capture) return { file, kind: file.capture, snap };
  if (file.text === null) {
    issues.push({ path: file.path, line: null, message: "binary file that is not a capture; not recognised" });
    return { file, kind: null, snap };
  }
  let kind = detectKind(file.text, basename(file.path));
  const declared = declaredKind(file, issues);
  // The manifest resolves what content cannot: empty outputs (no firewall rules) and ss listings with only
  // LISTEN rows that were taken with -tan.
  if (kind === null && declared && file.text.trim() === "") kind = declared;
  if ((kind === "ss-ltn" || kind === "ss-tan") && (declared === "ss-ltn" || declared === "ss-tan")) kind = declared;
  if (kind === null && file.text.trim() !== "") {
    issues.push({ path: file.path, line: null, message: "not recognised: no known host-evidence format matches" });
  } else if (kind === null) {
    issues.push({ path: file.path, line: null, message: "empty file" });
  } else if (declared && declared !== kind) {
    issues.push({ path: file.path, line: null, message: `manifest says ${declared}, content looks like ${kind}; using ${kind}` });
  }
  if (kind === "manifest") {
    const parsed = parseManifest(file.text);
    for (const issue of parsed.issues) issues.push({ path: file.path, line: issue.line, message: issue.message });
  }
  return { file, kind, snap };
}

/** Manifest entry first; otherwise "before"/"after" in the file name. */
function snapshotOf(file: InputFile): Snap {
  if (file.manifestEntry) return file.manifestEntry.snapshot ?? "single";
  const name = basename(file.path).toLowerCase();
  if (/before/.test(name)) return "before";
  if (/after/.test(name)) return "after";
  return "single";
}

function parseCounters(kind: EvidenceKind | null, text: string): { value: CounterSet; issues: readonly LineIssue[] } {
  switch (kind) {
    case "nstat":
      return parseNstat(text);
    case "nstat-json":
      return parseNstatJson(text);
    case "netstat-s":
      return parseNetstatS(text);
    default:
      return parseProcMib(text);
  }
}

/**
 * value = latest snapshot; delta = after − before when both exist. A counter missing from a non-empty "before"
 * counts as 0 there: nstat without -z and netstat -s leave out zero counters, and counters do not appear mid-run.
 */
function pairCounters(sets: Record<Snap, Record<string, number>>): Record<string, CounterValue> {
  const hasBefore = Object.keys(sets.before).length > 0;
  const hasAfter = Object.keys(sets.after).length > 0;
  const latest = hasAfter ? sets.after : Object.keys(sets.single).length > 0 ? sets.single : sets.before;
  const out: Record<string, CounterValue> = {};
  for (const name of Object.keys(latest).sort()) {
    const value = latest[name] ?? 0;
    const delta = hasBefore && hasAfter ? value - (sets.before[name] ?? 0) : null;
    out[name] = { value, delta };
  }
  return out;
}

/** Counters that are gauges, not running totals: they may go down between snapshots. */
const GAUGES: ReadonlySet<string> = new Set(["TcpCurrEstab", "TcpMaxConn", "TcpRtoAlgorithm", "TcpRtoMin", "TcpRtoMax", "IpForwarding", "IpDefaultTTL"]);

/** Running totals whose after value is below the before value: [name, before, after]. */
function countersThatFell(counters: Record<string, CounterValue>, before: Record<string, number>): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (const [name, c] of Object.entries(counters)) {
    if (c.delta !== null && c.delta < 0 && !GAUGES.has(name)) out.push([name, before[name] ?? 0, c.value]);
  }
  return out;
}

function sockets(
  ltn: readonly Classified[],
  tan: readonly Classified[],
  proc: readonly Classified[],
  addIssues: (path: string, list: readonly LineIssue[]) => void,
): { listeners: Listener[]; socketStates: Record<string, number>; socketStatesByPort: Record<string, Record<string, number>> } {
  const parse = (c: Classified): SocketListing => {
    const parsed = c.kind === "proc-net-tcp" ? parseProcNetTcp(c.file.text ?? "") : parseSsSockets(c.file.text ?? "");
    addIssues(c.file.path, parsed.issues);
    return parsed.value;
  };
  const ltnListings = ltn.map(parse);
  const tanListings = tan.map(parse);
  const procListings = proc.map(parse);
  const full = tan.length > 0 ? tanListings : procListings;

  // Listeners: merge -ltnp (process) and -ltnm (drops) listings of the same snapshot by local address.
  let listeners: Listener[];
  if (ltnListings.length > 0) {
    const byLocal = new Map<string, Listener>();
    for (const listing of ltnListings) {
      for (const listener of listenersOf(listing.listening)) {
        const known = byLocal.get(listener.local);
        byLocal.set(
          listener.local,
          known ? { ...known, process: known.process ?? listener.process, drops: known.drops ?? listener.drops } : listener,
        );
      }
    }
    listeners = [...byLocal.values()];
  } else if (tan.length > 0) {
    listeners = listenersOf(tanListings.flatMap((l) => l.listening));
  } else {
    // /proc/net/tcp does not show the backlog.
    listeners = listenersOf(procListings.flatMap((l) => l.listening)).map((l) => ({ ...l, sendQ: null }));
  }

  const socketStates: Record<string, number> = {};
  const socketStatesByPort: Record<string, Record<string, number>> = {};
  for (const listing of full) {
    for (const [state, n] of Object.entries(listing.states)) socketStates[state] = (socketStates[state] ?? 0) + n;
    for (const [port, byState] of Object.entries(listing.statesByPort)) {
      const states = (socketStatesByPort[port] ??= {});
      for (const [state, n] of Object.entries(byState)) states[state] = (states[state] ?? 0) + n;
    }
  }
  return { listeners, socketStates: sortKeys(socketStates), socketStatesByPort };
}

function conntrackUsage(
  sysctl: Readonly<Record<string, string>>,
  files: readonly Classified[],
  addIssues: (path: string, list: readonly LineIssue[]) => void,
): ConntrackUsage | null {
  const numberOf = (key: string): number | null => {
    const text = sysctl[key];
    return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
  };
  const count = numberOf("net.netfilter.nf_conntrack_count");
  const max = numberOf("net.netfilter.nf_conntrack_max") ?? numberOf("net.nf_conntrack_max");
  const stats: Record<Snap, ConntrackStats | null> = { before: null, after: null, single: null };
  // conntrack -S is preferred over the raw file when both exist in a snapshot; both carry the same counters.
  for (const c of [...files].sort((a, b) => (a.kind === "conntrack-stats" ? 1 : 0) - (b.kind === "conntrack-stats" ? 1 : 0))) {
    const parsed = c.kind === "conntrack-stats" ? parseConntrackStats(c.file.text ?? "") : parseNfConntrackStat(c.file.text ?? "");
    addIssues(c.file.path, parsed.issues);
    stats[c.snap] = parsed.value;
  }
  const last = stats.after ?? stats.single ?? stats.before;
  if (count === null && max === null && last === null) return null;
  const field = (s: ConntrackStats | null, name: string): number | null => (s ? (s.totals[name] ?? null) : null);
  const delta = (name: string): number | null => {
    const a = field(stats.after, name);
    const b = field(stats.before, name);
    return a !== null && b !== null ? a - b : null;
  };
  return {
    count: count ?? last?.entries ?? null,
    max,
    drops: field(last, "drop"),
    insertFailed: field(last, "insert_failed"),
    earlyDrop: field(last, "early_drop"),
    dropsDelta: delta("drop"),
    insertFailedDelta: delta("insert_failed"),
    earlyDropDelta: delta("early_drop"),
  };
}

function firewallRules(files: readonly Classified[], addIssues: (path: string, list: readonly LineIssue[]) => void): FirewallRule[] {
  const bySnap: Record<Snap, FirewallRule[]> = { before: [], after: [], single: [] };
  for (const snap of ["before", "after", "single"] as const) {
    const inSnap = files.filter((c) => c.snap === snap);
    // nft JSON and text of the same ruleset: JSON is exact, text only a fallback.
    const hasJson = inSnap.some((c) => c.kind === "nft-json");
    const parsedFiles = inSnap.map((c) => {
      const text = c.file.text ?? "";
      const parsed = c.kind === "iptables-save" ? parseIptablesSave(text) : c.kind === "nft-json" ? parseNftJson(text) : parseNftRuleset(text);
      addIssues(c.file.path, parsed.issues);
      return { c, rules: parsed.value };
    });
    // iptables-nft keeps its tables in nftables, so `nft list ruleset` shows its rules a second time: keep the
    // iptables-save view (the syntax these rules are managed in) and leave out nft chains it already lists.
    const mirrored = new Set<string>();
    for (const { c, rules } of parsedFiles) {
      if (c.kind === "iptables-save" && iptablesBackend(c.file.text ?? "") !== "legacy") for (const rule of rules) mirrored.add(chainKey(rule));
    }
    for (const { c, rules } of parsedFiles) {
      if (c.kind === "nft-ruleset" && hasJson) continue;
      const kept = c.kind === "iptables-save" ? rules : rules.filter((rule) => !mirrored.has(chainKey(rule)));
      bySnap[snap].push(...kept.map((rule: ParsedRule) => ({ ...rule, path: c.file.path, packetsDelta: null })));
    }
  }
  const latest = bySnap.after.length > 0 ? bySnap.after : bySnap.single.length > 0 ? bySnap.single : bySnap.before;
  if (latest !== bySnap.after || bySnap.before.length === 0) return latest;
  // Pair rules across snapshots by identity without counters (and occurrence, for identical rules).
  const beforeByKey = new Map<string, FirewallRule>();
  keyed(bySnap.before).forEach(([key, rule]) => beforeByKey.set(key, rule));
  return keyed(latest).map(([key, rule]) => {
    const before = beforeByKey.get(key);
    const delta = before && before.packets !== null && rule.packets !== null ? rule.packets - before.packets : null;
    return { ...rule, packetsDelta: delta };
  });
}

function chainKey(rule: ParsedRule): string {
  return `${rule.family}|${rule.table}|${rule.chain}`;
}

function keyed(rules: readonly FirewallRule[]): [string, FirewallRule][] {
  const seen = new Map<string, number>();
  return rules.map((rule) => {
    const text = rule.text.replace(/^\[\d+:\d+\]\s+/, "").replace(/\s*\[\d+:\d+\]$/, "").replace(/counter packets \d+ bytes \d+/, "counter");
    const base = [rule.source, rule.family, rule.table, rule.chain, rule.policy, text].join("|");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return [`${base}#${n}`, rule];
  });
}

function kernelLogEvents(files: readonly Classified[], addIssues: (path: string, list: readonly LineIssue[]) => void): KernelLogEvent[] {
  const events: KernelLogEvent[] = [];
  const seen = new Set<string>();
  // A later snapshot of the log repeats the earlier lines: keep each (time, message) once.
  for (const c of [...files].sort((a, b) => snapOrder(a.snap) - snapOrder(b.snap))) {
    const parsed = parseKernelLog(c.file.text ?? "");
    addIssues(c.file.path, parsed.issues);
    for (const event of parsed.value) {
      const key = `${event.time ?? ""}|${event.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      events.push({ ...event, path: c.file.path });
    }
  }
  return events;
}

function snapOrder(snap: Snap): number {
  return snap === "before" ? 0 : snap === "single" ? 1 : 2;
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The kind the manifest gives the file, if it is one this version knows (else an issue, and content decides). */
function declaredKind(file: InputFile, issues: EvidenceIssue[]): EvidenceKind | undefined {
  const declared = file.manifestEntry?.kind;
  if (declared === undefined) return undefined;
  if ((EVIDENCE_KINDS as readonly string[]).includes(declared)) return declared as EvidenceKind;
  issues.push({ path: file.path, line: null, message: `manifest kind "${declared}" is not one nosynack knows; the kind is taken from the content` });
  return undefined;
}
