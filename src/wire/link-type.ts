/** Link-layer header types of pcap/pcapng (tcpdump.org/linktypes.html) that nosynack decodes. */
export const LINKTYPE = {
  NULL: 0, // BSD loopback: 4-byte address family in host byte order
  ETHERNET: 1,
  RAW_OPENBSD: 12, // DLT_RAW on some BSDs
  RAW_BSD: 14,
  RAW: 101,
  LOOP: 108, // OpenBSD loopback: address family in network byte order
  LINUX_SLL: 113, // tcpdump -i any before libpcap 1.10
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276, // tcpdump -i any with libpcap ≥ 1.10
} as const;

const NAMES = new Map<number, string>(Object.entries(LINKTYPE).map(([name, value]) => [value, name]));

export function linkTypeName(linkType: number): string {
  return NAMES.get(linkType) ?? `linktype ${linkType}`;
}

export function isSupportedLinkType(linkType: number): boolean {
  return NAMES.has(linkType);
}
