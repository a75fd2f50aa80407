import { ipv4ToString, ipv6ToString } from "../util/addr.js";
import { foldChecksum, pseudoHeaderSum, sumWords } from "../wire/checksum.js";
import { IP_PROTO } from "../wire/ipv4.js";
import { parseTcpOptions, type TcpOptions } from "../wire/tcp-options.js";

/**
 * One decoded packet. The reader owns a single PacketView and overwrites it for every record: it is valid only
 * inside the callback that receives it (gopacket's zero-copy contract). Copy what you keep. Offsets point into
 * `bytes`, the reader's buffer. Every field is set in the constructor, so the object keeps one shape in V8.
 */
export class PacketView {
  bytes: Uint8Array = new Uint8Array(0);
  /** microseconds since the epoch */
  timestampMicros = 0;
  capturedLength = 0;
  originalLength = 0;
  interfaceIndex = 0;
  linkType = 0;
  /** absolute offset of the record in the (decompressed) file */
  recordOffset = 0;
  /** ordinal of the packet in the file, from 1 */
  packetNumber = 0;
  /** first byte after the captured data */
  end = 0;

  /** 0 = not IP */
  ipVersion: 0 | 4 | 6 = 0;
  ipOffset = -1;
  srcOffset = -1;
  dstOffset = -1;
  ttl = 0;
  /** transport protocol number, -1 unknown */
  protocol = -1;
  fragment = false;
  /** the capture cut a header nosynack needed (snaplen) */
  truncated = false;
  /** a header that cannot be right (IHL < 5, data offset < 5, lengths that do not fit) */
  malformed = false;
  /**
   * 32-bit keys of the addresses (an IPv4 address itself, a digest of an IPv6 one), for cheap map keys before any
   * string is built. Signed int32: an unsigned value past 2^31 would be a heap number, allocated afresh whenever it
   * is passed to a function that is not inlined (most addresses, 128.0.0.0 and up, and every packet).
   */
  srcKey = 0;
  dstKey = 0;

  isTcp = false;
  transportOffset = -1;
  /** bytes of TCP header + payload the IP header claims (independent of snaplen) */
  transportLength = 0;
  sport = 0;
  dport = 0;
  seq = 0;
  ack = 0;
  flags = 0;
  window = 0;
  tcpHeaderLength = 0;
  payloadLength = 0;

  /** ICMP/ICMPv6 error quoting a TCP segment */
  isIcmpError = false;
  icmpType = -1;
  icmpCode = -1;
  quotedSrcOffset = -1;
  /** address keys of the quoted datagram, like srcKey/dstKey */
  quotedSrcKey = 0;
  quotedDstKey = 0;
  quotedDstOffset = -1;
  quotedSport = 0;
  quotedDport = 0;
  quotedSeq = 0;

  /** ARP: 1 request, 2 reply; 0 not ARP */
  arpOperation = 0;
  arpSenderOffset = -1;
  arpTargetOffset = -1;

  /**
   * Clears what says which layers are present. Fields of a layer are written before its flag is set, so a
   * field is meaningful only when its flag says so (isTcp for the TCP fields, isIcmpError for the quoted ones,
   * arpOperation for ARP, ipVersion for addresses): resetting only the flags keeps this per-packet cost small.
   */
  reset(): void {
    this.ipVersion = 0;
    this.protocol = -1;
    this.fragment = false;
    this.truncated = false;
    this.malformed = false;
    this.srcKey = 0;
    this.dstKey = 0;
    this.isTcp = false;
    this.isIcmpError = false;
    this.arpOperation = 0;
  }

  private address(offset: number): string {
    return this.ipVersion === 6 ? ipv6ToString(this.bytes, offset) : ipv4ToString(this.bytes, offset);
  }

  srcAddress(): string {
    return this.address(this.srcOffset);
  }

  dstAddress(): string {
    return this.address(this.dstOffset);
  }

  quotedSrcAddress(): string {
    return this.address(this.quotedSrcOffset);
  }

  quotedDstAddress(): string {
    return this.address(this.quotedDstOffset);
  }

  arpSenderAddress(): string {
    return ipv4ToString(this.bytes, this.arpSenderOffset);
  }

  arpTargetAddress(): string {
    return ipv4ToString(this.bytes, this.arpTargetOffset);
  }

  /** Parses the TCP options into out; `false` when the capture cut them (out then holds what was there). */
  tcpOptions(out: TcpOptions): boolean {
    const start = this.transportOffset + 20;
    const headerEnd = this.transportOffset + this.tcpHeaderLength;
    parseTcpOptions(this.bytes, start, Math.min(headerEnd, this.end), out);
    return headerEnd <= this.end;
  }

  /** TCP checksum verdict: true/false, or null when the segment was not captured whole. */
  tcpChecksumOk(): boolean | null {
    if (!this.isTcp || this.transportOffset + this.transportLength > this.end) return null;
    const addrLen = this.ipVersion === 6 ? 16 : 4;
    const start = this.transportOffset;
    const sum = sumWords(this.bytes, start, start + this.transportLength, pseudoHeaderSum(this.bytes, this.srcOffset, this.dstOffset, addrLen, IP_PROTO.TCP, this.transportLength));
    return foldChecksum(sum) === 0;
  }
}
