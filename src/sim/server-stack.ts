/**
 * What the simulator needs from the server's kernel: one host with one listener. Kept as a narrow interface so
 * the engine does not depend on how src/kernel arranges its state; `createServerStack` binds it to the model.
 */
import type { CounterName } from "../kernel/counters.js";
import type { KernelProfile } from "../kernel/profile.js";
import type { KernelLogLine } from "../kernel/host.js";
import type { Connection, ListenerSnapshot, Reply, Segment, SegmentResult } from "../kernel/types.js";

/** Sockets of the server at one moment, for `ss -tan`. */
export interface SocketEntry {
  readonly state: "LISTEN" | "ESTAB" | "SYN-RECV" | "TIME-WAIT" | "CLOSE-WAIT" | "LAST-ACK" | "FIN-WAIT-1" | "FIN-WAIT-2";
  readonly laddr: number;
  readonly lport: number;
  readonly raddr: number;
  readonly rport: number;
  readonly recvQ: number;
  readonly sendQ: number;
}

/** Replies and counter moves of one timer run (SYN-ACK retransmissions, request expiry, TIME_WAIT expiry). */
export interface TimerResult {
  readonly replies: readonly Reply[];
  readonly moved: readonly CounterName[];
}

export interface ServerStack {
  readonly profile: KernelProfile;
  /** Host uptime (ms) at simulated time 0: dmesg timestamps and TSvals count from boot. */
  readonly uptimeAtZeroMs: number;
  /** Effective sysctl values (defaults of the profile plus the scenario's settings). */
  readonly sysctls: ReadonlyMap<string, number>;
  /** One segment arrives at `nowMs`. */
  receive(seg: Segment, nowMs: number): SegmentResult;
  /** accept(): the oldest child of the accept queue, if any. */
  accept(nowMs: number): Connection | undefined;
  /** close() by the application: the FIN (and any other replies) it sends. */
  close(conn: Connection, nowMs: number): TimerResult;
  /** Runs every timer due at or before `nowMs`. */
  runTimers(nowMs: number): TimerResult;
  /** Earliest pending timer (ms), Infinity when none. */
  nextTimerMs(): number;
  listener(): ListenerSnapshot;
  /** Current value of every counter the profile has. */
  counters(): ReadonlyMap<CounterName, number>;
  /** Kernel log lines printed so far (dmesg). */
  log(): readonly KernelLogLine[];
  /** Socket table at `nowMs` (expired TIME_WAIT sockets excluded). */
  sockets(nowMs: number): readonly SocketEntry[];
}
