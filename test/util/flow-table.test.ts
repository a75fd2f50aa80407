// The established hash's table against a Map model: random sets, gets and deletes over a small key space
// (collisions, probe runs, backward-shift deletion) and a small start capacity (resizes).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FlowTable } from "../../src/util/flow-table.js";

type Op = { op: "set" | "get" | "delete"; a: number; b: number; c: number; value: number };

const word = fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xc6120001, 0xffffffff);
const opArb: fc.Arbitrary<Op> = fc.record({
  op: fc.constantFrom("set" as const, "get" as const, "delete" as const),
  a: word,
  b: word,
  c: fc.integer({ min: 0, max: 5 }).map((p) => ((8080 << 16) | (40000 + p)) | 0),
  value: fc.nat(),
});

describe("FlowTable", () => {
  it("behaves as a Map keyed by the three words", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const table = new FlowTable<number>(16);
        const model = new Map<string, number>();
        for (const { op, a, b, c, value } of ops) {
          const key = `${a | 0}/${b | 0}/${c | 0}`;
          if (op === "set") {
            expect(table.set(a, b, c, value)).toBe(model.get(key));
            model.set(key, value);
          } else if (op === "delete") {
            expect(table.delete(a, b, c)).toBe(model.get(key));
            model.delete(key);
          } else {
            expect(table.get(a, b, c)).toBe(model.get(key));
          }
          expect(table.size).toBe(model.size);
        }
        expect(table.list().sort((x, y) => x - y)).toEqual([...model.values()].sort((x, y) => x - y));
      }),
      { numRuns: 200 },
    );
  });

  it("finds every remaining key after deletions inside long probe runs (table near its 50 % load limit)", () => {
    const table = new FlowTable<number>(16);
    const n = 2000; // grows to 4096 slots: clusters of several keys are common
    const key = (i: number): [number, number, number] => [0xc6120001, (0xc6121000 + (i >> 4)) | 0, ((8080 << 16) | (40000 + (i & 15))) | 0];
    for (let i = 0; i < n; i++) table.set(...key(i), i);
    // Delete two thirds in a scrambled order, then check presence and absence of every key.
    for (let k = 0; k < n; k++) {
      const i = (k * 7919) % n;
      if (i % 3 !== 0) expect(table.delete(...key(i))).toBe(i);
    }
    const found = Array.from({ length: n }, (_, i) => table.get(...key(i)));
    expect(found).toEqual(Array.from({ length: n }, (_, i) => (i % 3 === 0 ? i : undefined)));
    expect(table.size).toBe(Math.ceil(n / 3));
  });

  it("tells apart keys that the old addr·65536 + port arithmetic and the int32 view could confuse", () => {
    const table = new FlowTable<string>();
    table.set(0xc6120001, 0xc6120102, (8080 << 16) | 40000, "a");
    table.set(0xc6120001, 0xc6120102, (8080 << 16) | 40001, "b");
    table.set(0xc6120001, 0xc6120103, (8080 << 16) | 40000, "c");
    expect([table.get(0xc6120001, 0xc6120102, (8080 << 16) | 40000), table.get(0xc6120001, 0xc6120103, (8080 << 16) | 40000)]).toEqual(["a", "c"]);
    table.clear();
    expect([table.size, table.get(0xc6120001, 0xc6120102, (8080 << 16) | 40001)]).toEqual([0, undefined]);
  });
});
