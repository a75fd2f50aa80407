/** Wrap-safe 32-bit arithmetic for TCP sequence numbers and timestamps (RFC 1982 style). */

/** (s32)(a - b): positive when a is after b. */
export function diff32(a: number, b: number): number {
  return (a - b) | 0;
}

export function add32(a: number, b: number): number {
  return (a + b) >>> 0;
}
