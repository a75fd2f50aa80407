/**
 * One server host (one network namespace) as the Linux SYN path sees it: listeners with their SYN and accept
 * queues, the established hash (request socks, children, TIME_WAIT socks), the per-peer tcp_metrics cache,
 * MIB counters and kernel log lines. Pure: time comes in as `nowMs`, randomness through the seed / functions
 * in HostOptions. Rules follow shared/spec/linux-syn-path.md; each names the kernel function it stands for.
 *
 * Hot path: the established hash and tcp_metrics are FlowTables with exact keys in typed arrays (a Map keyed
 * by addr·65536+port boxed a double per lookup); counters live in a Float64Array; timers drop dead socks in
 * bulk; a SYN allocates only its result, its reply and (when queued) its request sock.
 */
import { EventQueue } from "../util/event-queue.js";
import { C, COUNTER_NAMES, type CounterName } from "./counters.js";
import { KernelConfigError } from "./errors.js";
import { createFlowHash, hash4 } from "./hash.js";
import { profileFor, type KernelProfile } from "./profile.js";
import { seqAfter, seqBefore, seqDiff } from "./seq.js";
import { validateSysctl, type SysctlName } from "./sysctl.js";
import { FlowTable } from "../util/flow-table.js";
import { createTsClock } from "./timestamps.js";
import {
  ACK,
  FIN,
  RST,
  SYN,
  type ConnState,
  type Connection,
  type ListenerOptions,
  type ListenerSnapshot,
  type Outcome,
  type PathPolicy,
  type PeerMetrics,
  type Reason,
  type Reply,
  type ReplyKind,
  type RequestSock,
  type Segment,
  type SegmentResult,
  type TimeWait,
  type TimeWaitSubstate,
  type TsClock,
} from "./types.js";
import type { Backports } from "./version.js";

/** include/net/tcp.h constants (§1). */
export const TCP_TIMEWAIT_LEN_MS = 60_000;
export const TCP_PAWS_MSL_S = 60;
export const TCP_PAWS_WINDOW = 1;
export const TCP_RTO_MAX_MS = 120_000;
const TCP_SYNCOOKIE_VALID_MS = 120_000;
const MAX_SYNCOOKIE_AGE = 2;

export interface HostOptions {
  /** Kernel version string ("3.10.0-1160.el7") or a profile. */
  readonly kernel: string | KernelProfile;
  readonly backports?: Backports;
  /** Sysctl overrides; validated against this kernel (KernelConfigError on a missing sysctl or bad value). */
  readonly sysctls?: Readonly<Record<string, number | string>>;
  /** Seed of the host's secret: ISNs, SYN cookies and (default clock) TS offsets derive from it. */
  readonly seed?: number;
  /** The server's TSval clock; default: this kernel's regime with uptime `uptimeAtZeroMs`, offsets from seed. */
  readonly tsClock?: TsClock;
  /** Host uptime when nowMs = 0 (default clock only). */
  readonly uptimeAtZeroMs?: number;
  /** CONFIG_HZ for the default clock on < 4.13 (default 1000). */
  readonly hz?: number;
  /** ISN of a new request (secure_tcp_seq); default: seeded hash plus a 64-ns clock like the kernel's. */
  readonly isn?: (laddr: number, lport: number, raddr: number, rport: number, nowMs: number) => number;
  /** Verdicts of the layers before TCP. */
  readonly policy?: PathPolicy;
  /** MSS and window scale the server advertises in its SYN-ACK. */
  readonly mss?: number;
  readonly wscale?: number;
  /** RTO of established connections (ms), for tw_recycle's 3.5×RTO TIME_WAIT (default 200, TCP_RTO_MIN). */
  readonly rtoMs?: number;
  /**
   * List the counters each segment moved in `SegmentResult.moved` (default true). A caller that only reads the
   * counters (a long simulation) turns it off: `moved` is then always empty and no list is built per segment.
   */
  readonly recordMoves?: boolean;
}

/** A kernel log line (dmesg) with the time it was printed. */
export interface KernelLogLine {
  readonly atMs: number;
  readonly text: string;
}

/** Fields of a TIME_WAIT socket created directly (tests, replay of a capture's earlier connection). */
export interface TimeWaitInit {
  laddr: number;
  lport: number;
  raddr: number;
  rport: number;
  rcvNxt: number;
  sndNxt: number;
  /** Last TSval seen from the peer; omit for a connection without timestamps. */
  tsRecent?: number;
  substate?: TimeWaitSubstate;
  rcvWnd?: number;
  /** Lifetime from nowMs (default 60 s). */
  lifetimeMs?: number;
}

const KIND_REQ = 1;
const KIND_TW = 2;
const KIND_CONN = 3;

class Listener {
  readonly key: number;
  readonly acceptQueue: Conn[] = [];
  acceptHead = 0;
  synq = 0;
  young = 0;
  drops = 0;
  floodWarned = false;
  /** Last time cookies were sent (tcp_synq_overflow), -Infinity = never. */
  lastOverflowMs = Number.NEGATIVE_INFINITY;
  readonly md5: ReadonlySet<number> | undefined;
  constructor(
    readonly addr: number,
    readonly port: number,
    readonly backlog: number,
    /** sk_max_ack_backlog = min(backlog, somaxconn). */
    readonly B: number,
    /** < 4.4: 2^max_qlen_log of reqsk_queue_alloc(). */
    readonly pow2Limit: number,
    readonly minTtl: number,
    md5Peers: readonly number[] | undefined,
    readonly synackRetries: number,
  ) {
    this.key = addr * 65536 + port;
    this.md5 = md5Peers && md5Peers.length > 0 ? new Set(md5Peers) : undefined;
  }
  get acceptLen(): number {
    return this.acceptQueue.length - this.acceptHead;
  }
}

class Req implements RequestSock {
  readonly kind = KIND_REQ;
  dead = false;
  /** Listing order in the established hash (see EhashGroup). */
  ehSeq = 0;
  timerDue = 0;
  retrans = 0;
  acked = false;
  nextTimerMs = 0;
  lastOowAckMs = Number.NEGATIVE_INFINITY;
  young = true;
  constructor(
    readonly listener: Listener,
    readonly laddr: number,
    readonly lport: number,
    readonly raddr: number,
    readonly rport: number,
    readonly rcvIsn: number,
    readonly sntIsn: number,
    readonly hasTs: boolean,
    public tsRecent: number,
    readonly mss: number,
    readonly wscale: number,
    readonly sackOk: boolean,
    readonly createdMs: number,
  ) {}
}

class Tw implements TimeWait {
  readonly kind = KIND_TW;
  dead = false;
  /** Listing order in the established hash (see EhashGroup). */
  ehSeq = 0;
  timerDue = 0;
  expiresMs = 0;
  lastOowAckMs = Number.NEGATIVE_INFINITY;
  /** tw_timeout: 60 s, or 3.5×RTO when tw_recycle remembered the stamp. */
  timeoutMs = TCP_TIMEWAIT_LEN_MS;
  /** Scheduled with a timeout ≤ 4 s: counts TWKilled instead of TW. */
  kill = false;
  constructor(
    readonly laddr: number,
    readonly lport: number,
    readonly raddr: number,
    readonly rport: number,
    public substate: TimeWaitSubstate,
    public rcvNxt: number,
    public sndNxt: number,
    public tsRecent: number,
    public tsRecentStamp: number,
    public rcvWnd: number,
    readonly enteredMs: number,
  ) {}
}

class Conn implements Connection {
  readonly kind = KIND_CONN;
  dead = false;
  /** Listing order in the established hash (see EhashGroup). */
  ehSeq = 0;
  queued = true;
  constructor(
    readonly listener: Listener,
    readonly laddr: number,
    readonly lport: number,
    readonly raddr: number,
    readonly rport: number,
    public state: ConnState,
    public sndNxt: number,
    public rcvNxt: number,
    public hasTs: boolean,
    public tsRecent: number,
    public tsRecentStamp: number,
    public rtoMs: number,
    readonly openedMs: number,
  ) {}
}

type Sock = Req | Tw | Conn;
type TimedSock = Req | Tw;

/**
 * One local address:port of the established hash. `sockets()` lists socks by group (in the order groups
 * appeared), then by insertion (a sock that replaces another under the same 4-tuple takes its `ehSeq`): the
 * order the earlier Map of Maps iterated in, so ss output stays the same.
 */
class EhashGroup {
  constructor(
    readonly laddr: number,
    readonly lport: number,
    readonly index: number,
  ) {}
}

const NO_REPLIES: readonly Reply[] = Object.freeze([]);
/** `moved` when HostOptions.recordMoves is false: never written (inc() checks for it), frozen to be sure. */
const NOT_RECORDED = Object.freeze([]) as unknown as CounterName[];

/**
 * get_seconds()/ktime_get_seconds(): the model's seconds clock starts at a large base so that a stamp taken
 * at nowMs < 1000 is not 0 (0 means "no timestamp" in tw_ts_recent_stamp and tcpm_ts_stamp).
 */
const SECONDS_BASE = 1_000_000;
export function secondsAt(ms: number): number {
  return Math.floor(ms / 1000) + SECONDS_BASE;
}
const sec = secondsAt;

function ipv4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** The server host. Create with `createHost()`. */
export class ServerHost {
  readonly profile: KernelProfile;
  private readonly values: Float64Array;
  private readonly present: Uint8Array;
  private readonly sysctlValues = new Map<SysctlName, number>();
  // Hot-path copies of sysctls.
  private somaxconn = 0;
  private maxSynBacklog = 0;
  private syncookies = 0;
  private abortOnOverflow = 0;
  private synackRetries = 0;
  private tcpTimestamps = 0;
  private twRecycle = 0;
  private maxTwBuckets = 0;
  private rfc1337 = 0;
  private invalidRatelimit = 0;
  private finTimeoutMs = 0;
  private noMetricsSave = 0;
  private rtoMaxMs = TCP_RTO_MAX_MS;

  private readonly listenersByKey = new Map<number, Listener>();
  /** Established hash by (laddr, raddr, lport·65536 + rport); groups keep the listing order. */
  private readonly ehash = new FlowTable<Sock>();
  private ehashSeq = 0;
  private readonly ehashGroupByKey = new Map<number, EhashGroup>();
  private lastEhashGroup: EhashGroup | undefined = undefined;
  /** tcp_metrics by (laddr, raddr, 0). */
  private readonly metrics = new FlowTable<PeerMetrics>(64);
  private twCount = 0;
  private reqCount = 0;
  private readonly logLines: KernelLogLine[] = [];
  private lastConntrackLogMs = Number.NEGATIVE_INFINITY;

  // Timers (min by due, then insertion order), with lazy deletion via sock.timerDue. Dead socks' entries are
  // dropped in bulk once the queue doubled since the last sweep: a request that completes in a millisecond would
  // otherwise stay queued for its 1 s SYN-ACK timer (100 k of them per simulated second at high rates). A dead sock
  // never comes back, so the entries that remain, and their order, are those of the lazy queue.
  private readonly timers = new EventQueue<TimedSock>();
  private compactTimersAt = 1024;
  private pendingTimerOut: Reply[] = [];

  private readonly seed: number;
  private readonly tsClockGiven: TsClock | undefined;
  private readonly tsClockOffsets: TsClock;
  private readonly tsClockPlain: TsClock;
  private readonly isnFn: HostOptions["isn"];
  private readonly policy: PathPolicy;
  private readonly mss: number;
  private readonly wscale: number;
  private readonly rtoMs: number;
  private readonly recordMoves: boolean;
  private readonly b: KernelProfile["behaviour"];

  constructor(options: HostOptions) {
    this.profile = typeof options.kernel === "string" ? profileFor(options.kernel, options.backports) : options.kernel;
    this.b = this.profile.behaviour;
    this.values = new Float64Array(COUNTER_NAMES.length);
    this.present = new Uint8Array(COUNTER_NAMES.length);
    for (const name of this.profile.counters) this.present[C[name]] = 1;
    for (const [name, spec] of this.profile.sysctls) this.sysctlValues.set(name, spec.defaultValue);
    for (const [name, value] of Object.entries(options.sysctls ?? {})) this.setSysctl(name, value);
    this.refreshSysctls();
    this.seed = (options.seed ?? 0) | 0;
    this.tsClockGiven = options.tsClock;
    const hash = createFlowHash(this.seed ^ 0x54530000);
    const clockBase = { kernel: this.profile, hash, uptimeAtZeroMs: options.uptimeAtZeroMs ?? 0, hz: options.hz ?? 1000 };
    this.tsClockOffsets = createTsClock({ ...clockBase, tcpTimestamps: 1 });
    this.tsClockPlain = createTsClock({ ...clockBase, tcpTimestamps: 2 });
    this.isnFn = options.isn;
    this.policy = options.policy ?? {};
    this.mss = options.mss ?? 1460;
    this.wscale = options.wscale ?? 7;
    this.rtoMs = options.rtoMs ?? 200;
    this.recordMoves = options.recordMoves ?? true;
  }

  // ---------------------------------------------------------------- sysctls

  /** Sets a sysctl; throws KernelConfigError if this kernel lacks it or refuses the value. */
  setSysctl(name: string, value: number | string): void {
    const ok = validateSysctl(this.profile.sysctls, this.profile.version, name, value);
    this.sysctlValues.set(ok.name, ok.value);
    this.refreshSysctls();
  }

  /** Current value; throws KernelConfigError if this kernel lacks the sysctl. */
  sysctl(name: string): number {
    const value = this.sysctlValues.get(name as SysctlName);
    if (value === undefined) {
      validateSysctl(this.profile.sysctls, this.profile.version, name, 0);
      throw new KernelConfigError("unknown-sysctl", `sysctl ${name} is not modelled`);
    }
    return value;
  }

  /** All sysctls of this kernel with their current values (for sysctl.txt). */
  sysctls(): Record<string, number> {
    return Object.fromEntries(this.sysctlValues);
  }

  private refreshSysctls(): void {
    const get = (n: SysctlName): number => this.sysctlValues.get(n) ?? 0;
    this.somaxconn = get("net.core.somaxconn");
    this.maxSynBacklog = get("net.ipv4.tcp_max_syn_backlog");
    this.syncookies = get("net.ipv4.tcp_syncookies");
    this.abortOnOverflow = get("net.ipv4.tcp_abort_on_overflow");
    this.synackRetries = get("net.ipv4.tcp_synack_retries");
    this.tcpTimestamps = get("net.ipv4.tcp_timestamps");
    this.twRecycle = get("net.ipv4.tcp_tw_recycle");
    this.maxTwBuckets = get("net.ipv4.tcp_max_tw_buckets");
    this.rfc1337 = get("net.ipv4.tcp_rfc1337");
    this.invalidRatelimit = get("net.ipv4.tcp_invalid_ratelimit");
    this.finTimeoutMs = get("net.ipv4.tcp_fin_timeout") * 1000;
    this.noMetricsSave = get("net.ipv4.tcp_no_metrics_save");
    this.rtoMaxMs = this.sysctlValues.get("net.ipv4.tcp_rto_max_ms") ?? TCP_RTO_MAX_MS;
  }

  // ---------------------------------------------------------------- counters and log

  /** Value of one counter (0 for counters this kernel lacks). */
  counter(name: CounterName): number {
    return this.values[C[name]] ?? 0;
  }

  /** All counters this kernel has, nstat names → values. */
  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const name of this.profile.counters) out[name] = this.values[C[name]] ?? 0;
    return out;
  }

  /** Kernel log lines printed so far. */
  get log(): readonly KernelLogLine[] {
    return this.logLines;
  }

  private inc(id: number, moved: CounterName[]): void {
    if (this.present[id] === 1) {
      this.values[id] = (this.values[id] ?? 0) + 1;
      if (moved !== NOT_RECORDED) moved.push(COUNTER_NAMES[id] as CounterName);
    }
  }

  /** A list for the moves of one call, or the shared empty one when moves are not recorded. */
  private movedList(): CounterName[] {
    return this.recordMoves ? [] : NOT_RECORDED;
  }

  // ---------------------------------------------------------------- listeners

  /** listen(): inet_csk_listen_start(); B = min(backlog, somaxconn), negative backlog → somaxconn. */
  listen(addr: number, port: number, backlog: number, options: ListenerOptions = {}): ListenerSnapshot {
    const key = addr * 65536 + port;
    if (this.listenersByKey.has(key)) {
      throw new KernelConfigError("bad-listener", `already listening on ${ipv4Text(addr)}:${port}`);
    }
    // __sys_listen(): (unsigned) backlog capped by somaxconn.
    const B = backlog < 0 || backlog > this.somaxconn ? this.somaxconn : Math.floor(backlog);
    // reqsk_queue_alloc() < 4.4: nr = roundup_pow_of_two(max(min(B, max_syn_backlog), 8) + 1).
    let nr = Math.max(Math.min(B, this.maxSynBacklog), 8) + 1;
    let pow2 = 8;
    while (pow2 < nr) pow2 *= 2;
    nr = pow2;
    const l = new Listener(addr, port, backlog, B, nr, options.minTtl ?? 0, options.md5Peers, options.synackRetries ?? 0);
    this.listenersByKey.set(key, l);
    return this.snapshotOf(l);
  }

  /** Closes a listener; its requests and unaccepted children are dropped. */
  unlisten(addr: number, port: number): void {
    const l = this.listenersByKey.get(addr * 65536 + port);
    if (!l) return;
    this.listenersByKey.delete(l.key);
    for (const s of this.ehashList()) {
      if ((s.kind === KIND_REQ || (s.kind === KIND_CONN && s.queued)) && s.listener === l) {
        s.dead = true;
        this.ehashDelete(s);
        if (s.kind === KIND_REQ) this.reqCount--;
      }
    }
  }

  listenerSnapshot(addr: number, port: number): ListenerSnapshot | undefined {
    const l = this.listenersByKey.get(addr * 65536 + port);
    return l ? this.snapshotOf(l) : undefined;
  }

  listenerSnapshots(): ListenerSnapshot[] {
    return [...this.listenersByKey.values()].map((l) => this.snapshotOf(l));
  }

  private snapshotOf(l: Listener): ListenerSnapshot {
    return {
      addr: l.addr,
      port: l.port,
      backlog: l.backlog,
      effectiveBacklog: l.B,
      acceptQueue: l.acceptLen,
      synQueue: l.synq,
      young: l.young,
      drops: l.drops,
      floodWarned: l.floodWarned,
    };
  }

  /** __inet_lookup_listener(): exact address first, then 0.0.0.0. */
  private lookupListener(daddr: number, dport: number): Listener | undefined {
    return this.listenersByKey.get(daddr * 65536 + dport) ?? this.listenersByKey.get(dport);
  }

  /** accept(): the oldest child of the listener bound to addr:port, or undefined. */
  accept(addr: number, port: number): Connection | undefined {
    const l = this.listenersByKey.get(addr * 65536 + port);
    if (!l) return undefined;
    while (l.acceptHead < l.acceptQueue.length) {
      const c = l.acceptQueue[l.acceptHead] as Conn;
      l.acceptHead++;
      if (l.acceptHead > 1024 && l.acceptHead * 2 > l.acceptQueue.length) {
        l.acceptQueue.splice(0, l.acceptHead);
        l.acceptHead = 0;
      }
      if (c.dead) continue;
      c.queued = false;
      return c;
    }
    return undefined;
  }

  private removeFromAcceptQueue(c: Conn): void {
    const q = c.listener.acceptQueue;
    const i = q.indexOf(c, c.listener.acceptHead);
    if (i >= 0) q.splice(i, 1);
    c.queued = false;
  }

  // ---------------------------------------------------------------- ehash

  private ehashGet(laddr: number, lport: number, raddr: number, rport: number): Sock | undefined {
    return this.ehash.get(laddr, raddr, (lport << 16) | rport);
  }

  private ehashGroup(laddr: number, lport: number): EhashGroup {
    const last = this.lastEhashGroup;
    if (last !== undefined && last.laddr === laddr && last.lport === lport) return last;
    const key = laddr * 65536 + lport;
    let g = this.ehashGroupByKey.get(key);
    if (g === undefined) {
      g = new EhashGroup(laddr, lport, this.ehashGroupByKey.size);
      this.ehashGroupByKey.set(key, g);
    }
    this.lastEhashGroup = g;
    return g;
  }

  private ehashSet(s: Sock): void {
    const old = this.ehash.set(s.laddr, s.raddr, (s.lport << 16) | s.rport, s);
    if (old === s) return;
    if (old !== undefined) {
      // Replacing under the same 4-tuple keeps the listing position (as Map.set does).
      s.ehSeq = old.ehSeq;
      return;
    }
    this.ehashGroup(s.laddr, s.lport);
    s.ehSeq = this.ehashSeq++;
  }

  /** Every sock of the established hash in listing order. */
  private ehashList(): Sock[] {
    const groupIndex = (s: Sock): number => (this.ehashGroupByKey.get(s.laddr * 65536 + s.lport) as EhashGroup).index;
    return this.ehash.list().sort((a, b) => groupIndex(a) - groupIndex(b) || a.ehSeq - b.ehSeq);
  }

  private ehashDelete(s: Sock): void {
    const key3 = (s.lport << 16) | s.rport;
    if (this.ehash.get(s.laddr, s.raddr, key3) !== s) return;
    this.ehash.delete(s.laddr, s.raddr, key3);
  }

  /** Request socks (SYN-RECV) of all listeners. */
  get requestCount(): number {
    return this.reqCount;
  }

  /** TIME_WAIT sockets (both substates). */
  get timeWaitCount(): number {
    return this.twCount;
  }

  findTimeWait(laddr: number, lport: number, raddr: number, rport: number): TimeWait | undefined {
    const s = this.ehashGet(laddr, lport, raddr, rport);
    return s !== undefined && s.kind === KIND_TW ? s : undefined;
  }

  findRequest(laddr: number, lport: number, raddr: number, rport: number): RequestSock | undefined {
    const s = this.ehashGet(laddr, lport, raddr, rport);
    return s !== undefined && s.kind === KIND_REQ ? s : undefined;
  }

  findConnection(laddr: number, lport: number, raddr: number, rport: number): Connection | undefined {
    const s = this.ehashGet(laddr, lport, raddr, rport);
    return s !== undefined && s.kind === KIND_CONN ? s : undefined;
  }

  /** Every socket in the established hash, for `ss -tan`. */
  *sockets(): Generator<Connection | TimeWait | RequestSock> {
    yield* this.ehashList();
  }

  // ---------------------------------------------------------------- tcp_metrics

  /** tcp_metrics entry for (local, peer), created when `create`. */
  private metricsFor(laddr: number, raddr: number, create: boolean): PeerMetrics | undefined {
    let m = this.metrics.get(laddr, raddr, 0);
    if (m === undefined && create) {
      m = { hasRtt: false, tsRecent: 0, tsStamp: 0 };
      this.metrics.set(laddr, raddr, 0, m);
    }
    return m;
  }

  /** `ip tcp_metrics show` entry for (local, peer), if any. */
  peerMetrics(laddr: number, raddr: number): PeerMetrics | undefined {
    const m = this.metricsFor(laddr, raddr, false);
    return m ? { ...m } : undefined;
  }

  /** Stores (or clears) an RTT for the peer, as a completed earlier connection would. */
  setPeerRtt(laddr: number, raddr: number, hasRtt: boolean): void {
    const m = this.metricsFor(laddr, raddr, true);
    if (m) m.hasRtt = hasRtt;
  }

  /** Seeds the tw_recycle timestamp cache as if a TSval was stored at `atMs` (tests, replay). */
  setPeerTimestamp(laddr: number, raddr: number, tsRecent: number, atMs: number): void {
    const m = this.metricsFor(laddr, raddr, true);
    if (m) {
      m.tsRecent = tsRecent >>> 0;
      m.tsStamp = sec(atMs);
    }
  }

  /** `ip tcp_metrics flush all`. */
  flushMetrics(): void {
    this.metrics.clear();
  }

  /** tcp_update_metrics(): a connection that closed leaves an RTT sample unless tcp_no_metrics_save. */
  private updateMetrics(laddr: number, raddr: number): void {
    if (this.noMetricsSave !== 0) return;
    const m = this.metricsFor(laddr, raddr, true);
    if (m) m.hasRtt = true;
  }

  /**
   * tcp_peer_is_proven(), net/ipv4/tcp_metrics.c. paws_check: the tw_recycle per-peer test (false = the SYN
   * is older than the cached TSval of a fresh entry); otherwise the ¾-rule test (an RTT is stored).
   */
  private peerIsProven(laddr: number, raddr: number, pawsCheck: boolean, nowMs: number, hasTs: boolean, tsval: number): boolean {
    const m = this.metricsFor(laddr, raddr, false);
    if (pawsCheck) {
      if (m === undefined) return true;
      const fresh = m.tsStamp !== 0 && sec(nowMs) - m.tsStamp < TCP_PAWS_MSL_S;
      if (!fresh) return true;
      // ≥3.17 (a26552afe894): a SYN without TS from a fresh peer is rejected too.
      if (!hasTs) return this.b.twRecycle !== "ts-and-no-ts";
      return !(seqDiff(m.tsRecent, tsval) > TCP_PAWS_WINDOW);
    }
    if (m === undefined || !m.hasRtt) return false;
    // ≤4.11 also required tcpm_ts_stamp != 0 [CODE 3.10 tcp_metrics.c].
    return this.b.provenNeedsTsStamp ? m.tsStamp !== 0 : true;
  }

  // ---------------------------------------------------------------- timers

  /** Time of the next timer (SYN-ACK retransmit, request expiry, TIME_WAIT expiry); Infinity if none. */
  nextTimerMs(): number {
    this.dropStaleTimers();
    return this.timers.peekTime();
  }

  /** Fires every timer due at or before nowMs, in time order; returns the segments they sent. */
  advance(nowMs: number): Reply[] {
    const out = this.pendingTimerOut;
    this.pendingTimerOut = [];
    this.runTimers(nowMs, out);
    return out;
  }

  private runTimers(nowMs: number, out: Reply[]): void {
    while (this.timers.size > 0 && this.timers.peekTime() <= nowMs) {
      const due = this.timers.peekTime();
      const s = this.timers.pop() as TimedSock;
      if (s.dead || s.timerDue !== due) continue;
      if (s.kind === KIND_REQ) this.reqTimer(s, due, out);
      else this.twTimer(s);
    }
  }

  private schedule(s: TimedSock, due: number): void {
    s.timerDue = due;
    this.timers.push(due, s);
    if (this.timers.size > this.compactTimersAt) {
      this.timers.retain((s) => !s.dead);
      this.compactTimersAt = Math.max(1024, 2 * this.timers.size);
    }
  }

  private dropStaleTimers(): void {
    for (let s = this.timers.peek(); s && (s.dead || s.timerDue !== this.timers.peekTime()); s = this.timers.peek()) this.timers.pop();
  }

  /**
   * reqsk_timer_handler(), net/ipv4/inet_connection_sock.c: SYN-ACK retransmit at 1, 3, 7, 15, 31 s, expiry
   * after synack_retries timeouts (63 s by default); retries pruned towards 2 when the queue is half full
   * of old requests.
   */
  private reqTimer(req: Req, due: number, out: Reply[]): void {
    const l = req.listener;
    let maxRetries = l.synackRetries !== 0 ? l.synackRetries : this.synackRetries;
    const qlen = l.synq;
    if (qlen * 2 > Math.max(8, l.B)) {
      let young = l.young * 2;
      while (maxRetries > 2) {
        if (qlen < young) break;
        maxRetries--;
        young *= 2;
      }
    }
    // syn_ack_recalc() without TCP_DEFER_ACCEPT.
    const expire = req.retrans >= maxRetries;
    if (!expire) {
      const moved = NOT_RECORDED; // the caller gets only the segments
      out.push(this.synackReply(req, "synack-retrans", due, moved));
      // tcp_rtx_synack(): TcpRetransSegs and TCPSynRetrans
      this.inc(C.TcpRetransSegs, moved);
      this.inc(C.TcpExtTCPSynRetrans, moved);
      if (req.retrans++ === 0 && req.young) {
        req.young = false;
        l.young--;
      }
      const next = due + Math.min(this.b.initialRtoMs * 2 ** req.retrans, this.rtoMaxMs);
      req.nextTimerMs = next;
      this.schedule(req, next);
      return;
    }
    // inet_csk_reqsk_queue_drop_and_put(): no counter of its own.
    this.dropRequest(req);
  }

  private dropRequest(req: Req): void {
    req.dead = true;
    this.ehashDelete(req);
    const l = req.listener;
    l.synq--;
    if (req.young) l.young--;
    this.reqCount--;
  }

  /** tw_timer_handler(): TIME_WAIT ends; before 5.18 TW/TWKilled count here. */
  private twTimer(tw: Tw): void {
    if (!this.b.twCountedOnEntry) this.inc(tw.kill ? C.TcpExtTWKilled : C.TcpExtTW, NOT_RECORDED);
    this.killTw(tw);
  }

  private killTw(tw: Tw): void {
    tw.dead = true;
    this.ehashDelete(tw);
    this.twCount--;
  }

  // ---------------------------------------------------------------- replies

  private reply(
    kind: ReplyKind,
    atMs: number,
    saddr: number,
    sport: number,
    daddr: number,
    dport: number,
    seq: number,
    ack: number,
    flags: number,
    window: number,
    hasTs: boolean,
    tsval: number,
    tsecr: number,
  ): Reply {
    return {
      saddr,
      daddr,
      sport,
      dport,
      seq: seq >>> 0,
      ack: ack >>> 0,
      flags,
      len: 0,
      window,
      hasTs,
      tsval: tsval >>> 0,
      tsecr: tsecr >>> 0,
      mss: 0,
      wscale: -1,
      sackOk: false,
      ttl: 64,
      md5: false,
      csumOk: true,
      kind,
      atMs,
    };
  }

  private tsvalFor(nowMs: number, laddr: number, lport: number, raddr: number, rport: number): number {
    if (this.tsClockGiven) return this.tsClockGiven.tsval(nowMs, laddr, lport, raddr, rport);
    const clock = this.tcpTimestamps === 1 ? this.tsClockOffsets : this.tsClockPlain;
    return clock.tsval(nowMs, laddr, lport, raddr, rport);
  }

  /** tcp_make_synack(): window = 65535 rounded down to MSS multiples (64240 / 65160 with TS). */
  private synackReply(req: Req, kind: ReplyKind, atMs: number, moved: CounterName[]): Reply {
    const effMss = req.mss - (req.hasTs ? 12 : 0);
    const window = Math.floor(65535 / effMss) * effMss;
    const r = this.reply(
      kind,
      atMs,
      req.laddr,
      req.lport,
      req.raddr,
      req.rport,
      req.sntIsn,
      req.rcvIsn + 1,
      SYN | ACK,
      window,
      req.hasTs,
      req.hasTs ? this.tsvalFor(atMs, req.laddr, req.lport, req.raddr, req.rport) : 0,
      req.hasTs ? req.tsRecent : 0,
    );
    r.mss = req.mss;
    r.wscale = req.wscale;
    r.sackOk = req.sackOk;
    this.inc(C.TcpOutSegs, moved);
    return r;
  }

  /**
   * tcp_v4_send_reset(), net/ipv4/tcp_ipv4.c: to an ACK, seq = its ack and no ACK flag; otherwise seq 0 and
   * ack = seq + SYN + FIN + len.
   */
  private rstFor(seg: Segment, nowMs: number, moved: CounterName[]): Reply {
    const r = this.rstReply(seg, nowMs);
    this.inc(C.TcpOutRsts, moved);
    this.inc(C.TcpOutSegs, moved);
    return r;
  }

  private rstReply(seg: Segment, nowMs: number): Reply {
    let r: Reply;
    if ((seg.flags & ACK) !== 0) {
      r = this.reply("rst", nowMs, seg.daddr, seg.dport, seg.saddr, seg.sport, seg.ack, 0, RST, 0, false, 0, 0);
    } else {
      const ack = seg.seq + seg.len + ((seg.flags & SYN) !== 0 ? 1 : 0) + ((seg.flags & FIN) !== 0 ? 1 : 0);
      r = this.reply("rst", nowMs, seg.daddr, seg.dport, seg.saddr, seg.sport, 0, ack, RST | ACK, 0, false, 0, 0);
    }
    return r;
  }

  /** tcp_v4_timewait_ack(): seq = tw_snd_nxt, ack = tw_rcv_nxt, TSecr = tw_ts_recent (the old connection's). */
  private twAck(tw: Tw, nowMs: number, moved: CounterName[]): Reply {
    const hasTs = tw.tsRecentStamp !== 0 && tw.tsRecent !== 0;
    const tsval = hasTs ? this.tsvalFor(nowMs, tw.laddr, tw.lport, tw.raddr, tw.rport) : 0;
    const r = this.reply("ack", nowMs, tw.laddr, tw.lport, tw.raddr, tw.rport, tw.sndNxt, tw.rcvNxt, ACK, Math.min(tw.rcvWnd, 65535), hasTs, tsval, tw.tsRecent);
    this.inc(C.TcpOutSegs, moved);
    return r;
  }

  private connAck(c: Conn, nowMs: number, moved: CounterName[]): Reply {
    const tsval = c.hasTs ? this.tsvalFor(nowMs, c.laddr, c.lport, c.raddr, c.rport) : 0;
    const r = this.reply("ack", nowMs, c.laddr, c.lport, c.raddr, c.rport, c.sndNxt, c.rcvNxt, ACK, 65535, c.hasTs, tsval, c.tsRecent);
    this.inc(C.TcpOutSegs, moved);
    return r;
  }

  /** tcp_oow_rate_limited(), net/ipv4/tcp_input.c (≥4.0); data without SYN is never limited. */
  private oowRateLimited(seg: Segment, last: number, nowMs: number, mib: number, moved: CounterName[]): boolean {
    if (!this.b.oowAckRateLimit) return false;
    if (seg.len > 0 && (seg.flags & SYN) === 0) return false;
    const elapsed = nowMs - last;
    if (elapsed >= 0 && elapsed < this.invalidRatelimit) {
      this.inc(mib, moved);
      return true;
    }
    return false;
  }

  private result(outcome: Outcome, reason: Reason, replies: readonly Reply[], moved: CounterName[], conn?: Connection): SegmentResult {
    return { outcome, reason, replies, moved, conn };
  }

  // ---------------------------------------------------------------- receive

  /**
   * One incoming segment through the IPv4 receive path (§2, §12 on_syn): netfilter, rp_filter, tcp_v4_rcv
   * checks, ehash lookup (TIME_WAIT, request, full socket), listener. Timers due by nowMs fire first; their
   * segments come out of the next `advance()`.
   */
  receive(seg: Segment, nowMs: number): SegmentResult {
    if (this.timers.peekTime() <= nowMs) this.runTimers(nowMs, this.pendingTimerOut);
    const moved = this.movedList();
    const flags = seg.flags;
    const isPureSyn = (flags & (SYN | ACK | RST)) === SYN;
    const p = this.policy;
    // netfilter PREROUTING / INPUT: no TCP MIB moves (§2.2, §2.4).
    if (p.conntrackFull === true && isPureSyn && this.ehashGet(seg.daddr, seg.dport, seg.saddr, seg.sport) === undefined) {
      // nf_conntrack_alloc(): net_warn_ratelimited (at most one line per 5 s here) [SEC].
      if (nowMs - this.lastConntrackLogMs >= 5000) {
        this.lastConntrackLogMs = nowMs;
        this.logLines.push({ atMs: nowMs, text: "nf_conntrack: nf_conntrack: table full, dropping packet" });
      }
      return this.result("dropped", "conntrack-full", NO_REPLIES, moved);
    }
    if (p.firewall !== undefined) {
      const verdict = p.firewall(seg);
      if (verdict === "drop") return this.result("dropped", "firewall-drop", NO_REPLIES, moved);
      if (verdict === "reject-rst") {
        // The RST of a netfilter REJECT is not TCP's: TcpOutRsts does not move [EXP exp8].
        const r = this.rstReply(seg, nowMs);
        r.kind = "nf-rst";
        return this.result("rst", "firewall-reject", [r], moved);
      }
      if (verdict === "reject-icmp") {
        const r = this.reply("icmp-unreach", nowMs, seg.daddr, seg.dport, seg.saddr, seg.sport, 0, 0, 0, 0, false, 0, 0);
        return this.result("icmp", "firewall-reject", [r], moved);
      }
    }
    // ip_rcv_finish_core() → fib_validate_source() (§2.3).
    if (p.rpFilterDrops !== undefined && p.rpFilterDrops(seg.saddr)) {
      this.inc(C.TcpExtIPReversePathFilter, moved);
      return this.result("dropped", "rp-filter", NO_REPLIES, moved);
    }
    // tcp_v4_rcv(), net/ipv4/tcp_ipv4.c (§2.5): counted even if bad.
    this.inc(C.TcpInSegs, moved);
    if (!seg.csumOk) {
      this.inc(C.TcpInCsumErrors, moved);
      this.inc(C.TcpInErrs, moved);
      return this.result("dropped", "bad-checksum", NO_REPLIES, moved);
    }
    // __inet_lookup_skb(): established hash first (§2.6).
    const s = this.ehashGet(seg.daddr, seg.dport, seg.saddr, seg.sport);
    if (s !== undefined) {
      if (s.kind === KIND_TW) return this.timeWaitProcess(s, seg, nowMs, moved);
      if (s.kind === KIND_REQ) return this.checkReq(s, seg, nowMs, moved);
      return this.establishedProcess(s, seg, nowMs, moved);
    }
    const l = this.lookupListener(seg.daddr, seg.dport);
    if (l === undefined) return this.noSocket(seg, nowMs, moved);
    return this.listenerProcess(l, seg, nowMs, 0, moved);
  }

  /** §2.7: no socket → RST unless the segment is an RST (reason NO_SOCKET). */
  private noSocket(seg: Segment, nowMs: number, moved: CounterName[]): SegmentResult {
    if ((seg.flags & RST) !== 0) return this.result("dropped", "no-listener", NO_REPLIES, moved);
    return this.result("rst", "no-listener", [this.rstFor(seg, nowMs, moved)], moved);
  }

  /**
   * tcp_v4_rcv() listener-level filters (min_ttl, MD5), then tcp_v4_do_rcv() → tcp_v4_cookie_check() for
   * non-SYNs and tcp_rcv_state_process(TCP_LISTEN) (§2.10).
   */
  private listenerProcess(l: Listener, seg: Segment, nowMs: number, twIsn: number, moved: CounterName[]): SegmentResult {
    if (l.minTtl > 0 && seg.ttl < l.minTtl) {
      this.inc(C.TcpExtTCPMinTTLDrop, moved);
      return this.result("dropped", "min-ttl", NO_REPLIES, moved);
    }
    if (l.md5 !== undefined || seg.md5) {
      // tcp_inbound_md5_hash(): key expected but absent / present but none expected.
      const keyed = l.md5 !== undefined && l.md5.has(seg.saddr);
      if (keyed && !seg.md5) {
        this.inc(C.TcpExtTCPMD5NotFound, moved);
        return this.result("dropped", "md5", NO_REPLIES, moved);
      }
      if (!keyed && seg.md5) {
        this.inc(C.TcpExtTCPMD5Unexpected, moved);
        return this.result("dropped", "md5", NO_REPLIES, moved);
      }
    }
    const flags = seg.flags;
    if ((flags & SYN) === 0) {
      if ((flags & ACK) !== 0 && (flags & RST) === 0) {
        const cookie = this.cookieCheck(l, seg, nowMs, moved);
        if (cookie !== undefined) return cookie;
        // tcp_rcv_state_process(LISTEN): ACK → return 1 → RST.
        return this.result("rst", "ack-to-listener", [this.rstFor(seg, nowMs, moved)], moved);
      }
      if ((flags & RST) !== 0) return this.result("dropped", "rst-to-listener", NO_REPLIES, moved);
      return this.result("dropped", "ignored", NO_REPLIES, moved);
    }
    if ((flags & ACK) !== 0) return this.result("rst", "ack-to-listener", [this.rstFor(seg, nowMs, moved)], moved);
    if ((flags & RST) !== 0) return this.result("dropped", "rst-to-listener", NO_REPLIES, moved);
    if ((flags & FIN) !== 0) return this.result("dropped", "syn-fin", NO_REPLIES, moved);
    return this.connRequest(l, seg, nowMs, twIsn, moved);
  }

  /** tcp_listendrop(): ListenDrops and (≥4.7) the listener's sk_drops. */
  private listenDrop(l: Listener, reason: Reason, moved: CounterName[]): SegmentResult {
    this.inc(C.TcpExtListenDrops, moved);
    if (this.b.listenerSkDrops) l.drops++;
    return this.result("dropped", reason, NO_REPLIES, moved);
  }

  /** inet_csk_reqsk_queue_is_full() / reqsk_queue_is_full() (§4). */
  private synQueueFull(l: Listener): boolean {
    switch (this.b.synQueue) {
      case "pow2":
        return l.synq >= l.pow2Limit;
      case "qlen>=B":
        return l.synq >= l.B;
      case "qlen>B":
        return l.synq > l.B;
    }
  }

  /** sk_acceptq_is_full(): sk_ack_backlog > sk_max_ack_backlog (the queue holds B+1). */
  private acceptQueueFull(l: Listener): boolean {
    return l.acceptLen > l.B;
  }

  /** tcp_syn_flood_action(), net/ipv4/tcp_input.c: counter and the once-per-listener log line. */
  private synFloodAction(l: Listener, seg: Segment, nowMs: number, moved: CounterName[]): boolean {
    const cookies = this.syncookies !== 0;
    this.inc(cookies ? C.TcpExtTCPReqQFullDoCookies : C.TcpExtTCPReqQFullDrop, moved);
    if (!l.floodWarned && this.syncookies !== 2) {
      l.floodWarned = true;
      const msg = cookies ? "Sending cookies" : "Dropping request";
      let text: string;
      switch (this.b.synFloodLog) {
        case "proto-TCP":
          text = `TCP: TCP: Possible SYN flooding on port ${seg.dport}. ${msg}.  Check SNMP counters.`;
          break;
        case "request_sock_TCP":
          text = `TCP: request_sock_TCP: Possible SYN flooding on port ${seg.dport}. ${msg}.  Check SNMP counters.`;
          break;
        case "with-address":
          text = `TCP: request_sock_TCP: Possible SYN flooding on port ${ipv4Text(seg.daddr)}:${seg.dport}. ${msg}.`;
          break;
      }
      this.logLines.push({ atMs: nowMs, text });
    }
    return cookies;
  }

  /** tcp_conn_request(), net/ipv4/tcp_input.c (≤3.17 inline in tcp_v4_conn_request()): gates G1–G9 of §2.12. */
  private connRequest(l: Listener, seg: Segment, nowMs: number, twIsn: number, moved: CounterName[]): SegmentResult {
    let wantCookie = false;
    let cookieReason: Reason = "syn-queue-full-cookie";
    // G1: SYN queue / cookies, only for SYNs not handed over from TIME_WAIT.
    if (twIsn === 0 && (this.syncookies === 2 || this.synQueueFull(l))) {
      if (this.syncookies === 2) cookieReason = "syncookies-always";
      wantCookie = this.synFloodAction(l, seg, nowMs, moved);
      if (!wantCookie) return this.listenDrop(l, "syn-queue-full", moved);
    }
    // G2: accept queue; < 4.10 only while more than one request is young (5ea8ea2cb7f1).
    if (this.acceptQueueFull(l) && (this.b.acceptQueueAtSyn === "full" || l.young > 1)) {
      this.inc(C.TcpExtListenOverflows, moved);
      return this.listenDrop(l, "accept-queue-full", moved);
    }
    // G5: route for the reply (inet_csk_route_req()); LSM failures are not modelled.
    if (this.policy.noRouteTo !== undefined && this.policy.noRouteTo(seg.saddr)) {
      this.inc(C.IpOutNoRoutes, moved);
      return this.listenDrop(l, "no-return-route", moved);
    }
    const hasTs = seg.hasTs && this.tcpTimestamps !== 0;
    if (!wantCookie && twIsn === 0) {
      // §2.13: tw_recycle per-peer PAWS (≤4.11). 3.10–3.16 check only SYNs with TS; 3.17+ all, and the ¾
      // rule is the `else` branch of this test.
      const recycleMode = this.b.twRecycle;
      const recycleApplies = this.twRecycle !== 0 && (recycleMode === "ts-and-no-ts" || (recycleMode === "ts-only" && hasTs));
      if (recycleApplies) {
        if (!this.peerIsProven(seg.daddr, seg.saddr, true, nowMs, hasTs, seg.tsval)) {
          this.inc(C.TcpExtPAWSPassive, moved);
          return this.listenDrop(l, "tw-recycle-paws", moved);
        }
      } else if (
        this.syncookies === 0 &&
        this.maxSynBacklog - l.synq < this.maxSynBacklog >> 2 &&
        !this.peerIsProven(seg.daddr, seg.saddr, false, nowMs, hasTs, seg.tsval)
      ) {
        // G7 "¾ rule": pr_drop_req(), ListenDrops only.
        return this.listenDrop(l, "max-syn-backlog-unproven", moved);
      }
    }
    const mss = seg.mss > 0 ? Math.min(seg.mss, this.mss) : Math.min(536, this.mss);
    if (wantCookie) {
      // G8: cookie_v4_init_sequence() + tcp_synq_overflow(); no request is kept.
      l.lastOverflowMs = nowMs;
      this.inc(C.TcpExtSyncookiesSent, moved);
      const isn = this.cookieIsn(seg.daddr, seg.dport, seg.saddr, seg.sport, seg.seq, Math.floor(nowMs / 60000));
      // G4: without TS the cookie can only carry the MSS; WS and SACK are lost.
      const effMss = mss - (hasTs ? 12 : 0);
      const r = this.reply(
        "cookie-synack",
        nowMs,
        seg.daddr,
        seg.dport,
        seg.saddr,
        seg.sport,
        isn,
        seg.seq + 1,
        SYN | ACK,
        Math.floor(65535 / effMss) * effMss,
        hasTs,
        hasTs ? this.tsvalFor(nowMs, seg.daddr, seg.dport, seg.saddr, seg.sport) : 0,
        hasTs ? seg.tsval : 0,
      );
      r.mss = mss;
      if (hasTs) {
        r.wscale = seg.wscale >= 0 ? this.wscale : -1;
        r.sackOk = seg.sackOk;
      }
      this.inc(C.TcpOutSegs, moved);
      return this.result("cookie", cookieReason, [r], moved);
    }
    // G8/G9: secure_tcp_seq() (or the TIME_WAIT isn), request into ehash, timer = 1 s, SYN-ACK.
    const isn = twIsn !== 0 ? twIsn : this.isnFor(seg.daddr, seg.dport, seg.saddr, seg.sport, nowMs);
    const req = new Req(
      l,
      seg.daddr,
      seg.dport,
      seg.saddr,
      seg.sport,
      seg.seq,
      isn,
      hasTs,
      hasTs ? seg.tsval : 0,
      mss,
      seg.wscale >= 0 ? this.wscale : -1,
      seg.sackOk,
      nowMs,
    );
    l.synq++;
    l.young++;
    this.reqCount++;
    this.ehashSet(req);
    req.nextTimerMs = nowMs + this.b.initialRtoMs;
    this.schedule(req, req.nextTimerMs);
    const r = this.synackReply(req, "synack", nowMs, moved);
    return this.result("synack", twIsn !== 0 ? "timewait-accepted" : "new-request", [r], moved);
  }

  private isnFor(laddr: number, lport: number, raddr: number, rport: number, nowMs: number): number {
    if (this.isnFn) return this.isnFn(laddr, lport, raddr, rport, nowMs) >>> 0;
    // secure_tcp_seq(): keyed hash + ktime in 64 ns units.
    return (hash4(this.seed ^ 0x15a15a, laddr, raddr, (lport << 16) | rport, 0) + Math.floor(nowMs * 15625)) >>> 0;
  }

  /** SYN cookie ISN: 8-bit minute counter on top, keyed hash of the flow and client ISN below. */
  private cookieIsn(laddr: number, lport: number, raddr: number, rport: number, clientIsn: number, count: number): number {
    const h = hash4(this.seed ^ 0xc00c1e, laddr ^ count, raddr, (lport << 16) | rport, clientIsn);
    return (((count & 0xff) << 24) | (h & 0xffffff)) >>> 0;
  }

  /** cookie_v4_check(), net/ipv4/syncookies.c, then tcp_v4_syn_recv_sock(). undefined = not a cookie ACK. */
  private cookieCheck(l: Listener, seg: Segment, nowMs: number, moved: CounterName[]): SegmentResult | undefined {
    if (this.syncookies === 0) return undefined;
    // tcp_synq_no_recent_overflow(): cookies are checked only within 2 min of the last one sent.
    if (!(nowMs - l.lastOverflowMs < TCP_SYNCOOKIE_VALID_MS)) return undefined;
    const cookie = (seg.ack - 1) >>> 0;
    const count = cookie >>> 24;
    const now = Math.floor(nowMs / 60000);
    const age = (now - count) & 0xff;
    const clientIsn = (seg.seq - 1) >>> 0;
    if (age > MAX_SYNCOOKIE_AGE || this.cookieIsn(seg.daddr, seg.dport, seg.saddr, seg.sport, clientIsn, now - age) !== cookie) {
      this.inc(C.TcpExtSyncookiesFailed, moved);
      return undefined;
    }
    this.inc(C.TcpExtSyncookiesRecv, moved);
    if (this.acceptQueueFull(l)) {
      this.inc(C.TcpExtListenOverflows, moved);
      this.listenDrop(l, "accept-queue-full", moved);
      return this.result("dropped", "accept-queue-full", NO_REPLIES, moved);
    }
    const child = this.createChild(l, seg.daddr, seg.dport, seg.saddr, seg.sport, seg.ack, seg.seq, seg.hasTs && this.tcpTimestamps !== 0, seg, nowMs, moved);
    return this.result("established", "cookie-valid", NO_REPLIES, moved, child);
  }

  /** tcp_create_openreq_child() + inet_csk_reqsk_queue_add(): child in the accept queue, PassiveOpens. */
  private createChild(
    l: Listener,
    laddr: number,
    lport: number,
    raddr: number,
    rport: number,
    sndNxt: number,
    rcvNxt: number,
    hasTs: boolean,
    seg: Segment,
    nowMs: number,
    moved: CounterName[],
  ): Conn {
    const c = new Conn(l, laddr, lport, raddr, rport, "ESTAB", sndNxt, rcvNxt, hasTs, hasTs ? seg.tsval : 0, hasTs ? sec(nowMs) : 0, this.rtoMs, nowMs);
    c.rcvNxt = (c.rcvNxt + seg.len) >>> 0;
    this.inc(C.TcpPassiveOpens, moved);
    l.acceptQueue.push(c);
    this.ehashSet(c);
    return c;
  }

  // ---------------------------------------------------------------- request socks

  /** tcp_check_req(), net/ipv4/tcp_minisocks.c, and tcp_v4_syn_recv_sock() (§2.9, §3). */
  private checkReq(req: Req, seg: Segment, nowMs: number, moved: CounterName[]): SegmentResult {
    const flags = seg.flags;
    const l = req.listener;
    const rcvNxt = (req.rcvIsn + 1) >>> 0;
    const pawsReject = seg.hasTs && req.hasTs && (flags & RST) === 0 && seqDiff(req.tsRecent, seg.tsval) > 0;
    // Retransmitted SYN: SYN-ACK again (rate-limited ≥4.0), timer restarted.
    if (seg.seq === req.rcvIsn && (flags & (SYN | ACK | RST | FIN)) === SYN && !pawsReject) {
      if (this.oowRateLimited(seg, req.lastOowAckMs, nowMs, C.TcpExtTCPACKSkippedSynRecv, moved)) {
        return this.result("dropped", "request-ack-ratelimited", NO_REPLIES, moved);
      }
      if (this.b.oowAckRateLimit) req.lastOowAckMs = nowMs;
      const r = this.synackReply(req, "synack-retrans", nowMs, moved);
      this.inc(C.TcpRetransSegs, moved);
      this.inc(C.TcpExtTCPSynRetrans, moved);
      // mod_timer_pending(): min(TCP_TIMEOUT_INIT << num_timeout, TCP_RTO_MAX) from now.
      req.nextTimerMs = nowMs + Math.min(this.b.initialRtoMs * 2 ** req.retrans, this.rtoMaxMs);
      this.schedule(req, req.nextTimerMs);
      return this.result("synack", "request-syn-retrans", [r], moved, undefined);
    }
    // ACK must acknowledge our SYN-ACK; else the listener answers with RST.
    if ((flags & ACK) !== 0 && seg.ack !== ((req.sntIsn + 1) >>> 0)) {
      return this.result("rst", "request-bad-ack", [this.rstFor(seg, nowMs, moved)], moved);
    }
    // tcp_in_window(seq, end_seq, rcv_nxt, rcv_nxt + rcv_wnd)
    const endSeq = (seg.seq + seg.len + ((flags & SYN) !== 0 ? 1 : 0) + ((flags & FIN) !== 0 ? 1 : 0)) >>> 0;
    const inWindow = seg.seq === rcvNxt || (seqAfter(endSeq, rcvNxt) && seqBefore(seg.seq, rcvNxt + 65535));
    if (pawsReject || !inWindow) {
      if (pawsReject) this.inc(C.TcpExtPAWSEstab, moved);
      if ((flags & RST) !== 0) return this.result("dropped", "ignored", NO_REPLIES, moved);
      if (this.oowRateLimited(seg, req.lastOowAckMs, nowMs, C.TcpExtTCPACKSkippedSynRecv, moved)) {
        return this.result("dropped", "request-ack-ratelimited", NO_REPLIES, moved);
      }
      if (this.b.oowAckRateLimit) req.lastOowAckMs = nowMs;
      const r = this.reply("ack", nowMs, req.laddr, req.lport, req.raddr, req.rport, req.sntIsn + 1, rcvNxt, ACK, 65535, req.hasTs,
        req.hasTs ? this.tsvalFor(nowMs, req.laddr, req.lport, req.raddr, req.rport) : 0, req.tsRecent);
      this.inc(C.TcpOutSegs, moved);
      return this.result("ack", pawsReject ? "request-paws" : "request-out-of-window", [r], moved);
    }
    if (seg.hasTs && req.hasTs && !seqAfter(seg.seq, rcvNxt)) req.tsRecent = seg.tsval;
    if ((flags & (RST | SYN)) !== 0) {
      // embryonic_reset: AttemptFails, RST for a SYN, request dropped, EmbryonicRsts.
      this.inc(C.TcpAttemptFails, moved);
      const replies: Reply[] = [];
      if ((flags & RST) === 0) replies.push(this.rstFor(seg, nowMs, moved));
      this.dropRequest(req);
      this.inc(C.TcpExtEmbryonicRsts, moved);
      return this.result(replies.length > 0 ? "rst" : "consumed", "request-rst", replies, moved);
    }
    if ((flags & ACK) === 0) return this.result("dropped", "ignored", NO_REPLIES, moved);
    // tcp_v4_syn_recv_sock(): accept queue full → exit_overflow.
    if (this.acceptQueueFull(l)) {
      this.inc(C.TcpExtListenOverflows, moved);
      this.inc(C.TcpExtListenDrops, moved);
      if (this.b.listenerSkDrops) l.drops++;
      if (this.abortOnOverflow === 0) {
        req.acked = true;
        return this.result("dropped", "request-accept-queue-full", NO_REPLIES, moved);
      }
      const r = this.rstFor(seg, nowMs, moved);
      this.dropRequest(req);
      this.inc(C.TcpExtEmbryonicRsts, moved);
      return this.result("rst", "request-abort-on-overflow", [r], moved);
    }
    this.dropRequest(req);
    const child = this.createChild(l, req.laddr, req.lport, req.raddr, req.rport, (req.sntIsn + 1) >>> 0, rcvNxt, req.hasTs && seg.hasTs, seg, nowMs, moved);
    if (!child.hasTs) child.tsRecent = 0;
    else if (req.tsRecent !== seg.tsval) child.tsRecent = req.tsRecent;
    return this.result("established", "request-established", NO_REPLIES, moved, child);
  }

  // ---------------------------------------------------------------- TIME_WAIT

  /** tcp_timewait_state_process(), net/ipv4/tcp_minisocks.c (§2.8). */
  private timeWaitProcess(tw: Tw, seg: Segment, nowMs: number, moved: CounterName[]): SegmentResult {
    const flags = seg.flags;
    const isRst = (flags & RST) !== 0;
    // Step A: tcp_paws_reject() with window 0; RSTs also pass when ts_recent_stamp ≥ 60 s old.
    let pawsReject = false;
    if (seg.hasTs && tw.tsRecentStamp !== 0 && tw.tsRecent !== 0) {
      const age = sec(nowMs) - tw.tsRecentStamp;
      const passes = seqDiff(tw.tsRecent, seg.tsval) <= 0 || age >= this.b.pawsWrapSeconds || (isRst && age >= TCP_PAWS_MSL_S);
      pawsReject = !passes;
    }
    const endSeq = (seg.seq + seg.len + ((flags & SYN) !== 0 ? 1 : 0) + ((flags & FIN) !== 0 ? 1 : 0)) >>> 0;
    if (tw.substate === "FIN-WAIT-2") {
      // Step B.
      const inWindow = seg.seq === tw.rcvNxt || (seqAfter(endSeq, tw.rcvNxt) && seqBefore(seg.seq, tw.rcvNxt + tw.rcvWnd));
      if (pawsReject || !inWindow) return this.twOowAck(tw, seg, nowMs, C.TcpExtTCPACKSkippedFinWait2, "timewait-ack", moved);
      if (isRst) {
        this.killTw(tw);
        return this.result("consumed", "timewait-rst-kill", NO_REPLIES, moved);
      }
      if ((flags & SYN) !== 0 && !seqBefore(seg.seq, tw.rcvNxt)) {
        // TCP_TW_RST: RST sent, TW killed.
        this.killTw(tw);
        return this.result("rst", "finwait2-syn-rst", [this.rstFor(seg, nowMs, moved)], moved);
      }
      if ((flags & ACK) === 0 || !seqAfter(endSeq, tw.rcvNxt) || endSeq === seg.seq) {
        return this.result("consumed", "ignored", NO_REPLIES, moved);
      }
      if ((flags & FIN) === 0 || endSeq !== ((tw.rcvNxt + 1) >>> 0)) {
        this.killTw(tw);
        return this.result("rst", "finwait2-syn-rst", [this.rstFor(seg, nowMs, moved)], moved);
      }
      // FIN: enter true TIME_WAIT.
      tw.substate = "TIME-WAIT";
      tw.rcvNxt = endSeq;
      if (seg.hasTs) {
        tw.tsRecent = seg.tsval;
        tw.tsRecentStamp = sec(nowMs);
      }
      let timeout = TCP_TIMEWAIT_LEN_MS;
      // tcp_tw_remember_stamp() (≤4.11 with tw_recycle).
      if (this.twRecycle !== 0 && tw.tsRecentStamp !== 0 && this.rememberStamp(tw.laddr, tw.raddr, tw.tsRecent, tw.tsRecentStamp, nowMs)) {
        timeout = tw.timeoutMs;
      }
      this.rescheduleTw(tw, nowMs + timeout);
      return this.result("ack", "finwait2-fin", [this.twAck(tw, nowMs, moved)], moved);
    }
    // Step C, TIME_WAIT substate. In-window bare ACK or RST.
    if (!pawsReject && seg.seq === tw.rcvNxt && (seg.seq === endSeq || isRst)) {
      if (isRst) {
        if (this.rfc1337 === 0) {
          // TIME-WAIT assassination.
          this.killTw(tw);
          return this.result("consumed", "timewait-rst-kill", NO_REPLIES, moved);
        }
        if (this.b.rfc1337RstRearms) this.rescheduleTw(tw, nowMs + TCP_TIMEWAIT_LEN_MS);
      } else {
        this.rescheduleTw(tw, nowMs + TCP_TIMEWAIT_LEN_MS);
      }
      if (seg.hasTs) {
        tw.tsRecent = seg.tsval;
        tw.tsRecentStamp = sec(nowMs);
      }
      return this.result("consumed", isRst ? "timewait-rst-ignored" : "ignored", NO_REPLIES, moved);
    }
    // C1: a new SYN is acceptable when not PAWS-rejected and its seq or TSval is newer (TCP_TW_SYN).
    if (
      (flags & (SYN | RST | ACK)) === SYN &&
      !pawsReject &&
      (seqAfter(seg.seq, tw.rcvNxt) || (seg.hasTs && seqDiff(tw.tsRecent, seg.tsval) < 0))
    ) {
      let isn = (tw.sndNxt + 65535 + 2) >>> 0;
      if (isn === 0) isn = 1;
      // tcp_v4_rcv() TCP_TW_SYN: with a listener the TW is descheduled and the SYN goes to it.
      const l = this.lookupListener(seg.daddr, seg.dport);
      if (l !== undefined) {
        this.killTw(tw);
        return this.listenerProcess(l, seg, nowMs, isn, moved);
      }
      // No listener: fall through to the ACK.
      return this.twOowAck(tw, seg, nowMs, C.TcpExtTCPACKSkippedTimeWait, "timewait-ack", moved);
    }
    // C2: PAWS counter (PAWSTimewait ≥6.16, PAWSEstab before) and re-arm.
    if (pawsReject) this.inc(this.b.twPawsCounter === "TcpExtPAWSTimewait" ? C.TcpExtPAWSTimewait : C.TcpExtPAWSEstab, moved);
    if (isRst) return this.result("dropped", "ignored", NO_REPLIES, moved);
    if (pawsReject || (flags & ACK) !== 0) this.rescheduleTw(tw, nowMs + TCP_TIMEWAIT_LEN_MS);
    const reason: Reason = pawsReject ? "timewait-paws" : (flags & FIN) !== 0 ? "timewait-fin-ack" : "timewait-ack";
    return this.twOowAck(tw, seg, nowMs, C.TcpExtTCPACKSkippedTimeWait, reason, moved);
  }

  /** tcp_timewait_check_oow_rate_limit(): bare ACK unless one went out < tcp_invalid_ratelimit ago. */
  private twOowAck(tw: Tw, seg: Segment, nowMs: number, mib: number, reason: Reason, moved: CounterName[]): SegmentResult {
    if (this.oowRateLimited(seg, tw.lastOowAckMs, nowMs, mib, moved)) {
      return this.result("dropped", reason === "timewait-paws" ? reason : "timewait-ack-ratelimited", NO_REPLIES, moved);
    }
    if (this.b.oowAckRateLimit) tw.lastOowAckMs = nowMs;
    return this.result("ack", reason, [this.twAck(tw, nowMs, moved)], moved);
  }

  private rescheduleTw(tw: Tw, due: number): void {
    tw.expiresMs = due;
    this.schedule(tw, due);
  }

  /**
   * tcp_remember_stamp() / tcp_tw_remember_stamp(), net/ipv4/tcp_metrics.c (≤4.11, tw_recycle=1): store the
   * peer's last TSval if not older than the cached one, or if the cached one is stale (> 60 s) and not newer.
   * Returns true when an entry exists (the caller then uses the 3.5×RTO TIME_WAIT).
   */
  private rememberStamp(laddr: number, raddr: number, tsRecent: number, tsRecentStamp: number, nowMs: number): boolean {
    const m = this.metricsFor(laddr, raddr, true);
    if (m === undefined) return false;
    if (seqDiff(m.tsRecent, tsRecent) <= 0 || (sec(nowMs) - m.tsStamp > TCP_PAWS_MSL_S && m.tsStamp <= tsRecentStamp)) {
      m.tsStamp = tsRecentStamp;
      m.tsRecent = tsRecent >>> 0;
    }
    return true;
  }

  /**
   * tcp_time_wait(), net/ipv4/tcp_minisocks.c: the socket enters TIME_WAIT (or orphaned FIN_WAIT2), unless
   * tcp_max_tw_buckets is reached (TCPTimeWaitOverflow). Feeds the tw_recycle cache; TIME_WAIT lasts 60 s,
   * or 3.5×RTO when tw_recycle remembered the stamp.
   */
  private timeWait(c: Conn, substate: TimeWaitSubstate, timeoMs: number, nowMs: number, moved: CounterName[]): Tw | undefined {
    const rto35 = c.rtoMs * 3.5;
    let recycleOk = false;
    if (this.twRecycle !== 0 && c.tsRecentStamp !== 0) recycleOk = this.rememberStamp(c.laddr, c.raddr, c.tsRecent, c.tsRecentStamp, nowMs);
    let tw: Tw | undefined;
    if (this.twCount < this.maxTwBuckets) {
      tw = new Tw(c.laddr, c.lport, c.raddr, c.rport, substate, c.rcvNxt, c.sndNxt, c.hasTs ? c.tsRecent : 0, c.hasTs ? c.tsRecentStamp : 0, 65535, nowMs);
      let timeo = Math.max(timeoMs, rto35);
      if (recycleOk) tw.timeoutMs = rto35;
      else if (substate === "TIME-WAIT") timeo = TCP_TIMEWAIT_LEN_MS;
      tw.kill = timeo <= 4000;
      this.twCount++;
      this.ehashSet(tw);
      this.rescheduleTw(tw, nowMs + timeo);
      if (this.b.twCountedOnEntry) this.inc(tw.kill ? C.TcpExtTWKilled : C.TcpExtTW, moved);
    } else {
      this.inc(C.TcpExtTCPTimeWaitOverflow, moved);
      this.ehashDelete(c);
    }
    this.updateMetrics(c.laddr, c.raddr);
    c.state = "CLOSED";
    c.dead = true;
    return tw;
  }

  /** Creates a TIME_WAIT socket directly (factories in tests; replay of a connection seen earlier). */
  addTimeWait(init: TimeWaitInit, nowMs: number): TimeWait {
    const hasTs = init.tsRecent !== undefined;
    const tw = new Tw(init.laddr, init.lport, init.raddr, init.rport, init.substate ?? "TIME-WAIT", init.rcvNxt >>> 0, init.sndNxt >>> 0,
      hasTs ? (init.tsRecent as number) >>> 0 : 0, hasTs ? sec(nowMs) : 0, init.rcvWnd ?? 65535, nowMs);
    const prev = this.ehashGet(init.laddr, init.lport, init.raddr, init.rport);
    if (prev !== undefined) throw new KernelConfigError("bad-argument", "a socket already holds this 4-tuple");
    this.twCount++;
    this.ehashSet(tw);
    this.rescheduleTw(tw, nowMs + (init.lifetimeMs ?? TCP_TIMEWAIT_LEN_MS));
    return tw;
  }

  // ---------------------------------------------------------------- established sockets and close

  /** tcp_rcv_established() / tcp_rcv_state_process() for children, reduced to what closing needs. */
  private establishedProcess(c: Conn, seg: Segment, nowMs: number, moved: CounterName[]): SegmentResult {
    const flags = seg.flags;
    if ((flags & RST) !== 0) {
      if (seg.seq !== c.rcvNxt) return this.result("dropped", "ignored", NO_REPLIES, moved);
      if (c.state === "ESTAB" || c.state === "CLOSE-WAIT") this.inc(C.TcpEstabResets, moved);
      this.closeConn(c);
      return this.result("consumed", "established-rst", NO_REPLIES, moved, c);
    }
    if ((flags & SYN) !== 0) {
      // tcp_send_challenge_ack()
      this.inc(C.TcpExtTCPChallengeACK, moved);
      return this.result("ack", "challenge-ack", [this.connAck(c, nowMs, moved)], moved, c);
    }
    if (seg.hasTs && c.hasTs && !seqAfter(seg.seq, c.rcvNxt)) {
      c.tsRecent = seg.tsval;
      c.tsRecentStamp = sec(nowMs);
    }
    const finAcked = (flags & ACK) !== 0 && seg.ack === c.sndNxt;
    if (c.state === "LAST-ACK" && finAcked) {
      this.updateMetrics(c.laddr, c.raddr);
      this.closeConn(c);
      return this.result("consumed", "last-ack-done", NO_REPLIES, moved, c);
    }
    if (seg.seq === c.rcvNxt) c.rcvNxt = (c.rcvNxt + seg.len) >>> 0;
    if (c.state === "FIN-WAIT-1" && finAcked) {
      if ((flags & FIN) !== 0) {
        c.rcvNxt = (c.rcvNxt + 1) >>> 0;
        const ack = this.connAck(c, nowMs, moved);
        this.timeWait(c, "TIME-WAIT", 0, nowMs, moved);
        return this.result("ack", "finwait2-fin", [ack], moved, c);
      }
      // Orphaned FIN_WAIT2 becomes a TW sock in substate FIN_WAIT2 for tcp_fin_timeout.
      this.timeWait(c, "FIN-WAIT-2", this.finTimeoutMs, nowMs, moved);
      return this.result("consumed", "fin-acked", NO_REPLIES, moved, c);
    }
    if ((flags & FIN) !== 0 && c.state === "ESTAB") {
      c.rcvNxt = (c.rcvNxt + 1) >>> 0;
      c.state = "CLOSE-WAIT";
      return this.result("ack", "established-fin", [this.connAck(c, nowMs, moved)], moved, c);
    }
    if (seg.len > 0) return this.result("ack", "established-data", [this.connAck(c, nowMs, moved)], moved, c);
    return this.result("consumed", "ignored", NO_REPLIES, moved, c);
  }

  private closeConn(c: Conn): void {
    if (c.queued) this.removeFromAcceptQueue(c);
    c.state = "CLOSED";
    c.dead = true;
    this.ehashDelete(c);
  }

  /**
   * The application closes the socket (tcp_close()): ESTAB → FIN-WAIT-1, CLOSE-WAIT → LAST-ACK; returns the
   * FIN. The model does not retransmit FINs.
   */
  close(conn: Connection, nowMs: number): Reply[] {
    const c = this.own(conn);
    if (c.state !== "ESTAB" && c.state !== "CLOSE-WAIT") return [];
    if (c.queued) this.removeFromAcceptQueue(c);
    const moved = NOT_RECORDED; // the caller gets only the segments
    const tsval = c.hasTs ? this.tsvalFor(nowMs, c.laddr, c.lport, c.raddr, c.rport) : 0;
    const fin = this.reply("fin", nowMs, c.laddr, c.lport, c.raddr, c.rport, c.sndNxt, c.rcvNxt, FIN | ACK, 65535, c.hasTs, tsval, c.tsRecent);
    this.inc(C.TcpOutSegs, moved);
    c.sndNxt = (c.sndNxt + 1) >>> 0;
    c.state = c.state === "ESTAB" ? "FIN-WAIT-1" : "LAST-ACK";
    return [fin];
  }

  /**
   * Shortcut for simulators: the whole close with this host closing first (FIN, peer ACK+FIN carrying
   * `peerTsval`, our ACK) at nowMs. Ends in TIME_WAIT (or TCPTimeWaitOverflow → undefined).
   */
  closeServerFirst(conn: Connection, nowMs: number, peerTsval?: number): TimeWait | undefined {
    const c = this.own(conn);
    if (c.state !== "ESTAB") throw new KernelConfigError("bad-argument", `closeServerFirst on a ${c.state} socket`);
    if (c.queued) this.removeFromAcceptQueue(c);
    this.inc(C.TcpOutSegs, NOT_RECORDED); // FIN
    this.inc(C.TcpInSegs, NOT_RECORDED); // peer FIN+ACK
    this.inc(C.TcpOutSegs, NOT_RECORDED); // last ACK
    c.sndNxt = (c.sndNxt + 1) >>> 0;
    c.rcvNxt = (c.rcvNxt + 1) >>> 0;
    if (c.hasTs && peerTsval !== undefined) {
      c.tsRecent = peerTsval >>> 0;
      c.tsRecentStamp = sec(nowMs);
    }
    return this.timeWait(c, "TIME-WAIT", 0, nowMs, NOT_RECORDED);
  }

  /** Shortcut: the peer closes first (FIN, our ACK, our FIN, peer ACK). No TIME_WAIT here, no tw_recycle feed. */
  closeClientFirst(conn: Connection, nowMs: number): void {
    const c = this.own(conn);
    if (c.state === "CLOSED") return;
    if (c.queued) this.removeFromAcceptQueue(c);
    this.inc(C.TcpInSegs, NOT_RECORDED);
    this.inc(C.TcpOutSegs, NOT_RECORDED);
    this.inc(C.TcpOutSegs, NOT_RECORDED);
    this.inc(C.TcpInSegs, NOT_RECORDED);
    void nowMs;
    this.updateMetrics(c.laddr, c.raddr);
    this.closeConn(c);
  }

  private own(conn: Connection): Conn {
    if (!(conn instanceof Conn)) throw new KernelConfigError("bad-argument", "connection does not belong to this host");
    return conn;
  }
}

/** A server host running the given kernel with the given sysctls. */
export function createHost(options: HostOptions): ServerHost {
  return new ServerHost(options);
}
