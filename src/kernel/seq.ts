/** 32-bit sequence-space arithmetic (before()/after() of include/net/tcp.h). */

/** (s32)(a - b): negative when a is before b in sequence space. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqAfter(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

export function seqBefore(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

export function u32(x: number): number {
  return x >>> 0;
}
