import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BusyPorts } from "../../src/sim/busy-ports.js";

describe("BusyPorts", () => {
  it("answers like a Map of port → free time under any sequence of releases, holds and lookups (property)", () => {
    const op = fc.tuple(fc.constantFrom("release", "hold", "get"), fc.integer({ min: 1024, max: 1100 }), fc.integer({ min: 0, max: 100 }));
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 500 }), (ops) => {
        const ours = new BusyPorts();
        const reference = new Map<number, number>();
        let now = 0;
        for (const [kind, port, step] of ops) {
          now += step;
          if (kind === "release") {
            ours.set(port, now + step, now);
            reference.set(port, now + step);
          } else if (kind === "hold") {
            ours.set(port, Infinity, now);
            reference.set(port, Infinity);
          }
          // A port is free at `now` exactly when the reference says so (absent, or its time has come); a busy
          // port's time is kept exactly.
          const until = reference.get(port);
          expect(ours.freeAt(port) <= now).toBe(until === undefined || until <= now);
          if (until !== undefined && until > now) expect(ours.freeAt(port)).toBe(until);
        }
        // Every port still busy at the end is there with its time.
        for (const [port, until] of reference) if (until > now) expect(ours.freeAt(port)).toBe(until);
      }),
      { seed: 17, numRuns: 300 },
    );
  });

  it("stays small when a host takes its ports in sequence and frees each at once", () => {
    const ports = new BusyPorts();
    let now = 0;
    for (let port = 32768; port < 61000; port++) {
      now += 10;
      ports.set(port, Infinity, now);
      ports.set(port, now, now);
    }
    // Freed ports are dropped as the table fills, so it never holds more than its minimum capacity's half.
    expect(ports.size).toBeLessThanOrEqual(8);
    expect(ports.freeAt(60999)).toBeLessThanOrEqual(now);
  });
});
