import type { PacketView } from "../capture/packet-view.js";
import { TCP_FLAG } from "../wire/tcp.js";
import { TcpOptions } from "../wire/tcp-options.js";
import type { AttemptRecord, FirstReply, HandshakeTotals, ListenerSummary, SourceSummary, WireSignals } from "./analysis-types.js";
import { Attempt } from "./attempt.js";
import { RecycleCache } from "./recycle-cache.js";
import { TsClockEstimator } from "./ts-clocks.js";

export interface TrackerOptions {
  /** only SYNs to this address are attempts (default: the receiver of any SYN is a server) */
  server?: string;
  /** only SYNs to this port are attempts */
  port?: number;
  /** attempt records kept for reports (unanswered first); default 2000 */
  keepAttempts?: number;
}

/** Client SYN retries last up to ~131 s (Linux defaults); an attempt is final after that. */
const ATTEMPT_TTL_MICROS = 180e6;
/** TIME_WAIT lasts 60 s (TCP_TIMEWAIT_LEN); close state is kept for the FIN exchange plus that. */
const TIME_WAIT_MICROS = 60e6;
const CLOSE_STATE_TTL_MICROS = 120e6;
const SWEEP_EVERY_MICROS = 1e6;
/** Bounds on live state: beyond them the oldest entries are finalised early, with a warning. */
const MAX_LIVE_ATTEMPTS = 1_000_000;
const MAX_SOURCES = 200_000;
const MAX_ARP_TARGETS = 10_000;

const SYN_FIN_RST = TCP_FLAG.SYN | TCP_FLAG.FIN | TCP_FLAG.RST;

interface ListenerState {
  addr: string;
  port: number;
  attempts: number;
  unanswered: number;
  firstReply: Record<FirstReply, number>;
  ttlMin: number;
  ttlMax: number;
}

interface SourceState {
  addr: string;
  attempts: number;
  unanswered: number;
  tsvalRegressions: number;
  clocks: TsClockEstimator;
  ports: Set<number>;
}

interface CloseState {
  serverFirst: boolean;
  firstFinAt: number;
  /** when the server's socket entered TIME_WAIT (the client's FIN after the server's), -1 before */
  timeWaitSince: number;
}

function zeroReplies(): Record<FirstReply, number> {
  return { synack: 0, ack: 0, rst: 0, icmp: 0, none: 0 };
}

/** A cheap numeric digest of a directed 4-tuple, to test data packets against awaited replies without strings. */
function tupleHash(srcKey: number, dstKey: number, sport: number, dport: number): number {
  let h = Math.imul(srcKey ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ dstKey ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ ((sport << 16) | dport) ^ (h >>> 16)) | 0;
}

function tupleKey(client: string, clientPort: number, server: string, serverPort: number): string {
  return `${client}|${clientPort}|${server}|${serverPort}`;
}

/**
 * Follows every client SYN through the capture: attempts (4-tuple + ISN), retransmissions, the server's first
 * reply, SYN-ACK repeats, who closed each connection first, and the tw_recycle view of TSval regressions.
 * `observe` is the hot path: a packet without SYN, FIN or RST costs a few field reads and, when replies are
 * awaited, one numeric map lookup. State older than the client retry budget or TIME_WAIT is expired by capture
 * time, so memory follows the traffic rate, not the file size.
 */
export class HandshakeTracker {
  tcpPackets = 0;
  private readonly options: TrackerOptions;
  private readonly attempts = new Map<string, Attempt>();
  /** reply-direction digests of attempts still waiting for their first reply → how many */
  private readonly awaiting = new Map<number, number>();
  private readonly closes = new Map<string, CloseState>();
  private readonly listeners = new Map<string, ListenerState>();
  private readonly sources = new Map<string, SourceState>();
  private readonly recycle = new RecycleCache();
  private readonly arpRequests = new Map<string, number>();
  private readonly arpAnswered = new Set<string>();
  private readonly tcpOptions = new TcpOptions();
  private readonly kept: AttemptRecord[] = [];
  private readonly keptAnswered: AttemptRecord[] = [];
  private omitted = 0;
  private lastSweep = 0;
  private readonly warnings: string[] = [];
  private readonly totals: HandshakeTotals = {
    attempts: 0,
    answered: 0,
    unanswered: 0,
    answeredAfterRetransmit: 0,
    firstReply: zeroReplies(),
    synRetransmits: 0,
    synackRetransmits: 0,
  };
  private readonly signals: WireSignals = {
    synBadChecksum: 0,
    synChecksumChecked: 0,
    synWithMd5: 0,
    synWithTimestamps: 0,
    synMalformedOptions: 0,
    clientRstAfterBareAck: 0,
    arpUnanswered: [],
    synOnServerClosedTuple: 0,
    serverClosedConnections: 0,
    clientClosedConnections: 0,
  };

  constructor(options: TrackerOptions = {}) {
    this.options = options;
  }

  observe(view: PacketView): void {
    if (!view.isTcp) {
      if (view.isIcmpError) this.icmpError(view);
      else if (view.arpOperation !== 0) this.arp(view);
      return;
    }
    this.tcpPackets++;
    const flags = view.flags;
    const now = view.timestampMicros;
    if (now - this.lastSweep >= SWEEP_EVERY_MICROS) this.sweep(now);
    if ((flags & SYN_FIN_RST) === 0) {
      if (this.awaiting.size !== 0 && (flags & TCP_FLAG.ACK) !== 0) {
        if (this.awaiting.has(tupleHash(view.srcKey, view.dstKey, view.sport, view.dport))) this.bareAck(view);
      }
      return;
    }
    if (flags & TCP_FLAG.SYN) {
      if (flags & TCP_FLAG.ACK) this.synAck(view);
      else this.syn(view);
    } else if (flags & TCP_FLAG.RST) {
      this.rst(view);
    } else {
      this.fin(view);
    }
  }

  // --- SYN path ---

  private syn(view: PacketView): void {
    const server = view.dstAddress();
    if (this.options.port !== undefined && view.dport !== this.options.port) return;
    if (this.options.server !== undefined && server !== this.options.server) return;
    const client = view.srcAddress();
    const now = view.timestampMicros;
    const key = tupleKey(client, view.sport, server, view.dport);
    const options = this.tcpOptions;
    view.tcpOptions(options);
    const tsVal = options.hasTimestamps ? options.tsVal : -1;

    let attempt = this.attempts.get(key);
    if (attempt && attempt.isn === view.seq) {
      attempt.syns++;
      attempt.lastSyn = now;
      this.totals.synRetransmits++;
    } else {
      if (attempt) this.finalise(key, attempt);
      const replyHash = tupleHash(view.dstKey, view.srcKey, view.dport, view.sport);
      attempt = new Attempt(client, view.sport, server, view.dport, view.seq, now, tsVal, view.ttl, replyHash);
      this.attempts.set(key, attempt);
      this.awaiting.set(replyHash, (this.awaiting.get(replyHash) ?? 0) + 1);
      if (this.attempts.size > MAX_LIVE_ATTEMPTS) this.evictOldestAttempt();
      const source = this.source(client);
      if (source) {
        source.ports.add(view.sport);
        if (tsVal >= 0) source.clocks.add(now, tsVal, view.sport);
      }
      const listener = this.listener(server, view.dport);
      if (view.ttl < listener.ttlMin) listener.ttlMin = view.ttl;
      if (view.ttl > listener.ttlMax) listener.ttlMax = view.ttl;
      const close = this.closes.get(key);
      if (close && close.serverFirst && close.timeWaitSince >= 0 && now - close.timeWaitSince < TIME_WAIT_MICROS) this.signals.synOnServerClosedTuple++;
    }

    if (options.hasTimestamps) this.signals.synWithTimestamps++;
    if (options.hasMd5) {
      this.signals.synWithMd5++;
      attempt.md5Option = true;
    }
    if (options.malformed) this.signals.synMalformedOptions++;
    const checksum = view.tcpChecksumOk();
    if (checksum !== null) {
      this.signals.synChecksumChecked++;
      if (!checksum) {
        this.signals.synBadChecksum++;
        attempt.badChecksum = true;
      }
    }
    if (tsVal >= 0 && this.recycle.rejects(`${server}|${client}`, tsVal, now)) {
      attempt.tsvalRegression = true;
      const source = this.sources.get(client);
      if (source) source.tsvalRegressions++;
    }
  }

  private synAck(view: PacketView): void {
    const key = tupleKey(view.dstAddress(), view.dport, view.srcAddress(), view.sport);
    const attempt = this.attempts.get(key);
    if (!attempt || view.ack !== ((attempt.isn + 1) >>> 0)) return;
    attempt.synacks++;
    if (attempt.synacks > 1) this.totals.synackRetransmits++;
    if (attempt.answeredAt < 0) {
      attempt.answeredAt = view.timestampMicros;
      attempt.synsAtAnswer = attempt.syns;
      if (attempt.firstReply === "none") this.setFirstReply(attempt, "synack", view.timestampMicros);
    }
  }

  /** A plain ACK from the server on a 4-tuple whose SYN awaits a reply: the TIME_WAIT (or established) answer. */
  private bareAck(view: PacketView): void {
    const attempt = this.attempts.get(tupleKey(view.dstAddress(), view.dport, view.srcAddress(), view.sport));
    if (!attempt || attempt.firstReply !== "none") return;
    this.setFirstReply(attempt, "ack", view.timestampMicros);
    view.tcpOptions(this.tcpOptions);
    if (this.tcpOptions.hasTimestamps) attempt.replyTsEcr = this.tcpOptions.tsEcr;
  }

  private rst(view: PacketView): void {
    const src = view.srcAddress();
    const dst = view.dstAddress();
    const fromClient = tupleKey(src, view.sport, dst, view.dport);
    const fromServer = tupleKey(dst, view.dport, src, view.sport);
    const clientSide = this.attempts.get(fromClient);
    if (clientSide) {
      if (clientSide.firstReply === "ack" && !clientSide.answered && !clientSide.clientRstAfterAck) {
        clientSide.clientRstAfterAck = true;
        this.signals.clientRstAfterBareAck++;
      }
    } else {
      const attempt = this.attempts.get(fromServer);
      if (attempt && attempt.firstReply === "none") this.setFirstReply(attempt, "rst", view.timestampMicros);
    }
    this.closes.delete(clientSide ? fromClient : fromServer);
  }

  private icmpError(view: PacketView): void {
    // The quoted datagram is the client's SYN: quoted source = client, destination = server.
    const key = tupleKey(view.quotedSrcAddress(), view.quotedSport, view.quotedDstAddress(), view.quotedDport);
    const attempt = this.attempts.get(key);
    if (!attempt || attempt.isn !== view.quotedSeq || attempt.firstReply !== "none") return;
    attempt.icmpType = view.icmpType;
    attempt.icmpCode = view.icmpCode;
    attempt.icmpFrom = view.srcAddress();
    this.setFirstReply(attempt, "icmp", view.timestampMicros);
  }

  private setFirstReply(attempt: Attempt, reply: FirstReply, at: number): void {
    attempt.firstReply = reply;
    attempt.firstReplyAt = at;
    this.release(attempt.replyHash);
  }

  private release(replyHash: number): void {
    const count = this.awaiting.get(replyHash) ?? 0;
    if (count <= 1) this.awaiting.delete(replyHash);
    else this.awaiting.set(replyHash, count - 1);
  }

  // --- close order (for the tw_recycle view and TIME_WAIT collisions) ---

  private fin(view: PacketView): void {
    const src = view.srcAddress();
    const dst = view.dstAddress();
    const now = view.timestampMicros;
    let fromServer: boolean;
    let key = tupleKey(src, view.sport, dst, view.dport);
    if (this.attempts.has(key) || this.closes.has(key) || this.listeners.has(`${dst}|${view.dport}`)) {
      fromServer = false;
    } else {
      key = tupleKey(dst, view.dport, src, view.sport);
      if (!this.attempts.has(key) && !this.closes.has(key) && !this.listeners.has(`${src}|${view.sport}`)) return;
      fromServer = true;
    }
    const state = this.closes.get(key);
    if (!state) {
      this.closes.set(key, { serverFirst: fromServer, firstFinAt: now, timeWaitSince: -1 });
      if (fromServer) this.signals.serverClosedConnections++;
      else this.signals.clientClosedConnections++;
      return;
    }
    if (!fromServer && state.serverFirst && state.timeWaitSince < 0) {
      // The client's FIN after the server's: the server's socket enters TIME_WAIT (tcp_time_wait()), and with
      // tw_recycle it would remember the client's TSval (tcp_remember_stamp()).
      state.timeWaitSince = now;
      view.tcpOptions(this.tcpOptions);
      if (this.tcpOptions.hasTimestamps) this.recycle.remember(`${dst}|${src}`, this.tcpOptions.tsVal, now);
    }
  }

  // --- ARP: the neighbour that never answers ---

  private arp(view: PacketView): void {
    if (view.arpOperation === 1) {
      const target = view.arpTargetAddress();
      if (this.arpRequests.has(target) || this.arpRequests.size < MAX_ARP_TARGETS) this.arpRequests.set(target, (this.arpRequests.get(target) ?? 0) + 1);
    } else if (view.arpOperation === 2) {
      this.arpAnswered.add(view.arpSenderAddress());
    }
  }

  // --- bookkeeping ---

  private listener(addr: string, port: number): ListenerState {
    const key = `${addr}|${port}`;
    let listener = this.listeners.get(key);
    if (!listener) {
      listener = { addr, port, attempts: 0, unanswered: 0, firstReply: zeroReplies(), ttlMin: 256, ttlMax: -1 };
      this.listeners.set(key, listener);
    }
    return listener;
  }

  private source(addr: string): SourceState | null {
    let source = this.sources.get(addr);
    if (!source) {
      if (this.sources.size >= MAX_SOURCES) {
        if (this.sources.size === MAX_SOURCES && !this.warnings.some((w) => w.startsWith("more than"))) {
          this.warnings.push(`more than ${MAX_SOURCES} source addresses: per-source figures cover the first ${MAX_SOURCES}`);
        }
        return null;
      }
      source = { addr, attempts: 0, unanswered: 0, tsvalRegressions: 0, clocks: new TsClockEstimator(), ports: new Set() };
      this.sources.set(addr, source);
    }
    return source;
  }

  private finalise(key: string, attempt: Attempt): void {
    this.attempts.delete(key);
    if (attempt.firstReply === "none") this.release(attempt.replyHash);
    const totals = this.totals;
    totals.attempts++;
    totals.firstReply[attempt.firstReply]++;
    if (attempt.answered) {
      totals.answered++;
      if (attempt.synsAtAnswer > 1) totals.answeredAfterRetransmit++;
    } else {
      totals.unanswered++;
    }
    const listener = this.listener(attempt.server, attempt.serverPort);
    listener.attempts++;
    listener.firstReply[attempt.firstReply]++;
    if (!attempt.answered) listener.unanswered++;
    const source = this.sources.get(attempt.client);
    if (source) {
      source.attempts++;
      if (!attempt.answered) source.unanswered++;
    }
    const limit = this.options.keepAttempts ?? 2000;
    if (!attempt.answered || attempt.firstReply !== "synack") {
      if (this.kept.length < limit) this.kept.push(attempt.toRecord());
      else this.omitted++;
    } else if (this.keptAnswered.length < Math.min(200, limit)) {
      this.keptAnswered.push(attempt.toRecord());
    } else {
      this.omitted++;
    }
  }

  private evictOldestAttempt(): void {
    const oldest = this.attempts.entries().next();
    if (oldest.done) return;
    if (!this.warnings.some((w) => w.startsWith("over"))) {
      this.warnings.push(`over ${MAX_LIVE_ATTEMPTS} attempts open at once: the oldest were closed early`);
    }
    this.finalise(oldest.value[0], oldest.value[1]);
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    // Maps iterate in insertion order, which is creation time order here: stop at the first young entry.
    for (const [key, attempt] of this.attempts) {
      if (now - attempt.firstSyn < ATTEMPT_TTL_MICROS) break;
      this.finalise(key, attempt);
    }
    for (const [key, close] of this.closes) {
      if (now - close.firstFinAt < CLOSE_STATE_TTL_MICROS) break;
      this.closes.delete(key);
    }
    this.recycle.expire(now);
  }

  /** Finalises every open attempt and returns the tallies. The tracker is spent afterwards. */
  finish(): TrackerResult {
    for (const [key, attempt] of this.attempts) this.finalise(key, attempt);
    const listeners: ListenerSummary[] = [...this.listeners.values()]
      .filter((l) => l.attempts > 0)
      .map((l) => ({
        addr: l.addr,
        port: l.port,
        attempts: l.attempts,
        unanswered: l.unanswered,
        firstReply: l.firstReply,
        synTtlMin: l.ttlMax < 0 ? null : l.ttlMin,
        synTtlMax: l.ttlMax < 0 ? null : l.ttlMax,
      }))
      .sort((a, b) => b.unanswered - a.unanswered || b.attempts - a.attempts || compareText(a.addr, b.addr) || a.port - b.port);
    const sources: SourceSummary[] = [...this.sources.values()]
      .map((s) => {
        const clocks = s.clocks.estimate();
        return {
          addr: s.addr,
          attempts: s.attempts,
          unanswered: s.unanswered,
          tsvalRegressions: s.tsvalRegressions,
          tsClocks: clocks.clocks,
          tsRegime: clocks.regime,
          tsRateHz: clocks.rateHz,
          tsSamples: clocks.samples,
          ports: s.ports.size,
        };
      })
      .sort((a, b) => b.unanswered - a.unanswered || b.tsvalRegressions - a.tsvalRegressions || b.attempts - a.attempts || compareText(a.addr, b.addr));
    this.signals.arpUnanswered = [...this.arpRequests]
      .filter(([target]) => !this.arpAnswered.has(target))
      .map(([target, requests]) => ({ target, requests }))
      .sort((a, b) => b.requests - a.requests || compareText(a.target, b.target));
    const attempts = [...this.kept, ...this.keptAnswered].sort((a, b) => a.firstSyn - b.firstSyn || compareText(a.client, b.client) || a.clientPort - b.clientPort);
    return { tcpPackets: this.tcpPackets, handshakes: this.totals, listeners, sources, signals: this.signals, attempts, attemptsOmitted: this.omitted, warnings: this.warnings };
  }
}

export interface TrackerResult {
  tcpPackets: number;
  handshakes: HandshakeTotals;
  listeners: ListenerSummary[];
  sources: SourceSummary[];
  signals: WireSignals;
  attempts: AttemptRecord[];
  attemptsOmitted: number;
  warnings: string[];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
