/**
 * What every rule reads: the capture summary, the host evidence, the kernel profile, and helpers that answer
 * the questions rules keep asking ("did this counter rise over the window, and does this kernel even have it?").
 */
import type { AnalyzeSummary, AttemptRecord, ListenerSummary } from "../handshakes/analysis-types.js";
import type { CounterValue, HostEvidence, KernelLogEvent, Listener } from "../evidence/types.js";
import { counterExists, isCounterName, type KernelProfile } from "../kernel/index.js";
import type { NetState } from "../evidence/ip-route-neigh.js";

export interface RuleContext {
  /** Server-side capture summary (every capture not marked as the client's). */
  readonly capture: AnalyzeSummary | null;
  /** Client-side capture summary, when a capture is marked `side: client` (or named so). */
  readonly clientCapture: AnalyzeSummary | null;
  readonly host: HostEvidence | null;
  /** Null when the kernel version is unknown (then every counter is assumed possible). */
  readonly kernel: KernelProfile | null;
  /** Server port under diagnosis; null when unknown. */
  readonly port: number | null;
  readonly net: NetState | null;
  /** Kernel log events that appeared during the window (after − before), or all of them with one snapshot. */
  readonly logEvents: readonly KernelLogEvent[];
  /** True when the log events are only a single snapshot (they may be old). */
  readonly logSinceBoot: boolean;
}

/** How much a counter rose: over the window (`delta`) or since boot (`total`, single snapshot). */
export interface Rise {
  readonly name: string;
  readonly amount: number;
  readonly over: "window" | "boot";
  readonly value: CounterValue;
}

export function hasCounters(ctx: RuleContext): boolean {
  return ctx.host !== null && Object.keys(ctx.host.counters).length > 0;
}

export function hasDeltas(ctx: RuleContext): boolean {
  return ctx.host !== null && Object.values(ctx.host.counters).some((c) => c.delta !== null);
}

/** False only when the kernel is known and lacks the counter (§7): such a counter is never expected. */
export function kernelHas(ctx: RuleContext, name: string): boolean {
  if (ctx.kernel === null || !isCounterName(name)) return true;
  return counterExists(name, ctx.kernel.version);
}

/**
 * The counter's rise: its delta when two snapshots exist, else its value since boot. A counter the kernel has
 * but the evidence omits counts as 0 when deltas exist (nstat without -z and netstat -s leave zeros out).
 * Null when there are no counters, or the kernel does not have this one.
 */
export function rise(ctx: RuleContext, name: string): Rise | null {
  if (!hasCounters(ctx) || ctx.host === null || !kernelHas(ctx, name)) return null;
  const value = ctx.host.counters[name];
  const deltas = hasDeltas(ctx);
  if (value === undefined) {
    if (!deltas) return null;
    return { name, amount: 0, over: "window", value: { value: 0, delta: 0 } };
  }
  if (value.delta !== null) return { name, amount: value.delta, over: "window", value };
  return { name, amount: value.value, over: "boot", value };
}

/** The rise if positive, else null. */
export function rose(ctx: RuleContext, name: string): Rise | null {
  const r = rise(ctx, name);
  return r !== null && r.amount > 0 ? r : null;
}

/** Rise amount or 0. */
export function amountOf(ctx: RuleContext, name: string): number {
  return rise(ctx, name)?.amount ?? 0;
}

export function sysctl(ctx: RuleContext, key: string): string | null {
  return ctx.host?.sysctl[key] ?? null;
}

export function sysctlNumber(ctx: RuleContext, key: string): number | null {
  const text = sysctl(ctx, key);
  return text !== null && /^-?\d+$/.test(text) ? Number(text) : null;
}

/** Listeners on the port under diagnosis (all listeners when the port is unknown). */
export function listenersOnPort(ctx: RuleContext): Listener[] {
  if (!ctx.host) return [];
  return ctx.port === null ? [...ctx.host.listeners] : ctx.host.listeners.filter((l) => l.port === ctx.port);
}

/** Socket count in a state on the port (or host-wide when the port is unknown); null without a socket list. */
export function socketsInState(ctx: RuleContext, state: string): number | null {
  if (!ctx.host || Object.keys(ctx.host.socketStates).length === 0) return null;
  if (ctx.port === null) return ctx.host.socketStates[state] ?? 0;
  return ctx.host.socketStatesByPort[String(ctx.port)]?.[state] ?? 0;
}

/** The capture's listener entry for the port (or the busiest one when the port is unknown). */
export function captureListener(ctx: RuleContext): ListenerSummary | null {
  const list = ctx.capture?.listeners ?? [];
  if (list.length === 0) return null;
  if (ctx.port !== null) return list.find((l) => l.port === ctx.port) ?? null;
  return [...list].sort((a, b) => b.attempts - a.attempts)[0] ?? null;
}

/** Attempts of the capture on the port under diagnosis (kept records only). */
export function attemptsOnPort(ctx: RuleContext): AttemptRecord[] {
  const list = ctx.capture?.attempts ?? [];
  return ctx.port === null ? list : list.filter((a) => a.serverPort === ctx.port);
}

export interface CaptureCounts {
  readonly attempts: number;
  readonly unanswered: number;
  readonly firstReply: { synack: number; ack: number; rst: number; icmp: number; none: number };
}

/** Attempt totals on the port (capture listener entry), else the capture's totals. */
export function captureCounts(ctx: RuleContext): CaptureCounts | null {
  if (!ctx.capture) return null;
  const listener = captureListener(ctx);
  if (listener) return { attempts: listener.attempts, unanswered: listener.unanswered, firstReply: { ...listener.firstReply } };
  if (ctx.port !== null && ctx.capture.listeners.length > 0) return { attempts: 0, unanswered: 0, firstReply: { synack: 0, ack: 0, rst: 0, icmp: 0, none: 0 } };
  const h = ctx.capture.handshakes;
  return { attempts: h.attempts, unanswered: h.unanswered, firstReply: { ...h.firstReply } };
}

/** Attempts whose first reply was nothing at all (silently dropped somewhere). */
export function silentAttempts(ctx: RuleContext): number {
  return captureCounts(ctx)?.firstReply.none ?? 0;
}

/** Addresses that cover every local address when a listener is bound to them. */
export function isWildcard(addr: string): boolean {
  return addr === "0.0.0.0" || addr === "::" || addr === "*" || addr === "[::]";
}

export function isLoopback(addr: string): boolean {
  return addr.startsWith("127.") || addr === "::1" || addr.startsWith("127.0.0.1%");
}

/** Fraction helper that never divides by zero. */
export function share(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}
