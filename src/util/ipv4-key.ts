/** An IPv4 address held as its 32-bit value (the hot path's key) back to dotted text. */
export function ipv4FromKey(key: number): string {
  return `${key >>> 24}.${(key >>> 16) & 0xff}.${(key >>> 8) & 0xff}.${key & 0xff}`;
}
