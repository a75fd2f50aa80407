import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ClockArena, TsClockEstimator } from "../../src/handshakes/ts-clocks.js";
import { Rng } from "../../src/util/rng.js";

/** Seeded, reproducible uniform numbers in [0, 1) from the project's xoshiro generator. */
function rng(seed: number): () => number {
  const generator = new Rng(seed >>> 0);
  return () => generator.float();
}

interface Host {
  rate: number;
  offset: number;
}

/** Connections from hosts behind one address: each SYN's TSval = offset + rate · t (+ per-connection offset). */
function simulate(opts: { hosts: Host[]; connections: number; perConnectionOffsets: boolean; seed: number; spanSeconds?: number }): TsClockEstimator {
  const random = rng(opts.seed);
  const estimator = new TsClockEstimator();
  const span = opts.spanSeconds ?? 120;
  let t = 1_700_000_000e6;
  for (let i = 0; i < opts.connections; i++) {
    t += Math.floor((random() * span * 1e6) / opts.connections);
    const host = opts.hosts[i % opts.hosts.length] as Host;
    const jitterTicks = Math.floor(random() * host.rate * 0.002);
    const connectionOffset = opts.perConnectionOffsets ? Math.floor(random() * 2 ** 32) : 0;
    const tsVal = (host.offset + connectionOffset + Math.floor((host.rate * t) / 1e6) + jitterTicks) >>> 0;
    estimator.add(t, tsVal, 20000 + i);
  }
  return estimator;
}

function hostsWith(count: number, rates: number[], seed: number): Host[] {
  const random = rng(seed);
  return Array.from({ length: count }, (_, i) => ({ rate: rates[i % rates.length] as number, offset: Math.floor(random() * 2 ** 32) }));
}

describe("timestamp clocks behind one source address", () => {
  it("finds one clock for one host reconnecting from new ports", () => {
    const estimate = simulate({ hosts: hostsWith(1, [1000], 1), connections: 40, perConnectionOffsets: false, seed: 2 }).estimate();
    expect(estimate).toEqual({ clocks: 1, regime: "single-clock", rateHz: 1000, samples: 40 });
  });

  it("counts the hosts behind a NAT with per-host offsets, whatever their HZ", () => {
    for (const [hosts, rates] of [[2, [1000]], [5, [1000]], [7, [1000, 250, 100]], [12, [250, 300]]] as const) {
      const estimate = simulate({ hosts: hostsWith(hosts, [...rates], hosts), connections: hosts * 20, perConnectionOffsets: false, seed: 10 + hosts }).estimate();
      expect(estimate.clocks, `${hosts} hosts at ${rates.join("/")} Hz`).toBe(hosts);
      expect(estimate.regime).toBe("per-host");
    }
  });

  it("recognises a fresh offset per connection (4.10, 2026+ kernels)", () => {
    const estimate = simulate({ hosts: hostsWith(1, [1000], 3), connections: 30, perConnectionOffsets: true, seed: 4 }).estimate();
    expect(estimate.regime).toBe("per-connection");
    expect(estimate.clocks).toBe(30);
  });

  it("keeps a per-connection clock on its 4-tuple: reconnects from the same port continue it", () => {
    const estimator = new TsClockEstimator();
    const t0 = 1_700_000_000e6;
    estimator.add(t0, 5000, 41001);
    estimator.add(t0 + 1e6, 3_000_000_000, 41002);
    estimator.add(t0 + 2e6, 7000, 41001); // same 4-tuple, same offset: +2 s at 1000 Hz
    estimator.add(t0 + 3e6, 1_000_000, 41003);
    const estimate = estimator.estimate();
    expect(estimate.clocks).toBe(3);
    expect(estimate.regime).toBe("per-connection");
  });

  it("says unknown with one sample, and with nothing", () => {
    const one = new TsClockEstimator();
    one.add(0, 1, 1);
    expect(one.estimate().regime).toBe("unknown");
    expect(new TsClockEstimator().estimate()).toEqual({ clocks: 0, regime: "unknown", rateHz: null, samples: 0 });
  });

  it("survives TSval wrap-around inside one clock", () => {
    const estimator = new TsClockEstimator();
    for (let i = 0; i < 10; i++) estimator.add(i * 1e6, (2 ** 32 - 3000 + i * 1000) >>> 0, 30000 + i);
    expect(estimator.estimate()).toMatchObject({ clocks: 1, regime: "single-clock" });
  });

  it("is deterministic and counts between 1 and the number of samples (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 40 }), fc.boolean(), fc.integer(), (hosts, connections, perConnection, seed) => {
        const opts = { hosts: hostsWith(hosts, [1000, 250], seed), connections, perConnectionOffsets: perConnection, seed };
        const a = simulate(opts).estimate();
        const b = simulate(opts).estimate();
        expect(a).toEqual(b);
        expect(a.clocks).toBeGreaterThanOrEqual(1);
        expect(a.clocks).toBeLessThanOrEqual(connections);
        if (!perConnection) expect(a.clocks).toBe(Math.min(hosts, connections));
      }),
      { seed: 424242, numRuns: 200 },
    );
  });
});

describe("estimators sharing one ClockArena (as the tracker's sources do)", () => {
  it("give the same estimates as estimators with their own storage, whatever the interleaving", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(5), fc.nat(3), fc.nat(200)), { minLength: 1, maxLength: 300 }), (samples) => {
        // Six sources; each sample: source, host behind it, seconds later; hosts have fixed offsets and 1000 Hz.
        const arena = new ClockArena(16);
        const shared = Array.from({ length: 6 }, () => new TsClockEstimator(arena));
        const alone = Array.from({ length: 6 }, () => new TsClockEstimator());
        let t = 1_700_000_000e6;
        for (const [source, host, step] of samples) {
          t += step * 1e6;
          const tsVal = (host * 0x3b9aca07 + source * 977 + Math.floor(t / 1000)) >>> 0;
          shared[source]?.add(t, tsVal, 1000 + host);
          alone[source]?.add(t, tsVal, 1000 + host);
        }
        for (let s = 0; s < 6; s++) expect(shared[s]?.estimate()).toEqual(alone[s]?.estimate());
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it("keeps at most 64 clusters per source and counts the rest", () => {
    const arena = new ClockArena(16);
    const estimator = new TsClockEstimator(arena);
    const random = rng(3);
    for (let i = 0; i < 500; i++) estimator.add(1_700_000_000e6 + i * 1e6, Math.floor(random() * 2 ** 32), 30000 + i);
    expect(estimator.estimate()).toMatchObject({ clocks: 500, samples: 500, regime: "per-connection" });
  });
});

describe("a full ClockArena", () => {
  it("stops storing new clusters but still counts them as clocks (bounded memory)", () => {
    const arena = new ClockArena(10, 21);
    const random = rng(9);
    const sources = Array.from({ length: 8 }, () => new TsClockEstimator(arena));
    for (let i = 0; i < 400; i++) (sources[i % 8] as TsClockEstimator).add(1_700_000_000e6 + i * 1e6, Math.floor(random() * 2 ** 32), 30000 + i);
    const estimates = sources.map((s) => s.estimate());
    // Every sample had its own clock; none was lost, although the arena holds far fewer than 400 clusters.
    expect(estimates.reduce((n, e) => n + e.clocks, 0)).toBe(400);
    expect(estimates.every((e) => e.samples === 50 && e.regime === "per-connection")).toBe(true);
  });

  it("keeps joining the clusters it has", () => {
    const arena = new ClockArena(10, 10);
    const filler = new TsClockEstimator(arena);
    const random = rng(4);
    for (let i = 0; i < 40; i++) filler.add(1_700_000_000e6 + i * 1e6, Math.floor(random() * 2 ** 32), 1000 + i);
    const host = new TsClockEstimator(arena);
    for (let i = 0; i < 10; i++) host.add(1_700_000_000e6 + i * 1e6, (123456 + i * 1000) >>> 0, 2000 + i);
    expect(host.estimate()).toMatchObject({ clocks: 1, regime: "single-clock", samples: 10 });
  });
});

describe("the TSval index", () => {
  /** An estimator that scans every cluster: the arena's index holds 2^19 sources, later ones scan. */
  function scanning(arena: ClockArena): TsClockEstimator {
    for (let i = 0; i < 2 ** 19; i++) arena.register();
    const estimator = new TsClockEstimator(arena);
    expect(estimator["indexKey"]).toBe(-1);
    return estimator;
  }

  it("finds the clusters a plain scan finds: hosts, fresh offsets, clocks wrapping, time running back and jumping", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(7), fc.oneof(fc.constant(0), fc.integer({ min: -3, max: 40 })), fc.nat(20), fc.boolean()), { minLength: 100, maxLength: 400 }),
        fc.nat(),
        (steps, seed) => {
          const random = rng(seed);
          // Eight hosts at the usual rates whose TSvals start just below an edge of the index's buckets (2^20 ticks),
          // one of them just below 2^32, so that they cross edges and wrap within the first minutes.
          let t = 1_700_000_000e6;
          const hosts = Array.from({ length: 8 }, (_, i) => {
            const rate = [1000, 250, 300, 100][i % 4] as number;
            const start = 2 ** 32 - 2 ** 20 * i - Math.floor(random() * 3000);
            return { rate, offset: (start - Math.floor((rate * t) / 1e6)) >>> 0 };
          });
          const indexed = new TsClockEstimator(new ClockArena(16));
          const plain = scanning(new ClockArena(16));
          for (const [host, step, jump, fresh] of steps) {
            // Mostly seconds forward, sometimes back (reordered captures), sometimes hours ahead.
            t += step * 1e6 + (jump === 0 ? 7200e6 : 0);
            const h = hosts[host] as (typeof hosts)[number];
            const offset = fresh ? Math.floor(random() * 2 ** 32) : h.offset;
            // Jitter both ways, within the tolerance (±20 ticks at 1000 Hz): matches at the window's edges.
            const jitter = Math.round((random() - 0.5) * (h.rate / 25));
            const tsVal = (offset + Math.floor((h.rate * t) / 1e6) + jitter) >>> 0;
            indexed.add(t, tsVal, 1000 + host);
            plain.add(t, tsVal, 1000 + host);
          }
          expect(indexed.estimate()).toEqual(plain.estimate());
        },
      ),
      { seed: 29, numRuns: 300 },
    );
  });

  it("finds a clock whose last TSval lies in the bucket above the sample's (the window reaches across the edge)", () => {
    const edge = 7 * 2 ** 20;
    const t = 1_700_000_000e6;
    const feed = (estimator: TsClockEstimator): TsClockEstimator => {
      const random = rng(5);
      // Enough unrelated clocks for the index to be used, all at one instant.
      for (let i = 0; i < 12; i++) estimator.add(t, Math.floor(random() * 2 ** 31) + 2 ** 30, 30000 + i);
      estimator.add(t, edge + 5, 1000);
      estimator.add(t, 12345, 40000);
      // The same host again: 10 ticks earlier (jitter), just below the bucket edge.
      estimator.add(t, edge - 5, 1001);
      return estimator;
    };
    const indexed = feed(new TsClockEstimator(new ClockArena(16))).estimate();
    expect(indexed).toEqual(feed(scanning(new ClockArena(16))).estimate());
    expect(indexed.clocks).toBe(14);
  });
});
