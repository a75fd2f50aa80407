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

/** A packet's addresses: keys, and text formatted on demand. */
export interface AddressedPacket {
  ipVersion: number;
  srcKey: number;
  dstKey: number;
  srcAddress(): string;
  dstAddress(): string;
}

/** Text of the packet's source address: from the key for IPv4 (no byte reads), formatted for IPv6. */
export function sourceText(view: AddressedPacket): string {
  return view.ipVersion === 6 ? view.srcAddress() : ipv4FromKey(view.srcKey);
}

export function destinationText(view: AddressedPacket): string {
  return view.ipVersion === 6 ? view.dstAddress() : ipv4FromKey(view.dstKey);
}
