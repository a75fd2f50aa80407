/**
 * Kernel versions and the behaviour switches of the SYN path that depend on them.
 * Facts and provenance: shared/spec/linux-syn-path.md (§1, §2, §4, §5, §12a). A switch decided by a stable
 * backport rather than a mainline release says so; callers can override those with `Backports`.
 */
import { KernelConfigError } from "./errors.js";

export interface KernelVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** The text as given, e.g. "3.10.0-1160.el7.x86_64". */
  readonly text: string;
}

/** Profiles the model names; any version string maps onto the behaviour of its nearest lower profile. */
export const PROFILE_NAMES = [
  "3.10", "4.4", "4.9", "4.10", "4.11", "4.12", "4.14", "5.4", "5.10", "5.15", "6.1", "6.6", "6.12", "6.18",
] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Known stable backports (§12 flags). Undefined = the profile's choice (see `behaviourFor`). */
export interface Backports {
  /** 3479c7549fb1: SYN queue full when qlen > B instead of qlen >= B. */
  readonly synqGt?: boolean;
  /** 5ea8ea2cb7f1: drop SYNs at once when the accept queue is full (stable 3.16.81, 4.4.y, 4.9.y). */
  readonly acceptqSyn?: boolean;
  /** 165573e41f2f: TS offsets hashed with the ports again (per 4-tuple). */
  readonly tsoffPorts?: boolean;
}

export type TsOffsetRegime = "none" | "per-connection" | "per-address-pair" | "per-4-tuple";
export type TwRecycleMode = "absent" | "ts-only" | "ts-and-no-ts";
export type SynQueuePredicate = "pow2" | "qlen>=B" | "qlen>B";
export type AcceptQueueAtSyn = "full" | "full-and-young>1";
export type SynFloodLogFormat = "proto-TCP" | "request_sock_TCP" | "with-address";

/** Every version-dependent switch of the SYN path, decided once per profile. */
export interface KernelBehaviour {
  /** tw_recycle per-peer PAWS (§2.13): absent ≥4.12; ≥3.17 also rejects SYNs without TS from fresh peers. */
  readonly twRecycle: TwRecycleMode;
  /** Offset regime of this kernel's own outgoing TSvals (§5.2). */
  readonly tsOffsetRegime: TsOffsetRegime;
  /** TSval clock: "jiffies" (HZ) before 4.13, 1000 Hz after (§5.1). */
  readonly tsClock: "jiffies" | "ms";
  /** Counter moved by a PAWS-rejected SYN on a TIME_WAIT socket (§2.8 C2): PAWSTimewait ≥6.16. */
  readonly twPawsCounter: "TcpExtPAWSEstab" | "TcpExtPAWSTimewait";
  /** §2.12 G2: ≥4.10 drops SYNs when the accept queue is full; before only if young > 1. */
  readonly acceptQueueAtSyn: AcceptQueueAtSyn;
  /** §4: SYN-queue full predicate. */
  readonly synQueue: SynQueuePredicate;
  /** Highest accepted value of tcp_syncookies (mode 2 since 3.12). */
  readonly maxSyncookies: 1 | 2;
  /** PAWS is skipped when ts_recent_stamp is older than this (24 days; ≈2147 s on ≥6.7). */
  readonly pawsWrapSeconds: number;
  /** ≥4.0: out-of-window ACKs from TIME_WAIT / SYN_RECV rate-limited by tcp_invalid_ratelimit. */
  readonly oowAckRateLimit: boolean;
  /** ≤4.11: tcp_peer_is_proven also requires tcpm_ts_stamp != 0 for the ¾ rule. */
  readonly provenNeedsTsStamp: boolean;
  /** ≥5.18: TcpExtTW / TWKilled counted when a socket enters TIME_WAIT (before: when it leaves). */
  readonly twCountedOnEntry: boolean;
  /** Format of "Possible SYN flooding" (§2.12 G1). */
  readonly synFloodLog: SynFloodLogFormat;
  /** ≥4.7: tcp_listendrop() also counts the listener's sk_drops. */
  readonly listenerSkDrops: boolean;
  /** 6.18: an RST ignored in TIME_WAIT under rfc1337 does not re-arm the timer (3.10/4.15 did). */
  readonly rfc1337RstRearms: boolean;
  /** SYN-ACK initial RTO in ms (1 s since 3.1). */
  readonly initialRtoMs: number;
}

const VERSION_RE = /^\s*(\d+)\.(\d+)(?:\.(\d+))?/;

/** Parses "X.Y[.Z…]" with any suffix ("3.10.0-1160.el7.x86_64", "6.18.44"). */
export function parseKernelVersion(text: string): KernelVersion {
  const m = VERSION_RE.exec(text);
  if (!m) throw new KernelConfigError("bad-version", `kernel version "${text}" is not of the form X.Y[.Z…]`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: m[3] === undefined ? 0 : Number(m[3]), text };
}

/** Negative, zero or positive like a comparator; compares major.minor.patch. */
export function compareVersions(a: KernelVersion, b: KernelVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** True when `v` is at least major.minor (patch ignored). */
export function atLeast(v: KernelVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** The nearest profile at or below `v` (3.10 for anything older: the model's floor). */
export function nearestProfile(v: KernelVersion): ProfileName {
  let best: ProfileName = "3.10";
  for (const name of PROFILE_NAMES) {
    const p = parseKernelVersion(name);
    if (atLeast(v, p.major, p.minor)) best = name;
  }
  return best;
}

/** Long-term branches that received 3479c7549fb1 in 2025 stable (§4); other pre-6.13 branches were EOL. */
const SYNQ_GT_STABLE_BRANCHES = new Set(["5.4", "5.10", "5.15", "6.1", "6.6", "6.12"]);

/**
 * Behaviour of one kernel version. Choices for stable backports (unless `backports` says otherwise):
 * - SYN queue `qlen > B` on ≥6.13 and on the 5.4/5.10/5.15/6.1/6.6/6.12 branches (assumed current stable);
 *   `qlen >= B` on every other ≥4.4 branch.
 * - accept-queue test at SYN from 4.10 (mainline); the 3.16/4.4/4.9 stable backport only with `acceptqSyn`.
 * - per-4-tuple TS offsets on ≥6.18 (verified on 6.18.44, §5.2); 6.12.y only with `tsoffPorts`.
 */
export function behaviourFor(v: KernelVersion, backports: Backports = {}): KernelBehaviour {
  const branch = `${v.major}.${v.minor}`;
  let synQueue: SynQueuePredicate;
  if (!atLeast(v, 4, 4)) synQueue = "pow2";
  else if (backports.synqGt ?? (atLeast(v, 6, 13) || SYNQ_GT_STABLE_BRANCHES.has(branch))) synQueue = "qlen>B";
  else synQueue = "qlen>=B";

  let tsOffsetRegime: TsOffsetRegime;
  if (!atLeast(v, 4, 10)) tsOffsetRegime = "none";
  else if (!atLeast(v, 4, 11)) tsOffsetRegime = "per-connection";
  else if (backports.tsoffPorts ?? atLeast(v, 6, 18)) tsOffsetRegime = "per-4-tuple";
  else tsOffsetRegime = "per-address-pair";

  // tw_recycle removed in 4.12 (4396e46187ca) [SEC]; no-TS SYNs rejected from 3.17 (a26552afe894) [SEC].
  let twRecycle: TwRecycleMode = "absent";
  if (!atLeast(v, 4, 12)) twRecycle = atLeast(v, 3, 17) ? "ts-and-no-ts" : "ts-only";

  // "request_sock_TCP" from 3.18 [CODE 4.x]; listening address added ≈6.2 [SEC patch; version MEM].
  let synFloodLog: SynFloodLogFormat = "proto-TCP";
  if (atLeast(v, 6, 2)) synFloodLog = "with-address";
  else if (atLeast(v, 3, 18)) synFloodLog = "request_sock_TCP";

  return {
    twRecycle,
    tsOffsetRegime,
    tsClock: atLeast(v, 4, 13) ? "ms" : "jiffies", // 9a568de4818d [SEC]
    twPawsCounter: atLeast(v, 6, 16) ? "TcpExtPAWSTimewait" : "TcpExtPAWSEstab",
    acceptQueueAtSyn: (backports.acceptqSyn ?? atLeast(v, 4, 10)) ? "full" : "full-and-young>1",
    synQueue,
    maxSyncookies: atLeast(v, 3, 12) ? 2 : 1, // [MEM]
    pawsWrapSeconds: atLeast(v, 6, 7) ? 2147 : 24 * 24 * 3600, // [CODE patch; version MEM]
    oowAckRateLimit: atLeast(v, 4, 0), // [MEM]
    provenNeedsTsStamp: !atLeast(v, 4, 12),
    twCountedOnEntry: atLeast(v, 5, 18), // [CODE patch]
    synFloodLog,
    listenerSkDrops: atLeast(v, 4, 7), // 9caad864151e [MEM]
    // [CODE 6.18 vs 3.10/4.15]; the exact release of the change is not pinned, 5.x assumed to follow 4.15.
    rfc1337RstRearms: !atLeast(v, 6, 0),
    initialRtoMs: atLeast(v, 3, 1) ? 1000 : 3000, // [MEM]
  };
}
