/** IPv4 header (RFC 791). Offsets relative to the header start. */
export const IPV4_MIN_HEADER_LEN = 20;
export const IPV4 = {
  VERSION_IHL: 0,
  TOTAL_LEN: 2,
  ID: 4,
  FLAGS_FRAG: 6,
  TTL: 8,
  PROTOCOL: 9,
  CHECKSUM: 10,
  SRC: 12,
  DST: 16,
} as const;

/** More-fragments flag or a non-zero fragment offset: not the first and only piece of a datagram. */
export const IPV4_MF_OR_OFFSET = 0x3fff;

export const IP_PROTO = { ICMP: 1, TCP: 6, UDP: 17, ICMPV6: 58 } as const;
