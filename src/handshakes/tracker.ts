import { DistinctCounter } from "../util/distinct-count.js";
import { KeyedSlots, NO_SLOT } from "../util/keyed-slots.js";
import { SlotQueue } from "../util/slot-queue.js";
import { TCP_FLAG } from "../wire/tcp.js";
import type { HandshakeTotals, WireSignals } from "./analysis-types.js";
import { AttemptTable, countReply, MARK, portPair, REPLY } from "./attempt-table.js";
import { CloseTable } from "./close-table.js";
import { destinationText, sourceText, tupleHash } from "./endpoint-key.js";
import { type PacketRecord, RECORD_KIND } from "./packet-record.js";
import { partitionOf } from "./packet-router.js";
import { RecycleCache } from "./recycle-cache.js";
import { type KeptAttempts, type ListenerState, type PartitionResult, type SourceState, keptAttempts, offerKept, zeroReplies } from "./tallies.js";
import { TimelineBuilder } from "./timeline.js";
import { CLOCK_ARENA_CLUSTERS, ClockArena, TsClockEstimator } from "./ts-clocks.js";

export interface TrackerOptions {
  /** only SYNs to this address are attempts (default: the receiver of any SYN is a server) */
  server?: string;
  /** only SYNs to this port are attempts */
  port?: number;
  /** attempt records kept for reports (unanswered first); default 2000 */
  keepAttempts?: number;
  /** attempts open at once before the oldest without a reply are finalised early (default 1 M, for the whole capture); for tests */
  maxLiveAttempts?: number;
}

/** Which share of the clients one tracker follows: clients whose address key maps to `index` (packet-router.ts). */
export interface TrackerPartition {
  index: number;
  count: number;
}

/** Client SYN retries last up to ~131 s (Linux defaults); an attempt is final after that. */
const ATTEMPT_TTL_MICROS = 180e6;
/** TIME_WAIT lasts 60 s (TCP_TIMEWAIT_LEN); close state is kept for the FIN exchange plus that. */
const TIME_WAIT_MICROS = 60e6;
const CLOSE_STATE_TTL_MICROS = 120e6;
/** Bounds on live state: beyond them the oldest entries are finalised early, with a warning. */
const MAX_LIVE_ATTEMPTS = 1_000_000;
export const MAX_SOURCES = 200_000;
const MAX_ARP_TARGETS = 10_000;
/** TSval samples kept per source for the plot, and sources followed that closely. */
const SERIES_POINTS = 600;
export const SERIES_SOURCES = 256;
const DEFAULT_KEEP_ATTEMPTS = 2000;

const SYN_FIN_RST = TCP_FLAG.SYN | TCP_FLAG.FIN | TCP_FLAG.RST;

/** 16 bits of a client's address key and port, for the tracker's awaitingByClient counts. */
function clientHint(clientKey: number, clientPort: number): number {
  return (clientKey ^ (clientKey >>> 16) ^ clientPort) & 0xffff;
}

/** "client server" for IPv6 (whose keys are digests), empty for IPv4: the text part of a table key. */
function pairText(view: PacketRecord, fromServer: boolean): string {
  if (view.ipVersion !== 6) return "";
  return fromServer ? `${view.dstAddress()} ${view.srcAddress()}` : `${view.srcAddress()} ${view.dstAddress()}`;
}

/**
 * Follows every client SYN through the capture: attempts (4-tuple + ISN), retransmissions, the server's first
 * reply, SYN-ACK repeats, who closed each connection first, and the tw_recycle view of TSval regressions.
 *
 * It reads tracker records (packet-record.ts), routed by PacketRouter. One tracker may follow only a partition
 * of the clients (by address); the partitions' results merge exactly (merge-partitions.ts), because each client's
 * state lives in one partition, every partition knows every listener, and all sweep before the same packets.
 *
 * `observe` is the hot path. A plain ACK costs, while replies are awaited, one int32 map lookup. Packets with
 * SYN, FIN or RST find their 4-tuple by a 32-bit digest in tables of typed-array columns (util/keyed-slots.ts)
 * and build no strings, except for IPv6 addresses. State older than the client retry budget or TIME_WAIT
 * expires by capture time (queues in creation order), so memory follows the traffic rate, not the file size.
 */
export class HandshakeTracker {
  private readonly options: TrackerOptions;
  private readonly portFilter: number;
  private readonly partition: TrackerPartition;
  private readonly maxLiveAttempts: number;
  private readonly attempts = new AttemptTable(1 << 14);
  private liveAttempts = 0;
  /**
   * Every attempt in creation order, keyed by its first SYN's packet index: attempts expire from the front. An
   * entry whose attempt was evicted early (its slot freed, maybe taken again) is stale and skipped.
   */
  private readonly attemptQueue = new SlotQueue();
  /**
   * The same, for eviction: past the limit of open attempts, the oldest attempt still without a reply is
   * finalised first. In a flood those are the spoofed SYNs; an attempt the server answered stays open, so its
   * SYN-ACK retransmissions (the half-open evidence) are still counted.
   */
  private readonly waitQueue = new SlotQueue();
  /**
   * Attempts still waiting for their first reply, counted by clientHint(client address, client port): a plain ACK
   * whose count is 0 cannot be a first reply, and most plain ACKs are ruled out by this one load instead of a lookup.
   */
  private readonly awaitingByClient = new Int32Array(1 << 16);
  private readonly closes = new CloseTable(1 << 14);
  private readonly closeQueue = new SlotQueue();
  private readonly listenerIndex = new KeyedSlots(64);
  private readonly listenerStates: ListenerState[] = [];
  private readonly sourceIndex = new KeyedSlots(1024);
  private readonly sourceStates: SourceState[] = [];
  /** every source address of an attempt, followed or not (past MAX_SOURCES only this counts them) */
  private readonly sourceAddresses = new DistinctCounter();
  private readonly clockArena: ClockArena;
  private readonly recycle = new RecycleCache();
  private readonly timeline = new TimelineBuilder();
  private readonly arpRequests = new Map<string, number>();
  private readonly arpAnswered = new Set<string>();
  private readonly unanswered: KeptAttempts;
  private readonly answered: KeptAttempts;
  private followedSources = 0;
  /** a source was not followed because this partition already held MAX_SOURCES */
  private sourcesRefused = false;
  /** where the current record stands in the order of finalisations: 2 × packet index, + 1 after its sweep */
  private eventOrder = 0;
  private readonly warnings: string[] = [];
  /** the warning about early finalised attempts is in `warnings` (a flag: a flood evicts millions) */
  private evictionWarned = false;
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

  constructor(options: TrackerOptions = {}, partition: TrackerPartition = { index: 0, count: 1 }) {
    this.options = options;
    this.portFilter = options.port ?? -1;
    this.partition = partition;
    // The bounds on live state hold for the whole capture: each partition gets its share.
    this.maxLiveAttempts = Math.ceil((options.maxLiveAttempts ?? MAX_LIVE_ATTEMPTS) / partition.count);
    this.clockArena = new ClockArena(undefined, Math.ceil(CLOCK_ARENA_CLUSTERS / partition.count));
    const limit = options.keepAttempts ?? DEFAULT_KEEP_ATTEMPTS;
    this.unanswered = keptAttempts(limit);
    this.answered = keptAttempts(Math.min(200, limit));
  }

  private owns(clientKey: number): boolean {
    return partitionOf(clientKey, this.partition.count) === this.partition.index;
  }

  observe(view: PacketRecord): void {
    const kind = view.kind;
    if (kind !== RECORD_KIND.tcp) {
      if (kind === RECORD_KIND.tick) {
        this.eventOrder = 2 * view.packetIndex;
        this.timeline.anchor(view.timestampMicros);
        this.sweep(view.timestampMicros);
      } else {
        this.eventOrder = 2 * view.packetIndex + 1;
        if (kind === RECORD_KIND.icmpError) this.icmpError(view);
        else this.arp(view);
      }
      return;
    }
    const flags = view.flags;
    if ((flags & SYN_FIN_RST) === 0) {
      if ((flags & TCP_FLAG.ACK) !== 0 && this.awaitsReply(view.srcKey, view.dstKey, view.sport, view.dport)) this.bareAck(view);
      return;
    }
    this.eventOrder = 2 * view.packetIndex + 1;
    if (flags & TCP_FLAG.SYN) {
      if (flags & TCP_FLAG.ACK) this.synAck(view);
      else this.syn(view);
    } else if (flags & TCP_FLAG.RST) {
      this.rst(view);
    } else {
      this.fin(view);
    }
  }

  /** Whether a plain ACK from src to dst could be the first reply to an attempt (the reverse 4-tuple's). */
  awaitsReply(srcKey: number, dstKey: number, sport: number, dport: number): boolean {
    return this.awaitingByClient[clientHint(dstKey, dport)] !== 0 && this.attempts.awaits(tupleHash(dstKey, srcKey, dport, sport), dstKey | 0, srcKey | 0, portPair(dport, sport));
  }

  // --- lookups: the packet's source is the client (forward) or the server (reverse) ---

  private forwardAttempt(view: PacketRecord): number {
    return this.attempts.find(tupleHash(view.srcKey, view.dstKey, view.sport, view.dport), view.srcKey | 0, view.dstKey | 0, portPair(view.sport, view.dport), pairText(view, false));
  }

  private reverseAttempt(view: PacketRecord): number {
    return this.attempts.find(tupleHash(view.dstKey, view.srcKey, view.dport, view.sport), view.dstKey | 0, view.srcKey | 0, portPair(view.dport, view.sport), pairText(view, true));
  }

  private findClose(view: PacketRecord, fromServer: boolean): number {
    return fromServer
      ? this.closes.find(tupleHash(view.dstKey, view.srcKey, view.dport, view.sport), view.dstKey | 0, view.srcKey | 0, portPair(view.dport, view.sport), pairText(view, true))
      : this.closes.find(tupleHash(view.srcKey, view.dstKey, view.sport, view.dport), view.srcKey | 0, view.dstKey | 0, portPair(view.sport, view.dport), pairText(view, false));
  }

  // --- SYN path ---

  private syn(view: PacketRecord): void {
    if (this.portFilter >= 0 && view.dport !== this.portFilter) return;
    if (this.options.server !== undefined && destinationText(view) !== this.options.server) return;
    if (view.listenerOnly) {
      this.listener(view);
      return;
    }
    const now = view.timestampMicros;
    const tsVal = view.hasTimestamps ? view.tsVal : -1;
    const table = this.attempts;

    let s = this.forwardAttempt(view);
    if (s !== NO_SLOT && table.isn[s] === (view.seq | 0)) {
      table.syns[s] = (table.syns[s] as number) + 1;
      table.lastSyn[s] = now;
      this.totals.synRetransmits++;
      this.timeline.add("synRetransmits", now);
    } else {
      if (s !== NO_SLOT) this.finalise(s);
      s = this.newAttempt(view, tsVal);
    }

    if (view.hasTimestamps) this.signals.synWithTimestamps++;
    if (view.hasMd5) {
      this.signals.synWithMd5++;
      table.marks[s] = (table.marks[s] as number) | MARK.md5Option;
    }
    if (view.optionsMalformed) this.signals.synMalformedOptions++;
    const checksum = view.checksumOk;
    if (checksum !== null) {
      this.signals.synChecksumChecked++;
      if (!checksum) {
        this.signals.synBadChecksum++;
        table.marks[s] = (table.marks[s] as number) | MARK.badChecksum;
      }
    }
    if (tsVal >= 0 && this.recycle.rejects(view.dstKey, view.srcKey, pairText(view, true), tsVal, now)) {
      table.marks[s] = (table.marks[s] as number) | MARK.tsvalRegression;
      const source = table.source[s] as number;
      if (source >= 0) (this.sourceStates[source] as SourceState).tsvalRegressions++;
    }
  }

  private newAttempt(view: PacketRecord, tsVal: number): number {
    const now = view.timestampMicros;
    const text = pairText(view, false);
    const digest = tupleHash(view.srcKey, view.dstKey, view.sport, view.dport);
    const table = this.attempts;
    // Room first, so that the attempt evicted is never this one.
    if (this.liveAttempts >= this.maxLiveAttempts) this.evictOneAttempt();
    const s = table.open(digest, view.srcKey | 0, view.dstKey | 0, portPair(view.sport, view.dport), text, view.seq | 0, now, view.packetIndex, tsVal, view.ttl);
    this.liveAttempts++;
    this.attemptQueue.push(s, view.packetIndex);
    this.waitQueue.push(s, view.packetIndex);
    const hint = clientHint(view.srcKey, view.sport);
    this.awaitingByClient[hint] = (this.awaitingByClient[hint] as number) + 1;
    this.timeline.add("syn", now);

    const sourceSlot = this.source(view);
    table.source[s] = sourceSlot;
    if (sourceSlot >= 0 && tsVal >= 0) {
      const source = this.sourceStates[sourceSlot] as SourceState;
      source.clocks.add(now, tsVal, view.sport);
      if (source.points && source.points.length < SERIES_POINTS * 3) source.points.push(now, tsVal, view.sport);
    }
    const listenerSlot = this.listener(view);
    table.listener[s] = listenerSlot;
    const listener = this.listenerStates[listenerSlot] as ListenerState;
    if (view.ttl < listener.ttlMin) listener.ttlMin = view.ttl;
    if (view.ttl > listener.ttlMax) listener.ttlMax = view.ttl;
    const close = this.closes.find(digest, view.srcKey | 0, view.dstKey | 0, portPair(view.sport, view.dport), text);
    if (close !== NO_SLOT && this.closes.serverFirst[close] === 1) {
      const since = this.closes.timeWaitSince[close] as number;
      if (since >= 0 && now - since < TIME_WAIT_MICROS) this.signals.synOnServerClosedTuple++;
    }
    return s;
  }

  private synAck(view: PacketRecord): void {
    const s = this.reverseAttempt(view);
    const table = this.attempts;
    if (s === NO_SLOT || (view.ack | 0) !== (((table.isn[s] as number) + 1) | 0)) return;
    const synacks = (table.synacks[s] as number) + 1;
    table.synacks[s] = synacks;
    this.timeline.add("synack", view.timestampMicros);
    if (synacks > 1) this.totals.synackRetransmits++;
    if ((table.answeredAt[s] as number) < 0) {
      table.answeredAt[s] = view.timestampMicros;
      table.synsAtAnswer[s] = table.syns[s] as number;
      if (table.firstReply[s] === REPLY.none) this.setFirstReply(s, REPLY.synack, view.timestampMicros);
    }
  }

  /** A plain ACK from the server on a 4-tuple whose SYN awaits a reply: the TIME_WAIT (or established) answer. */
  private bareAck(view: PacketRecord): void {
    const s = this.reverseAttempt(view);
    if (s === NO_SLOT || this.attempts.firstReply[s] !== REPLY.none) return;
    this.setFirstReply(s, REPLY.ack, view.timestampMicros);
    this.timeline.add("bareAck", view.timestampMicros);
    if (view.hasTimestamps) this.attempts.replyTsEcr[s] = view.tsEcr;
  }

  private rst(view: PacketRecord): void {
    const table = this.attempts;
    const fromClient = this.forwardAttempt(view);
    if (fromClient !== NO_SLOT) {
      const marks = table.marks[fromClient] as number;
      if (table.firstReply[fromClient] === REPLY.ack && !table.answered(fromClient) && (marks & MARK.clientRstAfterAck) === 0) {
        table.marks[fromClient] = marks | MARK.clientRstAfterAck;
        this.signals.clientRstAfterBareAck++;
      }
      this.forgetClose(view, false);
      return;
    }
    const s = this.reverseAttempt(view);
    if (s !== NO_SLOT && table.firstReply[s] === REPLY.none) {
      this.setFirstReply(s, REPLY.rst, view.timestampMicros);
      this.timeline.add("rst", view.timestampMicros);
    }
    this.forgetClose(view, true);
  }

  private icmpError(view: PacketRecord): void {
    // The quoted datagram is the client's SYN: quoted source = client, destination = server.
    const text = view.ipVersion === 6 ? `${view.quotedSrcAddress()} ${view.quotedDstAddress()}` : "";
    const table = this.attempts;
    const s = table.find(tupleHash(view.quotedSrcKey, view.quotedDstKey, view.quotedSport, view.quotedDport), view.quotedSrcKey | 0, view.quotedDstKey | 0, portPair(view.quotedSport, view.quotedDport), text);
    if (s === NO_SLOT || table.isn[s] !== (view.quotedSeq | 0) || table.firstReply[s] !== REPLY.none) return;
    table.icmpType[s] = view.icmpType;
    table.icmpCode[s] = view.icmpCode;
    table.icmpFrom.set(s, sourceText(view));
    this.setFirstReply(s, REPLY.icmp, view.timestampMicros);
  }

  private setFirstReply(s: number, reply: number, at: number): void {
    this.attempts.firstReply[s] = reply;
    this.attempts.firstReplyAt[s] = at;
    this.attempts.synsAtReply[s] = this.attempts.syns[s] as number;
    this.release(s);
  }

  /** Attempt s no longer waits for its first reply (it has one, or it is finalised without). */
  private release(s: number): void {
    const table = this.attempts;
    const hint = clientHint(table.keyA(s), table.keyC(s) >>> 16);
    this.awaitingByClient[hint] = (this.awaitingByClient[hint] as number) - 1;
  }

  // --- close order (for the tw_recycle view and TIME_WAIT collisions) ---

  private fin(view: PacketRecord): void {
    const now = view.timestampMicros;
    // Orientation: the FIN's sender is the client if the connection is known that way round, the server if it
    // is known the other way round; for connections older than the capture, whichever end is a known listener.
    let fromServer = false;
    let s = this.findClose(view, false);
    if (s === NO_SLOT && this.forwardAttempt(view) === NO_SLOT) {
      s = this.findClose(view, true);
      if (s !== NO_SLOT || this.reverseAttempt(view) !== NO_SLOT) fromServer = true;
      else if (this.findListener(view.dstKey, view.dport, view, false) !== NO_SLOT) fromServer = false;
      else if (this.findListener(view.srcKey, view.sport, view, true) !== NO_SLOT) fromServer = true;
      else return;
    }
    const closes = this.closes;
    if (s === NO_SLOT) {
      const clientKey = fromServer ? view.dstKey : view.srcKey;
      // The router sends FINs to both ends' partitions: the client's partition keeps the close state.
      if (!this.owns(clientKey)) return;
      const serverKey = fromServer ? view.srcKey : view.dstKey;
      const clientPort = fromServer ? view.dport : view.sport;
      const serverPort = fromServer ? view.sport : view.dport;
      const digest = tupleHash(clientKey, serverKey, clientPort, serverPort);
      s = closes.open(digest, clientKey | 0, serverKey | 0, portPair(clientPort, serverPort), pairText(view, fromServer), fromServer, now);
      this.closeQueue.push(s, now);
      if (fromServer) this.signals.serverClosedConnections++;
      else this.signals.clientClosedConnections++;
      return;
    }
    if (!fromServer && closes.serverFirst[s] === 1 && (closes.timeWaitSince[s] as number) < 0) {
      // The client's FIN after the server's: the server's socket enters TIME_WAIT (tcp_time_wait()), and with
      // tw_recycle it would remember the client's TSval (tcp_remember_stamp()).
      closes.timeWaitSince[s] = now;
      if (view.hasTimestamps) this.recycle.remember(view.dstKey, view.srcKey, pairText(view, true), view.tsVal, now);
    }
  }

  private forgetClose(view: PacketRecord, fromServer: boolean): void {
    const s = this.findClose(view, fromServer);
    // The slot stays in the close queue; it is freed when it leaves it.
    if (s !== NO_SLOT) this.closes.unlink(s);
  }

  // --- ARP: the neighbour that never answers ---

  private arp(view: PacketRecord): void {
    if (view.arpOperation === 1) {
      const target = view.arpTargetAddress();
      if (this.arpRequests.has(target) || this.arpRequests.size < MAX_ARP_TARGETS) this.arpRequests.set(target, (this.arpRequests.get(target) ?? 0) + 1);
    } else if (view.arpOperation === 2) {
      this.arpAnswered.add(view.arpSenderAddress());
    }
  }

  // --- bookkeeping ---

  /** The listener slot of (address, port) — the packet's source or destination — or NO_SLOT. */
  private findListener(addrKey: number, port: number, view: PacketRecord, isSource: boolean): number {
    const text = view.ipVersion === 6 ? (isSource ? view.srcAddress() : view.dstAddress()) : "";
    return this.listenerIndex.find(tupleHash(addrKey, 0, port, 0), addrKey | 0, 0, port, text);
  }

  /** The SYN's destination as a listener, created on first sight. */
  private listener(view: PacketRecord): number {
    const found = this.findListener(view.dstKey, view.dport, view, false);
    if (found !== NO_SLOT) return found;
    const text = view.ipVersion === 6 ? view.dstAddress() : "";
    const s = this.listenerIndex.insert(tupleHash(view.dstKey, 0, view.dport, 0), view.dstKey | 0, 0, view.dport, text);
    this.listenerStates[s] = { addr: destinationText(view), port: view.dport, attempts: 0, unanswered: 0, firstReply: zeroReplies(), synsWithoutReply: 0, halfOpen: 0, ttlMin: 256, ttlMax: -1 };
    return s;
  }

  /** The SYN's source address, created on first sight; -1 past MAX_SOURCES. */
  private source(view: PacketRecord): number {
    this.sourceAddresses.add(view.srcKey);
    const text = view.ipVersion === 6 ? view.srcAddress() : "";
    const digest = tupleHash(view.srcKey, 0, 0, 0);
    const found = this.sourceIndex.find(digest, view.srcKey | 0, 0, 0, text);
    if (found !== NO_SLOT) return found;
    // Each partition holds at most MAX_SOURCES; the merge keeps the first MAX_SOURCES of all and warns.
    if (this.sourceIndex.used >= MAX_SOURCES) {
      this.sourcesRefused = true;
      return -1;
    }
    const follow = this.followedSources < SERIES_SOURCES;
    if (follow) this.followedSources++;
    const s = this.sourceIndex.insert(digest, view.srcKey | 0, 0, 0, text);
    this.sourceStates[s] = { addr: sourceText(view), firstSeen: view.packetIndex, attempts: 0, unanswered: 0, tsvalRegressions: 0, clocks: new TsClockEstimator(this.clockArena), points: follow ? [] : null };
    return s;
  }

  private finalise(s: number): void {
    const table = this.attempts;
    const marks = table.marks[s] as number;
    if ((marks & MARK.done) !== 0) return;
    table.marks[s] = marks | MARK.done;
    this.liveAttempts--;
    table.unlink(s);
    const reply = table.firstReply[s] as number;
    if (reply === REPLY.none) this.release(s);
    const answered = table.answered(s);
    const totals = this.totals;
    totals.attempts++;
    countReply(totals.firstReply, reply);
    if (answered) {
      totals.answered++;
      if ((table.synsAtAnswer[s] as number) > 1) totals.answeredAfterRetransmit++;
    } else {
      totals.unanswered++;
    }
    const listenerSlot = table.listener[s] as number;
    if (listenerSlot >= 0) {
      const listener = this.listenerStates[listenerSlot] as ListenerState;
      listener.attempts++;
      countReply(listener.firstReply, reply);
      // The SYN that got the first reply was answered; the ones before it (or all, without a reply) were not.
      listener.synsWithoutReply += reply === REPLY.none ? (table.syns[s] as number) : (table.synsAtReply[s] as number) - 1;
      if (!answered) listener.unanswered++;
      else if (reply === REPLY.synack && table.syns[s] === 1 && (table.synacks[s] as number) >= 2) listener.halfOpen++;
    }
    const sourceSlot = table.source[s] as number;
    if (sourceSlot >= 0) {
      const source = this.sourceStates[sourceSlot] as SourceState;
      source.attempts++;
      if (!answered) source.unanswered++;
    }
    const kept = !answered || reply !== REPLY.synack ? this.unanswered : this.answered;
    if (offerKept(kept)) kept.records.push({ order: this.eventOrder, created: table.created[s] as number, record: table.toRecord(s) });
  }

  /** Takes the front entry out of the expiry queue: its attempt finalised if it was not yet, and its slot freed. */
  private expireFrontAttempt(): void {
    const s = this.attemptQueue.frontSlot();
    const current = this.attempts.current(s, this.attemptQueue.frontKey());
    this.attemptQueue.shift();
    if (!current) return;
    this.finalise(s);
    this.attempts.release(s);
  }

  /** Whether slot s holds the attempt of packet `createdAt`, still open and without a reply. */
  private waiting(s: number, createdAt: number): boolean {
    const table = this.attempts;
    return table.current(s, createdAt) && ((table.marks[s] as number) & MARK.done) === 0 && table.firstReply[s] === REPLY.none;
  }

  /** Finalises and frees one open attempt: the oldest without a reply, else the oldest. */
  private evictOneAttempt(): void {
    if (!this.evictionWarned) {
      this.evictionWarned = true;
      const limit = this.options.maxLiveAttempts ?? MAX_LIVE_ATTEMPTS;
      this.warnings.push(
        `over ${limit} attempts open at once: the oldest still without a reply were closed early (a later SYN of theirs counts as a new attempt, a later reply to them is not counted)`,
      );
    }
    const table = this.attempts;
    const waitQueue = this.waitQueue;
    while (waitQueue.size > 0) {
      const s = waitQueue.frontSlot();
      const waits = this.waiting(s, waitQueue.frontKey());
      waitQueue.shift();
      if (waits) {
        this.finalise(s);
        table.release(s);
        this.compactAttemptQueue();
        return;
      }
    }
    while (this.attemptQueue.size > 0) {
      const s = this.attemptQueue.frontSlot();
      const live = table.current(s, this.attemptQueue.frontKey()) && ((table.marks[s] as number) & MARK.done) === 0;
      this.expireFrontAttempt();
      if (live) return;
    }
  }

  /**
   * Evictions leave stale entries behind an attempt that stays (one the server answered): past as many stale
   * entries as slots in use, they are dropped, so the queue stays as long as the table, not the capture's rate
   * times the retry budget.
   */
  private compactAttemptQueue(): void {
    const queue = this.attemptQueue;
    const table = this.attempts;
    if (queue.size - table.used <= table.used + 1024) return;
    queue.retain((s, createdAt) => table.current(s, createdAt));
  }

  private sweep(now: number): void {
    // The queues hold entries in creation order: stop at the first one still young.
    const queue = this.attemptQueue;
    const table = this.attempts;
    while (queue.size > 0) {
      const s = queue.frontSlot();
      const current = table.current(s, queue.frontKey());
      if (current && now - (table.firstSyn[s] as number) < ATTEMPT_TTL_MICROS) break;
      this.expireFrontAttempt();
    }
    // Entries of attempts answered, finalised or freed by now: past the open attempts' number, they are dropped.
    const waitQueue = this.waitQueue;
    while (waitQueue.size > 0 && !this.waiting(waitQueue.frontSlot(), waitQueue.frontKey())) waitQueue.shift();
    if (waitQueue.size > 2 * this.liveAttempts + 1024) waitQueue.retain((s, createdAt) => this.waiting(s, createdAt));
    const closeQueue = this.closeQueue;
    while (now - closeQueue.frontKey() >= CLOSE_STATE_TTL_MICROS) {
      this.closes.free(closeQueue.frontSlot());
      closeQueue.shift();
    }
    this.recycle.expire(now);
  }

  /** Finalises every open attempt and returns this partition's tallies. The tracker is spent afterwards. */
  finish(): PartitionResult {
    this.eventOrder = Number.MAX_VALUE;
    while (this.attemptQueue.size > 0) this.expireFrontAttempt();
    return {
      totals: this.totals,
      signals: this.signals,
      listeners: this.listenerStates,
      sources: this.sourceStates.map((s) => ({ addr: s.addr, firstSeen: s.firstSeen, attempts: s.attempts, unanswered: s.unanswered, tsvalRegressions: s.tsvalRegressions, clocks: s.clocks.estimate(), points: s.points })),
      sourcesRefused: this.sourcesRefused,
      sourceAddresses: this.sourceAddresses.registers,
      timeline: this.timeline.state(),
      unanswered: this.unanswered,
      answered: this.answered,
      arpRequests: [...this.arpRequests],
      arpAnswered: [...this.arpAnswered],
      warnings: this.warnings,
    };
  }
}
