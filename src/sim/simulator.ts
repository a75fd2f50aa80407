/**
 * The discrete-event simulator: clients (and an optional SYN flood) talk through a translator to one server
 * whose kernel is the model in src/kernel. Time is integer microseconds owned by the simulator; every random
 * choice draws from a named sub-stream of one master seed; events with equal times run in scheduling order.
 *
 * Events are scheduled at the moment a segment reaches the server (the capture point). A reply is delivered
 * to its client at once and the client's answer is scheduled one round trip later: the server-side capture sees
 * exactly the same timings, and the engine needs one event per client segment instead of two.
 */
import type { CounterName } from "../kernel/counters.js";
import type { Connection, Outcome, Reason, Reply, Segment, SegmentResult } from "../kernel/types.js";
import { ACK, FIN, RST, SYN } from "../kernel/types.js";
import { C, COUNTER_NAMES } from "../kernel/counters.js";
import { segment } from "../kernel/segment.js";
import { grownColumn } from "../util/columns.js";
import { FlowTable } from "../util/flow-table.js";
import { Rng } from "../util/rng.js";
import { SlotHeap } from "../util/slot-heap.js";
import { ipv4ToNumber, numberToIpv4 } from "./addr.js";
import { createClients, type ClientHost, type ClientPopulation } from "./clients.js";
import { DurationHistogram } from "./histogram.js";
import { createTranslator, type Translation, type Translator } from "./nat.js";
import type { Scenario } from "./scenario.js";
import type { ServerStack } from "./server-stack.js";

/** Receives every segment at the server's interface, in time order (the server-side capture). */
export interface PacketSink {
  packet(atUs: number, seg: Segment): void;
}

// Event kinds.
const EV_ARRIVAL = 0; // a client host opens a connection: its SYN reaches the server
const EV_SYN_TIMER = 1; // a client's SYN retransmission timer fires
const EV_TO_SERVER = 2; // a client segment reaches the server
const EV_APP_ACCEPT = 3; // the application's next accept() (rate-limited accept only)
const EV_APP_DONE = 4; // the application finished serving a connection
const EV_KERNEL_TIMER = 5; // the server kernel's next timer
const EV_FLOOD = 6; // the next spoofed SYN of a flood

/**
 * Pending events: record slots on the project's SlotHeap, ordered by (time, scheduling sequence). Each record's
 * fields live in parallel typed arrays and a slot is reused once its event ran, so scheduling allocates nothing
 * (an object per event was the engine's largest cost: millions of short-lived objects, most of them promoted).
 */
class EventTable {
  private readonly heap = new SlotHeap();
  private capacity = 0;
  private freeSlots: Int32Array = new Int32Array(0);
  private freeCount = 0;
  // Record fields (by slot).
  kind: Uint8Array = new Uint8Array(0);
  token: Int32Array = new Int32Array(0);
  host: Int32Array = new Int32Array(0);
  conn: (Conn | null)[] = [];
  /** A client segment (EV_TO_SERVER): flags, numbers, and whether the TS option was due when it was built. */
  flags: Uint8Array = new Uint8Array(0);
  tsOn: Uint8Array = new Uint8Array(0);
  seq: Uint32Array = new Uint32Array(0);
  ack: Uint32Array = new Uint32Array(0);
  tsval: Uint32Array = new Uint32Array(0);
  tsecr: Uint32Array = new Uint32Array(0);

  constructor() {
    this.grow(1024);
  }

  /** A free record slot; fill its fields, then push() it. */
  alloc(kind: number): number {
    if (this.freeCount === 0) this.grow(this.capacity * 2);
    const slot = this.freeSlots[--this.freeCount] as number;
    this.kind[slot] = kind;
    return slot;
  }

  /** The event in `slot` ran: its slot may be reused. */
  release(slot: number): void {
    this.conn[slot] = null;
    this.freeSlots[this.freeCount++] = slot;
  }

  get size(): number {
    return this.heap.size;
  }

  peekTime(): number {
    return this.heap.peekTime();
  }

  push(time: number, slot: number): void {
    this.heap.push(time, slot);
  }

  /** Removes the earliest event and returns its slot (read its time with peekTime() first). */
  pop(): number {
    return this.heap.pop();
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    this.kind = grownColumn(this.kind, capacity);
    this.token = grownColumn(this.token, capacity);
    this.host = grownColumn(this.host, capacity);
    this.flags = grownColumn(this.flags, capacity);
    this.tsOn = grownColumn(this.tsOn, capacity);
    this.seq = grownColumn(this.seq, capacity);
    this.ack = grownColumn(this.ack, capacity);
    this.tsval = grownColumn(this.tsval, capacity);
    this.tsecr = grownColumn(this.tsecr, capacity);
    // Every slot in use when growing (the free list is empty): the new ones are free.
    this.freeSlots = new Int32Array(capacity);
    this.freeCount = 0;
    for (let s = capacity - 1; s >= old; s--) this.freeSlots[this.freeCount++] = s;
    for (let s = old; s < capacity; s++) this.conn.push(null);
    this.capacity = capacity;
  }
}

const SYN_SENT = 0;
const ESTABLISHED = 1;
/** Client sent its FIN first and waits for the server's. */
const CLIENT_CLOSING = 2;
const DONE = 3;

const REPLY_NONE = 0;
const REPLY_SYNACK = 1;
const REPLY_ACK = 2;
const REPLY_RST = 3;

/** One client connection attempt (and, if it succeeds, the connection). */
class Conn {
  state = SYN_SENT;
  /** SYNs sent so far minus one: index into the retry waits. */
  synIndex = 0;
  /** Invalidates a pending SYN timer when the attempt moved on. */
  token = 0;
  firstReply = REPLY_NONE;
  answered = false;
  serverConn: Connection | undefined = undefined;
  serverSeq = 0;
  serverTsval = 0;
  serverFinSeq = 0;
  /** When the last SYN of this attempt reached the server (µs). */
  lastSynUs = 0;
  /** TS offset of this flow when the host's clock is linear (computed once instead of per segment). */
  tsOffset = 0;

  constructor(
    readonly host: ClientHost,
    readonly cport: number,
    readonly ext: Translation,
    readonly isn: number,
    readonly startUs: number,
  ) {}
}

export interface HostOutcome {
  readonly addr: string;
  readonly attempts: number;
  readonly established: number;
  readonly failed: number;
  readonly refused: number;
  readonly synRetransmits: number;
  readonly bareAcks: number;
}

export interface SimSummary {
  readonly scenario: string;
  readonly seed: number;
  readonly kernel: string;
  readonly expect: string;
  readonly attempts: number;
  readonly answered: number;
  readonly unanswered: number;
  /** What the server did with each SYN it received. */
  readonly outcomes: { synack: number; dropped: number; ack: number; rst: number; cookie: number };
  readonly counters: Record<string, number>;
  // Extra fields (cli.md allows more).
  readonly synsReceived: number;
  /** Each attempt by the first thing the server sent back, as `analyze` classifies it. */
  readonly firstReply: { synack: number; ack: number; rst: number; none: number };
  readonly answeredAfterRetransmit: number;
  readonly synRetransmits: number;
  readonly synackRetransmits: number;
  /** Why the kernel decided as it did, per SYN (reason codes of the kernel model). */
  readonly reasons: Record<string, number>;
  readonly connections: { established: number; completed: number; timedOut: number; refused: number; reset: number; stalled: number };
  readonly connectDelayMs: { p50: number; p90: number; p99: number; max: number };
  readonly flood: { syns: number; answered: number } | null;
  readonly nat: { type: string; portsExhausted: number };
  readonly simulatedSeconds: number;
  readonly events: number;
  readonly hosts: readonly HostOutcome[];
}

export interface SimRun {
  readonly summary: SimSummary;
  /** The server at the end of the run (for bundles: counters, sockets, listener). */
  readonly stack: ServerStack;
  readonly endUs: number;
  /**
   * Counter moves tallied from every kernel result (equals stack.counters() when the model is consistent).
   * Filled only when the stack tracks moves (runSimulation's trackMoves); empty otherwise.
   */
  readonly tallied: ReadonlyMap<CounterName, number>;
  /** Counter moves by the outcome of the segment that caused them. */
  readonly movedByOutcome: ReadonlyMap<string, ReadonlyMap<CounterName, number>>;
}

export interface SimOptions {
  readonly seed: number;
  readonly stack: ServerStack;
  readonly sink?: PacketSink;
  /** Called every PROGRESS_EVENTS events with the simulated time and the planned end (µs), for a progress bar. */
  readonly onProgress?: (nowUs: number, endUs: number) => void;
}

/** Events between progress calls: a test of one integer per event, a call every few tens of milliseconds. */
const PROGRESS_EVENTS = 1 << 16;

const MSS = 1460;
const WSCALE = 7;
const WINDOW = 64240;

export function simulate(scenario: Scenario, options: SimOptions): SimRun {
  const rng = new Rng(options.seed);
  const stack = options.stack;
  const sink = options.sink;
  const onProgress = options.onProgress;
  const population: ClientPopulation = createClients(scenario, rng);
  const hostList = population.hosts;
  const nat: Translator = createTranslator(scenario, rng);
  const serverAddr = ipv4ToNumber(scenario.server.addr);
  const serverPort = scenario.server.port;
  const owdUs = Math.round((scenario.network.rttMs * 1000) / 2);
  const rttUs = 2 * owdUs;
  const durationUs = Math.round(scenario.durationSeconds * 1e6);
  const maxUs = Math.round(scenario.maxSeconds * 1e6);
  const serviceUs = Math.round(scenario.server.serviceTimeMs * 1000);
  const acceptRate = scenario.server.acceptRate;
  const acceptIntervalUs = acceptRate === "unlimited" ? 0 : acceptRate === "never" ? Infinity : Math.max(1, Math.round(1e6 / acceptRate));
  const serverFirst = scenario.server.closePolicy === "server-first";
  const waits = population.retry.waitsUs;
  const poisson = scenario.clients.arrivals === "poisson";
  const meanGapUs = 1e6 / scenario.clients.connectionsPerSecond;
  const perClientLimit = scenario.clients.connectionsPerClient;

  const isnRng = rng.stream("clients/isn");
  const arrivalRng = rng.stream("clients/arrivals");
  const floodRng = rng.stream("flood");

  const ev = new EventTable();
  // Open connection attempts by the (translated) address and port the server sees.
  const flows = new FlowTable<Conn>();
  let now = 0;
  let events = 0;
  /** Events other than kernel timers: the run ends when none is left. */
  let pending = 0;
  let timerAt = Infinity;
  let acceptTickAt = Infinity;

  // Tallies.
  let attempts = 0;
  let answered = 0;
  let answeredAfterRetransmit = 0;
  let synsReceived = 0;
  let synRetransmits = 0;
  let synackRetransmits = 0;
  const outcomes = { synack: 0, dropped: 0, ack: 0, rst: 0, cookie: 0 };
  const firstReply = { synack: 0, ack: 0, rst: 0, none: 0 };
  const connections = { established: 0, completed: 0, timedOut: 0, refused: 0, reset: 0, stalled: 0 };
  const delays = new DurationHistogram();
  let floodSyns = 0;
  let floodAnswered = 0;

  // Counter moves by outcome key ("syn:<outcome>", the outcome, "timer", "close"), counted in flat arrays
  // indexed by [key index · counters + counter id]; the maps of SimRun are built once at the end, in the order
  // the moves first happened (what per-move Map updates gave).
  const nCounters = COUNTER_NAMES.length;
  const tallyKeys: string[] = [];
  const tallyKeyIndex = new Map<string, number>();
  let tallyCounts = new Float64Array(8 * nCounters);
  /** First moves in order: key index · counters + counter id. */
  const firstMoves: number[] = [];
  const keyIndex = (key: string): number => {
    let k = tallyKeyIndex.get(key);
    if (k === undefined) {
      k = tallyKeys.length;
      tallyKeys.push(key);
      tallyKeyIndex.set(key, k);
      if ((k + 1) * nCounters > tallyCounts.length) {
        const grown = new Float64Array(tallyCounts.length * 2);
        grown.set(tallyCounts);
        tallyCounts = grown;
      }
    }
    return k;
  };
  const tally = (key: string, moved: readonly CounterName[]): void => {
    const n = moved.length;
    if (n === 0) return;
    const base = keyIndex(key) * nCounters;
    for (let i = 0; i < n; i++) {
      const at = base + C[moved[i] as CounterName];
      const before = tallyCounts[at] as number;
      if (before === 0) firstMoves.push(at);
      tallyCounts[at] = before + 1;
    }
  };

  // Reasons of SYN decisions: one slot per distinct reason (nearly every SYN repeats the previous one).
  const reasonNames: Reason[] = [];
  const reasonIndex = new Map<Reason, number>();
  let reasonCounts = new Float64Array(16);
  let lastReason: Reason | undefined;
  let lastReasonIndex = -1;
  const countReason = (reason: Reason): void => {
    if (reason !== lastReason) {
      let i = reasonIndex.get(reason);
      if (i === undefined) {
        i = reasonNames.length;
        reasonNames.push(reason);
        reasonIndex.set(reason, i);
        if (i >= reasonCounts.length) {
          const grown = new Float64Array(reasonCounts.length * 2);
          grown.set(reasonCounts);
          reasonCounts = grown;
        }
      }
      lastReason = reason;
      lastReasonIndex = i;
    }
    reasonCounts[lastReasonIndex] = (reasonCounts[lastReasonIndex] as number) + 1;
  };

  const synKeys = new Map<Outcome, string>();
  /** "syn:<outcome>" without building a string per SYN. */
  const synKey = (outcome: Outcome): string => {
    let key = synKeys.get(outcome);
    if (key === undefined) synKeys.set(outcome, (key = `syn:${outcome}`));
    return key;
  };

  /** Scheduling an event other than a kernel timer. */
  const schedule = (time: number, slot: number): void => {
    pending++;
    ev.push(time, slot);
  };
  const scheduleConn = (kind: number, time: number, conn: Conn, token: number): void => {
    const slot = ev.alloc(kind);
    ev.conn[slot] = conn;
    ev.token[slot] = token;
    schedule(time, slot);
  };
  const scheduleBare = (kind: number, time: number): void => schedule(time, ev.alloc(kind));
  const scheduleArrival = (time: number, host: ClientHost): void => {
    const slot = ev.alloc(EV_ARRIVAL);
    ev.host[slot] = host.index;
    schedule(time, slot);
  };

  const emit = (atUs: number, seg: Segment): void => {
    if (sink) sink.packet(atUs, seg);
  };

  // Clients whose clock is linear: their rate, uptime and base by host index (no clock call per segment).
  const tsLinear = new Uint8Array(hostList.length);
  const tsRate = new Float64Array(hostList.length);
  const tsUptime = new Float64Array(hostList.length);
  const tsBase = new Float64Array(hostList.length);
  for (const host of hostList) {
    const linear = host.clock.linear;
    if (linear === undefined) continue;
    tsLinear[host.index] = 1;
    tsRate[host.index] = linear.rate;
    tsUptime[host.index] = linear.uptimeAtZeroMs;
    tsBase[host.index] = linear.base;
  }

  const clientTsval = (conn: Conn, atServerUs: number): number => {
    const nowMs = (atServerUs - owdUs) / 1000;
    const h = conn.host.index;
    if (tsLinear[h] === 1) {
      // TsClock.linear: the same arithmetic as the clock's tsval() with the flow's offset computed once.
      return (Math.floor(((tsUptime[h] as number) + nowMs) * (tsRate[h] as number) / 1000) + (tsBase[h] as number) + conn.tsOffset) >>> 0;
    }
    return conn.host.clock.tsval(nowMs, conn.host.addr, conn.cport, serverAddr, serverPort);
  };

  /**
   * The one segment object handed to the server (the kernel model and the capture read it during the call and
   * keep nothing): its fields are rewritten for every client segment.
   */
  const wire: Segment = segment({ daddr: serverAddr, dport: serverPort, window: 0 });

  /**
   * A client segment other than a SYN, due at the server at `atUs`: its fields are fixed now (the TSval at
   * `atUs`, the TS option as the connection stands now), as when the client sends it.
   */
  const scheduleSegment = (conn: Conn, flags: number, seq: number, ack: number, atUs: number, tsecr: number): void => {
    const slot = ev.alloc(EV_TO_SERVER);
    const tsOn = conn.host.timestamps && conn.serverTsval !== -1;
    ev.conn[slot] = conn;
    ev.flags[slot] = flags;
    ev.tsOn[slot] = tsOn ? 1 : 0;
    ev.seq[slot] = seq >>> 0;
    ev.ack[slot] = ack >>> 0;
    ev.tsval[slot] = tsOn ? clientTsval(conn, atUs) : 0;
    ev.tsecr[slot] = tsecr >>> 0;
    schedule(atUs, slot);
  };

  /** Fills `wire` with the segment of record `slot`. */
  const loadSegment = (slot: number, conn: Conn): Segment => {
    const flags = ev.flags[slot] as number;
    const isRst = (flags & RST) !== 0;
    wire.saddr = conn.ext.addr;
    wire.sport = conn.ext.port;
    wire.seq = ev.seq[slot] as number;
    wire.ack = ev.ack[slot] as number;
    wire.flags = flags;
    wire.window = isRst ? 0 : 502;
    wire.hasTs = ev.tsOn[slot] === 1 && !isRst;
    wire.tsval = ev.tsval[slot] as number;
    wire.tsecr = ev.tsecr[slot] as number;
    wire.mss = 0;
    wire.wscale = -1;
    wire.sackOk = false;
    return wire;
  };

  // ---- the server side ----

  const deliverToServer = (seg: Segment): SegmentResult => {
    // Timers due before this segment fire first, as softirq timers would have.
    if (stack.nextTimerMs() <= now / 1000) runKernelTimers();
    emit(now, seg);
    const result = stack.receive(seg, now / 1000);
    const isSyn = (seg.flags & (SYN | ACK)) === SYN;
    if (result.moved.length > 0) tally(isSyn ? synKey(result.outcome) : result.outcome, result.moved);
    if (isSyn) {
      synsReceived++;
      countSynOutcome(result.outcome);
      countReason(result.reason);
    }
    const replies = result.replies;
    for (let i = 0; i < replies.length; i++) sendToClient(replies[i] as Reply);
    if (result.outcome === "established" && result.conn) onChildQueued();
    return result;
  };

  const countSynOutcome = (outcome: Outcome): void => {
    switch (outcome) {
      case "synack":
        outcomes.synack++;
        break;
      case "cookie":
        outcomes.cookie++;
        break;
      case "ack":
        outcomes.ack++;
        break;
      case "rst":
        outcomes.rst++;
        break;
      default:
        outcomes.dropped++;
    }
  };

  const runKernelTimers = (): void => {
    const result = stack.runTimers(now / 1000);
    tally("timer", result.moved);
    const replies = result.replies;
    for (let i = 0; i < replies.length; i++) sendToClient(replies[i] as Reply);
  };

  const armKernelTimer = (): void => {
    const next = stack.nextTimerMs();
    if (next === Infinity) return;
    // The first whole microsecond at which `now / 1000 >= next` holds in floating point.
    let at = Math.ceil(next * 1000);
    if (at / 1000 < next) at++;
    at = Math.max(now, at);
    if (at < timerAt) {
      timerAt = at;
      ev.push(at, ev.alloc(EV_KERNEL_TIMER));
    }
  };

  const onChildQueued = (): void => {
    if (acceptIntervalUs === Infinity) return;
    if (acceptIntervalUs === 0) {
      acceptAll();
      return;
    }
    if (acceptTickAt === Infinity) {
      acceptTickAt = now;
      scheduleBare(EV_APP_ACCEPT, now);
    }
  };

  const acceptOne = (): boolean => {
    const child = stack.accept(now / 1000);
    if (!child) return false;
    const conn = flows.get(child.raddr, child.rport, 0);
    if (conn) {
      conn.serverConn = child;
      scheduleConn(EV_APP_DONE, now + serviceUs, conn, conn.token);
    } else {
      // A child whose client is gone (cookie flood ACKs are not modelled): close it at once.
      const r = stack.close(child, now / 1000);
      tally("close", r.moved);
      for (const reply of r.replies) emit(now, reply);
    }
    return true;
  };

  const acceptAll = (): void => {
    while (acceptOne()) {
      /* drain the accept queue */
    }
  };

  // ---- the client side: reactions to what the server sent ----

  const sendToClient = (reply: Reply): void => {
    const at = Math.max(now, Math.round(reply.atMs * 1000));
    emit(at, reply);
    if (reply.kind === "synack-retrans") synackRetransmits++;
    const conn = flows.get(reply.daddr, reply.dport, 0);
    if (!conn) {
      if (reply.kind === "synack" || reply.kind === "cookie-synack") floodAnswered++;
      return;
    }
    if (conn.state === SYN_SENT && conn.firstReply === REPLY_NONE) {
      const isSynAck = (reply.flags & (SYN | ACK)) === (SYN | ACK);
      const first = isSynAck ? REPLY_SYNACK : reply.flags & RST ? REPLY_RST : REPLY_ACK;
      conn.firstReply = first;
      if (first === REPLY_SYNACK) firstReply.synack++;
      else if (first === REPLY_RST) firstReply.rst++;
      else firstReply.ack++;
    }
    const flags = reply.flags;
    if ((flags & (SYN | ACK)) === (SYN | ACK)) {
      if (conn.state === SYN_SENT && reply.ack === ((conn.isn + 1) >>> 0)) {
        conn.state = ESTABLISHED;
        conn.answered = true;
        answered++;
        if (conn.synIndex > 0) answeredAfterRetransmit++;
        conn.token++;
        conn.host.established++;
        connections.established++;
        conn.serverSeq = (reply.seq + 1) >>> 0;
        conn.serverTsval = reply.hasTs ? reply.tsval : -1;
        delays.add(at + rttUs - conn.startUs);
        scheduleSegment(conn, ACK, conn.isn + 1, conn.serverSeq, at + rttUs, conn.serverTsval);
      } else if (conn.state === ESTABLISHED) {
        // Our ACK was ignored (accept queue full): the retransmitted SYN-ACK gets a duplicate ACK.
        conn.serverTsval = reply.hasTs ? reply.tsval : conn.serverTsval;
        scheduleSegment(conn, ACK, conn.isn + 1, conn.serverSeq, at + rttUs, conn.serverTsval);
      }
      return;
    }
    if (flags & RST) {
      if (conn.state === SYN_SENT) {
        if ((flags & ACK) && reply.ack === ((conn.isn + 1) >>> 0)) {
          conn.host.refused++;
          connections.refused++;
          finish(conn, at, false);
        }
      } else if (conn.state !== DONE) {
        connections.reset++;
        conn.host.failed++;
        finish(conn, at, false);
      }
      return;
    }
    if (flags & FIN) {
      conn.serverTsval = reply.hasTs ? reply.tsval : conn.serverTsval;
      conn.serverFinSeq = (reply.seq + 1) >>> 0;
      if (conn.state === ESTABLISHED) {
        // Server closed first: ACK its FIN and close too (one FIN|ACK), then the server's ACK ends it.
        conn.state = DONE;
        scheduleSegment(conn, FIN | ACK, conn.isn + 1, conn.serverFinSeq, at + rttUs, conn.serverTsval);
      } else if (conn.state === CLIENT_CLOSING) {
        conn.state = DONE;
        scheduleSegment(conn, ACK, conn.isn + 2, conn.serverFinSeq, at + rttUs, conn.serverTsval);
      }
      return;
    }
    if (flags & ACK && conn.state === SYN_SENT) {
      // A bare ACK to our SYN (TIME_WAIT on the server): unacceptable in SYN-SENT (tcp_rcv_synsent_state_process).
      conn.host.bareAcks++;
      conn.token++;
      if (population.rstOnBareAck) {
        scheduleSegment(conn, RST, reply.ack, 0, at + rttUs, 0);
        // 9603d47bad46 (≥5.6): the first retransmission follows after TCP_TIMEOUT_MIN.
        if (conn.synIndex === 0 && population.retry.quickRetryUs > 0) {
          scheduleConn(EV_SYN_TIMER, at + rttUs + population.retry.quickRetryUs, conn, conn.token);
          return;
        }
      }
      scheduleConn(EV_SYN_TIMER, synTimerAt(conn), conn, conn.token);
    }
  };

  /** When the pending SYN timer of this attempt fires (at the server: the retransmission's arrival). */
  const synTimerAt = (conn: Conn): number => conn.lastSynUs + (waits[conn.synIndex] ?? 0);

  const finish = (conn: Conn, at: number, clientTimeWait: boolean): void => {
    conn.state = DONE;
    conn.token++;
    flows.delete(conn.ext.addr, conn.ext.port, 0);
    conn.host.ports.release(conn.cport, clientTimeWait ? at + 60_000_000 : at, now);
    nat.release(conn.ext, at);
  };

  const sendSyn = (conn: Conn): void => {
    conn.lastSynUs = now;
    const host = conn.host;
    wire.saddr = conn.ext.addr;
    wire.sport = conn.ext.port;
    wire.seq = conn.isn >>> 0;
    wire.ack = 0;
    wire.flags = SYN;
    wire.window = WINDOW;
    wire.hasTs = host.timestamps;
    wire.tsval = host.timestamps ? clientTsval(conn, now) : 0;
    wire.tsecr = 0;
    wire.mss = MSS;
    wire.wscale = WSCALE;
    wire.sackOk = true;
    const result = deliverToServer(wire);
    if (conn.state === SYN_SENT && result.replies.length === 0) {
      // Nothing came back: the retransmission timer runs.
      conn.token++;
      scheduleConn(EV_SYN_TIMER, synTimerAt(conn), conn, conn.token);
    }
  };

  const openConnection = (host: ClientHost): void => {
    host.connectionsStarted++;
    const cport = host.ports.take(now);
    if (cport < 0) return;
    const ext = nat.map(host.index, host.addr, cport, now);
    if (!ext) {
      host.ports.release(cport, now, now);
      return;
    }
    const conn = new Conn(host, cport, ext, isnRng.u32(), now);
    const linear = host.clock.linear;
    if (host.timestamps && linear !== undefined) conn.tsOffset = linear.offset(host.addr, cport, serverAddr, serverPort);
    const previous = flows.get(ext.addr, ext.port, 0);
    if (previous) finish(previous, now, false);
    flows.set(ext.addr, ext.port, 0, conn);
    host.attempts++;
    attempts++;
    sendSyn(conn);
  };

  // ---- the event loop ----

  const arrivalsStart = (): number => Math.round(poisson ? arrivalRng.exponential(meanGapUs) : arrivalRng.float() * meanGapUs);
  const nextArrival = (host: ClientHost): void => {
    if (host.scheduleUs) {
      const planned = host.scheduleUs[host.connectionsStarted];
      if (planned !== undefined && planned <= durationUs) scheduleArrival(Math.max(now, planned), host);
      return;
    }
    if (perClientLimit !== undefined && host.connectionsStarted >= perClientLimit) return;
    const gap = poisson ? arrivalRng.exponential(meanGapUs) : meanGapUs;
    const at = now + Math.max(1, Math.round(gap));
    if (at <= durationUs) scheduleArrival(at, host);
  };

  for (const host of hostList) {
    if (host.scheduleUs) {
      nextArrival(host);
      continue;
    }
    const at = arrivalsStart();
    if (at <= durationUs) scheduleArrival(at, host);
  }

  const flood = scenario.flood;
  const floodStartUs = flood ? Math.round(flood.startSeconds * 1e6) : 0;
  const floodEndUs = flood ? floodStartUs + Math.round((flood.durationSeconds ?? scenario.durationSeconds - flood.startSeconds) * 1e6) : 0;
  const floodBase = flood ? ipv4ToNumber(flood.sourceBase) : 0;
  const floodMeanUs = flood ? 1e6 / flood.synsPerSecond : 0;
  if (flood) scheduleBare(EV_FLOOD, floodStartUs);

  const floodSyn = (): void => {
    if (!flood) return;
    // Draw order (source, port, ISN, TSval) is part of the seeded output.
    wire.saddr = (floodBase + floodRng.int(0, flood.sources)) >>> 0;
    wire.sport = floodRng.int(1024, 65536);
    wire.seq = floodRng.u32();
    wire.ack = 0;
    wire.flags = SYN;
    wire.window = 512;
    wire.hasTs = flood.timestamps;
    wire.tsval = flood.timestamps ? floodRng.u32() : 0;
    wire.tsecr = 0;
    wire.mss = 0;
    wire.wscale = -1;
    wire.sackOk = false;
    floodSyns++;
    attempts++;
    const result = deliverToServer(wire);
    // The first reply to this SYN classifies the attempt (a spoofed source never answers).
    const first = result.replies[0];
    if (first === undefined) firstReply.none++;
    else if ((first.flags & (SYN | ACK)) === (SYN | ACK)) {
      answered++;
      firstReply.synack++;
    } else if (first.flags & RST) firstReply.rst++;
    else firstReply.ack++;
    const next = now + Math.max(1, Math.round(flood.arrivals === "uniform" ? floodMeanUs : floodRng.exponential(floodMeanUs)));
    if (next < floodEndUs && (flood.count === undefined || floodSyns < flood.count)) scheduleBare(EV_FLOOD, next);
  };

  while (ev.size > 0) {
    const at = ev.peekTime();
    if (at > maxUs) break;
    const slot = ev.pop();
    const kind = ev.kind[slot] as number;
    now = at;
    events++;
    if (onProgress !== undefined && (events & (PROGRESS_EVENTS - 1)) === 0) onProgress(now, durationUs);
    if (kind !== EV_KERNEL_TIMER) pending--;
    switch (kind) {
      case EV_ARRIVAL: {
        const host = hostList[ev.host[slot] as number] as ClientHost;
        openConnection(host);
        nextArrival(host);
        break;
      }
      case EV_SYN_TIMER: {
        const conn = ev.conn[slot] as Conn;
        if (ev.token[slot] !== conn.token || conn.state !== SYN_SENT) break;
        if (conn.synIndex + 1 >= waits.length) {
          // Retries exhausted: connect() fails with ETIMEDOUT.
          conn.host.failed++;
          connections.timedOut++;
          finish(conn, now, false);
          break;
        }
        conn.synIndex++;
        conn.host.synRetransmits++;
        synRetransmits++;
        sendSyn(conn);
        break;
      }
      case EV_TO_SERVER: {
        const conn = ev.conn[slot] as Conn;
        const seg = loadSegment(slot, conn);
        const segFlags = seg.flags;
        const wasClosing = conn.state === CLIENT_CLOSING;
        deliverToServer(seg);
        if (wasClosing && segFlags & FIN && conn.serverConn) {
          // Client-first: the application reads EOF and closes at once; its FIN goes back to the client.
          const r = stack.close(conn.serverConn, now / 1000);
          tally("close", r.moved);
          for (const reply of r.replies) sendToClient(reply);
        } else if (conn.state === DONE && (segFlags & RST) === 0 && flows.get(conn.ext.addr, conn.ext.port, 0) === conn) {
          // The client's last segment (FIN|ACK after a server FIN, or the final ACK after its own FIN) arrived.
          connections.completed++;
          finish(conn, now, !serverFirst);
        }
        break;
      }
      case EV_APP_ACCEPT: {
        acceptTickAt = Infinity;
        if (acceptOne()) {
          acceptTickAt = now + acceptIntervalUs;
          scheduleBare(EV_APP_ACCEPT, acceptTickAt);
        }
        break;
      }
      case EV_APP_DONE: {
        const conn = ev.conn[slot] as Conn;
        const child = conn.serverConn;
        if (!child || conn.state !== ESTABLISHED) break;
        if (serverFirst) {
          const r = stack.close(child, now / 1000);
          tally("close", r.moved);
          for (const reply of r.replies) sendToClient(reply);
        } else {
          // The response reached the client, which closes first: its FIN arrives one round trip later.
          conn.state = CLIENT_CLOSING;
          scheduleSegment(conn, FIN | ACK, conn.isn + 1, conn.serverSeq, now + rttUs, conn.serverTsval);
        }
        break;
      }
      case EV_KERNEL_TIMER:
        if (now >= timerAt) timerAt = Infinity;
        runKernelTimers();
        break;
      case EV_FLOOD:
        floodSyn();
        break;
    }
    ev.release(slot);
    armKernelTimer();
    if (pending === 0) break;
  }

  // Attempts still open at the end: stalled (client believes it is connected, the server has no child) or
  // unanswered SYN-SENT cut off by maxSeconds.
  for (const conn of flows.list()) {
    if (conn.state === ESTABLISHED && !conn.serverConn) connections.stalled++;
  }
  firstReply.none = attempts - firstReply.synack - firstReply.ack - firstReply.rst;

  const tallied = new Map<CounterName, number>();
  const movedByOutcome = new Map<string, Map<CounterName, number>>();
  for (const at of firstMoves) {
    const name = COUNTER_NAMES[at % nCounters] as CounterName;
    const key = tallyKeys[Math.floor(at / nCounters)] as string;
    let byOutcome = movedByOutcome.get(key);
    if (!byOutcome) movedByOutcome.set(key, (byOutcome = new Map()));
    byOutcome.set(name, tallyCounts[at] as number);
    tallied.set(name, (tallied.get(name) ?? 0) + (tallyCounts[at] as number));
  }
  const reasons: Record<string, number> = {};
  const sortedReasons = reasonNames.map((name, i): [Reason, number] => [name, reasonCounts[i] as number]).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [name, count] of sortedReasons) reasons[name] = count;

  const counters: Record<string, number> = {};
  for (const [name, value] of stack.counters()) counters[name] = value;
  const hosts: HostOutcome[] = hostList.map((h) => ({
    addr: numberToIpv4(h.addr),
    attempts: h.attempts,
    established: h.established,
    failed: h.failed,
    refused: h.refused,
    synRetransmits: h.synRetransmits,
    bareAcks: h.bareAcks,
  }));
  const ms = (us: number): number => Math.round(us / 10) / 100;
  const summary: SimSummary = {
    scenario: scenario.name,
    seed: options.seed,
    kernel: stack.profile.version.text,
    expect: scenario.expect,
    attempts,
    answered,
    unanswered: attempts - answered,
    outcomes,
    counters,
    synsReceived,
    firstReply,
    answeredAfterRetransmit,
    synRetransmits,
    synackRetransmits,
    reasons,
    connections,
    connectDelayMs: { p50: ms(delays.quantile(0.5)), p90: ms(delays.quantile(0.9)), p99: ms(delays.quantile(0.99)), max: ms(delays.max) },
    flood: flood ? { syns: floodSyns, answered: floodAnswered } : null,
    nat: { type: scenario.nat.type, portsExhausted: nat.exhausted },
    simulatedSeconds: Math.round(now / 1000) / 1000,
    events,
    hosts,
  };
  return { summary, stack, endUs: now, tallied, movedByOutcome };
}
