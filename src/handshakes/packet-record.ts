import type { PacketView } from "../capture/packet-view.js";
import { ipv4FromKey } from "../util/ipv4-key.js";
import { ipv6ToString } from "../util/addr.js";
import { parseTcpOptions, TcpOptions } from "../wire/tcp-options.js";

/**
 * What the handshake tracker needs of one packet, as a few int32 words: decoded once (possibly in another thread)
 * and read by the tracker without the packet bytes. A record is an even number of words so that its time can be
 * read as a float64 from the same buffer. Layout (word offsets):
 *   0 length in words · 1 kind and bits · 2–3 time (µs, float64) · 4–5 packet index (float64) ·
 *   TCP: 6 src key · 7 dst key · 8 ports · 9 seq · 10 ack · 11 TSval · 12 TSecr · 13 TTL; IPv6: 14–21 addresses
 *   ICMP error: 6 sender key · 7 quoted src key · 8 quoted dst key · 9 quoted ports · 10 quoted seq · 11 type·code;
 *               IPv6: 12–23 sender, quoted source and quoted destination addresses
 *   ARP: 6 operation · 7 sender address · 8 target address
 *   tick (the sweep clock, see SweepClock): header only
 */
export const RECORD_KIND = { tick: 0, tcp: 1, icmpError: 2, arp: 3 } as const;

const BIT = {
  ipv6: 1 << 2,
  /** a SYN sent to a partition that does not own its source: register the listener, nothing else */
  listenerOnly: 1 << 3,
  hasTimestamps: 1 << 16,
  hasMd5: 1 << 17,
  optionsMalformed: 1 << 18,
  checksumKnown: 1 << 19,
  checksumBad: 1 << 20,
} as const;
const FLAGS_SHIFT = 8;

const TCP_WORDS = 14;
const ICMP_WORDS = 12;
const ARP_WORDS = 10;
const TICK_WORDS = 6;
const V6_ADDRESS_WORDS = 4;
/** the longest record: an ICMPv6 error with three addresses */
export const MAX_RECORD_WORDS = ICMP_WORDS + 3 * V6_ADDRESS_WORDS;

const SYN = 0x02;
const ACK = 0x10;

/** Int32 and float64 views of one buffer that records are written to and read from. */
export class RecordBuffer {
  readonly words: Int32Array;
  readonly doubles: Float64Array;

  constructor(readonly buffer: ArrayBufferLike, byteOffset = 0, byteLength = buffer.byteLength - byteOffset) {
    this.words = new Int32Array(buffer, byteOffset, byteLength >> 2);
    this.doubles = new Float64Array(buffer, byteOffset, byteLength >> 3);
  }

  static ofWords(words: number): RecordBuffer {
    return new RecordBuffer(new ArrayBuffer(words * 4));
  }
}

/** Writes records; `options` is scratch space for parsing TCP options. */
export class RecordWriter {
  private readonly options = new TcpOptions();

  /** A tick at `micros` at word offset `at`; returns the offset after it. */
  tick(out: RecordBuffer, at: number, micros: number, packetIndex: number): number {
    return header(out, at, TICK_WORDS, RECORD_KIND.tick, micros, packetIndex);
  }

  /**
   * The TCP packet in `view` at word offset `at`; returns the offset after it. SYN checksums are verified (the
   * tracker flags bad ones), options are parsed for their timestamps and MD5.
   */
  tcp(out: RecordBuffer, at: number, view: PacketView, packetIndex: number, listenerOnly: boolean): number {
    const v6 = view.ipVersion === 6;
    const length = TCP_WORDS + (v6 ? 2 * V6_ADDRESS_WORDS : 0);
    const flags = view.flags;
    let bits = RECORD_KIND.tcp | (flags << FLAGS_SHIFT) | (v6 ? BIT.ipv6 : 0) | (listenerOnly ? BIT.listenerOnly : 0);
    const w = out.words;
    let tsVal = 0;
    let tsEcr = 0;
    const b = view.bytes;
    const o = view.transportOffset + 20;
    if (listenerOnly) {
      // only the listener (destination) is read
    } else if (view.tcpHeaderLength === 32 && o + 12 <= view.end && b[o] === 1 && b[o + 1] === 1 && b[o + 2] === 8 && b[o + 3] === 10) {
      // The layout of nearly every segment after the handshake (NOP, NOP, timestamps), read without the parser.
      bits |= BIT.hasTimestamps;
      tsVal = readIpv4(b, o + 4);
      tsEcr = readIpv4(b, o + 8);
    } else {
      const options = this.options;
      parseTcpOptions(b, o, Math.min(view.transportOffset + view.tcpHeaderLength, view.end), options);
      if (options.hasTimestamps) {
        bits |= BIT.hasTimestamps;
        tsVal = options.tsVal;
        tsEcr = options.tsEcr;
      }
      if (options.hasMd5) bits |= BIT.hasMd5;
      if (options.malformed) bits |= BIT.optionsMalformed;
    }
    if (!listenerOnly && (flags & (SYN | ACK)) === SYN) {
      const checksum = view.tcpChecksumOk();
      if (checksum !== null) bits |= checksum ? BIT.checksumKnown : BIT.checksumKnown | BIT.checksumBad;
    }
    header(out, at, length, bits, view.timestampMicros, packetIndex);
    w[at + 6] = view.srcKey;
    w[at + 7] = view.dstKey;
    w[at + 8] = (view.sport << 16) | view.dport;
    w[at + 9] = view.seq;
    w[at + 10] = view.ack;
    w[at + 11] = tsVal;
    w[at + 12] = tsEcr;
    w[at + 13] = view.ttl;
    if (v6) {
      copyAddress(view.bytes, view.srcOffset, w, at + TCP_WORDS);
      copyAddress(view.bytes, view.dstOffset, w, at + TCP_WORDS + V6_ADDRESS_WORDS);
    }
    return at + length;
  }

  icmpError(out: RecordBuffer, at: number, view: PacketView, packetIndex: number): number {
    const v6 = view.ipVersion === 6;
    const length = ICMP_WORDS + (v6 ? 3 * V6_ADDRESS_WORDS : 0);
    header(out, at, length, RECORD_KIND.icmpError | (v6 ? BIT.ipv6 : 0), view.timestampMicros, packetIndex);
    const w = out.words;
    w[at + 6] = view.srcKey;
    w[at + 7] = view.quotedSrcKey;
    w[at + 8] = view.quotedDstKey;
    w[at + 9] = (view.quotedSport << 16) | view.quotedDport;
    w[at + 10] = view.quotedSeq;
    w[at + 11] = (view.icmpType << 8) | view.icmpCode;
    if (v6) {
      copyAddress(view.bytes, view.srcOffset, w, at + ICMP_WORDS);
      copyAddress(view.bytes, view.quotedSrcOffset, w, at + ICMP_WORDS + V6_ADDRESS_WORDS);
      copyAddress(view.bytes, view.quotedDstOffset, w, at + ICMP_WORDS + 2 * V6_ADDRESS_WORDS);
    }
    return at + length;
  }

  arp(out: RecordBuffer, at: number, view: PacketView, packetIndex: number): number {
    header(out, at, ARP_WORDS, RECORD_KIND.arp, view.timestampMicros, packetIndex);
    const w = out.words;
    w[at + 6] = view.arpOperation;
    w[at + 7] = readIpv4(view.bytes, view.arpSenderOffset);
    w[at + 8] = readIpv4(view.bytes, view.arpTargetOffset);
    return at + ARP_WORDS;
  }
}

function header(out: RecordBuffer, at: number, length: number, bits: number, micros: number, packetIndex: number): number {
  out.words[at] = length;
  out.words[at + 1] = bits;
  out.doubles[(at + 2) >> 1] = micros;
  out.doubles[(at + 4) >> 1] = packetIndex;
  return at + length;
}

function readIpv4(b: Uint8Array, o: number): number {
  return ((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number);
}

/** 16 address bytes as four big-endian words. */
function copyAddress(b: Uint8Array, o: number, w: Int32Array, at: number): void {
  for (let i = 0; i < V6_ADDRESS_WORDS; i++) w[at + i] = readIpv4(b, o + 4 * i);
}

/**
 * One record as the tracker reads it: `load` copies the words into fields (the same names as PacketView's), so
 * the tracker's hot path reads plain properties. Address text is formatted on demand from the record.
 */
export class PacketRecord {
  kind = 0;
  ipVersion: 4 | 6 = 4;
  listenerOnly = false;
  timestampMicros = 0;
  packetIndex = 0;
  flags = 0;
  srcKey = 0;
  dstKey = 0;
  sport = 0;
  dport = 0;
  seq = 0;
  ack = 0;
  ttl = 0;
  hasTimestamps = false;
  tsVal = 0;
  tsEcr = 0;
  hasMd5 = false;
  optionsMalformed = false;
  /** TCP checksum of a SYN: null when not verifiable (segment not captured whole) */
  checksumOk: boolean | null = null;
  quotedSrcKey = 0;
  quotedDstKey = 0;
  quotedSport = 0;
  quotedDport = 0;
  quotedSeq = 0;
  icmpType = 0;
  icmpCode = 0;
  arpOperation = 0;
  private source: RecordBuffer = RecordBuffer.ofWords(2);
  private at = 0;

  /** Reads the record at word offset `at`; returns the offset of the next one. */
  load(from: RecordBuffer, at: number): number {
    const w = from.words;
    const length = w[at] as number;
    const bits = w[at + 1] as number;
    this.source = from;
    this.at = at;
    this.kind = bits & 3;
    this.ipVersion = (bits & BIT.ipv6) !== 0 ? 6 : 4;
    this.timestampMicros = from.doubles[(at + 2) >> 1] as number;
    this.packetIndex = from.doubles[(at + 4) >> 1] as number;
    if (this.kind === RECORD_KIND.tcp) {
      this.listenerOnly = (bits & BIT.listenerOnly) !== 0;
      this.flags = (bits >>> FLAGS_SHIFT) & 0xff;
      this.srcKey = w[at + 6] as number;
      this.dstKey = w[at + 7] as number;
      const ports = w[at + 8] as number;
      this.sport = ports >>> 16;
      this.dport = ports & 0xffff;
      this.seq = (w[at + 9] as number) >>> 0;
      this.ack = (w[at + 10] as number) >>> 0;
      this.tsVal = (w[at + 11] as number) >>> 0;
      this.tsEcr = (w[at + 12] as number) >>> 0;
      this.ttl = w[at + 13] as number;
      this.hasTimestamps = (bits & BIT.hasTimestamps) !== 0;
      this.hasMd5 = (bits & BIT.hasMd5) !== 0;
      this.optionsMalformed = (bits & BIT.optionsMalformed) !== 0;
      this.checksumOk = (bits & BIT.checksumKnown) === 0 ? null : (bits & BIT.checksumBad) === 0;
    } else if (this.kind === RECORD_KIND.icmpError) {
      this.srcKey = w[at + 6] as number;
      this.quotedSrcKey = w[at + 7] as number;
      this.quotedDstKey = w[at + 8] as number;
      const ports = w[at + 9] as number;
      this.quotedSport = ports >>> 16;
      this.quotedDport = ports & 0xffff;
      this.quotedSeq = (w[at + 10] as number) >>> 0;
      const typeCode = w[at + 11] as number;
      this.icmpType = typeCode >> 8;
      this.icmpCode = typeCode & 0xff;
    } else if (this.kind === RECORD_KIND.arp) {
      this.arpOperation = w[at + 6] as number;
    }
    return at + length;
  }

  private v6Text(word: number): string {
    const w = this.source.words;
    const bytes = new Uint8Array(16);
    for (let i = 0; i < V6_ADDRESS_WORDS; i++) {
      const value = w[this.at + word + i] as number;
      bytes[4 * i] = value >>> 24;
      bytes[4 * i + 1] = (value >>> 16) & 0xff;
      bytes[4 * i + 2] = (value >>> 8) & 0xff;
      bytes[4 * i + 3] = value & 0xff;
    }
    return ipv6ToString(bytes, 0);
  }

  /** Source address text (the ICMP error's sender for an ICMP record). */
  srcAddress(): string {
    if (this.ipVersion === 4) return ipv4FromKey(this.srcKey);
    return this.v6Text(this.kind === RECORD_KIND.icmpError ? ICMP_WORDS : TCP_WORDS);
  }

  dstAddress(): string {
    return this.ipVersion === 4 ? ipv4FromKey(this.dstKey) : this.v6Text(TCP_WORDS + V6_ADDRESS_WORDS);
  }

  quotedSrcAddress(): string {
    return this.ipVersion === 4 ? ipv4FromKey(this.quotedSrcKey) : this.v6Text(ICMP_WORDS + V6_ADDRESS_WORDS);
  }

  quotedDstAddress(): string {
    return this.ipVersion === 4 ? ipv4FromKey(this.quotedDstKey) : this.v6Text(ICMP_WORDS + 2 * V6_ADDRESS_WORDS);
  }

  arpSenderAddress(): string {
    return ipv4FromKey(this.source.words[this.at + 7] as number);
  }

  arpTargetAddress(): string {
    return ipv4FromKey(this.source.words[this.at + 8] as number);
  }
}
