/** The Internet checksum (RFC 1071): one's-complement sum of 16-bit words. */

/** Adds b[start, end) as big-endian 16-bit words to a running 32-bit sum (odd length padded with zero). */
export function sumWords(b: Uint8Array, start: number, end: number, sum = 0): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += ((b[i] as number) << 8) | (b[i + 1] as number);
  if (i < end) sum += (b[i] as number) << 8;
  return sum;
}

export function foldChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** Pseudo-header sum for TCP/UDP over IPv4 or IPv6 (addresses at srcOff/dstOff, addrLen 4 or 16). */
export function pseudoHeaderSum(b: Uint8Array, srcOff: number, dstOff: number, addrLen: number, proto: number, length: number): number {
  let sum = sumWords(b, srcOff, srcOff + addrLen);
  sum = sumWords(b, dstOff, dstOff + addrLen, sum);
  return sum + proto + (length >>> 16) + (length & 0xffff);
}
