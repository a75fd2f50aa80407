/**
 * The sysctls the SYN path reads, per kernel version: which exist, their defaults, which values the kernel
 * accepts (§1, §6). Values are integers as written to /proc/sys.
 */
import { KernelConfigError } from "./errors.js";
import { atLeast, type KernelBehaviour, type KernelVersion } from "./version.js";

export type SysctlName =
  | "net.core.somaxconn"
  | "net.ipv4.tcp_max_syn_backlog"
  | "net.ipv4.tcp_syncookies"
  | "net.ipv4.tcp_abort_on_overflow"
  | "net.ipv4.tcp_synack_retries"
  | "net.ipv4.tcp_syn_retries"
  | "net.ipv4.tcp_timestamps"
  | "net.ipv4.tcp_tw_recycle"
  | "net.ipv4.tcp_tw_reuse"
  | "net.ipv4.tcp_tw_reuse_delay"
  | "net.ipv4.tcp_max_tw_buckets"
  | "net.ipv4.tcp_rfc1337"
  | "net.ipv4.tcp_invalid_ratelimit"
  | "net.ipv4.tcp_fin_timeout"
  | "net.ipv4.tcp_no_metrics_save"
  | "net.ipv4.tcp_syn_linear_timeouts"
  | "net.ipv4.tcp_rto_max_ms"
  | "net.ipv4.conf.all.rp_filter"
  | "net.ipv4.conf.default.rp_filter";

export interface SysctlSpec {
  readonly name: SysctlName;
  readonly defaultValue: number;
  readonly min: number;
  readonly max: number;
  /** What the values mean, for error messages and `--help`. */
  readonly meaning: string;
}

const INT_MAX = 2147483647;

interface SysctlRule {
  readonly name: SysctlName;
  readonly exists: (v: KernelVersion) => boolean;
  readonly spec: (v: KernelVersion, b: KernelBehaviour) => Omit<SysctlSpec, "name">;
  /** Why it is missing on versions where `exists` is false. */
  readonly missing: string;
}

const always = (): boolean => true;

const RULES: readonly SysctlRule[] = [
  {
    name: "net.core.somaxconn",
    exists: always,
    // 19f92a030ca6 raised the default to 4096 in 5.4 [MEM].
    spec: (v) => ({ defaultValue: atLeast(v, 5, 4) ? 4096 : 128, min: 0, max: INT_MAX, meaning: "cap on listen() backlog" }),
    missing: "",
  },
  {
    name: "net.ipv4.tcp_max_syn_backlog",
    exists: always,
    // Scales with memory (max(128, ehash/128)) [MEM]; 2048 in the 6.18 lab. Callers should set the host's value.
    spec: (v) => ({
      defaultValue: atLeast(v, 4, 4) ? 2048 : 1024,
      min: 0,
      max: INT_MAX,
      meaning: atLeast(v, 4, 4) ? "only the ¾ rule with syncookies=0" : "part of the SYN-queue size",
    }),
    missing: "",
  },
  {
    name: "net.ipv4.tcp_syncookies",
    exists: always,
    spec: (_v, b) => ({
      defaultValue: 1,
      min: 0,
      max: b.maxSyncookies,
      meaning: b.maxSyncookies === 2 ? "0 off, 1 when the SYN queue is full, 2 always" : "0 off, 1 when the SYN queue is full (mode 2 needs ≥3.12)",
    }),
    missing: "",
  },
  { name: "net.ipv4.tcp_abort_on_overflow", exists: always, spec: () => bool(0, "RST instead of ignoring the 3rd ACK"), missing: "" },
  {
    name: "net.ipv4.tcp_synack_retries",
    exists: always,
    spec: () => ({ defaultValue: 5, min: 0, max: 255, meaning: "SYN-ACK retransmissions before a request expires" }),
    missing: "",
  },
  {
    name: "net.ipv4.tcp_syn_retries",
    exists: always,
    spec: () => ({ defaultValue: 6, min: 1, max: 127, meaning: "SYN retransmissions of connect()" }),
    missing: "",
  },
  {
    name: "net.ipv4.tcp_timestamps",
    exists: always,
    spec: (v) =>
      atLeast(v, 4, 10)
        ? { defaultValue: 1, min: 0, max: 2, meaning: "0 off, 1 on with random offsets, 2 on without offsets" }
        : { defaultValue: 1, min: 0, max: 1, meaning: "0 off, 1 on (value 2 needs ≥4.10)" },
    missing: "",
  },
  {
    name: "net.ipv4.tcp_tw_recycle",
    exists: (v) => !atLeast(v, 4, 12),
    spec: () => bool(0, "per-peer timestamp cache and short TIME_WAIT"),
    missing: "removed in Linux 4.12 (4396e46187ca)",
  },
  {
    name: "net.ipv4.tcp_tw_reuse",
    exists: always,
    // Value 2 (loopback only) and its default ≈4.19 [MEM].
    spec: (v) =>
      atLeast(v, 4, 19)
        ? { defaultValue: 2, min: 0, max: 2, meaning: "connect() side only: 0 off, 1 on, 2 loopback only" }
        : { defaultValue: 0, min: 0, max: 1, meaning: "connect() side only: 0 off, 1 on" },
    missing: "",
  },
  {
    name: "net.ipv4.tcp_tw_reuse_delay",
    exists: (v) => atLeast(v, 6, 15), // [MEM] ≈6.15
    spec: () => ({ defaultValue: 1000, min: 1, max: INT_MAX, meaning: "ms a TIME_WAIT must age before connect() reuses it" }),
    missing: "added in ≈6.15",
  },
  {
    name: "net.ipv4.tcp_max_tw_buckets",
    exists: always,
    spec: () => ({ defaultValue: 131072, min: 0, max: INT_MAX, meaning: "TIME_WAIT sockets limit" }),
    missing: "",
  },
  { name: "net.ipv4.tcp_rfc1337", exists: always, spec: () => bool(0, "1 = RST does not kill TIME_WAIT"), missing: "" },
  {
    name: "net.ipv4.tcp_invalid_ratelimit",
    exists: (v) => atLeast(v, 4, 0),
    spec: () => ({ defaultValue: 500, min: 0, max: INT_MAX, meaning: "ms between out-of-window ACKs" }),
    missing: "added in 4.0",
  },
  {
    name: "net.ipv4.tcp_fin_timeout",
    exists: always,
    spec: () => ({ defaultValue: 60, min: 0, max: INT_MAX, meaning: "seconds an orphaned FIN_WAIT2 lives" }),
    missing: "",
  },
  { name: "net.ipv4.tcp_no_metrics_save", exists: always, spec: () => bool(0, "1 = do not save tcp_metrics"), missing: "" },
  {
    name: "net.ipv4.tcp_syn_linear_timeouts",
    exists: (v) => atLeast(v, 6, 5), // [MEM] ≈6.5
    spec: () => ({ defaultValue: 4, min: 0, max: 127, meaning: "linear 1-s SYN retransmits before backoff" }),
    missing: "added in ≈6.5",
  },
  {
    name: "net.ipv4.tcp_rto_max_ms",
    exists: (v) => atLeast(v, 6, 15), // [MEM] present on 6.18 [EXP]
    spec: () => ({ defaultValue: 120000, min: 1000, max: 120000, meaning: "cap on retransmission timeouts (ms)" }),
    missing: "added in ≈6.15",
  },
  { name: "net.ipv4.conf.all.rp_filter", exists: always, spec: () => rp(), missing: "" },
  { name: "net.ipv4.conf.default.rp_filter", exists: always, spec: () => rp(), missing: "" },
];

function bool(defaultValue: number, meaning: string): Omit<SysctlSpec, "name"> {
  return { defaultValue, min: 0, max: 1, meaning: `0 or 1: ${meaning}` };
}

function rp(): Omit<SysctlSpec, "name"> {
  // The kernel default is 0; distributions often set 1 or 2. Effective value = max(all, interface) [MEM].
  return { defaultValue: 0, min: 0, max: 2, meaning: "0 off, 1 strict, 2 loose" };
}

export const ALL_SYSCTL_NAMES: readonly SysctlName[] = RULES.map((r) => r.name);

/** The sysctls a kernel of this version has, with defaults and accepted ranges. */
export function sysctlsFor(v: KernelVersion, b: KernelBehaviour): ReadonlyMap<SysctlName, SysctlSpec> {
  const out = new Map<SysctlName, SysctlSpec>();
  for (const rule of RULES) if (rule.exists(v)) out.set(rule.name, { name: rule.name, ...rule.spec(v, b) });
  return out;
}

/** Accepts "net.ipv4.tcp_tw_recycle" and "net/ipv4/tcp_tw_recycle". */
export function normaliseSysctlName(name: string): string {
  return name.trim().replace(/\//g, ".");
}

/**
 * Validates one setting against a kernel's sysctl set and returns the integer value.
 * Throws KernelConfigError naming the sysctl, the kernel and what is allowed.
 */
export function validateSysctl(
  specs: ReadonlyMap<SysctlName, SysctlSpec>,
  v: KernelVersion,
  rawName: string,
  rawValue: string | number,
): { name: SysctlName; value: number } {
  const name = normaliseSysctlName(rawName);
  const rule = RULES.find((r) => r.name === name);
  if (!rule) {
    throw new KernelConfigError("unknown-sysctl", `sysctl ${name} is not modelled (known: ${ALL_SYSCTL_NAMES.join(", ")})`);
  }
  const spec = specs.get(rule.name);
  if (!spec) {
    throw new KernelConfigError("sysctl-not-in-kernel", `sysctl ${name} does not exist on Linux ${v.text}: ${rule.missing}`);
  }
  const text = String(rawValue).trim();
  if (!/^-?\d+$/.test(text)) {
    throw new KernelConfigError("bad-sysctl-value", `sysctl ${name}=${text}: expected an integer (${spec.meaning})`);
  }
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw new KernelConfigError(
      "bad-sysctl-value",
      `sysctl ${name}=${value} is not valid on Linux ${v.text}: expected ${spec.min}..${spec.max} (${spec.meaning})`,
    );
  }
  return { name: rule.name, value };
}
