import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ABSENT, Int32Map } from "../../src/util/int32-map.js";

describe("Int32Map", () => {
  it("behaves like a Map under any sequence of set, delete and get (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("set", "delete", "get"), fc.integer({ min: -40, max: 40 }).map((k) => k * 0x01000001 | 0), fc.nat()), { maxLength: 400 }), (ops) => {
        const ours = new Int32Map(16);
        const reference = new Map<number, number>();
        for (const [op, key, value] of ops) {
          if (op === "set") {
            ours.set(key, value);
            reference.set(key, value);
          } else if (op === "delete") {
            expect(ours.delete(key)).toBe(reference.delete(key));
          } else {
            expect(ours.get(key)).toBe(reference.get(key) ?? ABSENT);
          }
          expect(ours.size).toBe(reference.size);
        }
        for (const [key, value] of reference) expect(ours.get(key)).toBe(value);
      }),
      { seed: 5, numRuns: 300 },
    );
  });
});
