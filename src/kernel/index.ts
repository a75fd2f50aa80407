/**
 * The Linux SYN-path kernel model (pure: no I/O, no clock, no randomness of its own).
 *
 *   const host = createHost({ kernel: "3.10.0-1160.el7", sysctls: { "net.ipv4.tcp_tw_recycle": 1 }, seed: 7 });
 *   host.listen(ipv4("198.18.0.1"), 8080, 128);
 *   const r = host.receive(synSegment({ saddr, sport, daddr, dport: 8080, seq, tsval }), nowMs);
 *   // r.outcome "synack" | "cookie" | "ack" | "rst" | "icmp" | "dropped" | "established" | "consumed"
 *   // r.reason  stable code ("accept-queue-full", "tw-recycle-paws", "timewait-paws", …); r.moved counters
 *   // r.replies segments the kernel sends (SYN-ACK, cookie SYN-ACK, bare ACK, RST) with seq/ack/TS fields
 *   host.advance(host.nextTimerMs());   // SYN-ACK retransmits, request expiry, TIME_WAIT expiry
 *   const conn = host.accept(addr, 8080); host.closeServerFirst(conn, nowMs, peerTsval); // → TIME_WAIT
 *
 * Versions: `profileFor("X.Y[.Z…]")` maps any version onto the behaviour switches of §12a (KernelBehaviour),
 * its sysctl set (defaults, ranges; missing sysctls throw KernelConfigError) and `countersOf(profile)`.
 * Client TSvals: `createTsClock({ kernel, tcpTimestamps, hz, uptimeAtZeroMs, hash: createFlowHash(seed) })`.
 */
export * from "./types.js";
export { KernelConfigError, type KernelConfigErrorCode } from "./errors.js";
export {
  PROFILE_NAMES,
  parseKernelVersion,
  compareVersions,
  atLeast,
  nearestProfile,
  behaviourFor,
  type KernelVersion,
  type ProfileName,
  type Backports,
  type KernelBehaviour,
  type TsOffsetRegime,
  type TwRecycleMode,
  type SynQueuePredicate,
  type AcceptQueueAtSyn,
  type SynFloodLogFormat,
} from "./version.js";
export { profileFor, countersOf, defaultSysctls, type KernelProfile } from "./profile.js";
export { COUNTER_NAMES, counterExists, isCounterName, type CounterName } from "./counters.js";
export { ALL_SYSCTL_NAMES, validateSysctl, normaliseSysctlName, type SysctlName, type SysctlSpec } from "./sysctl.js";
export {
  ServerHost,
  createHost,
  secondsAt,
  TCP_TIMEWAIT_LEN_MS,
  TCP_PAWS_MSL_S,
  TCP_PAWS_WINDOW,
  TCP_RTO_MAX_MS,
  type HostOptions,
  type KernelLogLine,
  type TimeWaitInit,
} from "./host.js";
export { createTsClock, tsOffsetFor, type TsClockOptions } from "./timestamps.js";
export { createFlowHash, hash4 } from "./hash.js";
export { seqAfter, seqBefore, seqDiff } from "./seq.js";
export { SEGMENT_TEMPLATE, segment, synSegment, ipv4, ipv4ToText, flagText } from "./segment.js";
