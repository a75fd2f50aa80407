import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClientPorts } from "../../src/sim/client-ports.js";

/** The plain model: a cursor over the range and a map of port → the time it becomes free (Infinity in use). */
class ReferencePorts {
  private readonly busy = new Map<number, number>();
  constructor(
    private readonly low: number,
    private readonly high: number,
    private cursor: number,
  ) {}

  take(now: number): number {
    for (let tries = 0; tries <= this.high - this.low; tries++) {
      const port = this.cursor;
      this.cursor = port >= this.high ? this.low : port + 1;
      if ((this.busy.get(port) ?? Number.NEGATIVE_INFINITY) <= now) {
        this.busy.set(port, Number.POSITIVE_INFINITY);
        return port;
      }
    }
    return -1;
  }

  release(port: number, freeAt: number): void {
    this.busy.set(port, freeAt);
  }

  inUse(): number[] {
    return [...this.busy].filter(([, until]) => until === Number.POSITIVE_INFINITY).map(([port]) => port);
  }
}

describe("ClientPorts", () => {
  it("takes the same ports as a cursor over a map, through wraps, skipped busy ports and long holds (property)", () => {
    const op = fc.tuple(fc.constantFrom("take", "take", "release", "release-later"), fc.nat(), fc.integer({ min: 0, max: 50 }));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), fc.array(op, { minLength: 1, maxLength: 400 }), (span, startAt, ops) => {
        const low = 40000;
        const high = low + span - 1;
        const start = low + (startAt % span);
        const ours = new ClientPorts(low, high, start);
        const reference = new ReferencePorts(low, high, start);
        let now = 0;
        for (const [kind, pick, step] of ops) {
          now += step;
          if (kind === "take") {
            expect(ours.take(now)).toBe(reference.take(now));
            continue;
          }
          const held = reference.inUse();
          if (held.length === 0) continue;
          const port = held[pick % held.length] as number;
          // Freed at once, or after a TIME_WAIT that outlasts many takes.
          const freeAt = kind === "release" ? now : now + 40 * step;
          ours.release(port, freeAt, now);
          reference.release(port, freeAt);
        }
      }),
      { seed: 23, numRuns: 400 },
    );
  });

  it("keeps thousands of connections in a ring while they are freed in order, and moves to the table past its window", () => {
    const ports = new ClientPorts(32768, 60999, 50000);
    let now = 0;
    const held: number[] = [];
    // 20 000 connections, each freed 3 000 takes later (a window under the limit): the cursor wraps, nothing is skipped.
    for (let i = 0; i < 20_000; i++) {
      now += 10;
      held.push(ports.take(now));
      if (held.length > 3000) ports.release(held.shift() as number, now, now);
    }
    expect(held[0]).toBe(32768 + ((50000 - 32768 + 20_000 - 3000) % 28232));
    // Then one connection held while 10 000 others come and go: the window passes its limit, the answers stay.
    const long = ports.take(now);
    for (let i = 0; i < 10_000; i++) {
      now += 10;
      ports.release(ports.take(now), now, now);
    }
    expect(ports.freeAt(long)).toBe(Number.POSITIVE_INFINITY);
    for (const port of held) expect(ports.freeAt(port)).toBe(Number.POSITIVE_INFINITY);
  });
});
