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
import { Rng } from "../util/rng.js";
import { ipv4ToNumber, numberToIpv4 } from "./addr.js";
import { allocateClientPort, createClients, releaseClientPort, type ClientHost, type ClientPopulation } from "./clients.js";
import { EventQueue } from "../util/event-queue.js";
import { DurationHistogram } from "./histogram.js";
import { createTranslator, type Translation, type Translator } from "./nat.js";
import type { Scenario } from "./scenario.js";
import type { ServerStack } from "./server-stack.js";

/** Receives every segment at the server's interface, in time order (the server-side capture). */
export interface PacketSink {
  packet(atUs: number, seg: Segment): void;
}

// Event kinds (numbers keep the event objects monomorphic).
const EV_ARRIVAL = 0; // a client host opens a connection: its SYN reaches the server
const EV_SYN_TIMER = 1; // a client's SYN retransmission timer fires
const EV_TO_SERVER = 2; // a client segment reaches the server
const EV_APP_ACCEPT = 3; // the application's next accept() (rate-limited accept only)
const EV_APP_DONE = 4; // the application finished serving a connection
const EV_KERNEL_TIMER = 5; // the server kernel's next timer
const EV_FLOOD = 6; // the next spoofed SYN of a flood

class SimEvent {
  constructor(
    readonly kind: number,
    readonly conn: Conn | null,
    readonly host: ClientHost | null,
    readonly seg: Segment | null,
    readonly token: number,
  ) {}
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
   * Counter moves tallied from every kernel result (equals stack.counters() when the model is consistent;
   * timer and close() moves are included only when the stack tracks them).
   */
  readonly tallied: ReadonlyMap<CounterName, number>;
  /** Counter moves by the outcome of the segment that caused them. */
  readonly movedByOutcome: ReadonlyMap<string, ReadonlyMap<CounterName, number>>;
}

export interface SimOptions {
  readonly seed: number;
  readonly stack: ServerStack;
  readonly sink?: PacketSink;
}

const MSS = 1460;
const WSCALE = 7;
const WINDOW = 64240;

export function simulate(scenario: Scenario, options: SimOptions): SimRun {
  const rng = new Rng(options.seed);
  const stack = options.stack;
  const sink = options.sink;
  const population: ClientPopulation = createClients(scenario, rng);
  const nat: Translator = createTranslator(scenario, rng);
  const serverAddr = ipv4ToNumber(scenario.server.addr);
  const serverPort = scenario.server.port;
  const owdUs = Math.round((scenario.network.rttMs * 1000) / 2);
  const rttUs = 2 * owdUs;
  const durationUs = Math.round(scenario.durationSeconds * 1e6);
  const maxUs = Math.round(scenario.maxSeconds * 1e6);
  const serviceUs = Math.round(scenario.server.serviceTimeMs * 1000);
  const acceptIntervalUs = scenario.server.acceptRate === "unlimited" ? 0 : Math.max(1, Math.round(1e6 / scenario.server.acceptRate));
  const serverFirst = scenario.server.closePolicy === "server-first";
  const waits = population.retry.waitsUs;

  const isnRng = rng.stream("clients/isn");
  const arrivalRng = rng.stream("clients/arrivals");
  const floodRng = rng.stream("flood");

  const queue = new EventQueue<SimEvent>();
  const flows = new Map<number, Conn>();
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
  const reasons = new Map<Reason, number>();
  const tallied = new Map<CounterName, number>();
  const movedByOutcome = new Map<string, Map<CounterName, number>>();
  const delays = new DurationHistogram();
  let floodSyns = 0;
  let floodAnswered = 0;

  const schedule = (time: number, ev: SimEvent): void => {
    if (ev.kind !== EV_KERNEL_TIMER) pending++;
    queue.push(time, ev);
  };

  const flowKey = (addr: number, port: number): number => addr * 65536 + port;

  const tally = (outcome: string, moved: readonly CounterName[]): void => {
    if (moved.length === 0) return;
    let byOutcome = movedByOutcome.get(outcome);
    if (!byOutcome) movedByOutcome.set(outcome, (byOutcome = new Map()));
    for (const name of moved) {
      tallied.set(name, (tallied.get(name) ?? 0) + 1);
      byOutcome.set(name, (byOutcome.get(name) ?? 0) + 1);
    }
  };

  const synKeys = new Map<Outcome, string>();
  /** "syn:<outcome>" without building a string per SYN. */
  const synKey = (outcome: Outcome): string => {
    let key = synKeys.get(outcome);
    if (key === undefined) synKeys.set(outcome, (key = `syn:${outcome}`));
    return key;
  };

  const emit = (atUs: number, seg: Segment): void => {
    if (sink) sink.packet(atUs, seg);
  };

  const clientTsval = (conn: Conn, atServerUs: number): number =>
    conn.host.clock.tsval((atServerUs - owdUs) / 1000, conn.host.addr, conn.cport, serverAddr, serverPort);

  const segment = (conn: Conn, flags: number, seq: number, ack: number, atUs: number, tsecr: number, syn: boolean): Segment => {
    const hasTs = conn.host.timestamps && (syn || conn.serverTsval !== -1);
    return {
      saddr: conn.ext.addr,
      daddr: serverAddr,
      sport: conn.ext.port,
      dport: serverPort,
      seq: seq >>> 0,
      ack: ack >>> 0,
      flags,
      len: 0,
      window: flags & RST ? 0 : syn ? WINDOW : 502,
      hasTs: hasTs && (flags & RST) === 0,
      tsval: hasTs ? clientTsval(conn, atUs) : 0,
      tsecr: syn ? 0 : tsecr >>> 0,
      mss: syn ? MSS : 0,
      wscale: syn ? WSCALE : -1,
      sackOk: syn,
      ttl: 64,
      md5: false,
      csumOk: true,
    };
  };

  // ---- the server side ----

  const deliverToServer = (seg: Segment): SegmentResult => {
    // Timers due before this segment fire first, as softirq timers would have.
    if (stack.nextTimerMs() <= now / 1000) runKernelTimers();
    emit(now, seg);
    const result = stack.receive(seg, now / 1000);
    const isSyn = (seg.flags & (SYN | ACK)) === SYN;
    tally(isSyn ? synKey(result.outcome) : result.outcome, result.moved);
    if (isSyn) {
      synsReceived++;
      countSynOutcome(result.outcome);
      reasons.set(result.reason, (reasons.get(result.reason) ?? 0) + 1);
    }
    for (const reply of result.replies) sendToClient(reply);
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
    for (const reply of result.replies) sendToClient(reply);
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
      queue.push(at, new SimEvent(EV_KERNEL_TIMER, null, null, null, 0));
    }
  };

  const onChildQueued = (): void => {
    if (acceptIntervalUs === 0) {
      acceptAll();
      return;
    }
    if (acceptTickAt === Infinity) {
      acceptTickAt = now;
      schedule(now, new SimEvent(EV_APP_ACCEPT, null, null, null, 0));
    }
  };

  const acceptOne = (): boolean => {
    const child = stack.accept(now / 1000);
    if (!child) return false;
    const conn = flows.get(flowKey(child.raddr, child.rport));
    if (conn) {
      conn.serverConn = child;
      schedule(now + serviceUs, new SimEvent(EV_APP_DONE, conn, null, null, conn.token));
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
    const conn = flows.get(flowKey(reply.daddr, reply.dport));
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
        schedule(at + rttUs, new SimEvent(EV_TO_SERVER, conn, null, segment(conn, ACK, conn.isn + 1, conn.serverSeq, at + rttUs, conn.serverTsval, false), 0));
      } else if (conn.state === ESTABLISHED) {
        // Our ACK was ignored (accept queue full): the retransmitted SYN-ACK gets a duplicate ACK.
        conn.serverTsval = reply.hasTs ? reply.tsval : conn.serverTsval;
        schedule(at + rttUs, new SimEvent(EV_TO_SERVER, conn, null, segment(conn, ACK, conn.isn + 1, conn.serverSeq, at + rttUs, conn.serverTsval, false), 0));
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
        schedule(at + rttUs, new SimEvent(EV_TO_SERVER, conn, null, segment(conn, FIN | ACK, conn.isn + 1, conn.serverFinSeq, at + rttUs, conn.serverTsval, false), 0));
      } else if (conn.state === CLIENT_CLOSING) {
        conn.state = DONE;
        schedule(at + rttUs, new SimEvent(EV_TO_SERVER, conn, null, segment(conn, ACK, conn.isn + 2, conn.serverFinSeq, at + rttUs, conn.serverTsval, false), 0));
      }
      return;
    }
    if (flags & ACK && conn.state === SYN_SENT) {
      // A bare ACK to our SYN (TIME_WAIT on the server): unacceptable in SYN-SENT (tcp_rcv_synsent_state_process).
      conn.host.bareAcks++;
      conn.token++;
      if (population.rstOnBareAck) {
        const rst = segment(conn, RST, reply.ack, 0, at + rttUs, 0, false);
        schedule(at + rttUs, new SimEvent(EV_TO_SERVER, conn, null, rst, 0));
        // 9603d47bad46 (≥5.6): the first retransmission follows after TCP_TIMEOUT_MIN.
        if (conn.synIndex === 0 && population.retry.quickRetryUs > 0) {
          schedule(at + rttUs + population.retry.quickRetryUs, new SimEvent(EV_SYN_TIMER, conn, null, null, conn.token));
          return;
        }
      }
      schedule(synTimerAt(conn), new SimEvent(EV_SYN_TIMER, conn, null, null, conn.token));
    }
  };

  /** When the pending SYN timer of this attempt fires (at the server: the retransmission's arrival). */
  const synTimerAt = (conn: Conn): number => conn.lastSynUs + (waits[conn.synIndex] ?? 0);

  const finish = (conn: Conn, at: number, clientTimeWait: boolean): void => {
    conn.state = DONE;
    conn.token++;
    flows.delete(flowKey(conn.ext.addr, conn.ext.port));
    releaseClientPort(conn.host, conn.cport, clientTimeWait ? at + 60_000_000 : at);
    nat.release(conn.ext, at);
  };

  const sendSyn = (conn: Conn): void => {
    conn.lastSynUs = now;
    const seg = segment(conn, SYN, conn.isn, 0, now, 0, true);
    const result = deliverToServer(seg);
    if (conn.state === SYN_SENT && result.replies.length === 0) {
      // Nothing came back: the retransmission timer runs.
      conn.token++;
      schedule(synTimerAt(conn), new SimEvent(EV_SYN_TIMER, conn, null, null, conn.token));
    }
  };

  const openConnection = (host: ClientHost): void => {
    host.connectionsStarted++;
    const cport = allocateClientPort(population, host, now);
    if (cport < 0) return;
    const ext = nat.map(host.index, host.addr, cport, now);
    if (!ext) {
      releaseClientPort(host, cport, now);
      return;
    }
    const conn = new Conn(host, cport, ext, isnRng.u32(), now);
    const key = flowKey(ext.addr, ext.port);
    const previous = flows.get(key);
    if (previous) finish(previous, now, false);
    flows.set(key, conn);
    host.attempts++;
    attempts++;
    sendSyn(conn);
  };

  // ---- the event loop ----

  const arrivalsStart = (): number => {
    const mean = 1e6 / scenario.clients.connectionsPerSecond;
    return Math.round(scenario.clients.arrivals === "poisson" ? arrivalRng.exponential(mean) : arrivalRng.float() * mean);
  };
  const nextArrival = (host: ClientHost): void => {
    const limit = scenario.clients.connectionsPerClient;
    if (limit !== undefined && host.connectionsStarted >= limit) return;
    const mean = 1e6 / scenario.clients.connectionsPerSecond;
    const gap = scenario.clients.arrivals === "poisson" ? arrivalRng.exponential(mean) : mean;
    const at = now + Math.max(1, Math.round(gap));
    if (at <= durationUs) schedule(at, new SimEvent(EV_ARRIVAL, null, host, null, 0));
  };

  for (const host of population.hosts) {
    const at = arrivalsStart();
    if (at <= durationUs) schedule(at, new SimEvent(EV_ARRIVAL, null, host, null, 0));
  }

  const flood = scenario.flood;
  const floodStartUs = flood ? Math.round(flood.startSeconds * 1e6) : 0;
  const floodEndUs = flood ? floodStartUs + Math.round((flood.durationSeconds ?? scenario.durationSeconds - flood.startSeconds) * 1e6) : 0;
  const floodBase = flood ? ipv4ToNumber(flood.sourceBase) : 0;
  const floodMeanUs = flood ? 1e6 / flood.synsPerSecond : 0;
  if (flood) schedule(floodStartUs, new SimEvent(EV_FLOOD, null, null, null, 0));

  const floodSyn = (): void => {
    if (!flood) return;
    const saddr = (floodBase + floodRng.int(0, flood.sources)) >>> 0;
    const seg: Segment = {
      saddr,
      daddr: serverAddr,
      sport: floodRng.int(1024, 65536),
      dport: serverPort,
      seq: floodRng.u32(),
      ack: 0,
      flags: SYN,
      len: 0,
      window: 512,
      hasTs: flood.timestamps,
      tsval: flood.timestamps ? floodRng.u32() : 0,
      tsecr: 0,
      mss: 0,
      wscale: -1,
      sackOk: false,
      ttl: 64,
      md5: false,
      csumOk: true,
    };
    floodSyns++;
    attempts++;
    const result = deliverToServer(seg);
    // The first reply to this SYN classifies the attempt (a spoofed source never answers).
    const first = result.replies[0];
    if (first === undefined) firstReply.none++;
    else if ((first.flags & (SYN | ACK)) === (SYN | ACK)) {
      answered++;
      firstReply.synack++;
    } else if (first.flags & RST) firstReply.rst++;
    else firstReply.ack++;
    const next = now + Math.max(1, Math.round(floodRng.exponential(floodMeanUs)));
    if (next < floodEndUs) schedule(next, new SimEvent(EV_FLOOD, null, null, null, 0));
  };

  while (queue.size > 0) {
    const at = queue.peekTime();
    if (at > maxUs) break;
    const ev = queue.pop() as SimEvent;
    now = at;
    events++;
    if (ev.kind !== EV_KERNEL_TIMER) pending--;
    switch (ev.kind) {
      case EV_ARRIVAL: {
        const host = ev.host as ClientHost;
        openConnection(host);
        nextArrival(host);
        break;
      }
      case EV_SYN_TIMER: {
        const conn = ev.conn as Conn;
        if (ev.token !== conn.token || conn.state !== SYN_SENT) break;
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
        const conn = ev.conn as Conn;
        const seg = ev.seg as Segment;
        const wasClosing = conn.state === CLIENT_CLOSING;
        deliverToServer(seg);
        if (wasClosing && seg.flags & FIN && conn.serverConn) {
          // Client-first: the application reads EOF and closes at once; its FIN goes back to the client.
          const r = stack.close(conn.serverConn, now / 1000);
          tally("close", r.moved);
          for (const reply of r.replies) sendToClient(reply);
        } else if (conn.state === DONE && (seg.flags & RST) === 0 && flows.get(flowKey(conn.ext.addr, conn.ext.port)) === conn) {
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
          schedule(acceptTickAt, new SimEvent(EV_APP_ACCEPT, null, null, null, 0));
        }
        break;
      }
      case EV_APP_DONE: {
        const conn = ev.conn as Conn;
        const child = conn.serverConn;
        if (!child || conn.state !== ESTABLISHED) break;
        if (serverFirst) {
          const r = stack.close(child, now / 1000);
          tally("close", r.moved);
          for (const reply of r.replies) sendToClient(reply);
        } else {
          // The response reached the client, which closes first: its FIN arrives one round trip later.
          conn.state = CLIENT_CLOSING;
          schedule(now + rttUs, new SimEvent(EV_TO_SERVER, conn, null, segment(conn, FIN | ACK, conn.isn + 1, conn.serverSeq, now + rttUs, conn.serverTsval, false), 0));
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
    armKernelTimer();
    if (pending === 0) break;
  }

  // Attempts still open at the end: stalled (client believes it is connected, the server has no child) or
  // unanswered SYN-SENT cut off by maxSeconds.
  for (const conn of flows.values()) {
    if (conn.state === ESTABLISHED && !conn.serverConn) connections.stalled++;
  }
  firstReply.none = attempts - firstReply.synack - firstReply.ack - firstReply.rst;

  const counters: Record<string, number> = {};
  for (const [name, value] of stack.counters()) counters[name] = value;
  const hosts: HostOutcome[] = population.hosts.map((h) => ({
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
    reasons: Object.fromEntries([...reasons.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
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
