/**
 * TSval generation of a Linux host (spec §5, §12 "Timestamp generation"): clock rate by kernel (HZ before
 * 4.13, 1000 Hz after), offset regime by kernel and its tcp_timestamps value. The caller supplies the hash
 * (the host's secret) and the host's uptime, so the result is deterministic.
 */
import { profileFor, type KernelProfile } from "./profile.js";
import type { FlowHash, TsClock } from "./types.js";
import type { TsOffsetRegime } from "./version.js";

export interface TsClockOptions {
  /** Kernel of the host whose TSvals these are. */
  readonly kernel: KernelProfile | string;
  /** That host's net.ipv4.tcp_timestamps (default 1). 0 still yields values; the caller omits the option. */
  readonly tcpTimestamps?: number;
  /** CONFIG_HZ for kernels < 4.13 (100, 250, 300 or 1000; default 1000). Ignored on ≥ 4.13. */
  readonly hz?: number;
  /** The host's uptime in ms when the simulation clock reads 0. */
  readonly uptimeAtZeroMs?: number;
  /** Keyed hash standing for the host's secret (createFlowHash(seed)). */
  readonly hash: FlowHash;
  /** Model INITIAL_JIFFIES (jiffies start 300 s before wrap, so < 4.13 TSvals start near 2^32 - 300·HZ). */
  readonly initialJiffies?: boolean;
}

/** Offset of one flow under a regime; 4-tuple as the sender sees it (before any NAT). */
export function tsOffsetFor(
  regime: TsOffsetRegime,
  hash: FlowHash,
  saddr: number,
  sport: number,
  daddr: number,
  dport: number,
): number {
  switch (regime) {
    case "none":
      return 0;
    case "per-address-pair":
      // secure_tcp_ts_off(net, saddr, daddr), 4.11 → 2026 (28ee1b746f49)
      return hash(saddr, daddr, 0, 0);
    case "per-connection":
    case "per-4-tuple":
      // 4.10 (95a22caee396) and 2026+ (165573e41f2f): keyed by the 4-tuple
      return hash(saddr, daddr, (sport << 16) | dport, 1);
  }
}

/** Clock of one host: tsval(nowMs, saddr, sport, daddr, dport) with this host as the sender. */
export function createTsClock(options: TsClockOptions): TsClock {
  const profile = typeof options.kernel === "string" ? profileFor(options.kernel) : options.kernel;
  const b = profile.behaviour;
  const rate = b.tsClock === "ms" ? 1000 : (options.hz ?? 1000);
  const uptime0 = options.uptimeAtZeroMs ?? 0;
  // [MEM] INITIAL_JIFFIES = -300*HZ; tcp_time_stamp was (u32)jiffies before 4.13.
  const base0 = b.tsClock === "jiffies" && options.initialJiffies ? -300 * rate : 0;
  // Offsets exist only with tcp_timestamps == 1 ([CODE] "!= 1 → 0").
  const regime: TsOffsetRegime = (options.tcpTimestamps ?? 1) === 1 ? b.tsOffsetRegime : "none";
  const hash = options.hash;
  return {
    tsval(nowMs, saddr, sport, daddr, dport) {
      const ticks = Math.floor(((uptime0 + nowMs) * rate) / 1000) + base0;
      return (ticks + tsOffsetFor(regime, hash, saddr, sport, daddr, dport)) >>> 0;
    },
    linear: {
      rate,
      uptimeAtZeroMs: uptime0,
      base: base0,
      offset: (saddr, sport, daddr, dport) => tsOffsetFor(regime, hash, saddr, sport, daddr, dport),
    },
  };
}
