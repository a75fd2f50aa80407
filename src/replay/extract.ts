/**
 * Capture → the ordered events the kernel model needs: client SYNs, completions, the application's accepts and
 * closes as far as the wire shows them, client closes and RSTs, and what the server really answered per attempt.
 * Direction and attempts follow the handshake tracker's rules (src/handshakes/tracker.ts): the receiver of a
 * SYN is the server; a SYN with a new ISN on a 4-tuple is a new attempt.
 */
import type { CaptureStats } from "../capture/capture-stats.js";
import type { PacketView } from "../capture/packet-view.js";
import { readCapture, type ReadCaptureOptions } from "../capture/reader.js";
import { u32be } from "../util/bytes.js";
import { FlowTable } from "../util/flow-table.js";
import { TcpOptions } from "../wire/tcp-options.js";
import { TCP_FLAG } from "../wire/tcp.js";
import { ReplayEventList } from "./event-list.js";
import type { Extraction, ReplayAttempt, ReplayEventKind, ServerEndpoint } from "./types.js";

const { SYN, ACK, RST, FIN } = TCP_FLAG;

export interface ExtractOptions {
  /** Only SYNs to this IPv4 address (dotted) are attempts. */
  server?: string;
  /** Only SYNs to this port are attempts. */
  port?: number;
  onProgress?: ReadCaptureOptions["onProgress"];
  /** Attempts replayed at most; the capture is cut before the SYN of the next one (default DEFAULT_MAX_ATTEMPTS). */
  maxAttempts?: number;
}

/**
 * Replay keeps every attempt and its events in memory: peak RSS measured at 1.0 kB per attempt for a SYN flood and
 * 2.4 kB for complete connections (~6 events each). A million attempts take 1–2.5 GB; a whole large capture
 * could exhaust V8's heap and crash.
 */
export const DEFAULT_MAX_ATTEMPTS = 1_000_000;

/** Client segments fed while a handshake may still be pending server-side (3rd-ACK overflow retries). */
const MAX_HANDSHAKE_RETRY_SEGMENTS = 8;

/** Per 4-tuple state while reading; one per live attempt. */
interface TupleState {
  attempt: ReplayAttempt;
  serverIsn: number;
  synackMs: number;
  completed: boolean;
  completeMs: number;
  /** the server sent something other than a SYN-ACK after the handshake */
  serverSpoke: boolean;
  accepted: boolean;
  serverFinSeq: number;
  clientFin: boolean;
  finalAck: boolean;
  retrySegments: number;
}

function dotted(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** Builds the extraction while packets are fed in capture order. Exposed for tests; use `extractCapture`. */
export class ReplayExtractor {
  private readonly attempts: ReplayAttempt[] = [];
  private readonly events = new ReplayEventList();
  /** by (client, server, client port · 65536 + server port) */
  private readonly tuples = new FlowTable<TupleState>();
  /** by (address, port, 0), and in order of first sight */
  private readonly endpointIndex = new FlowTable<ServerEndpoint>(64);
  private readonly endpoints: ServerEndpoint[] = [];
  private readonly tcpOptions = new TcpOptions();
  private readonly serverFilter: number | null;
  private startMicros = -1;
  private lastMicros = 0;
  private packets = 0;
  private ipv6Syns = 0;
  private outOfOrder = 0;
  private readonly maxAttempts: number;
  /** Set when the attempt limit cut the capture: packets from here on are counted, not replayed. */
  private cutAt: { micros: number; packet: number } | null = null;
  private readonly warnings: string[] = [];

  constructor(private readonly options: ExtractOptions = {}) {
    this.serverFilter = options.server === undefined ? null : parseDotted(options.server);
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  observe(view: PacketView): void {
    this.packets++;
    if (this.cutAt !== null) return;
    const t = view.timestampMicros;
    if (this.startMicros < 0) this.startMicros = t;
    if (t < this.lastMicros) this.outOfOrder++;
    else this.lastMicros = t;
    if (view.isIcmpError) {
      this.icmp(view);
      return;
    }
    if (!view.isTcp || view.truncated || view.malformed) return;
    if (view.ipVersion !== 4) {
      if ((view.flags & (SYN | ACK)) === SYN) this.ipv6Syns++;
      return;
    }
    const flags = view.flags;
    const src = view.srcKey >>> 0;
    const dst = view.dstKey >>> 0;
    if ((flags & (SYN | ACK | RST)) === SYN) {
      this.syn(view, src, dst);
      return;
    }
    const fromClient = this.tuples.get(src, dst, ports(view.sport, view.dport));
    if (fromClient !== undefined) {
      this.clientSegment(view, fromClient);
      return;
    }
    const fromServer = this.tuples.get(dst, src, ports(view.dport, view.sport));
    if (fromServer !== undefined) this.serverSegment(view, fromServer);
  }

  private ms(view: PacketView): number {
    return (view.timestampMicros - this.startMicros) / 1000;
  }

  private syn(view: PacketView, src: number, dst: number): void {
    if (this.options.port !== undefined && view.dport !== this.options.port) return;
    if (this.serverFilter !== null && dst !== this.serverFilter) return;
    const tuplePorts = ports(view.sport, view.dport);
    const opts = this.tcpOptions;
    view.tcpOptions(opts);
    const at = this.ms(view);
    let state = this.tuples.get(src, dst, tuplePorts);
    let index = 0;
    if (state !== undefined && state.attempt.isn === view.seq >>> 0) {
      index = state.attempt.syns;
      state.attempt.syns++;
    } else {
      if (this.attempts.length >= this.maxAttempts) {
        // As if the capture ended here: attempts in flight get no further packets, like at a capture's real end.
        this.cutAt = { micros: view.timestampMicros, packet: this.packets };
        return;
      }
      const attempt: ReplayAttempt = {
        id: this.attempts.length,
        client: src,
        clientPort: view.sport,
        server: dst,
        serverPort: view.dport,
        isn: view.seq >>> 0,
        firstSynMs: at,
        syns: 1,
        tsVal: opts.hasTimestamps ? opts.tsVal >>> 0 : null,
        observed: "none",
        observedAnswered: false,
        answeredMs: null,
        rttMs: null,
        acceptDelayMs: null,
        closedFirstBy: null,
      };
      this.attempts.push(attempt);
      state = {
        attempt,
        serverIsn: 0,
        synackMs: 0,
        completed: false,
        completeMs: 0,
        serverSpoke: false,
        accepted: false,
        serverFinSeq: -1,
        clientFin: false,
        finalAck: false,
        retrySegments: 0,
      };
      this.tuples.set(src, dst, tuplePorts, state);
      this.endpoint(dst, view.dport).attempts++;
    }
    const checksum = view.tcpChecksumOk();
    this.events.push({
      kind: "syn",
      atMs: at,
      attempt: state.attempt.id,
      seq: view.seq >>> 0,
      len: 0,
      hasTs: opts.hasTimestamps,
      tsval: opts.hasTimestamps ? opts.tsVal >>> 0 : 0,
      mss: opts.mss > 0 ? opts.mss : 0,
      wscale: opts.windowScale,
      sackOk: opts.sackPermitted,
      ttl: view.ttl,
      csumOk: checksum !== false,
      md5: opts.hasMd5,
      index,
      flag: false,
    });
  }

  private push(kind: ReplayEventKind, view: PacketView, s: TupleState, seq: number, flag: boolean): void {
    const opts = this.tcpOptions;
    view.tcpOptions(opts);
    this.events.push({
      kind,
      atMs: this.ms(view),
      attempt: s.attempt.id,
      seq: seq >>> 0,
      len: view.payloadLength,
      hasTs: opts.hasTimestamps,
      tsval: opts.hasTimestamps ? opts.tsVal >>> 0 : 0,
      mss: 0,
      wscale: -1,
      sackOk: false,
      ttl: view.ttl,
      csumOk: true,
      md5: false,
      index: 0,
      flag,
    });
  }

  private serverSegment(view: PacketView, s: TupleState): void {
    const flags = view.flags;
    const a = s.attempt;
    const at = this.ms(view);
    if ((flags & (SYN | ACK)) === (SYN | ACK)) {
      if (view.ack >>> 0 !== (a.isn + 1) >>> 0 || a.observedAnswered) return;
      a.observedAnswered = true;
      a.answeredMs = at;
      s.serverIsn = view.seq >>> 0;
      s.synackMs = at;
      if (a.observed === "none") a.observed = "synack";
      this.endpoint(a.server, a.serverPort).synacks++;
      return;
    }
    if (!a.observedAnswered) {
      if (a.observed !== "none") return;
      if (flags & RST) {
        a.observed = "rst";
        this.endpoint(a.server, a.serverPort).rsts++;
      } else if (flags & ACK) {
        a.observed = "ack";
      }
      return;
    }
    if (!s.completed) return;
    s.serverSpoke = true;
    if (flags & RST) return;
    if ((view.payloadLength > 0 || flags & FIN) && !s.accepted) {
      s.accepted = true;
      a.acceptDelayMs = at - s.completeMs;
      this.push("app-accept", view, s, 0, false);
    }
    if (flags & FIN && s.serverFinSeq < 0) {
      s.serverFinSeq = (view.seq + view.payloadLength) >>> 0;
      if (a.closedFirstBy === null) a.closedFirstBy = "server";
      this.push("server-fin", view, s, 0, false);
    }
  }

  private clientSegment(view: PacketView, s: TupleState): void {
    const flags = view.flags;
    const a = s.attempt;
    if (flags & RST) {
      const afterBareAck = a.observed === "ack" && !a.observedAnswered;
      if (afterBareAck || s.completed) this.push("client-rst", view, s, view.seq, afterBareAck);
      return;
    }
    if (!(flags & ACK) || !a.observedAnswered) return;
    if (!s.completed) {
      if (view.ack >>> 0 !== (s.serverIsn + 1) >>> 0) return;
      s.completed = true;
      s.completeMs = this.ms(view);
      a.rttMs = s.completeMs - s.synackMs;
      this.push("complete", view, s, view.seq, false);
      if (!(flags & FIN)) return;
    } else if (!s.serverSpoke && !(flags & FIN) && s.retrySegments < MAX_HANDSHAKE_RETRY_SEGMENTS) {
      s.retrySegments++;
      this.push("client-seg", view, s, view.seq, false);
      return;
    }
    if (flags & FIN) {
      if (s.clientFin) return;
      s.clientFin = true;
      if (a.closedFirstBy === null) a.closedFirstBy = "client";
      const acksServerFin = s.serverFinSeq >= 0 && view.ack >>> 0 === (s.serverFinSeq + 1) >>> 0;
      this.push("client-fin", view, s, view.seq, acksServerFin);
      return;
    }
    if (s.clientFin && !s.finalAck && s.serverFinSeq >= 0 && a.closedFirstBy === "client" && view.ack >>> 0 === (s.serverFinSeq + 1) >>> 0) {
      s.finalAck = true;
      this.push("client-final-ack", view, s, view.seq, false);
    }
  }

  /** An ICMP error quoting the client's SYN, sent back to the client: the attempt's answer was ICMP. */
  private icmp(view: PacketView): void {
    if (view.ipVersion !== 4 || view.quotedSrcOffset < 0 || view.quotedDstOffset < 0) return;
    const client = u32be(view.bytes, view.quotedSrcOffset) >>> 0;
    const server = u32be(view.bytes, view.quotedDstOffset) >>> 0;
    const s = this.tuples.get(client, server, ports(view.quotedSport, view.quotedDport));
    if (s === undefined || s.attempt.isn !== view.quotedSeq >>> 0 || s.attempt.observed !== "none") return;
    s.attempt.observed = "icmp";
  }

  private endpoint(addr: number, port: number): ServerEndpoint {
    let e = this.endpointIndex.get(addr, port, 0);
    if (e === undefined) {
      e = { addr, port, attempts: 0, synacks: 0, rsts: 0 };
      this.endpointIndex.set(addr, port, 0, e);
      this.endpoints.push(e);
    }
    return e;
  }

  finish(): Extraction {
    const events = this.events;
    if (this.outOfOrder > 0) {
      this.warnings.push(`${this.outOfOrder} packets were out of time order; events were sorted by time`);
      events.sortByTime();
    }
    if (this.cutAt !== null) {
      const at = ((this.cutAt.micros - this.startMicros) / 1e6).toFixed(3);
      this.warnings.push(
        `replay stopped at ${this.maxAttempts} attempt${this.maxAttempts === 1 ? "" : "s"}: the capture was replayed up to packet ${this.cutAt.packet} (${at} s in) and not beyond; ` +
          "narrow it (--port, --server, or a time slice: editcap -A/-B) or raise --max-attempts (1–2.5 kB of memory each)",
      );
    }
    if (this.ipv6Syns > 0) this.warnings.push(`${this.ipv6Syns} IPv6 SYNs were not replayed (the kernel model covers IPv4)`);
    const start = this.startMicros < 0 ? 0 : this.startMicros;
    return {
      attempts: this.attempts,
      events,
      endpoints: this.endpoints,
      startMicros: start,
      endMs: this.startMicros < 0 ? 0 : (this.lastMicros - start) / 1000,
      packets: this.packets,
      ipv6Syns: this.ipv6Syns,
      warnings: this.warnings,
    };
  }
}

/** Both ports in one word: the third key of the tuple tables. */
function ports(clientPort: number, serverPort: number): number {
  return clientPort * 65536 + serverPort;
}

function parseDotted(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let out = 0;
  for (const p of parts) {
    const n = Number(p);
    if (!/^\d{1,3}$/.test(p) || n > 255) return null;
    out = out * 256 + n;
  }
  return out;
}

/** Reads captures (in the order given, as one timeline) and returns the replay events. */
export async function extractCapture(paths: readonly string[], options: ExtractOptions = {}): Promise<{ extraction: Extraction; stats: CaptureStats[] }> {
  const extractor = new ReplayExtractor(options);
  const stats: CaptureStats[] = [];
  for (const path of paths) {
    const read: ReadCaptureOptions = options.onProgress ? { onProgress: options.onProgress } : {};
    stats.push(await readCapture(path, (view) => extractor.observe(view), read));
  }
  return { extraction: extractor.finish(), stats };
}

export { dotted as ipv4Text };
