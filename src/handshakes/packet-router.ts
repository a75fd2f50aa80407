import type { PacketView } from "../capture/packet-view.js";
import { TCP_FLAG } from "../wire/tcp.js";
import { MAX_RECORD_WORDS, type RecordBuffer, RecordWriter } from "./packet-record.js";

/** The tracker expires old state at most once per second of capture time (see SweepClock). */
const SWEEP_EVERY_MICROS = 1e6;

/**
 * The partition that owns a client address key: all of a client's attempts, close states, clocks and tallies live
 * in one partition, so partitions can be tracked side by side and merged exactly (see merge-partitions.ts).
 */
export function partitionOf(addressKey: number, partitions: number): number {
  return partitions === 1 ? 0 : (Math.imul(addressKey, 0x9e3779b1) >>> 16) % partitions;
}

/**
 * When the tracker sweeps: before the first packet and before every packet whose second (of capture time) differs
 * from the previous packet's. A function of two neighbouring timestamps, so whoever cuts the capture into chunks
 * only passes on the last timestamp before each chunk, and every partition sweeps before the same packets.
 */
export class SweepClock {
  /** the second of the previous packet, as [start, end) in µs; NaN before the first packet */
  private start = Number.NaN;
  private end = Number.NaN;

  /** Continues after a packet at `micros` (NaN: none yet). */
  follow(micros: number): void {
    this.start = Math.floor(micros / SWEEP_EVERY_MICROS) * SWEEP_EVERY_MICROS;
    this.end = this.start + SWEEP_EVERY_MICROS;
  }

  due(micros: number): boolean {
    if (micros >= this.start && micros < this.end) return false;
    this.follow(micros);
    return true;
  }
}

const SYN = TCP_FLAG.SYN;
const ACK = TCP_FLAG.ACK;
const FIN_RST = TCP_FLAG.FIN | TCP_FLAG.RST;

/**
 * Turns decoded packets into tracker records, each sent to the partition(s) that need it: a client's SYN to the
 * client's partition (and, as "listener only", to the others, so that every partition knows every listener when
 * it orients a FIN); SYN-ACKs and plain ACKs (possible bare-ACK replies) to the partition of their destination;
 * FINs and RSTs, whose sender may be either end, to both ends' partitions; ICMP errors to the quoted client's;
 * ARP to partition 0; sweep ticks to all. Packets the tracker never looks at (no SYN, FIN, RST or ACK; not TCP,
 * ICMP error or ARP) produce nothing.
 */
export class PacketRouter {
  tcpPackets = 0;
  readonly sweep = new SweepClock();
  /** where the next record of each partition goes, in words */
  readonly positions: number[];
  private readonly writer = new RecordWriter();

  /**
   * When set: whether the tracker of `partition` would look at a plain ACK on this 4-tuple now. Only a tracker in
   * the same thread, reading each record as soon as it is routed, can answer; the others get every plain ACK.
   */
  plainAckWanted: ((partition: number, srcKey: number, dstKey: number, sport: number, dport: number) => boolean) | null = null;

  constructor(
    private outputs: readonly RecordBuffer[],
    /** the first packet's index; advanced for every packet routed */
    public packetIndex = 0,
  ) {
    this.positions = outputs.map(() => 0);
  }

  /** Writes from now on into `outputs` (one per partition, as before), from their start. */
  retarget(outputs: readonly RecordBuffer[]): void {
    this.outputs = outputs;
    this.positions.fill(0);
  }

  /** Room that must be left in every output before `route` (one tick and one record). */
  static readonly MAX_WORDS_PER_PACKET = MAX_RECORD_WORDS + 6;

  route(view: PacketView): void {
    const index = this.packetIndex++;
    const outputs = this.outputs;
    const positions = this.positions;
    const partitions = outputs.length;
    const writer = this.writer;
    if (this.sweep.due(view.timestampMicros)) {
      for (let p = 0; p < partitions; p++) positions[p] = writer.tick(outputs[p] as RecordBuffer, positions[p] as number, view.timestampMicros, index);
    }
    if (view.isTcp) {
      this.tcpPackets++;
      const flags = view.flags;
      if ((flags & SYN) !== 0) {
        if ((flags & ACK) !== 0) {
          this.tcp(partitionOf(view.dstKey, partitions), view, index, false);
        } else {
          const owner = partitionOf(view.srcKey, partitions);
          for (let p = 0; p < partitions; p++) this.tcp(p, view, index, p !== owner);
        }
      } else if ((flags & FIN_RST) !== 0) {
        const a = partitionOf(view.srcKey, partitions);
        const b = partitionOf(view.dstKey, partitions);
        this.tcp(a, view, index, false);
        if (b !== a) this.tcp(b, view, index, false);
      } else if ((flags & ACK) !== 0) {
        const p = partitionOf(view.dstKey, partitions);
        if (this.plainAckWanted === null || this.plainAckWanted(p, view.srcKey, view.dstKey, view.sport, view.dport)) this.tcp(p, view, index, false);
      }
    } else if (view.isIcmpError) {
      const p = partitionOf(view.quotedSrcKey, partitions);
      positions[p] = writer.icmpError(outputs[p] as RecordBuffer, positions[p] as number, view, index);
    } else if (view.arpOperation !== 0) {
      positions[0] = writer.arp(outputs[0] as RecordBuffer, positions[0] as number, view, index);
    }
  }

  private tcp(p: number, view: PacketView, index: number, listenerOnly: boolean): void {
    this.positions[p] = this.writer.tcp(this.outputs[p] as RecordBuffer, this.positions[p] as number, view, index, listenerOnly);
  }
}
