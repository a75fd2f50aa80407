/**
 * The diagnosis: the `diagnose --json` document of shared/spec/cli.md and the findings of shared/spec/causes.md.
 *
 * Stability: the report renderers (text, Markdown, HTML) and `replay` build on these types. Fields are only
 * added, never renamed. Absent facts are `null`, never `undefined`, so that the JSON always has every field.
 *
 * Guarantee for renderers: `findings[0]` is always the verdict's finding (`findings[0].code === verdict`). For
 * `healthy` and `unknown` it is an `info` finding whose evidence says what was seen and whose `fix` lists the
 * commands to collect what is missing.
 */
import type { AnalyzeSummary } from "../handshakes/analysis-types.js";
import type { ConntrackUsage, CounterValue, EvidenceKind, Listener } from "../evidence/types.js";
import type { CauseCode } from "../util/finding-codes.js";

/** Codes that name why SYNs went unanswered (causes.md table); one of them can be the verdict. */
export { CAUSE_CODES, type CauseCode } from "../util/finding-codes.js";

/** Risk findings (causes.md, after the table): reported alongside, never the verdict on their own. */
export const RISK_CODES = [
  "tw-recycle-enabled",
  "nat-detected",
  "timestamps-disabled",
  "backlog-small",
  "tw-bucket-overflow",
  "counters-not-exported",
] as const;
export type RiskCode = (typeof RISK_CODES)[number];

/**
 * Informational findings (ours, not in causes.md): the verdict finding of `healthy` / `unknown`, and the
 * cross-check of unanswered SYNs in the capture against the counter deltas of the same window.
 */
export const INFO_CODES = ["healthy", "unknown", "counter-crosscheck"] as const;
export type InfoCode = (typeof INFO_CODES)[number];

export type FindingCode = CauseCode | RiskCode | InfoCode;

/** The verdict: the highest-confidence cause, or `healthy` / `unknown`. */
export type Verdict = CauseCode | "healthy" | "unknown";

export type FindingKind = "cause" | "risk" | "info";

/** Where an evidence item comes from; also the discriminant of `EvidenceItem`. */
export type EvidenceSource = "packet" | "capture" | "counter" | "sysctl" | "socket" | "firewall" | "log" | "conntrack" | "kernel";

interface EvidenceBase {
  readonly source: EvidenceSource;
  /** One line a person reads ("SYN 198.18.10.2:41000 → 198.18.1.1:8080 unanswered, 5 transmissions"). */
  readonly detail: string;
  /** The input file it was read from, when known. */
  readonly file: string | null;
}

/** One attempt of the capture (the 4-tuple and the SYN's ISN identify it; analyze's AttemptRecord). */
export interface PacketEvidence extends EvidenceBase {
  readonly source: "packet";
  /** First SYN, microseconds since the epoch. */
  readonly time: number;
  readonly client: string;
  readonly clientPort: number;
  readonly server: string;
  readonly serverPort: number;
}

/** An aggregate of the capture ("12 of 12 attempts unanswered", "3 SYNs with a bad checksum"). */
export interface CaptureEvidence extends EvidenceBase {
  readonly source: "capture";
  readonly count: number;
  readonly of: number | null;
}

/** A counter in nstat spelling. `before` and `delta` are null with a single snapshot. */
export interface CounterEvidence extends EvidenceBase {
  readonly source: "counter";
  readonly counter: string;
  readonly before: number | null;
  readonly after: number;
  readonly delta: number | null;
}

export interface SysctlEvidence extends EvidenceBase {
  readonly source: "sysctl";
  readonly key: string;
  /** null: the key is absent from the evidence (or from this kernel). */
  readonly value: string | null;
}

/** A socket line or socket count from ss (`LISTEN 0.0.0.0:8080 Recv-Q 3 Send-Q 2`, `TIME-WAIT on :8080: 12`). */
export interface SocketEvidence extends EvidenceBase {
  readonly source: "socket";
  readonly local: string | null;
  readonly state: string;
  readonly recvQ: number | null;
  readonly sendQ: number | null;
  readonly count: number | null;
}

export interface FirewallEvidence extends EvidenceBase {
  readonly source: "firewall";
  readonly rule: string;
  readonly packets: number | null;
  readonly packetsDelta: number | null;
  readonly line: number | null;
}

export interface LogEvidence extends EvidenceBase {
  readonly source: "log";
  readonly message: string;
  readonly line: number | null;
}

export interface ConntrackEvidence extends EvidenceBase {
  readonly source: "conntrack";
  readonly count: number | null;
  readonly max: number | null;
  readonly dropsDelta: number | null;
}

/** The kernel version and where it came from. */
export interface KernelEvidence extends EvidenceBase {
  readonly source: "kernel";
  readonly version: string | null;
}

export type EvidenceItem =
  | PacketEvidence
  | CaptureEvidence
  | CounterEvidence
  | SysctlEvidence
  | SocketEvidence
  | FirewallEvidence
  | LogEvidence
  | ConntrackEvidence
  | KernelEvidence;

/** One step of a fix. For `unknown` these are the commands that collect what is missing. */
export interface Fix {
  /** A command to run, or a one-line action when there is no single command ("accept faster: more workers"). */
  readonly command: string;
  /** How to make it survive a reboot; null when nothing to persist. */
  readonly persist: string | null;
  /** Caveats ("do NOT turn off tcp_timestamps"); null when none. */
  readonly note: string | null;
}

export interface Finding {
  readonly code: FindingCode;
  readonly kind: FindingKind;
  /** 0–1. A cause with confidence ≥ 0.7 is meant to be right; conflicting evidence lowers it. */
  readonly confidence: number;
  /** One line. */
  readonly summary: string;
  readonly evidence: readonly EvidenceItem[];
  readonly fix: readonly Fix[];
  /** Kernel versions of the server it applies to, as people write them ("≤ 4.11", "all", "≥ 6.16; older: PAWSEstab"). */
  readonly kernels: string;
  /** Evidence that speaks against this finding, one line each (empty when none). */
  readonly conflicts: readonly string[];
  /** Server port the finding concerns, when one; null for host-wide findings. */
  readonly port: number | null;
}

/** A file given to diagnose (directories are walked) and what it was read as. */
export interface DiagnoseInput {
  readonly path: string;
  /** Evidence kind or capture format; null when not recognised. */
  readonly kind: EvidenceKind | null;
}

/** Where the kernel version came from: `--kernel`, uname/proc-version files, a bundle manifest, or nowhere. */
export type KernelSource = "flag" | "evidence" | "manifest" | "unknown";

export interface DiagnosisKernel {
  /** As given or printed ("6.18.44", "3.10.0-1160.el7.x86_64"); null when unknown. */
  readonly version: string | null;
  readonly source: KernelSource;
  /** Nearest model profile ("3.10", "6.18"); null when the version is unknown or below the model's floor. */
  readonly profile: string | null;
}

/** The capture vs counter cross-check over the same window (null when one side is missing). */
export interface CrossCheck {
  /** Unanswered attempts in the capture. */
  readonly unansweredAttempts: number;
  /** SYN transmissions without a reply (first SYNs plus retransmissions) of unanswered attempts. */
  readonly unansweredSyns: number;
  /** Sum of deltas of the counters that count a silently dropped SYN on this kernel (ListenDrops, rp_filter, …). */
  readonly dropCounterDelta: number;
  /** Those counters with their deltas. */
  readonly counters: Readonly<Record<string, number>>;
  /** "match": the counters account for the drops; "counters-lower": some drops happened before TCP (or the
   * windows differ); "counters-higher": drops the capture did not see (other ports, other interfaces). */
  readonly agreement: "match" | "counters-lower" | "counters-higher" | "no-drops";
  readonly detail: string;
}

/** The SYN-path part of the host evidence, as the reports show it. */
export interface HostDigest {
  readonly kernel: string | null;
  /** Counters of the SYN path (kernel model's list) present in the evidence, with value and delta. */
  readonly counters: Readonly<Record<string, CounterValue>>;
  /** True when two counter snapshots gave deltas. */
  readonly hasDeltas: boolean;
  /** SYN-path sysctls present in the evidence. */
  readonly sysctl: Readonly<Record<string, string>>;
  readonly listeners: readonly Listener[];
  readonly socketStates: Readonly<Record<string, number>>;
  readonly conntrack: ConntrackUsage | null;
  /** Evidence files with problems (path, line, message). */
  readonly issues: ReadonlyArray<{ readonly path: string; readonly line: number | null; readonly message: string }>;
}

/** The `diagnose --json` document. */
export interface Diagnosis {
  readonly verdict: Verdict;
  /** Confidence of the verdict finding (findings[0]). */
  readonly confidence: number;
  /** Verdict finding first, then other causes by confidence, then risks, then info. */
  readonly findings: readonly Finding[];
  /** The analyze summary when a capture was given, else null. */
  readonly capture: AnalyzeSummary | null;
  /** Host evidence digest when host files were given, else null. */
  readonly host: HostDigest | null;
  readonly inputs: readonly DiagnoseInput[];
  readonly kernel: DiagnosisKernel;
  /** Server port under diagnosis (from the manifest, the capture's busiest listener, or null). */
  readonly port: number | null;
  readonly crossCheck: CrossCheck | null;
  /** What kind of evidence there was: decides how much the verdict can say. */
  readonly evidence: { readonly capture: boolean; readonly counters: boolean; readonly counterDeltas: boolean; readonly sockets: boolean; readonly sysctl: boolean };
  /** Things that limited the diagnosis (unreadable files, missing snapshots). */
  readonly warnings: readonly string[];
}
