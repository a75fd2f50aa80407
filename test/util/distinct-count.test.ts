import { describe, expect, it } from "vitest";
import { DistinctCounter } from "../../src/util/distinct-count.js";
import { Rng } from "../../src/util/rng.js";

/** `n` distinct int32 keys (random, so not only consecutive addresses), each added `repeat` times. */
function counted(n: number, seed: number, repeat = 1): { counter: DistinctCounter; keys: Set<number> } {
  const rng = new Rng(seed);
  const keys = new Set<number>();
  while (keys.size < n) keys.add(rng.u32() | 0);
  const counter = new DistinctCounter();
  for (let r = 0; r < repeat; r++) for (const key of keys) counter.add(key);
  return { counter, keys };
}

describe("DistinctCounter (HyperLogLog)", () => {
  it("is exact for a few keys and within 3 % from tens of thousands to millions, repeats not counted", () => {
    for (const n of [0, 1, 7, 250]) expect(Math.abs(counted(n, 1, 3).counter.estimate() - n)).toBeLessThanOrEqual(Math.max(1, n * 0.01));
    for (const n of [20_000, 45_000, 60_000, 300_000, 2_000_000]) {
      for (const seed of [2, 3]) {
        const estimate = counted(n, seed, n > 100_000 ? 1 : 2).counter.estimate();
        expect(Math.abs(estimate - n) / n, `${n} keys, seed ${seed}: ${estimate}`).toBeLessThan(0.03);
      }
    }
    // Consecutive addresses (a /8 of spoofed sources) spread as well as random keys.
    const consecutive = new DistinctCounter();
    for (let i = 0; i < 500_000; i++) consecutive.add((10 << 24) + i);
    expect(Math.abs(consecutive.estimate() - 500_000) / 500_000).toBeLessThan(0.03);
  });

  it("merges into exactly the sketch of the union", () => {
    const a = counted(30_000, 4);
    const b = counted(50_000, 5);
    const union = new DistinctCounter();
    for (const key of [...a.keys, ...b.keys]) union.add(key);
    a.counter.merge(b.counter);
    expect(a.counter.registers).toEqual(union.registers);
  });
});
