import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BusyPorts } from "../../src/sim/busy-ports.js";

describe("BusyPorts", () => {
  it("answers like a Map of port → free time under any sequence of set, sweep and lookup (property)", () => {
    const op = fc.tuple(fc.constantFrom("set", "hold", "sweep", "get"), fc.integer({ min: 1024, max: 1100 }), fc.integer({ min: 0, max: 100 }));
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 500 }), (ops) => {
        const ours = new BusyPorts();
        const reference = new Map<number, number>();
        let now = 0;
        for (const [kind, port, step] of ops) {
          now += step;
          if (kind === "set") {
            ours.set(port, now + step);
            reference.set(port, now + step);
          } else if (kind === "hold") {
            ours.set(port, Infinity);
            reference.set(port, Infinity);
          } else if (kind === "sweep") {
            ours.sweep(now);
            for (const [p, until] of reference) if (until <= now) reference.delete(p);
            expect(ours.size).toBe(reference.size);
          }
          // A port is free at `now` exactly when the reference says so (absent, or its time has come).
          const until = reference.get(port);
          expect(ours.freeAt(port) <= now).toBe(until === undefined || until <= now);
          if (until !== undefined) expect(ours.freeAt(port)).toBe(until);
        }
      }),
      { seed: 17, numRuns: 300 },
    );
  });
});
