/**
 * One replay: the capture's events through a kernel-model host with given settings. The capture fixes what the
 * clients did; where the model's server answers differently from the real one, the clients' reactions that the
 * capture cannot contain are synthesised the way a Linux client would react (3rd ACK one RTT after a SYN-ACK,
 * RST after a bare ACK, SYN retransmissions on the classic backoff) and the client's own captured reactions to
 * answers the model did not give are left out.
 */
import {
  ACK,
  FIN,
  RST,
  SYN,
  createHost,
  ipv4,
  segment,
  type Connection,
  type Outcome,
  type Reason,
  type Reply,
  type Segment,
  type SegmentResult,
  type ServerHost,
} from "../kernel/index.js";
import { FlowTable } from "../util/flow-table.js";
import { timeOrder } from "./event-list.js";
import type { Extraction, FirstReply, ReplayAttempt, ReplayEvent } from "./types.js";

/** A listener the replay creates: address 0 = all addresses; backlog null = listen(fd, somaxconn). */
export interface ReplayListener {
  readonly addr: number;
  readonly port: number;
  readonly backlog: number | null;
}

export interface ReplaySettings {
  /** Kernel version for the model ("3.10", "6.18.44"). */
  readonly kernel: string;
  /** Sysctls; validated by the model (KernelConfigError: missing on this kernel, bad value). */
  readonly sysctls: Readonly<Record<string, number | string>>;
  /** listen() backlog for every listener, overriding what `listeners` say. */
  readonly backlog?: number;
  /** Listeners known from host files (`ss -ltn`); when absent they are inferred from the capture. */
  readonly listeners?: readonly ReplayListener[];
  /** Seed of the model host's secrets (ISNs, cookies). */
  readonly seed?: number;
}

/** The model's answer for one attempt. */
export interface PredictedAttempt {
  first: FirstReply;
  answered: boolean;
  /** The kernel model's reason for the first answer (or for the last drop when nothing answered). */
  reason: Reason | null;
}

export interface ReplayRun {
  readonly kernel: string;
  /** Sysctls that differ from the kernel's defaults in this run. */
  readonly changedSysctls: Readonly<Record<string, number>>;
  readonly listeners: readonly { addr: number; port: number; backlog: number; effectiveBacklog: number }[];
  readonly predicted: readonly PredictedAttempt[];
  /** Counters the model moved (nstat names, non-zero only). */
  readonly counters: Readonly<Record<string, number>>;
  /** Reason codes of the model for every SYN fed. */
  readonly synReasons: Readonly<Record<string, number>>;
  /** Client segments synthesised because the model answered differently from the capture. */
  readonly synthesised: { acks: number; rsts: number; syns: number; accepts: number };
  /** Captured events that had nothing to act on in the model (e.g. a FIN on a connection the model refused). */
  readonly skippedEvents: number;
}

/** Linux client SYN retransmissions: 1, 3, 7, 15, 31, 63 s after the first SYN (tcp_syn_retries = 6). */
const SYN_RETRY_OFFSETS_MS = [1000, 3000, 7000, 15000, 31000, 63000];
/** ≥5.6 clients resend the SYN 2 jiffies after answering a bare ACK with RST (9603d47bad46); ~10 ms seen. */
const QUICK_RETRY_MS = 10;
/** RTT assumed when the capture completed no handshake at all. */
const DEFAULT_RTT_MS = 1;

const S_ACK = 1;
const S_RST = 2;
const S_SYN = 3;
const S_ACCEPT = 4;

/** A client segment or application step the capture does not contain. */
interface Synthetic {
  atMs: number;
  order: number;
  kind: number;
  attempt: number;
  /** S_RST: the sequence number (the bare ACK's ack); S_SYN: how many SYNs the attempt has sent before */
  value: number;
}

/** Min-heap by time, then insertion order. */
class SyntheticQueue {
  private readonly items: Synthetic[] = [];
  private order = 0;

  get size(): number {
    return this.items.length;
  }

  peekTime(): number {
    return this.items.length > 0 ? (this.items[0] as Synthetic).atMs : Number.POSITIVE_INFINITY;
  }

  push(atMs: number, kind: number, attempt: number, value: number): void {
    const item: Synthetic = { atMs, order: this.order++, kind, attempt, value };
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(item, a[p] as Synthetic)) break;
      a[i] = a[p] as Synthetic;
      i = p;
    }
    a[i] = item;
  }

  pop(): Synthetic {
    const a = this.items;
    const top = a[0] as Synthetic;
    const last = a.pop() as Synthetic;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && less(a[r] as Synthetic, a[l] as Synthetic) ? r : l;
        if (!less(a[c] as Synthetic, last)) break;
        a[i] = a[c] as Synthetic;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

function less(x: Synthetic, y: Synthetic): boolean {
  return x.atMs < y.atMs || (x.atMs === y.atMs && x.order < y.order);
}

/** Model-side state of one attempt. */
interface AttemptState {
  first: FirstReply;
  firstReason: Reason | null;
  lastReason: Reason | null;
  answered: boolean;
  /** the model refused the attempt for good (RST or ICMP to the SYN) */
  refused: boolean;
  sntIsn: number;
  conn: Connection | undefined;
  /** SYNs the client has sent in the model's world (captured and synthesised) */
  synsSent: number;
  /** the request was reset (abort_on_overflow, RST) */
  dead: boolean;
  /** ack field of the model's last bare ACK to a SYN of this attempt, -1 none */
  bareAck: number;
}

function replyKind(outcome: Outcome): FirstReply {
  switch (outcome) {
    case "synack":
    case "cookie":
      return "synack";
    case "ack":
      return "ack";
    case "rst":
      return "rst";
    case "icmp":
      return "icmp";
    default:
      return "none";
  }
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

/**
 * LISTEN sockets as `ss -ltn` shows them (address text, port, Send-Q = effective backlog) → model listeners.
 * Wildcards ("0.0.0.0", "*", and "::", which also takes IPv4) listen on every address; IPv6 addresses are skipped.
 */
export function listenersFromSockets(sockets: readonly { addr: string; port: number; sendQ: number | null }[]): ReplayListener[] {
  const out: ReplayListener[] = [];
  for (const s of sockets) {
    let addr: number;
    if (s.addr === "0.0.0.0" || s.addr === "*" || s.addr === "::") addr = 0;
    else if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(s.addr)) addr = ipv4(s.addr);
    else continue;
    out.push({ addr, port: s.port, backlog: s.sendQ });
  }
  return out;
}

/** Listeners the capture implies: every endpoint that answered a SYN-ACK, or that never refused one. */
export function inferListeners(extraction: Extraction): ReplayListener[] {
  return extraction.endpoints
    .filter((e) => e.synacks > 0 || e.rsts === 0)
    .map((e) => ({ addr: e.addr, port: e.port, backlog: null }));
}

/** Runs the events of `extraction` through a model host with `settings`. Throws KernelConfigError on bad settings. */
export function replay(extraction: Extraction, settings: ReplaySettings): ReplayRun {
  const host = createHost({ kernel: settings.kernel, sysctls: settings.sysctls, seed: settings.seed ?? 1 });
  const attempts = extraction.attempts;
  const states: AttemptState[] = attempts.map(() => ({
    first: "none",
    firstReason: null,
    lastReason: null,
    answered: false,
    refused: false,
    sntIsn: 0,
    conn: undefined,
    synsSent: 0,
    dead: false,
    bareAck: -1,
  }));

  // Listeners: from host files for the ports the capture shows, else inferred.
  const ports = new Set(extraction.endpoints.map((e) => e.port));
  const listenerSpecs = settings.listeners !== undefined ? settings.listeners.filter((l) => ports.has(l.port)) : inferListeners(extraction);
  const listenAddr = new Map<string, number>();
  for (const l of listenerSpecs) {
    if (listenAddr.has(`${l.addr}:${l.port}`)) continue;
    const backlog = settings.backlog ?? l.backlog ?? -1;
    host.listen(l.addr, l.port, backlog);
    listenAddr.set(`${l.addr}:${l.port}`, l.addr);
  }

  // Per-attempt facts from the capture the synthesised segments reuse.
  const events = extraction.events;
  /** attempt → index of its captured 3rd ACK */
  const completeEvent = new Map<number, number>();
  const acceptedInCapture = new Set<number>();
  for (let i = 0; i < events.length; i++) {
    const kind = events.kind(i);
    if (kind === "complete") completeEvent.set(events.attempt(i), i);
    else if (kind === "app-accept") acceptedInCapture.add(events.attempt(i));
  }
  const rtts = attempts.flatMap((a) => (a.rttMs === null ? [] : [a.rttMs]));
  const medianRtt = median(rtts) ?? DEFAULT_RTT_MS;
  const medianAccept = median(attempts.flatMap((a) => (a.acceptDelayMs === null ? [] : [a.acceptDelayMs])));
  const rttOf = (a: ReplayAttempt): number => Math.max(a.rttMs ?? medianRtt, 0.001);
  // A client that got a SYN-ACK in the capture and never completed (SYN flood, lost SYN-ACK) does not complete
  // in the model either; one that was never answered is assumed to complete like the others.
  const clientCompletes = (a: ReplayAttempt): boolean => a.rttMs !== null || !a.observedAnswered;

  /** attempt id by (client, server, client port · 65536 + server port) */
  const byTuple = new FlowTable<number>();

  const queue = new SyntheticQueue();
  const synReasons = new Map<string, number>();
  const synthesised = { acks: 0, rsts: 0, syns: 0, accepts: 0 };
  let skipped = 0;
  const endMs = extraction.endMs;

  const listenerOf = (addr: number, port: number): number | undefined => listenAddr.get(`${addr}:${port}`) ?? listenAddr.get(`0:${port}`);
  /** accept() calls the application made while its queue was empty in the model: a blocked accept() takes the next child. */
  const waitingAccepts = new Map<number, number>();

  const acceptUpTo = (conn: Connection): void => {
    // The accept queue is FIFO: the application holding this socket also took every older one.
    const addr = listenerOf(conn.laddr, conn.lport);
    if (addr === undefined) return;
    while (conn.queued) {
      if (host.accept(addr, conn.lport) === undefined) break;
    }
  };

  /**
   * The application accepted attempt `a` in the capture. If the model has that connection, it (and every older
   * one) is accepted; if not (the model refused it), the application's accept() call still happened and takes
   * whichever connection is at the head of the model's queue, or waits for the next one.
   */
  const appAccept = (a: ReplayAttempt, st: AttemptState): void => {
    if (st.conn !== undefined && st.conn.queued) {
      acceptUpTo(st.conn);
      return;
    }
    if (st.conn !== undefined) return;
    const addr = listenerOf(a.server, a.serverPort);
    if (addr === undefined) return;
    if (host.accept(addr, a.serverPort) === undefined) waitingAccepts.set(a.serverPort, (waitingAccepts.get(a.serverPort) ?? 0) + 1);
  };

  const onTimerReplies = (replies: readonly Reply[]): void => {
    for (const r of replies) {
      if (r.kind !== "synack-retrans") continue;
      const id = byTuple.get(r.daddr, r.saddr, r.dport * 65536 + r.sport);
      if (id === undefined) continue;
      const st = states[id] as AttemptState;
      // The client believes it is connected: every repeated SYN-ACK gets its ACK again.
      if (st.conn === undefined && !st.dead && clientCompletes(attempts[id] as ReplayAttempt)) queue.push(r.atMs + rttOf(attempts[id] as ReplayAttempt), S_ACK, id, 0);
    }
  };

  const record = (st: AttemptState, r: SegmentResult): FirstReply => {
    const kind = replyKind(r.outcome);
    st.lastReason = r.reason;
    if (st.first === "none" && kind !== "none") {
      st.first = kind;
      st.firstReason = r.reason;
    }
    return kind;
  };

  const scheduleRetry = (a: ReplayAttempt, st: AttemptState, afterMs: number | null): void => {
    // Only where the capture has no further SYN of its own: the real client stopped because it was answered.
    if (st.synsSent < a.syns || a.observed === "none") return;
    const n = st.synsSent;
    if (n > SYN_RETRY_OFFSETS_MS.length) return;
    const at = afterMs ?? a.firstSynMs + (SYN_RETRY_OFFSETS_MS[n - 1] as number);
    if (at > endMs) return;
    queue.push(at, S_SYN, a.id, n);
  };

  /** A segment from the attempt's client other than its SYN: one object shape, so that segment() stays fast. */
  const fromClient = (a: ReplayAttempt, seq: number, ack: number, flags: number, len: number, window: number, hasTs: boolean, tsval: number): Segment =>
    segment({ saddr: a.client, daddr: a.server, sport: a.clientPort, dport: a.serverPort, seq, ack, flags, len, window, hasTs, tsval });

  const feedSyn = (a: ReplayAttempt, st: AttemptState, ev: ReplayEvent | null, atMs: number): void => {
    // The client stops sending SYNs once it has an answer (or a refusal) in the model's world, unless the
    // capture shows it retrying after the real SYN-ACK too (that SYN-ACK never reached it).
    if (st.answered || st.refused || st.conn !== undefined) {
      const retriedAfterAnswer = ev !== null && a.answeredMs !== null && ev.atMs > a.answeredMs && st.conn === undefined && st.answered;
      if (!retriedAfterAnswer) return;
    }
    st.synsSent++;
    byTuple.set(a.client, a.server, a.clientPort * 65536 + a.serverPort, a.id);
    const hasTs = ev !== null ? ev.hasTs : a.tsVal !== null;
    // A synthesised SYN's TSval: the first SYN's advanced at 1 kHz (the client's real rate is unknown).
    const tsval = ev !== null ? ev.tsval : ((a.tsVal ?? 0) + Math.round(atMs - a.firstSynMs)) >>> 0;
    const seg = segment({
      saddr: a.client,
      daddr: a.server,
      sport: a.clientPort,
      dport: a.serverPort,
      seq: a.isn,
      flags: SYN,
      window: 64240,
      hasTs,
      tsval: hasTs ? tsval : 0,
      mss: ev?.mss ?? 1460,
      wscale: ev?.wscale ?? 7,
      sackOk: ev?.sackOk ?? true,
      ttl: ev?.ttl ?? 64,
      csumOk: ev?.csumOk ?? true,
      md5: ev?.md5 ?? false,
    });
    const r = host.receive(seg, atMs);
    synReasons.set(r.reason, (synReasons.get(r.reason) ?? 0) + 1);
    const kind = record(st, r);
    if (kind === "synack") {
      st.answered = true;
      const sa = r.replies.find((x) => (x.flags & (SYN | ACK)) === (SYN | ACK));
      st.sntIsn = sa !== undefined ? sa.seq : 0;
      if (clientCompletes(a)) queue.push(atMs + rttOf(a), S_ACK, a.id, 0);
      return;
    }
    if (kind === "rst" || kind === "icmp") {
      st.refused = true;
      return;
    }
    if (kind === "ack") {
      const bare = r.replies.find((x) => (x.flags & (ACK | RST | SYN)) === ACK);
      st.bareAck = bare !== undefined ? bare.ack : -1;
      // The capture holds the client's own reaction to a bare ACK (its RST, its retry, perhaps through another
      // NAT port) when the real server sent one too; otherwise it is synthesised:
      // tcp_rcv_synsent_state_process() answers an unacceptable ACK in SYN-SENT with RST(seq = its ack).
      if (a.observed === "ack") return;
      if (bare !== undefined) queue.push(atMs + rttOf(a), S_RST, a.id, bare.ack);
      scheduleRetry(a, st, atMs + rttOf(a) + QUICK_RETRY_MS);
      return;
    }
    scheduleRetry(a, st, null);
  };

  const feedAck = (a: ReplayAttempt, st: AttemptState, atMs: number, ev: ReplayEvent | null): void => {
    const completeAt = completeEvent.get(a.id);
    const ce = ev ?? (completeAt !== undefined ? events.at(completeAt) : null);
    const hasTs = ce !== null ? ce.hasTs : a.tsVal !== null;
    const tsval = hasTs ? (ce !== null ? ce.tsval : ((a.tsVal ?? 0) + Math.round(atMs - a.firstSynMs)) >>> 0) : 0;
    const seg = fromClient(a, ce !== null ? ce.seq : (a.isn + 1) >>> 0, (st.sntIsn + 1) >>> 0, ACK, ce !== null ? ce.len : 0, 502, hasTs, tsval);
    const r = host.receive(seg, atMs);
    if (r.outcome === "established" && r.conn !== undefined) {
      st.conn = r.conn;
      const waiting = waitingAccepts.get(a.serverPort) ?? 0;
      if (waiting > 0) {
        waitingAccepts.set(a.serverPort, waiting - 1);
        acceptUpTo(r.conn);
        return;
      }
      // The application's accept() is not on the wire: connections the capture never completed are accepted
      // after the median delay the application showed elsewhere, or never if it showed none.
      if (!acceptedInCapture.has(a.id) && a.rttMs === null && medianAccept !== null) {
        queue.push(atMs + medianAccept, S_ACCEPT, a.id, 0);
      }
    } else if (r.outcome === "rst") {
      st.dead = true;
    }
  };

  const feedClose = (st: AttemptState, ev: ReplayEvent): void => {
    const conn = st.conn;
    if (conn === undefined || conn.state === "CLOSED") {
      skipped++;
      return;
    }
    const a = attempts[ev.attempt] as ReplayAttempt;
    switch (ev.kind) {
      case "server-fin":
        acceptUpTo(conn);
        host.close(conn, ev.atMs);
        return;
      case "client-fin": {
        // Sequence numbers: the model did not see the client's data; the FIN carries it so rcv_nxt stays in step.
        const gap = (ev.seq - conn.rcvNxt) >>> 0;
        const len = gap < 0x40000000 ? gap + ev.len : ev.len;
        const ack = ev.flag || conn.state !== "FIN-WAIT-1" ? conn.sndNxt : (conn.sndNxt - 1) >>> 0;
        host.receive(fromClient(a, conn.rcvNxt, ack, FIN | ACK, len, 502, ev.hasTs, ev.tsval), ev.atMs);
        return;
      }
      case "client-final-ack":
        if (conn.state !== "LAST-ACK") {
          skipped++;
          return;
        }
        host.receive(fromClient(a, conn.rcvNxt, conn.sndNxt, ACK, 0, 502, ev.hasTs, ev.tsval), ev.atMs);
        return;
      case "client-rst":
        host.receive(fromClient(a, conn.rcvNxt, 0, RST, 0, 502, false, 0), ev.atMs);
        return;
      default:
        return;
    }
  };

  const onCaptured = (ev: ReplayEvent): void => {
    const a = attempts[ev.attempt] as ReplayAttempt;
    const st = states[ev.attempt] as AttemptState;
    switch (ev.kind) {
      case "syn":
        feedSyn(a, st, ev, ev.atMs);
        return;
      case "complete":
        // The 3rd ACK is sent one RTT after the model's SYN-ACK (S_ACK); this event only lends it its fields.
        return;
      case "client-seg":
        if (st.conn === undefined && st.answered && !st.dead && host.findRequest(a.server, a.serverPort, a.client, a.clientPort) !== undefined) {
          feedAck(a, st, ev.atMs, ev);
        }
        return;
      case "app-accept":
        appAccept(a, st);
        return;
      case "client-rst":
        if (!ev.flag) {
          feedClose(st, ev);
        } else if (st.bareAck >= 0 && !st.answered) {
          // The client's RST to a bare ACK the model sent too: its sequence number is that ACK's ack.
          host.receive(fromClient(a, st.bareAck, 0, RST, 0, 0, false, 0), ev.atMs);
          st.bareAck = -1;
        } else {
          skipped++;
        }
        return;
      default:
        feedClose(st, ev);
    }
  };

  const onSynthetic = (s: Synthetic): void => {
    const a = attempts[s.attempt] as ReplayAttempt;
    const st = states[s.attempt] as AttemptState;
    switch (s.kind) {
      case S_ACK:
        if (st.conn !== undefined || st.dead || !st.answered) return;
        if (!completeEvent.has(a.id)) synthesised.acks++;
        feedAck(a, st, s.atMs, null);
        return;
      case S_RST:
        synthesised.rsts++;
        host.receive(fromClient(a, s.value, 0, RST, 0, 0, false, 0), s.atMs);
        return;
      case S_SYN:
        synthesised.syns++;
        feedSyn(a, st, null, s.atMs);
        return;
      case S_ACCEPT:
        if (st.conn !== undefined && st.conn.queued) {
          synthesised.accepts++;
          acceptUpTo(st.conn);
        }
        return;
    }
  };

  // The wire shows accept() only through the application's first payload or FIN, a reaction time after it. The
  // shortest such delay (an idle application answering at once) bounds that reaction time: accepts are moved
  // that much earlier.
  const reaction = attempts.reduce((m, a) => (a.acceptDelayMs !== null && a.acceptDelayMs < m ? a.acceptDelayMs : m), Number.POSITIVE_INFINITY);
  const shift = Number.isFinite(reaction) && reaction > 0 ? reaction : 0;
  const times = new Float64Array(events.length);
  for (let k = 0; k < events.length; k++) times[k] = events.atMs(k) - (shift > 0 && events.kind(k) === "app-accept" ? shift : 0);
  const order = shift > 0 ? timeOrder(times) : null;
  let i = 0;
  while (i < events.length || queue.size > 0) {
    const next = i < events.length ? (order !== null ? (order[i] as number) : i) : -1;
    const capturedAt = next >= 0 ? (times[next] as number) : Number.POSITIVE_INFINITY;
    const syntheticAt = queue.peekTime();
    const at = Math.min(capturedAt, syntheticAt);
    onTimerReplies(host.advance(at));
    // Captured events first at equal times: they happened; synthesised ones are estimates.
    if (next >= 0 && capturedAt <= syntheticAt) {
      i++;
      onCaptured(events.at(next, capturedAt));
    } else {
      onSynthetic(queue.pop());
    }
  }

  // Timers up to the capture's last packet (SYN-ACK retransmissions and expiries the capture still covers).
  onTimerReplies(host.advance(endMs));
  const predicted: PredictedAttempt[] = states.map((st) => ({
    first: st.first,
    answered: st.answered,
    reason: st.first !== "none" ? st.firstReason : st.lastReason,
  }));
  const counters: Record<string, number> = {};
  for (const [name, value] of Object.entries(host.counters())) if (value !== 0) counters[name] = value;
  return {
    kernel: host.profile.version.text,
    changedSysctls: changedSysctls(host),
    listeners: host.listenerSnapshots().map((l) => ({ addr: l.addr, port: l.port, backlog: l.backlog, effectiveBacklog: l.effectiveBacklog })),
    predicted,
    counters,
    synReasons: Object.fromEntries([...synReasons.entries()].sort(([x], [y]) => (x < y ? -1 : 1))),
    synthesised,
    skippedEvents: skipped,
  };
}

function changedSysctls(host: ServerHost): Record<string, number> {
  const out: Record<string, number> = {};
  const current = host.sysctls();
  for (const [name, spec] of host.profile.sysctls) {
    const value = current[name];
    if (value !== undefined && value !== spec.defaultValue) out[name] = value;
  }
  return out;
}
