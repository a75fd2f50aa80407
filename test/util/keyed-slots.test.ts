import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KeyedSlots, NO_SLOT } from "../../src/util/keyed-slots.js";
import { SlotQueue } from "../../src/util/slot-queue.js";

describe("KeyedSlots", () => {
  it("finds exactly the linked keys under any sequence of insert, unlink and free, digests colliding (property)", () => {
    const key = fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 }), fc.constantFrom("", "a b"));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("insert", "unlink", "free", "find"), key), { maxLength: 300 }), (ops) => {
        const slots = new KeyedSlots(2);
        // Digest = a % 2: different keys share chains on purpose.
        const reference = new Map<string, number>();
        const unlinked: number[] = [];
        for (const [op, [a, c, text]] of ops) {
          const name = `${a}/${c}/${text}`;
          const found = slots.find(a % 2, a, -a, c, text);
          expect(found === NO_SLOT ? undefined : found).toBe(reference.get(name));
          if (op === "insert" && found === NO_SLOT) reference.set(name, slots.insert(a % 2, a, -a, c, text));
          if (op === "unlink" && found !== NO_SLOT) {
            slots.unlink(found);
            unlinked.push(found);
            reference.delete(name);
          }
          if (op === "free" && found !== NO_SLOT) {
            slots.free(found);
            reference.delete(name);
          }
        }
        for (const s of unlinked) slots.free(s);
        expect(slots.used).toBe(reference.size);
        const live = new Set(reference.values());
        expect(live.size).toBe(reference.size);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe("SlotQueue", () => {
  it("returns (slot, key) pairs in push order across growth and wrap-around", () => {
    const queue = new SlotQueue();
    const expected: Array<[number, number]> = [];
    let next = 0;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1500; i++, next++) {
        queue.push(next, next * 1.5);
        expected.push([next, next * 1.5]);
      }
      for (let i = 0; i < 1000; i++) {
        const [slot, time] = expected.shift() as [number, number];
        expect([queue.frontSlot(), queue.frontKey()]).toEqual([slot, time]);
        queue.shift();
      }
    }
    expect(queue.size).toBe(expected.length);
    while (queue.size > 0) queue.shift();
    expect(queue.frontKey()).toBe(Number.POSITIVE_INFINITY);
  });

  it("retains the entries that pass, in their order, also when the ring has wrapped", () => {
    const queue = new SlotQueue();
    for (let i = 0; i < 1000; i++) queue.push(i, i);
    for (let i = 0; i < 900; i++) queue.shift();
    for (let i = 1000; i < 1800; i++) queue.push(i, i); // wraps past the end of the 1024-entry ring
    queue.retain((slot, key) => slot % 3 === 0 && key === slot);
    const seen: number[] = [];
    for (; queue.size > 0; queue.shift()) seen.push(queue.frontSlot());
    expect(seen).toEqual(Array.from({ length: 900 }, (_, k) => 900 + k).filter((n) => n % 3 === 0));
    queue.push(7, 7);
    expect([queue.frontSlot(), queue.frontKey(), queue.size]).toEqual([7, 7, 1]);
  });
});
