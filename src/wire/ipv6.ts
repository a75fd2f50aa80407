/** IPv6 fixed header (RFC 8200) and the extension headers skipped on the way to TCP/ICMPv6. */
export const IPV6_HEADER_LEN = 40;
export const IPV6 = {
  PAYLOAD_LEN: 4,
  NEXT_HEADER: 6,
  HOP_LIMIT: 7,
  SRC: 8,
  DST: 24,
} as const;

export const IPV6_EXT = {
  HOP_BY_HOP: 0,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  NO_NEXT: 59,
  DESTINATION: 60,
  MOBILITY: 135,
} as const;

/** Extension headers with the generic (next header, length in 8-octet units − 1) layout. */
export function isSkippableExtension(nextHeader: number): boolean {
  return (
    nextHeader === IPV6_EXT.HOP_BY_HOP ||
    nextHeader === IPV6_EXT.ROUTING ||
    nextHeader === IPV6_EXT.DESTINATION ||
    nextHeader === IPV6_EXT.MOBILITY
  );
}
