/**
 * ICMP / ICMPv6 errors that quote the offending datagram: the router or host says where a SYN died.
 * A destination-unreachable quotes the original IP header and at least 8 bytes of TCP (ports and sequence).
 */
export const ICMP_HEADER_LEN = 8;
export const ICMP_TYPE = { DEST_UNREACHABLE: 3, TIME_EXCEEDED: 11 } as const;
export const ICMPV6_TYPE = { DEST_UNREACHABLE: 1, PACKET_TOO_BIG: 2, TIME_EXCEEDED: 3 } as const;

export function isIcmpError(version: 4 | 6, type: number): boolean {
  if (version === 4) return type === ICMP_TYPE.DEST_UNREACHABLE || type === ICMP_TYPE.TIME_EXCEEDED;
  return type === ICMPV6_TYPE.DEST_UNREACHABLE || type === ICMPV6_TYPE.TIME_EXCEEDED;
}
