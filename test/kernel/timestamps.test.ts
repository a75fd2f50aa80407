// Tests for TSval generation of simulated hosts (§5, §12 "Timestamp generation").
import { describe, expect, it } from "vitest";
import { createFlowHash, createTsClock, ipv4 } from "../../src/kernel/index.js";

const A = ipv4("198.18.1.2");
const S = ipv4("198.18.0.1");
const S2 = ipv4("198.18.0.2");
const hash = createFlowHash(42);

describe("TSval clock rate", () => {
  it("< 4.13 ticks at HZ, ≥ 4.13 at 1000 Hz whatever HZ", () => {
    const old = createTsClock({ kernel: "4.9", hz: 250, hash });
    expect(old.tsval(2000, A, 1, S, 80) - old.tsval(1000, A, 1, S, 80)).toBe(250);
    const cur = createTsClock({ kernel: "4.13", hz: 250, hash });
    expect(cur.tsval(2000, A, 1, S, 80) - cur.tsval(1000, A, 1, S, 80)).toBe(1000);
  });

  it("without offsets TSval is uptime × rate", () => {
    const c = createTsClock({ kernel: "6.18.44", tcpTimestamps: 2, uptimeAtZeroMs: 949_730, hash });
    expect(c.tsval(0, A, 41001, S, 80)).toBe(949_730);
  });
});

describe("offset regimes", () => {
  const sameFlowsDiffer = (kernel: string, ts = 1) => {
    const c = createTsClock({ kernel, tcpTimestamps: ts, hash });
    return {
      otherPort: c.tsval(0, A, 41001, S, 80) !== c.tsval(0, A, 41002, S, 80),
      otherDst: c.tsval(0, A, 41001, S, 80) !== c.tsval(0, A, 41001, S2, 80),
      sameTuple: c.tsval(0, A, 41001, S, 80) === c.tsval(0, A, 41001, S, 80),
    };
  };

  it("< 4.10: one clock per host", () => {
    expect(sameFlowsDiffer("4.9")).toEqual({ otherPort: false, otherDst: false, sameTuple: true });
  });

  it("4.10: per connection", () => {
    expect(sameFlowsDiffer("4.10")).toEqual({ otherPort: true, otherDst: true, sameTuple: true });
  });

  it("4.11 → 6.17: per address pair", () => {
    expect(sameFlowsDiffer("4.11")).toEqual({ otherPort: false, otherDst: true, sameTuple: true });
    expect(sameFlowsDiffer("6.12")).toEqual({ otherPort: false, otherDst: true, sameTuple: true });
  });

  it("6.18.44: per 4-tuple (exp10)", () => {
    expect(sameFlowsDiffer("6.18.44")).toEqual({ otherPort: true, otherDst: true, sameTuple: true });
  });

  it("tcp_timestamps=2 turns offsets off", () => {
    expect(sameFlowsDiffer("6.18.44", 2)).toEqual({ otherPort: false, otherDst: false, sameTuple: true });
  });

  it("different secrets give different offsets", () => {
    const a = createTsClock({ kernel: "6.12", hash: createFlowHash(1) });
    const b = createTsClock({ kernel: "6.12", hash: createFlowHash(2) });
    expect(a.tsval(0, A, 1, S, 80)).not.toBe(b.tsval(0, A, 1, S, 80));
  });
});
