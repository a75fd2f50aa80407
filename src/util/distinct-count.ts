/**
 * How many distinct 32-bit keys were seen, in 16 KiB whatever their number: a HyperLogLog sketch (Flajolet et al.,
 * 2007) with 2^14 registers, standard error 1.04 / √16384 ≈ 0.8 %. The handshake tracker follows at most 200 000
 * source addresses one by one; a SYN flood from spoofed sources has millions, and how many is itself evidence.
 * Sketches of disjoint or overlapping key sets merge exactly into the sketch of their union (register-wise max).
 */
import { fmix32 } from "./rng.js";

const P = 14;
const REGISTERS = 1 << P;
/** α_m for m ≥ 128 (bias correction of the raw estimate). */
const ALPHA = 0.7213 / (1 + 1.079 / REGISTERS);
/** Linear counting's estimates up to this are kept (see estimate()). */
const LINEAR_UP_TO = 3.25 * REGISTERS;


export class DistinctCounter {
  /** per register: the largest rank (position of the first 1 bit after the index bits) seen */
  readonly registers: Uint8Array;

  constructor(registers?: Uint8Array) {
    this.registers = registers ?? new Uint8Array(REGISTERS);
  }

  add(key: number): void {
    // Mixed first: consecutive addresses differ only in their low bits.
    const h = fmix32(key);
    const index = h >>> (32 - P);
    // The remaining 32 − P bits, with a sentinel bit so that the rank is at most 32 − P + 1.
    const rank = Math.clz32((h << P) | (1 << (P - 1))) + 1;
    if (rank > (this.registers[index] as number)) this.registers[index] = rank;
  }

  /** Adds everything `other` saw. */
  merge(other: DistinctCounter): void {
    const mine = this.registers;
    const theirs = other.registers;
    for (let i = 0; i < REGISTERS; i++) if ((theirs[i] as number) > (mine[i] as number)) mine[i] = theirs[i] as number;
  }

  /**
   * The estimated number of distinct keys added. Below about 3.25 × 2^14 keys the raw HyperLogLog estimate is biased
   * (21 % at 20 000, 3 % at 40 000) and linear counting over the empty registers is better (under 1.3 %); above,
   * the raw estimate is (0.6–1 %). The crossover was measured with eight key sets per size.
   */
  estimate(): number {
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < REGISTERS; i++) {
      const r = this.registers[i] as number;
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const linear = zeros > 0 ? REGISTERS * Math.log(REGISTERS / zeros) : Number.POSITIVE_INFINITY;
    return Math.round(linear <= LINEAR_UP_TO ? linear : (ALPHA * REGISTERS * REGISTERS) / sum);
  }
}
