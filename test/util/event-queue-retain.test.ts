// EventQueue.retain() as the kernel model's timers use it (dropping dead socks' entries in bulk) against the same
// queue with lazy skipping only: retain() may run at any point and the live entries still come out in the same
// (due, scheduling order) sequence.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/util/event-queue.js";

interface Item {
  id: number;
  dead: boolean;
}

type Op = { op: "push"; time: number } | { op: "kill"; which: number } | { op: "pop" } | { op: "retain" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant("push" as const), time: fc.integer({ min: 0, max: 20 }) }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("kill" as const), which: fc.nat(50) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("pop" as const) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant("retain" as const) }), weight: 1 },
);

/** Pops the next live entry (dead ones are skipped, as the host's runTimers() does). */
function popLive(q: { size: number; peekTime(): number; pop(): Item | undefined }): [number, number] | undefined {
  while (q.size > 0) {
    const time = q.peekTime();
    const item = q.pop() as Item;
    if (!item.dead) return [time, item.id];
  }
  return undefined;
}

describe("EventQueue.retain", () => {
  it("keeps live entries in the lazy queue's order whatever retain() removed", () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
        const heap = new EventQueue<Item>();
        const lazy = new EventQueue<Item>();
        const items: Item[] = [];
        for (const o of ops) {
          if (o.op === "push") {
            // Some socks are scheduled twice (a re-armed timer leaves its old entry behind).
            const item = items.length > 0 && o.time % 3 === 0 ? (items[o.time % items.length] as Item) : { id: items.length, dead: false };
            if (item.id === items.length) items.push(item);
            heap.push(o.time, item);
            lazy.push(o.time, item);
          } else if (o.op === "kill") {
            const item = items[o.which % Math.max(1, items.length)];
            if (item) item.dead = true;
          } else if (o.op === "retain") {
            heap.retain((item) => !item.dead);
          } else {
            expect(popLive(heap)).toEqual(popLive(lazy));
          }
        }
        for (let live = popLive(lazy); live !== undefined; live = popLive(lazy)) expect(popLive(heap)).toEqual(live);
        expect(popLive(heap)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it("after retain() in a large queue, pops come out sorted by (due, scheduling order)", () => {
    const heap = new EventQueue<Item>();
    const items: Item[] = [];
    for (let i = 0; i < 500; i++) {
      const item = { id: i, dead: i % 3 === 1 };
      items.push(item);
      heap.push((i * 7919) % 97, item);
    }
    heap.retain((item) => !item.dead);
    const out: [number, number][] = [];
    while (heap.size > 0) {
      const t = heap.peekTime();
      out.push([t, (heap.pop() as Item).id]);
    }
    const expected = items.filter((x) => !x.dead).map((x): [number, number] => [(x.id * 7919) % 97, x.id]);
    expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(out).toEqual(expected);
  });

  it("retain() keeps only the entries that pass", () => {
    const heap = new EventQueue<Item>();
    const items = [0, 1, 2, 3].map((id) => ({ id, dead: id % 2 === 1 }));
    for (const item of items) heap.push(10 - item.id, item);
    heap.retain((item) => !item.dead);
    expect(heap.size).toBe(2);
    expect([heap.peekTime(), heap.pop()?.id, heap.peekTime(), heap.pop()?.id]).toEqual([8, 2, 10, 0]);
  });
});
