import type { PacketView } from "../capture/packet-view.js";
import { Int32Map } from "../util/int32-map.js";
import { TCP_FLAG } from "../wire/tcp.js";
import { TcpOptions } from "../wire/tcp-options.js";
import type { AttemptRecord, FirstReply, HandshakeTotals, ListenerSummary, SourceSummary, Timeline, TsSeries, WireSignals } from "./analysis-types.js";
import { Attempt } from "./attempt.js";
import type { ListenerState, SourceState } from "./tallies.js";
import { addressKey, destinationText, endpointKey, sourceText, tupleHash } from "./endpoint-key.js";
import { RecycleCache } from "./recycle-cache.js";
import { TimelineBuilder } from "./timeline.js";
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
/** TSval samples kept per source for the plot, and sources followed that closely. */
const SERIES_POINTS = 600;
const SERIES_SOURCES = 256;

const SYN_FIN_RST = TCP_FLAG.SYN | TCP_FLAG.FIN | TCP_FLAG.RST;



/** Who closed a connection first; keyed like attempts (client → server digest + exact endpoints). */
class CloseState {
  timeWaitSince = -1;
  next: CloseState | null = null;
  constructor(
    readonly clientKey: number,
    readonly serverKey: number,
    readonly clientPort: number,
    readonly serverPort: number,
    readonly clientText: string,
    readonly serverText: string,
    readonly hash: number,
    readonly serverFirst: boolean,
    readonly firstFinAt: number,
  ) {}
  removed = false;
}

function zeroReplies(): Record<FirstReply, number> {
  return { synack: 0, ack: 0, rst: 0, icmp: 0, none: 0 };
}

/** A FIFO of items in creation order: a ring buffer that doubles when full. */
class ExpiryQueue<T> {
  private items: Array<T | undefined> = new Array<T | undefined>(1024).fill(undefined);
  private head = 0;
  size = 0;
  push(item: T): void {
    if (this.size === this.items.length) {
      const grown = new Array<T | undefined>(this.items.length * 2).fill(undefined);
      for (let i = 0; i < this.size; i++) grown[i] = this.items[(this.head + i) % this.items.length];
      this.items = grown;
      this.head = 0;
    }
    this.items[(this.head + this.size) % this.items.length] = item;
    this.size++;
  }
  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }
  shift(): void {
    if (this.size === 0) return;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.size--;
  }
}

/**
 * Follows every client SYN through the capture: attempts (4-tuple + ISN), retransmissions, the server's first
 * reply, SYN-ACK repeats, who closed each connection first, and the tw_recycle view of TSval regressions.
 *
 * `observe` is the hot path. A packet without SYN, FIN or RST costs a few field reads and, while replies are
 * awaited, one numeric map lookup. Packets with those flags look their 4-tuple up by a 32-bit digest (hash
 * chains resolve collisions) and build no strings, except for IPv6 addresses. State older than the client retry
 * budget or TIME_WAIT expires by capture time (FIFO queues in creation order), so memory follows the traffic
 * rate, not the file size.
 */
export class HandshakeTracker {
  tcpPackets = 0;
  private readonly options: TrackerOptions;
  private readonly portFilter: number;
  private readonly attempts = new Int32Map<Attempt>(1 << 16);
  private liveAttempts = 0;
  private readonly attemptQueue = new ExpiryQueue<Attempt>();
  /** reply-direction digests of attempts still waiting for their first reply → how many */
  private readonly awaiting = new Int32Map<number>(1 << 14);
  private readonly closes = new Int32Map<CloseState>(1 << 16);
  private readonly closeQueue = new ExpiryQueue<CloseState>();
  private readonly listeners = new Map<number, ListenerState>();
  private readonly sources = new Map<number, SourceState>();
  private readonly recycle = new RecycleCache();
  private readonly timeline = new TimelineBuilder();
  private readonly arpRequests = new Map<string, number>();
  private readonly arpAnswered = new Set<string>();
  private readonly tcpOptions = new TcpOptions();
  private readonly kept: AttemptRecord[] = [];
  private readonly keptAnswered: AttemptRecord[] = [];
  private omitted = 0;
  private followedSources = 0;
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
    this.portFilter = options.port ?? -1;
  }

  observe(view: PacketView): void {
    if (!view.isTcp) {
      if (view.isIcmpError) this.icmpError(view);
      else if (view.arpOperation !== 0) this.arp(view);
      return;
    }
    this.tcpPackets++;
    const flags = view.flags;
    if (view.timestampMicros - this.lastSweep >= SWEEP_EVERY_MICROS) this.sweep(view.timestampMicros);
    if ((flags & SYN_FIN_RST) === 0) {
      if (this.awaiting.size !== 0 && (flags & TCP_FLAG.ACK) !== 0 && this.awaiting.has(tupleHash(view.srcKey, view.dstKey, view.sport, view.dport))) {
        this.bareAck(view);
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

  // --- lookups: the packet's source is the client (forward) or the server (reverse) ---

  private findAttempt(clientKey: number, serverKey: number, clientPort: number, serverPort: number, v6: boolean, view: PacketView, reverse: boolean): Attempt | null {
    let attempt = this.attempts.get(tupleHash(clientKey, serverKey, clientPort, serverPort)) ?? null;
    if (!attempt) return null;
    const clientText = v6 ? (reverse ? view.dstAddress() : view.srcAddress()) : "";
    const serverText = v6 ? (reverse ? view.srcAddress() : view.dstAddress()) : "";
    while (attempt && !attempt.matches(clientKey, serverKey, clientPort, serverPort, clientText, serverText)) attempt = attempt.next;
    return attempt;
  }

  private forwardAttempt(view: PacketView): Attempt | null {
    return this.findAttempt(view.srcKey, view.dstKey, view.sport, view.dport, view.ipVersion === 6, view, false);
  }

  private reverseAttempt(view: PacketView): Attempt | null {
    return this.findAttempt(view.dstKey, view.srcKey, view.dport, view.sport, view.ipVersion === 6, view, true);
  }

  private findClose(clientKey: number, serverKey: number, clientPort: number, serverPort: number, clientText: string, serverText: string): CloseState | null {
    let close = this.closes.get(tupleHash(clientKey, serverKey, clientPort, serverPort)) ?? null;
    while (close && !(close.clientKey === clientKey && close.serverKey === serverKey && close.clientPort === clientPort && close.serverPort === serverPort && close.clientText === clientText && close.serverText === serverText)) close = close.next;
    return close;
  }

  // --- SYN path ---

  private syn(view: PacketView): void {
    if (this.portFilter >= 0 && view.dport !== this.portFilter) return;
    const v6 = view.ipVersion === 6;
    if (this.options.server !== undefined && destinationText(view) !== this.options.server) return;
    const now = view.timestampMicros;
    const options = this.tcpOptions;
    view.tcpOptions(options);
    const tsVal = options.hasTimestamps ? options.tsVal : -1;

    let attempt = this.forwardAttempt(view);
    if (attempt && attempt.isn === view.seq) {
      attempt.syns++;
      attempt.lastSyn = now;
      this.totals.synRetransmits++;
      this.timeline.add("synRetransmits", now);
    } else {
      if (attempt) this.finalise(attempt);
      attempt = this.newAttempt(view, tsVal, v6);
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
    if (tsVal >= 0 && this.recycle.rejects(addressKey(view.dstKey, v6), addressKey(view.srcKey, v6), tsVal, now)) {
      attempt.tsvalRegression = true;
      if (attempt.source) attempt.source.tsvalRegressions++;
    }
  }

  private newAttempt(view: PacketView, tsVal: number, v6: boolean): Attempt {
    const now = view.timestampMicros;
    const clientText = v6 ? view.srcAddress() : "";
    const serverText = v6 ? view.dstAddress() : "";
    const hash = tupleHash(view.srcKey, view.dstKey, view.sport, view.dport);
    const replyHash = tupleHash(view.dstKey, view.srcKey, view.dport, view.sport);
    const attempt = new Attempt(view.srcKey, view.dstKey, view.sport, view.dport, clientText, serverText, view.seq, now, tsVal, view.ttl, hash, replyHash);
    attempt.next = this.attempts.get(hash) ?? null;
    this.attempts.set(hash, attempt);
    this.liveAttempts++;
    this.attemptQueue.push(attempt);
    this.awaiting.set(replyHash, (this.awaiting.get(replyHash) ?? 0) + 1);
    if (this.liveAttempts > MAX_LIVE_ATTEMPTS) this.evictOldestAttempt();
    this.timeline.add("syn", now);

    const source = this.source(view, v6);
    attempt.source = source;
    if (source) {
      if (tsVal >= 0) {
        source.clocks.add(now, tsVal, view.sport);
        if (source.points && source.points.length < SERIES_POINTS * 3) source.points.push(now, tsVal, view.sport);
      }
    }
    const listener = this.listener(view.dstKey, view.dport, v6, view);
    attempt.listener = listener;
    if (view.ttl < listener.ttlMin) listener.ttlMin = view.ttl;
    if (view.ttl > listener.ttlMax) listener.ttlMax = view.ttl;
    const close = this.findClose(view.srcKey, view.dstKey, view.sport, view.dport, clientText, serverText);
    if (close && close.serverFirst && close.timeWaitSince >= 0 && now - close.timeWaitSince < TIME_WAIT_MICROS) this.signals.synOnServerClosedTuple++;
    return attempt;
  }

  private synAck(view: PacketView): void {
    const attempt = this.reverseAttempt(view);
    if (!attempt || view.ack !== ((attempt.isn + 1) >>> 0)) return;
    attempt.synacks++;
    this.timeline.add("synack", view.timestampMicros);
    if (attempt.synacks > 1) this.totals.synackRetransmits++;
    if (attempt.answeredAt < 0) {
      attempt.answeredAt = view.timestampMicros;
      attempt.synsAtAnswer = attempt.syns;
      if (attempt.firstReply === "none") this.setFirstReply(attempt, "synack", view.timestampMicros);
    }
  }

  /** A plain ACK from the server on a 4-tuple whose SYN awaits a reply: the TIME_WAIT (or established) answer. */
  private bareAck(view: PacketView): void {
    const attempt = this.reverseAttempt(view);
    if (!attempt || attempt.firstReply !== "none") return;
    this.setFirstReply(attempt, "ack", view.timestampMicros);
    this.timeline.add("bareAck", view.timestampMicros);
    view.tcpOptions(this.tcpOptions);
    if (this.tcpOptions.hasTimestamps) attempt.replyTsEcr = this.tcpOptions.tsEcr;
  }

  private rst(view: PacketView): void {
    const fromClient = this.forwardAttempt(view);
    if (fromClient) {
      if (fromClient.firstReply === "ack" && !fromClient.answered && !fromClient.clientRstAfterAck) {
        fromClient.clientRstAfterAck = true;
        this.signals.clientRstAfterBareAck++;
      }
      this.forgetClose(view, false);
      return;
    }
    const attempt = this.reverseAttempt(view);
    if (attempt && attempt.firstReply === "none") {
      this.setFirstReply(attempt, "rst", view.timestampMicros);
      this.timeline.add("rst", view.timestampMicros);
    }
    this.forgetClose(view, true);
  }

  private icmpError(view: PacketView): void {
    // The quoted datagram is the client's SYN: quoted source = client, destination = server.
    const v6 = view.ipVersion === 6;
    let attempt = this.attempts.get(tupleHash(view.quotedSrcKey, view.quotedDstKey, view.quotedSport, view.quotedDport)) ?? null;
    const clientText = v6 ? view.quotedSrcAddress() : "";
    const serverText = v6 ? view.quotedDstAddress() : "";
    while (attempt && !attempt.matches(view.quotedSrcKey, view.quotedDstKey, view.quotedSport, view.quotedDport, clientText, serverText)) attempt = attempt.next;
    if (!attempt || attempt.isn !== view.quotedSeq || attempt.firstReply !== "none") return;
    attempt.icmpType = view.icmpType;
    attempt.icmpCode = view.icmpCode;
    attempt.icmpFrom = sourceText(view);
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
    const now = view.timestampMicros;
    const v6 = view.ipVersion === 6;
    // Orientation: the FIN's sender is the client if the connection is known that way round, the server if it
    // is known the other way round; for connections older than the capture, whichever end is a known listener.
    const srcText = v6 ? view.srcAddress() : "";
    const dstText = v6 ? view.dstAddress() : "";
    let fromServer = false;
    let state = this.findClose(view.srcKey, view.dstKey, view.sport, view.dport, srcText, dstText);
    if (!state && !this.forwardAttempt(view)) {
      state = this.findClose(view.dstKey, view.srcKey, view.dport, view.sport, dstText, srcText);
      if (state || this.reverseAttempt(view)) fromServer = true;
      else if (this.listeners.has(endpointKey(view.dstKey, view.dport, v6))) fromServer = false;
      else if (this.listeners.has(endpointKey(view.srcKey, view.sport, v6))) fromServer = true;
      else return;
    }
    const clientKey = fromServer ? view.dstKey : view.srcKey;
    const serverKey = fromServer ? view.srcKey : view.dstKey;
    const clientPort = fromServer ? view.dport : view.sport;
    const serverPort = fromServer ? view.sport : view.dport;
    const clientText = fromServer ? dstText : srcText;
    const serverText = fromServer ? srcText : dstText;
    if (!state) {
      const hash = tupleHash(clientKey, serverKey, clientPort, serverPort);
      state = new CloseState(clientKey, serverKey, clientPort, serverPort, clientText, serverText, hash, fromServer, now);
      state.next = this.closes.get(hash) ?? null;
      this.closes.set(hash, state);
      this.closeQueue.push(state);
      if (fromServer) this.signals.serverClosedConnections++;
      else this.signals.clientClosedConnections++;
      return;
    }
    if (!fromServer && state.serverFirst && state.timeWaitSince < 0) {
      // The client's FIN after the server's: the server's socket enters TIME_WAIT (tcp_time_wait()), and with
      // tw_recycle it would remember the client's TSval (tcp_remember_stamp()).
      state.timeWaitSince = now;
      view.tcpOptions(this.tcpOptions);
      if (this.tcpOptions.hasTimestamps) this.recycle.remember(addressKey(serverKey, v6), addressKey(clientKey, v6), this.tcpOptions.tsVal, now);
    }
  }

  private forgetClose(view: PacketView, fromServer: boolean): void {
    const v6 = view.ipVersion === 6;
    const state = fromServer
      ? this.findClose(view.dstKey, view.srcKey, view.dport, view.sport, v6 ? view.dstAddress() : "", v6 ? view.srcAddress() : "")
      : this.findClose(view.srcKey, view.dstKey, view.sport, view.dport, v6 ? view.srcAddress() : "", v6 ? view.dstAddress() : "");
    if (state) this.removeClose(state);
  }

  private removeClose(state: CloseState): void {
    if (state.removed) return;
    state.removed = true;
    const head = this.closes.get(state.hash);
    if (head === state) {
      if (state.next) this.closes.set(state.hash, state.next);
      else this.closes.delete(state.hash);
      return;
    }
    for (let c = head ?? null; c; c = c.next) {
      if (c.next === state) {
        c.next = state.next;
        return;
      }
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

  private listener(addrKey: number, port: number, v6: boolean, view: PacketView): ListenerState {
    const key = endpointKey(addrKey, port, v6);
    let listener = this.listeners.get(key);
    if (!listener) {
      listener = { addr: destinationText(view), port, attempts: 0, unanswered: 0, firstReply: zeroReplies(), ttlMin: 256, ttlMax: -1 };
      this.listeners.set(key, listener);
    }
    return listener;
  }

  private source(view: PacketView, v6: boolean): SourceState | null {
    const key = addressKey(view.srcKey, v6);
    let source = this.sources.get(key);
    if (!source) {
      if (this.sources.size >= MAX_SOURCES) {
        if (!this.warnings.some((w) => w.startsWith("more than"))) this.warnings.push(`more than ${MAX_SOURCES} source addresses: per-source figures cover the first ${MAX_SOURCES}`);
        return null;
      }
      const follow = this.followedSources < SERIES_SOURCES;
      if (follow) this.followedSources++;
      source = { addr: sourceText(view), attempts: 0, unanswered: 0, tsvalRegressions: 0, clocks: new TsClockEstimator(), points: follow ? [] : null };
      this.sources.set(key, source);
    }
    return source;
  }

  private finalise(attempt: Attempt): void {
    if (attempt.done) return;
    attempt.done = true;
    this.liveAttempts--;
    this.unlink(attempt);
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
    const listener = attempt.listener;
    if (listener) {
      listener.attempts++;
      listener.firstReply[attempt.firstReply]++;
      if (!attempt.answered) listener.unanswered++;
    }
    const source = attempt.source;
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

  private unlink(attempt: Attempt): void {
    const head = this.attempts.get(attempt.hash);
    if (head === attempt) {
      if (attempt.next) this.attempts.set(attempt.hash, attempt.next);
      else this.attempts.delete(attempt.hash);
      return;
    }
    for (let a = head ?? null; a; a = a.next) {
      if (a.next === attempt) {
        a.next = attempt.next;
        return;
      }
    }
  }

  private evictOldestAttempt(): void {
    if (!this.warnings.some((w) => w.startsWith("over"))) this.warnings.push(`over ${MAX_LIVE_ATTEMPTS} attempts open at once: the oldest were closed early`);
    while (this.attemptQueue.size > 0) {
      const oldest = this.attemptQueue.peek() as Attempt;
      this.attemptQueue.shift();
      if (!oldest.done) {
        this.finalise(oldest);
        return;
      }
    }
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    // The queues hold entries in creation order: stop at the first one still young.
    for (let a = this.attemptQueue.peek(); a && now - a.firstSyn >= ATTEMPT_TTL_MICROS; a = this.attemptQueue.peek()) {
      this.attemptQueue.shift();
      this.finalise(a);
    }
    for (let c = this.closeQueue.peek(); c && now - c.firstFinAt >= CLOSE_STATE_TTL_MICROS; c = this.closeQueue.peek()) {
      this.closeQueue.shift();
      this.removeClose(c);
    }
    this.recycle.expire(now);
  }

  /** Finalises every open attempt and returns the tallies. The tracker is spent afterwards. */
  finish(): TrackerResult {
    for (let a = this.attemptQueue.peek(); a; a = this.attemptQueue.peek()) {
      this.attemptQueue.shift();
      this.finalise(a);
    }
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
    const states = [...this.sources.values()];
    const sources: SourceSummary[] = states
      .map((s) => {
        const clocks = s.clocks.estimate();
        return { addr: s.addr, attempts: s.attempts, unanswered: s.unanswered, tsvalRegressions: s.tsvalRegressions, tsClocks: clocks.clocks, tsRegime: clocks.regime, tsRateHz: clocks.rateHz, tsSamples: clocks.samples };
      })
      .sort((a, b) => b.unanswered - a.unanswered || b.tsvalRegressions - a.tsvalRegressions || b.attempts - a.attempts || compareText(a.addr, b.addr));
    const byAddr = new Map(states.map((s) => [s.addr, s]));
    const tsSeries: TsSeries[] = sources
      .filter((s) => s.tsvalRegressions > 0 || (s.tsClocks > 1 && s.tsRegime === "per-host"))
      .sort((a, b) => b.tsvalRegressions - a.tsvalRegressions || b.tsClocks - a.tsClocks || compareText(a.addr, b.addr))
      .slice(0, 10)
      .flatMap((s) => {
        const flat = byAddr.get(s.addr)?.points;
        if (!flat || flat.length === 0) return [];
        const points: Array<[number, number, number]> = [];
        for (let i = 0; i < flat.length; i += 3) points.push([flat[i] as number, flat[i + 1] as number, flat[i + 2] as number]);
        return [{ addr: s.addr, tsClocks: s.tsClocks, tsvalRegressions: s.tsvalRegressions, points }];
      });
    this.signals.arpUnanswered = [...this.arpRequests]
      .filter(([target]) => !this.arpAnswered.has(target))
      .map(([target, requests]) => ({ target, requests }))
      .sort((a, b) => b.requests - a.requests || compareText(a.target, b.target));
    const attempts = [...this.kept, ...this.keptAnswered].sort((a, b) => a.firstSyn - b.firstSyn || compareText(a.client, b.client) || a.clientPort - b.clientPort);
    return {
      tcpPackets: this.tcpPackets,
      handshakes: this.totals,
      listeners,
      sources,
      signals: this.signals,
      timeline: this.timeline.build(),
      tsSeries,
      attempts,
      attemptsOmitted: this.omitted,
      warnings: this.warnings,
    };
  }
}

export interface TrackerResult {
  tcpPackets: number;
  handshakes: HandshakeTotals;
  listeners: ListenerSummary[];
  sources: SourceSummary[];
  signals: WireSignals;
  timeline: Timeline;
  tsSeries: TsSeries[];
  attempts: AttemptRecord[];
  attemptsOmitted: number;
  warnings: string[];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
