import { parseIpv4 } from "../util/addr.js";
import { putU16be, putU32be } from "../util/bytes.js";
import { foldChecksum, pseudoHeaderSum, sumWords } from "./checksum.js";
import { ETHERNET_HEADER_LEN, ETHERTYPE } from "./ethernet.js";
import { IPV4, IPV4_MIN_HEADER_LEN, IP_PROTO } from "./ipv4.js";
import { IPV6, IPV6_HEADER_LEN } from "./ipv6.js";
import { TCP, TCP_MIN_HEADER_LEN } from "./tcp.js";
import { TCP_OPTION } from "./tcp-options.js";

/**
 * Packet building: Ethernet + IPv4/IPv6 + TCP with options and correct checksums, as a real kernel would put
 * them on the wire. Used by the simulator (captures and bundles), the benchmark generator and tests.
 */
export interface TcpFrameSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  /** TCP_FLAG bits */
  flags: number;
  window?: number;
  ttl?: number;
  ipId?: number;
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  timestamps?: { val: number; ecr: number };
  /** bytes of payload (zero-filled); default 0 */
  payloadLength?: number;
  /** store a wrong TCP checksum (the bad-checksum cause) */
  badChecksum?: boolean;
  srcMac?: Uint8Array;
  dstMac?: Uint8Array;
}

const DEFAULT_SRC_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x01);
const DEFAULT_DST_MAC = Uint8Array.of(0x02, 0, 0, 0, 0, 0x02);

/** Options in the order Linux sends them on a SYN: MSS, SACK-permitted + TS (or NOPs), NOP + window scale. */
function optionBytes(spec: TcpFrameSpec): number[] {
  const out: number[] = [];
  if (spec.mss !== undefined) out.push(TCP_OPTION.MSS, 4, (spec.mss >>> 8) & 0xff, spec.mss & 0xff);
  const ts = spec.timestamps;
  if (spec.sackPermitted && ts) out.push(TCP_OPTION.SACK_PERMITTED, 2);
  else if (spec.sackPermitted) out.push(TCP_OPTION.NOP, TCP_OPTION.NOP, TCP_OPTION.SACK_PERMITTED, 2);
  else if (ts) out.push(TCP_OPTION.NOP, TCP_OPTION.NOP);
  if (ts) {
    out.push(TCP_OPTION.TIMESTAMPS, 10);
    for (const v of [ts.val >>> 0, ts.ecr >>> 0]) out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
  }
  if (spec.windowScale !== undefined) out.push(TCP_OPTION.NOP, TCP_OPTION.WINDOW_SCALE, 3, spec.windowScale);
  while (out.length % 4 !== 0) out.push(TCP_OPTION.EOL);
  return out;
}

function parseIpv6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  const [head = "", tail] = text.split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail !== undefined && tail !== "" ? tail.split(":") : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  if (groups.length !== 8) throw new RangeError(`not an IPv6 address: ${text}`);
  groups.forEach((g, i) => putU16be(out, 2 * i, parseInt(g, 16)));
  return out;
}

function addressBytes(text: string): Uint8Array {
  const v4 = parseIpv4(text);
  if (v4) return v4;
  if (text.includes(":")) return parseIpv6(text);
  throw new RangeError(`not an IP address: ${text}`);
}

/** Builds one Ethernet frame. Throws RangeError on an impossible spec (a programming error, not user input). */
export function buildTcpFrame(spec: TcpFrameSpec): Uint8Array {
  const src = addressBytes(spec.src);
  const dst = addressBytes(spec.dst);
  if (src.length !== dst.length) throw new RangeError("source and destination families differ");
  const v6 = src.length === 16;
  const options = optionBytes(spec);
  const tcpLen = TCP_MIN_HEADER_LEN + options.length;
  const payload = spec.payloadLength ?? 0;
  const ipHeaderLen = v6 ? IPV6_HEADER_LEN : IPV4_MIN_HEADER_LEN;
  const frame = new Uint8Array(ETHERNET_HEADER_LEN + ipHeaderLen + tcpLen + payload);

  frame.set(spec.dstMac ?? DEFAULT_DST_MAC, 0);
  frame.set(spec.srcMac ?? DEFAULT_SRC_MAC, 6);
  putU16be(frame, 12, v6 ? ETHERTYPE.IPV6 : ETHERTYPE.IPV4);

  const ip = ETHERNET_HEADER_LEN;
  let srcOff: number;
  let dstOff: number;
  if (v6) {
    frame[ip] = 0x60;
    putU16be(frame, ip + IPV6.PAYLOAD_LEN, tcpLen + payload);
    frame[ip + IPV6.NEXT_HEADER] = IP_PROTO.TCP;
    frame[ip + IPV6.HOP_LIMIT] = spec.ttl ?? 64;
    srcOff = ip + IPV6.SRC;
    dstOff = ip + IPV6.DST;
  } else {
    frame[ip + IPV4.VERSION_IHL] = 0x45;
    putU16be(frame, ip + IPV4.TOTAL_LEN, IPV4_MIN_HEADER_LEN + tcpLen + payload);
    putU16be(frame, ip + IPV4.ID, spec.ipId ?? 0);
    putU16be(frame, ip + IPV4.FLAGS_FRAG, 0x4000); // DF, as Linux sets on TCP
    frame[ip + IPV4.TTL] = spec.ttl ?? 64;
    frame[ip + IPV4.PROTOCOL] = IP_PROTO.TCP;
    srcOff = ip + IPV4.SRC;
    dstOff = ip + IPV4.DST;
  }
  frame.set(src, srcOff);
  frame.set(dst, dstOff);
  if (!v6) putU16be(frame, ip + IPV4.CHECKSUM, foldChecksum(sumWords(frame, ip, ip + IPV4_MIN_HEADER_LEN)));

  const t = ip + ipHeaderLen;
  putU16be(frame, t + TCP.SRC_PORT, spec.sport);
  putU16be(frame, t + TCP.DST_PORT, spec.dport);
  putU32be(frame, t + TCP.SEQ, spec.seq >>> 0);
  putU32be(frame, t + TCP.ACK, spec.ack >>> 0);
  frame[t + TCP.DATA_OFFSET] = (tcpLen / 4) << 4;
  frame[t + TCP.FLAGS] = spec.flags & 0xff;
  putU16be(frame, t + TCP.WINDOW, spec.window ?? 64240);
  frame.set(options, t + TCP_MIN_HEADER_LEN);
  const sum = sumWords(frame, t, t + tcpLen + payload, pseudoHeaderSum(frame, srcOff, dstOff, src.length, IP_PROTO.TCP, tcpLen + payload));
  let checksum = foldChecksum(sum);
  if (spec.badChecksum) checksum = (checksum + 1) & 0xffff;
  putU16be(frame, t + TCP.CHECKSUM, checksum);
  return frame;
}

export interface IcmpErrorSpec {
  /** the router or host reporting the error */
  src: string;
  /** the sender of the offending datagram */
  dst: string;
  /** 3 destination unreachable, 11 time exceeded */
  type: number;
  code: number;
  /** the offending frame as built by buildTcpFrame; its IP header and first 8 TCP bytes are quoted */
  offending: Uint8Array;
  ttl?: number;
}

/** An ICMPv4 error quoting a TCP segment (what a REJECT rule or a router sends back for a SYN). */
export function buildIcmpv4Error(spec: IcmpErrorSpec): Uint8Array {
  const quotedStart = ETHERNET_HEADER_LEN;
  const quotedIhl = ((spec.offending[quotedStart] as number) & 0x0f) * 4;
  const quoted = spec.offending.subarray(quotedStart, quotedStart + quotedIhl + 8);
  const icmpLen = 8 + quoted.length;
  const frame = new Uint8Array(ETHERNET_HEADER_LEN + IPV4_MIN_HEADER_LEN + icmpLen);
  frame.set(DEFAULT_DST_MAC, 0);
  frame.set(DEFAULT_SRC_MAC, 6);
  putU16be(frame, 12, ETHERTYPE.IPV4);
  const ip = ETHERNET_HEADER_LEN;
  frame[ip] = 0x45;
  putU16be(frame, ip + IPV4.TOTAL_LEN, IPV4_MIN_HEADER_LEN + icmpLen);
  frame[ip + IPV4.TTL] = spec.ttl ?? 64;
  frame[ip + IPV4.PROTOCOL] = IP_PROTO.ICMP;
  frame.set(addressBytes(spec.src), ip + IPV4.SRC);
  frame.set(addressBytes(spec.dst), ip + IPV4.DST);
  putU16be(frame, ip + IPV4.CHECKSUM, foldChecksum(sumWords(frame, ip, ip + IPV4_MIN_HEADER_LEN)));
  const icmp = ip + IPV4_MIN_HEADER_LEN;
  frame[icmp] = spec.type;
  frame[icmp + 1] = spec.code;
  frame.set(quoted, icmp + 8);
  putU16be(frame, icmp + 2, foldChecksum(sumWords(frame, icmp, icmp + icmpLen)));
  return frame;
}
