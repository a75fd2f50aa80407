/**
 * Seeded pseudo-random numbers for the simulator: xoshiro128** (32-bit state words, so every step is exact in
 * JavaScript integer arithmetic) seeded through splitmix32.
 *
 * One master seed feeds named sub-streams: `rng.stream("client-ports")` always yields the same sequence for the
 * same master seed and name, whatever other streams consumed. Adding a new random choice therefore does not shift
 * the numbers of the existing ones, which keeps golden outputs stable while the model grows.
 */

/** Largest master seed we accept: it is printed and typed back by users, so keep it a plain integer. */
export const MAX_SEED = 0xffff_ffff;

/** splitmix32 step: a good 32-bit mixer used to expand one seed into four state words. */
function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** FNV-1a over the UTF-16 code units of a stream name: stable, dependency-free. */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Murmur3's 32-bit finaliser: every input bit affects every output bit (keys that differ in a few low bits too). */
export function fmix32(key: number): number {
  let h = key | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit mix of several integers (used for deterministic per-flow hashes such as TS offsets). */
export function mix32(...values: readonly number[]): number {
  let h = 0x243f6a88;
  for (const v of values) {
    h = Math.imul(h ^ (v >>> 0), 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca77);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** `seed` is the master seed; `name` selects the sub-stream ("" for the root stream). */
  constructor(
    readonly seed: number,
    readonly name = "",
  ) {
    let state = (seed ^ Math.imul(hashName(name), 0x27d4eb2f)) | 0;
    let out: number;
    [state, out] = splitmix32(state);
    this.s0 = out;
    [state, out] = splitmix32(state);
    this.s1 = out;
    [state, out] = splitmix32(state);
    this.s2 = out;
    [state, out] = splitmix32(state);
    this.s3 = out;
    // xoshiro must not start from the all-zero state.
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** An independent stream for one named random choice, derived from the master seed only. */
  stream(name: string): Rng {
    return new Rng(this.seed, this.name === "" ? name : `${this.name}/${name}`);
  }

  /** Next 32-bit unsigned integer (xoshiro128**). */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  float(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [lo, hi) ; hi - lo must be at most 2^32. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo));
  }

  /** Exponentially distributed value with the given mean (Poisson inter-arrival times). */
  exponential(mean: number): number {
    // 1 - float() lies in (0, 1], so the logarithm is finite.
    return -Math.log(1 - this.float()) * mean;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from an empty list");
    return items[this.int(0, items.length)] as T;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
