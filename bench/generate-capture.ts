/**
 * Writes the benchmark capture: a deterministic (seeded) server-side pcap of ≥ 3 M packets, ~1 GB:
 * complete connections with data (half closed first by the server), unanswered SYNs retransmitted at +1, +3,
 * +7 s, NAT-like sources where several hosts with their own TSval clocks share one address, and TIME_WAIT
 * collisions answered by a bare ACK, a client RST and a retried SYN.
 * Also the SYN-flood capture (generateFloodCapture).
 * Usage: tsx bench/generate-capture.ts OUT.pcap [connections]
 */
import { PcapWriter } from "../src/capture/pcap-writer.js";
import { EventQueue } from "../src/util/event-queue.js";
import { Rng } from "../src/util/rng.js";
import { buildTcpFrame, type TcpFrameSpec } from "../src/wire/build.js";
import { TCP_FLAG } from "../src/wire/tcp.js";

const { SYN, ACK, FIN, RST, PSH } = TCP_FLAG;

/** Seeded, reproducible uniform numbers in [0, 1) from the project's xoshiro generator. */
function rng(seed: number): () => number {
  const generator = new Rng(seed >>> 0);
  return () => generator.float();
}

const SERVER = "198.18.0.10";
const EPOCH = 1_780_000_000;

/** A capture file written in time order from frames scheduled out of order; ties in the order they were pushed. */
class TimeOrderedCapture {
  private readonly writer: PcapWriter;
  private readonly queue = new EventQueue<TcpFrameSpec>();

  constructor(path: string) {
    this.writer = PcapWriter.open(path);
  }

  /** Schedules a frame at `at` seconds after the epoch of the capture. */
  push(at: number, spec: TcpFrameSpec): void {
    this.queue.push(at, spec);
  }

  /** Writes every frame due by `until`. */
  flush(until: number): void {
    const queue = this.queue;
    while (queue.size > 0 && queue.peekTime() <= until) {
      const at = queue.peekTime();
      this.writer.write((EPOCH + at) * 1e6, buildTcpFrame(queue.pop() as TcpFrameSpec));
    }
  }

  /** Writes the rest and closes the file; returns the number of packets written. */
  close(): number {
    this.flush(Number.POSITIVE_INFINITY);
    this.writer.close();
    return this.writer.packets;
  }
}

export function generateCapture(path: string, connections = 210_000, seed = 1): number {
  const random = rng(seed);
  const capture = new TimeOrderedCapture(path);
  const emit = (at: number, spec: TcpFrameSpec): void => capture.push(at, spec);
  // NAT addresses, each fronting hosts with their own clock (rate, offset).
  const nats = ["198.18.100.1", "198.18.100.2", "198.18.100.3"].map((addr) => ({
    addr,
    hosts: Array.from({ length: 8 }, (_, i) => ({ rate: i % 3 === 0 ? 250 : 1000, offset: Math.floor(random() * 2 ** 32) })),
    nextPort: 1024,
  }));
  const span = 600;
  for (let i = 0; i < connections; i++) {
    const t = (i / connections) * span;
    capture.flush(t);
    const nat = random() < 0.15 ? nats[Math.floor(random() * nats.length)] : undefined;
    const client = nat ? nat.addr : `198.18.${16 + Math.floor(random() * 16)}.${1 + Math.floor(random() * 250)}`;
    let sport: number;
    let ts: number;
    if (nat) {
      const host = nat.hosts[Math.floor(random() * nat.hosts.length)] as { rate: number; offset: number };
      nat.nextPort = nat.nextPort >= 65535 ? 1024 : nat.nextPort + 1;
      sport = nat.nextPort;
      ts = (host.offset + Math.floor(host.rate * t)) >>> 0;
    } else {
      sport = 32768 + Math.floor(random() * 28000);
      ts = Math.floor(random() * 2 ** 32);
    }
    const dport = random() < 0.7 ? 443 : 80;
    const isn = Math.floor(random() * 2 ** 32);
    const sisn = Math.floor(random() * 2 ** 32);
    const c2s = { src: client, dst: SERVER, sport, dport };
    const s2c = { src: SERVER, dst: client, sport: dport, dport: sport };
    const synSpec = (at: number): void => emit(at, { ...c2s, seq: isn, ack: 0, flags: SYN, mss: 1460, sackPermitted: true, windowScale: 7, timestamps: { val: (ts + Math.round((at - t) * 1000)) >>> 0, ecr: 0 } });
    const roll = random();
    if (roll < 0.05) {
      // Unanswered: the client retries at +1, +3, +7 s and gives up.
      for (const dt of [0, 1, 3, 7]) synSpec(t + dt);
      continue;
    }
    let start = t;
    if (roll < 0.07) {
      // A 4-tuple still in TIME_WAIT on the server: bare ACK, client RST, quick retry answered.
      synSpec(t);
      emit(t + 0.0001, { ...s2c, seq: sisn, ack: isn, flags: ACK, timestamps: { val: 1, ecr: (ts + 5000) >>> 0 } });
      emit(t + 0.0002, { ...c2s, seq: isn, ack: 0, flags: RST });
      start = t + 0.01;
    }
    synSpec(start);
    const rtt = 0.0005 + random() * 0.02;
    emit(start + rtt / 2, { ...s2c, seq: sisn, ack: isn + 1, flags: SYN | ACK, mss: 1460, sackPermitted: true, windowScale: 7, timestamps: { val: 7, ecr: ts } });
    let at = start + rtt;
    emit(at, { ...c2s, seq: isn + 1, ack: sisn + 1, flags: ACK, timestamps: { val: ts + 1, ecr: 7 } });
    emit(at + 0.0001, { ...c2s, seq: isn + 1, ack: sisn + 1, flags: ACK | PSH, payloadLength: 200 + Math.floor(random() * 400), timestamps: { val: ts + 1, ecr: 7 } });
    let sseq = sisn + 1;
    const segments = 1 + Math.floor(random() * 12);
    for (let k = 0; k < segments; k++) {
      at += 0.0002;
      const len = random() < 0.2 ? 1448 : 60 + Math.floor(random() * 500);
      emit(at, { ...s2c, seq: sseq, ack: isn + 600, flags: ACK, payloadLength: len, timestamps: { val: 8 + k, ecr: ts + 1 } });
      sseq += len;
      if (k % 2 === 1) emit(at + rtt / 2, { ...c2s, seq: isn + 600, ack: sseq, flags: ACK, timestamps: { val: ts + 2, ecr: 8 + k } });
    }
    at += rtt;
    const clientFinTs = ts + Math.round((at - t) * 1000) + 3;
    if (random() < 0.5) {
      emit(at, { ...s2c, seq: sseq, ack: isn + 600, flags: FIN | ACK, timestamps: { val: 20, ecr: ts + 2 } });
      emit(at + rtt, { ...c2s, seq: isn + 600, ack: sseq + 1, flags: FIN | ACK, timestamps: { val: clientFinTs >>> 0, ecr: 20 } });
      emit(at + rtt * 1.5, { ...s2c, seq: sseq + 1, ack: isn + 601, flags: ACK, timestamps: { val: 21, ecr: clientFinTs >>> 0 } });
    } else {
      emit(at, { ...c2s, seq: isn + 600, ack: sseq, flags: FIN | ACK, timestamps: { val: clientFinTs >>> 0, ecr: 20 } });
      emit(at + rtt / 2, { ...s2c, seq: sseq, ack: isn + 601, flags: FIN | ACK, timestamps: { val: 21, ecr: clientFinTs >>> 0 } });
      emit(at + rtt, { ...c2s, seq: isn + 601, ack: sseq + 1, flags: ACK, timestamps: { val: (clientFinTs + 1) >>> 0, ecr: 21 } });
    }
  }
  return capture.close();
}

/**
 * Writes the SYN-flood benchmark capture: `syns` SYNs at 200 000 per second from spoofed sources drawn at random
 * from 10.0.0.0/8 (each SYN its own port, ISN and TSval, none retransmitted), to one listener whose SYN queue is
 * full: one SYN in fifty gets into the queue, and its SYN-ACK is retransmitted, never acknowledged. This is the
 * capture where the tracker holds the most state (every attempt stays open for its whole retry budget) and touches
 * it in no useful order.
 */
export function generateFloodCapture(path: string, syns = 4_000_000, seed = 2): number {
  const random = rng(seed);
  const capture = new TimeOrderedCapture(path);
  for (let i = 0; i < syns; i++) {
    const t = i / 200_000;
    capture.flush(t);
    const source = (10 << 24) | Math.floor(random() * 2 ** 24);
    const client = `${(source >>> 24) & 255}.${(source >>> 16) & 255}.${(source >>> 8) & 255}.${source & 255}`;
    const sport = 1024 + Math.floor(random() * 64_000);
    const isn = Math.floor(random() * 2 ** 32);
    const ts = Math.floor(random() * 2 ** 32);
    capture.push(t, { src: client, dst: SERVER, sport, dport: 443, seq: isn, ack: 0, flags: SYN, window: 512, mss: 1460, timestamps: { val: ts, ecr: 0 } });
    if (i % 50 === 0) {
      // A request that made it into the queue: its SYN-ACK is retransmitted (tcp_synack_retries) and never answered.
      const serverIsn = Math.floor(random() * 2 ** 32);
      for (const dt of [0.0001, 1, 3, 7, 15]) {
        capture.push(t + dt, { src: SERVER, dst: client, sport: 443, dport: sport, seq: serverIsn, ack: isn + 1, flags: SYN | ACK, mss: 1460, sackPermitted: true, windowScale: 7, timestamps: { val: 7 + Math.round(dt * 1000), ecr: ts } });
      }
    }
  }
  return capture.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write("usage: tsx bench/generate-capture.ts OUT.pcap [connections]\n");
    process.exitCode = 2;
  } else {
    const packets = generateCapture(out, Number(process.argv[3] ?? 210_000));
    process.stdout.write(`${out}: ${packets} packets\n`);
  }
}
