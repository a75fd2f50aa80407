/** Ethernet II with 802.1Q / 802.1ad (QinQ) tags. */
export const ETHERNET_HEADER_LEN = 14;
export const VLAN_TAG_LEN = 4;

export const ETHERTYPE = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100, // 802.1Q
  QINQ: 0x88a8, // 802.1ad
  QINQ_OLD: 0x9100, // pre-standard QinQ
  IPV6: 0x86dd,
} as const;

export function isVlanEthertype(ethertype: number): boolean {
  return ethertype === ETHERTYPE.VLAN || ethertype === ETHERTYPE.QINQ || ethertype === ETHERTYPE.QINQ_OLD;
}
