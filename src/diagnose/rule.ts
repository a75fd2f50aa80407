/**
 * A rule: one module per code of causes.md. `evaluate` returns a finding or null (not applicable / no sign).
 * Helpers here build evidence items with the same wording everywhere, and assemble findings.
 */
import type { AttemptRecord } from "../handshakes/analysis-types.js";
import type { FirewallRule, KernelLogEvent, Listener } from "../evidence/types.js";
import type { RuleContext, Rise } from "./context.js";
import type {
  CaptureEvidence,
  CounterEvidence,
  EvidenceItem,
  FindingCode,
  Finding,
  FindingKind,
  Fix,
  FirewallEvidence,
  LogEvidence,
  PacketEvidence,
  SocketEvidence,
  SysctlEvidence,
} from "./types.js";
import { grouped } from "../util/number-text.js";

export interface Rule {
  readonly code: FindingCode;
  readonly kind: FindingKind;
  /** Server kernels the finding applies to, as people write them. */
  readonly kernels: string;
  evaluate(ctx: RuleContext): Finding | null;
}

/** Confidence is kept inside [0, 0.99]: no evidence is ever certain. */
export function clamp(confidence: number): number {
  return Math.round(Math.min(0.99, Math.max(0, confidence)) * 100) / 100;
}

export interface FindingParts {
  confidence: number;
  summary: string;
  evidence: EvidenceItem[];
  fix?: Fix[];
  conflicts?: string[];
  port?: number | null;
}

export function finding(rule: Pick<Rule, "code" | "kind" | "kernels">, ctx: RuleContext, parts: FindingParts): Finding {
  const conflicts = parts.conflicts ?? [];
  return {
    code: rule.code,
    kind: rule.kind,
    confidence: clamp(parts.confidence),
    summary: parts.summary,
    evidence: parts.evidence,
    fix: parts.fix ?? [],
    kernels: rule.kernels,
    conflicts,
    port: parts.port === undefined ? ctx.port : parts.port,
  };
}

export function fix(command: string, persist: string | null = null, note: string | null = null): Fix {
  return { command, persist, note };
}

/** `sysctl -w K=V` with the persist line every sysctl fix uses. */
export function sysctlFix(key: string, value: string, note: string | null = null): Fix {
  return fix(`sysctl -w ${key}=${value}`, `echo '${key} = ${value}' >> /etc/sysctl.d/90-nosynack.conf && sysctl --system`, note);
}

// --- evidence items ---

function endpoint(addr: string, port: number): string {
  return addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`;
}

export function isoTime(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString();
}

export function packetItem(attempt: AttemptRecord, what: string, file: string | null = null): PacketEvidence {
  return {
    source: "packet",
    detail: `${isoTime(attempt.firstSyn)} SYN ${endpoint(attempt.client, attempt.clientPort)} → ${endpoint(attempt.server, attempt.serverPort)}: ${what}`,
    file,
    time: attempt.firstSyn,
    client: attempt.client,
    clientPort: attempt.clientPort,
    server: attempt.server,
    serverPort: attempt.serverPort,
  };
}

/** Up to `limit` packet items for the attempts, so a report shows examples, not thousands of lines. */
export function packetItems(attempts: readonly AttemptRecord[], describe: (a: AttemptRecord) => string, limit = 3): PacketEvidence[] {
  return attempts.slice(0, limit).map((a) => packetItem(a, describe(a)));
}

export function captureItem(detail: string, count: number, of: number | null = null): CaptureEvidence {
  return { source: "capture", detail, file: null, count, of };
}

export function counterItem(r: Rise, note = ""): CounterEvidence {
  const { value, delta } = r.value;
  const before = delta === null ? null : value - delta;
  const text =
    delta === null
      ? `${r.name} = ${grouped(value)} (since boot; one snapshot)`
      : `${r.name} ${grouped(before ?? 0)} → ${grouped(value)} (${delta >= 0 ? "+" : ""}${grouped(delta)})`;
  return { source: "counter", detail: note ? `${text}: ${note}` : text, file: null, counter: r.name, before, after: value, delta };
}

export function sysctlItem(key: string, value: string | null, note = ""): SysctlEvidence {
  const text = value === null ? `${key} not in the evidence` : `${key} = ${value}`;
  return { source: "sysctl", detail: note ? `${text}: ${note}` : text, file: null, key, value };
}

export function listenerItem(listener: Listener, note = ""): SocketEvidence {
  const text = `LISTEN ${listener.local} Recv-Q ${listener.recvQ} Send-Q ${listener.sendQ ?? "?"}`;
  return {
    source: "socket",
    detail: note ? `${text}: ${note}` : text,
    file: null,
    local: listener.local,
    state: "LISTEN",
    recvQ: listener.recvQ,
    sendQ: listener.sendQ,
    count: null,
  };
}

export function socketCountItem(state: string, count: number, port: number | null, note = ""): SocketEvidence {
  const text = `${grouped(count)} ${state} socket${count === 1 ? "" : "s"}${port === null ? "" : ` on port ${port}`}`;
  return { source: "socket", detail: note ? `${text}: ${note}` : text, file: null, local: null, state, recvQ: null, sendQ: null, count };
}

export function firewallItem(rule: FirewallRule, note = ""): FirewallEvidence {
  const counter =
    rule.packetsDelta !== null ? `+${rule.packetsDelta} packets` : rule.packets !== null ? `${rule.packets} packets (since loaded)` : "no counter";
  const where = `${rule.source} ${rule.table}/${rule.chain}${rule.policy ? " policy" : ""}`;
  const text = `${where}: ${rule.text.trim()} (${counter})`;
  return {
    source: "firewall",
    detail: note ? `${text}: ${note}` : text,
    file: rule.path,
    rule: rule.text.trim(),
    packets: rule.packets,
    packetsDelta: rule.packetsDelta,
    line: rule.line,
  };
}

export function logItem(event: KernelLogEvent): LogEvidence {
  return { source: "log", detail: `kernel log: ${event.message.trim()}`, file: event.path, message: event.message, line: event.line };
}

/** Evidence items for the rises that are present (null entries skipped). */
export function counterItems(...rises: readonly (Rise | null)[]): CounterEvidence[] {
  return rises.flatMap((r) => (r === null ? [] : [counterItem(r)]));
}
