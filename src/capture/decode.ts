import { u16be, u32be, u32le } from "../util/bytes.js";
import { ETHERNET_HEADER_LEN, ETHERTYPE, VLAN_TAG_LEN, isVlanEthertype } from "../wire/ethernet.js";
import { ICMP_HEADER_LEN, isIcmpError } from "../wire/icmp.js";
import { IPV4, IPV4_MF_OR_OFFSET, IPV4_MIN_HEADER_LEN, IP_PROTO } from "../wire/ipv4.js";
import { IPV6, IPV6_EXT, IPV6_HEADER_LEN, isSkippableExtension } from "../wire/ipv6.js";
import { LINKTYPE } from "../wire/link-type.js";
import { SLL2_HEADER_LEN, SLL2_PROTOCOL_OFFSET, SLL_HEADER_LEN, SLL_PROTOCOL_OFFSET } from "../wire/sll.js";
import { TCP, TCP_MIN_HEADER_LEN } from "../wire/tcp.js";
import type { PacketView } from "./packet-view.js";

/** Address families that mean IPv6 in a loopback header: 10 Linux, 24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS. */
const AF_INET = 2;
const AF_INET6_VALUES = new Set([10, 24, 28, 30]);

/**
 * Decodes the layers of view.bytes[start, view.end) for the view's link type, down to TCP or ICMP. Never throws:
 * problems set `truncated`, `malformed` or `fragment` on the view and stop decoding.
 */
export function decodePacket(view: PacketView, start: number): void {
  view.reset();
  const b = view.bytes;
  const end = view.end;
  switch (view.linkType) {
    case LINKTYPE.ETHERNET: {
      if (end - start < ETHERNET_HEADER_LEN) return truncated(view);
      let ethertype = u16be(b, start + 12);
      let o = start + ETHERNET_HEADER_LEN;
      // 802.1Q and QinQ: each tag is TCI (2 bytes) + the next ethertype (2 bytes).
      while (isVlanEthertype(ethertype)) {
        if (end - o < VLAN_TAG_LEN) return truncated(view);
        ethertype = u16be(b, o + 2);
        o += VLAN_TAG_LEN;
      }
      return decodeEthertype(view, ethertype, o);
    }
    case LINKTYPE.LINUX_SLL:
      if (end - start < SLL_HEADER_LEN) return truncated(view);
      return decodeEthertype(view, u16be(b, start + SLL_PROTOCOL_OFFSET), start + SLL_HEADER_LEN);
    case LINKTYPE.LINUX_SLL2:
      if (end - start < SLL2_HEADER_LEN) return truncated(view);
      return decodeEthertype(view, u16be(b, start + SLL2_PROTOCOL_OFFSET), start + SLL2_HEADER_LEN);
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_BSD:
    case LINKTYPE.RAW_OPENBSD:
      if (end - start < 1) return truncated(view);
      return decodeIpByVersion(view, start);
    case LINKTYPE.IPV4:
      return decodeIpv4(view, start);
    case LINKTYPE.IPV6:
      return decodeIpv6(view, start);
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP: {
      if (end - start < 4) return truncated(view);
      // NULL stores the family in the capturing host's byte order; LOOP in network order.
      let family = view.linkType === LINKTYPE.LOOP ? u32be(b, start) : u32le(b, start);
      if (family > 0xffff) family = u32be(b, start);
      if (family === AF_INET) return decodeIpv4(view, start + 4);
      if (AF_INET6_VALUES.has(family)) return decodeIpv6(view, start + 4);
      return;
    }
    default:
      return;
  }
}

function truncated(view: PacketView): void {
  view.truncated = true;
}

function decodeEthertype(view: PacketView, ethertype: number, o: number): void {
  if (ethertype === ETHERTYPE.IPV4) return decodeIpv4(view, o);
  if (ethertype === ETHERTYPE.IPV6) return decodeIpv6(view, o);
  if (ethertype === ETHERTYPE.ARP) return decodeArp(view, o);
}

function decodeIpByVersion(view: PacketView, o: number): void {
  const version = (view.bytes[o] as number) >> 4;
  if (version === 4) return decodeIpv4(view, o);
  if (version === 6) return decodeIpv6(view, o);
}

/** ARP for IPv4 over Ethernet (htype 1, ptype 0x0800, hlen 6, plen 4): who-has requests reveal an unanswered next hop. */
function decodeArp(view: PacketView, o: number): void {
  const b = view.bytes;
  if (view.end - o < 28) return truncated(view);
  if (u16be(b, o) !== 1 || u16be(b, o + 2) !== ETHERTYPE.IPV4 || b[o + 4] !== 6 || b[o + 5] !== 4) return;
  view.arpOperation = u16be(b, o + 6);
  view.arpSenderOffset = o + 14;
  view.arpTargetOffset = o + 24;
}

function decodeIpv4(view: PacketView, o: number): void {
  const b = view.bytes;
  if (view.end - o < IPV4_MIN_HEADER_LEN) return truncated(view);
  const versionIhl = b[o] as number;
  if (versionIhl >> 4 !== 4) {
    view.malformed = true;
    return;
  }
  const ihl = (versionIhl & 0x0f) * 4;
  const totalLength = u16be(b, o + IPV4.TOTAL_LEN);
  view.ipVersion = 4;
  view.ipOffset = o;
  view.srcOffset = o + IPV4.SRC;
  view.dstOffset = o + IPV4.DST;
  view.srcKey = u32be(b, o + IPV4.SRC) | 0;
  view.dstKey = u32be(b, o + IPV4.DST) | 0;
  view.ttl = b[o + IPV4.TTL] as number;
  view.protocol = b[o + IPV4.PROTOCOL] as number;
  // TSO/GRO captures on the sending host may carry total length 0; fall back to what was captured.
  const length = totalLength === 0 ? view.end - o : totalLength;
  if (ihl < IPV4_MIN_HEADER_LEN || length < ihl) {
    view.malformed = true;
    return;
  }
  if ((u16be(b, o + IPV4.FLAGS_FRAG) & IPV4_MF_OR_OFFSET) !== 0) {
    view.fragment = true;
    return;
  }
  if (view.end - o < ihl) return truncated(view);
  decodeTransport(view, o + ihl, length - ihl, 4);
}

function decodeIpv6(view: PacketView, o: number): void {
  const b = view.bytes;
  if (view.end - o < IPV6_HEADER_LEN) return truncated(view);
  if ((b[o] as number) >> 4 !== 6) {
    view.malformed = true;
    return;
  }
  view.ipVersion = 6;
  view.ipOffset = o;
  view.srcOffset = o + IPV6.SRC;
  view.dstOffset = o + IPV6.DST;
  view.srcKey = digest16(b, o + IPV6.SRC);
  view.dstKey = digest16(b, o + IPV6.DST);
  view.ttl = b[o + IPV6.HOP_LIMIT] as number;
  const payloadLength = u16be(b, o + IPV6.PAYLOAD_LEN);
  // Jumbograms (payload length 0 with a hop-by-hop option) are sized by the capture.
  let remaining = payloadLength === 0 ? view.end - o - IPV6_HEADER_LEN : payloadLength;
  let next = b[o + IPV6.NEXT_HEADER] as number;
  let p = o + IPV6_HEADER_LEN;
  // Bounded: each extension header consumes at least 8 bytes of a finite packet.
  while (true) {
    if (isSkippableExtension(next) || next === IPV6_EXT.AH) {
      if (view.end - p < 2) return truncated(view);
      const len = next === IPV6_EXT.AH ? ((b[p + 1] as number) + 2) * 4 : ((b[p + 1] as number) + 1) * 8;
      next = b[p] as number;
      p += len;
      remaining -= len;
    } else if (next === IPV6_EXT.FRAGMENT) {
      if (view.end - p < 8) return truncated(view);
      const offsetAndMore = u16be(b, p + 2);
      next = b[p] as number;
      p += 8;
      remaining -= 8;
      if ((offsetAndMore & 0xfff9) !== 0) {
        view.fragment = true;
        view.protocol = next;
        return;
      }
    } else {
      break;
    }
    if (remaining < 0) {
      view.malformed = true;
      return;
    }
  }
  view.protocol = next;
  decodeTransport(view, p, remaining, 6);
}

function decodeTransport(view: PacketView, o: number, length: number, version: 4 | 6): void {
  const proto = view.protocol;
  if (proto === IP_PROTO.TCP) return decodeTcp(view, o, length);
  if ((version === 4 && proto === IP_PROTO.ICMP) || (version === 6 && proto === IP_PROTO.ICMPV6)) return decodeIcmp(view, o, version);
}

function decodeTcp(view: PacketView, o: number, length: number): void {
  const b = view.bytes;
  view.transportOffset = o;
  view.transportLength = length;
  // Ports, sequence numbers and flags need the first 14 bytes; the window 16.
  if (view.end - o < TCP.WINDOW + 2) return truncated(view);
  view.isTcp = true;
  view.sport = u16be(b, o + TCP.SRC_PORT);
  view.dport = u16be(b, o + TCP.DST_PORT);
  view.seq = u32be(b, o + TCP.SEQ);
  view.ack = u32be(b, o + TCP.ACK);
  view.flags = b[o + TCP.FLAGS] as number;
  view.window = u16be(b, o + TCP.WINDOW);
  const headerLength = ((b[o + TCP.DATA_OFFSET] as number) >> 4) * 4;
  view.tcpHeaderLength = headerLength;
  if (headerLength < TCP_MIN_HEADER_LEN || headerLength > length) {
    view.malformed = true;
    view.payloadLength = 0;
    return;
  }
  view.payloadLength = length - headerLength;
  if (view.end - o < headerLength) view.truncated = true;
}

function decodeIcmp(view: PacketView, o: number, version: 4 | 6): void {
  const b = view.bytes;
  if (view.end - o < ICMP_HEADER_LEN) return truncated(view);
  view.icmpType = b[o] as number;
  view.icmpCode = b[o + 1] as number;
  if (!isIcmpError(version, view.icmpType)) return;
  // The quoted datagram: its IP header, then at least 8 bytes of TCP (ports, sequence number).
  const q = o + ICMP_HEADER_LEN;
  let quotedTcp: number;
  if (version === 4) {
    if (view.end - q < IPV4_MIN_HEADER_LEN) return truncated(view);
    if (b[q + IPV4.PROTOCOL] !== IP_PROTO.TCP) return;
    quotedTcp = q + ((b[q] as number) & 0x0f) * 4;
    view.quotedSrcOffset = q + IPV4.SRC;
    view.quotedDstOffset = q + IPV4.DST;
    view.quotedSrcKey = u32be(b, q + IPV4.SRC) | 0;
    view.quotedDstKey = u32be(b, q + IPV4.DST) | 0;
  } else {
    if (view.end - q < IPV6_HEADER_LEN) return truncated(view);
    if (b[q + IPV6.NEXT_HEADER] !== IP_PROTO.TCP) return;
    quotedTcp = q + IPV6_HEADER_LEN;
    view.quotedSrcOffset = q + IPV6.SRC;
    view.quotedDstOffset = q + IPV6.DST;
    view.quotedSrcKey = digest16(b, q + IPV6.SRC);
    view.quotedDstKey = digest16(b, q + IPV6.DST);
  }
  if (view.end - quotedTcp < 8) return truncated(view);
  view.isIcmpError = true;
  view.quotedSport = u16be(b, quotedTcp);
  view.quotedDport = u16be(b, quotedTcp + 2);
  view.quotedSeq = u32be(b, quotedTcp + 4);
}

/** FNV-1a over 16 address bytes: a cheap 32-bit key for IPv6 addresses. */
function digest16(b: Uint8Array, o: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i++) h = Math.imul(h ^ (b[o + i] as number), 0x01000193);
  return h | 0;
}
