import type { PacketView } from "../capture/packet-view.js";
import { ipv4FromKey } from "../util/ipv4-key.js";

/**
 * Numbers instead of strings on the hot path. An IPv4 address is its own 32-bit key; an IPv6 address is a 32-bit
 * digest, so IPv6 entries also keep their text and compare it (digests may collide).
 */

/** Digest of a directed 4-tuple (source → destination). */
export function tupleHash(srcKey: number, dstKey: number, sport: number, dport: number): number {
  let h = Math.imul(srcKey ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ dstKey ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ ((sport << 16) | dport) ^ (h >>> 16)) | 0;
}

/** Text of the packet's source address: from the key for IPv4 (no byte reads), formatted for IPv6. */
export function sourceText(view: PacketView): string {
  return view.ipVersion === 6 ? view.srcAddress() : ipv4FromKey(view.srcKey);
}

export function destinationText(view: PacketView): string {
  return view.ipVersion === 6 ? view.dstAddress() : ipv4FromKey(view.dstKey);
}
