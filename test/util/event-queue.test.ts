import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EventQueue } from "../../src/util/event-queue.js";

describe("EventQueue", () => {
  it("pops by time, then in scheduling order for equal times (any interleaving of push and pop)", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constant(-1)), { maxLength: 300 }), (ops) => {
        const q = new EventQueue<{ time: number; order: number }>();
        const reference: { time: number; order: number }[] = [];
        let order = 0;
        let lastPopped: { time: number; order: number } | undefined;
        for (const op of ops) {
          if (op >= 0) {
            // Events are never scheduled in the past, as in the simulator.
            const time = (lastPopped?.time ?? 0) + op;
            const item = { time, order: order++ };
            q.push(time, item);
            reference.push(item);
          } else if (reference.length > 0) {
            reference.sort((a, b) => a.time - b.time || a.order - b.order);
            const expected = reference.shift();
            expect(q.peekTime()).toBe(expected?.time);
            lastPopped = q.pop();
            expect(lastPopped).toBe(expected);
          }
        }
        expect(q.size).toBe(reference.length);
      }),
    );
  });

  it("reports Infinity and undefined when empty", () => {
    const q = new EventQueue<number>();
    expect(q.peekTime()).toBe(Infinity);
    expect(q.pop()).toBeUndefined();
  });
});
