import { describe, expect, it } from "vitest";
import { hashName, Rng } from "../../src/util/rng.js";

describe("Rng (xoshiro128** with named sub-streams)", () => {
  it("repeats the same sequence for the same seed and name", () => {
    const a = new Rng(42).stream("ports");
    const b = new Rng(42).stream("ports");
    const xs = Array.from({ length: 100 }, () => a.u32());
    expect(Array.from({ length: 100 }, () => b.u32())).toEqual(xs);
  });

  it("gives different names and seeds unrelated sequences", () => {
    const first = (rng: Rng): number[] => Array.from({ length: 8 }, () => rng.u32());
    expect(first(new Rng(42).stream("ports"))).not.toEqual(first(new Rng(42).stream("isn")));
    expect(first(new Rng(42).stream("ports"))).not.toEqual(first(new Rng(43).stream("ports")));
  });

  it("keeps a stream independent of what other streams consumed", () => {
    const root = new Rng(7);
    const other = root.stream("other");
    for (let i = 0; i < 1000; i++) other.u32();
    expect(root.stream("mine").u32()).toBe(new Rng(7).stream("mine").u32());
  });

  it("draws integers inside [lo, hi) and floats inside [0, 1)", () => {
    const rng = new Rng(1, "range");
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const v = rng.int(3, 9);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThan(9);
      seen.add(v);
      const f = rng.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it("has an exponential distribution with the requested mean", () => {
    const rng = new Rng(5, "exp");
    let sum = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) sum += rng.exponential(10);
    expect(sum / n).toBeGreaterThan(9.7);
    expect(sum / n).toBeLessThan(10.3);
  });

  it("hashes names stably (FNV-1a)", () => {
    expect(hashName("")).toBe(0x811c9dc5);
    expect(hashName("a")).toBe(0xe40c292c);
  });
});
