import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PcapWriter } from "../../src/capture/pcap-writer.js";
import { buildIcmpv4Error, buildTcpFrame, type TcpFrameSpec } from "../../src/wire/build.js";
import { TCP_FLAG } from "../../src/wire/tcp.js";

/** One side of a conversation in a hand-built capture. */
export interface Endpoint {
  addr: string;
  port: number;
}

const { SYN, ACK, RST, FIN } = TCP_FLAG;

/**
 * Builds small captures packet by packet for tracker tests. Times are seconds from an arbitrary epoch;
 * `ts` adds a timestamps option.
 */
export class CaptureBuilder {
  private readonly frames: Array<[number, Uint8Array]> = [];
  private readonly epoch = 1_700_000_000;

  private add(at: number, spec: TcpFrameSpec): Uint8Array {
    const frame = buildTcpFrame(spec);
    this.frames.push([at, frame]);
    return frame;
  }

  syn(at: number, client: Endpoint, server: Endpoint, isn: number, ts?: number, extra: Partial<TcpFrameSpec> = {}): Uint8Array {
    return this.add(at, { src: client.addr, dst: server.addr, sport: client.port, dport: server.port, seq: isn, ack: 0, flags: SYN, mss: 1460, sackPermitted: true, windowScale: 7, ...(ts === undefined ? {} : { timestamps: { val: ts, ecr: 0 } }), ...extra });
  }

  synAck(at: number, server: Endpoint, client: Endpoint, isn: number, clientIsn: number, ts?: number): void {
    this.add(at, { src: server.addr, dst: client.addr, sport: server.port, dport: client.port, seq: isn, ack: clientIsn + 1, flags: SYN | ACK, mss: 1460, ...(ts === undefined ? {} : { timestamps: { val: ts, ecr: 1 } }) });
  }

  /** A plain ACK (no data) from `from` to `to`. */
  ack(at: number, from: Endpoint, to: Endpoint, seq: number, ack: number, ts?: { val: number; ecr: number }): void {
    this.add(at, { src: from.addr, dst: to.addr, sport: from.port, dport: to.port, seq, ack, flags: ACK, ...(ts ? { timestamps: ts } : {}) });
  }

  data(at: number, from: Endpoint, to: Endpoint, seq: number, ack: number, length: number, ts?: number): void {
    this.add(at, { src: from.addr, dst: to.addr, sport: from.port, dport: to.port, seq, ack, flags: ACK | TCP_FLAG.PSH, payloadLength: length, ...(ts === undefined ? {} : { timestamps: { val: ts, ecr: 1 } }) });
  }

  rst(at: number, from: Endpoint, to: Endpoint, seq: number, ack = 0): void {
    this.add(at, { src: from.addr, dst: to.addr, sport: from.port, dport: to.port, seq, ack, flags: ack ? RST | ACK : RST });
  }

  fin(at: number, from: Endpoint, to: Endpoint, seq: number, ack: number, ts?: number): void {
    this.add(at, { src: from.addr, dst: to.addr, sport: from.port, dport: to.port, seq, ack, flags: FIN | ACK, ...(ts === undefined ? {} : { timestamps: { val: ts, ecr: 1 } }) });
  }

  icmpUnreachable(at: number, router: string, offendingSyn: Uint8Array, client: string): void {
    this.frames.push([at, buildIcmpv4Error({ src: router, dst: client, type: 3, code: 13, offending: offendingSyn })]);
  }

  /** A whole healthy connection: handshake, one response, close by `closer`. Returns the time it ended. */
  connection(at: number, client: Endpoint, server: Endpoint, isn: number, opts: { closer: "server" | "client"; clientTs?: number }): number {
    const ts = opts.clientTs;
    this.syn(at, client, server, isn, ts);
    this.synAck(at + 0.001, server, client, 900000, isn, ts === undefined ? undefined : 1);
    this.ack(at + 0.002, client, server, isn + 1, 900001);
    this.data(at + 0.003, server, client, 900001, isn + 1, 100);
    const clientFinTs = ts === undefined ? undefined : ts + 10;
    if (opts.closer === "server") {
      this.fin(at + 0.004, server, client, 900101, isn + 1);
      this.fin(at + 0.005, client, server, isn + 1, 900102, clientFinTs);
    } else {
      this.fin(at + 0.004, client, server, isn + 1, 900101, clientFinTs);
      this.fin(at + 0.005, server, client, 900101, isn + 2);
    }
    return at + 0.006;
  }

  /** Writes the frames sorted by time (or in the order they were added) to a new temporary pcap; returns its path. */
  write(name = "built.pcap", order: "by-time" | "as-added" = "by-time"): string {
    const path = join(mkdtempSync(join(tmpdir(), "nosynack-")), name);
    const writer = PcapWriter.open(path);
    const frames = order === "by-time" ? [...this.frames].sort((a, b) => a[0] - b[0]) : this.frames;
    for (const [at, frame] of frames) writer.write((this.epoch + at) * 1e6, frame);
    writer.close();
    return path;
  }
}
