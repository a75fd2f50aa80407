import { diff32 } from "../util/seq32.js";
import type { TsRegime } from "./analysis-types.js";

/**
 * How many TSval clocks stand behind one source address, and which offset regime the samples support.
 *
 * Method (deterministic): every first SYN of an attempt gives a sample (time, TSval, source port). For each
 * candidate rate r (1000, 250, 300, 100 Hz: Linux ≥ 4.13 and the usual HZ values before), a sample joins the first
 * cluster whose last point predicts its TSval within a tolerance: |TSval − (last + r·Δt)| ≤ r·50 ms + 3 ticks +
 * 2000 ppm·r·|Δt| (network jitter plus clock drift and rate error). Otherwise it starts a cluster. Random 32-bit
 * offsets collide with a tolerance of a few hundred ticks with probability ~1e-7, so clusters are clocks. The
 * rate with the fewest clusters wins (ties: the order above). Regime: one cluster → single clock; clusters whose
 * samples span several source ports → several hosts, each with one clock (per-host offsets behind NAT); three or
 * more clusters that each stay on one source port → a fresh offset per connection (4.10, and 2026+ kernels such
 * as 6.18.44 here). Fewer samples than that → unknown.
 */
const CANDIDATE_RATES = [1000, 250, 300, 100] as const;
/** Past this many clusters a source is evidently per-connection; more clusters would only cost time. */
const MAX_CLUSTERS = 64;

interface Cluster {
  lastMicros: number;
  lastTsVal: number;
  count: number;
  firstPort: number;
  multiPort: boolean;
}

class RateClusters {
  readonly clusters: Cluster[] = [];
  /** samples that would have started a cluster past MAX_CLUSTERS */
  overflow = 0;
  private lastMatch = 0;

  constructor(readonly rate: number) {}

  add(micros: number, tsVal: number, port: number): void {
    const clusters = this.clusters;
    // Most samples continue the clock matched last: try it first.
    const hinted = clusters[this.lastMatch];
    if (hinted && this.fits(hinted, micros, tsVal)) return this.join(hinted, micros, tsVal, port);
    for (let i = 0; i < clusters.length; i++) {
      const cluster = clusters[i] as Cluster;
      if (this.fits(cluster, micros, tsVal)) {
        this.lastMatch = i;
        return this.join(cluster, micros, tsVal, port);
      }
    }
    if (clusters.length >= MAX_CLUSTERS) {
      this.overflow++;
      return;
    }
    this.lastMatch = clusters.length;
    clusters.push({ lastMicros: micros, lastTsVal: tsVal, count: 1, firstPort: port, multiPort: false });
  }

  get total(): number {
    return this.clusters.length + this.overflow;
  }

  private fits(cluster: Cluster, micros: number, tsVal: number): boolean {
    const dtSeconds = (micros - cluster.lastMicros) / 1e6;
    const predicted = cluster.lastTsVal + Math.round(this.rate * dtSeconds);
    const tolerance = this.rate * 0.05 + 3 + 0.002 * this.rate * Math.abs(dtSeconds);
    return Math.abs(diff32(tsVal, predicted >>> 0)) <= tolerance;
  }

  private join(cluster: Cluster, micros: number, tsVal: number, port: number): void {
    if (micros >= cluster.lastMicros) {
      cluster.lastMicros = micros;
      cluster.lastTsVal = tsVal;
    }
    cluster.count++;
    if (port !== cluster.firstPort) cluster.multiPort = true;
  }
}

export interface ClockEstimate {
  clocks: number;
  regime: TsRegime;
  rateHz: number | null;
  samples: number;
}

export class TsClockEstimator {
  private readonly rates = CANDIDATE_RATES.map((rate) => new RateClusters(rate));
  samples = 0;

  add(micros: number, tsVal: number, port: number): void {
    this.samples++;
    for (const rate of this.rates) rate.add(micros, tsVal, port);
  }

  estimate(): ClockEstimate {
    if (this.samples === 0) return { clocks: 0, regime: "unknown", rateHz: null, samples: 0 };
    let best = this.rates[0] as RateClusters;
    for (const rate of this.rates) if (rate.total < best.total) best = rate;
    const clocks = best.total;
    const samples = this.samples;
    const rateHz = best.clusters.some((c) => c.count > 1) ? best.rate : null;
    let regime: TsRegime = "unknown";
    if (samples >= 2 && clocks === 1) regime = "single-clock";
    else if (clocks >= 2 && best.clusters.some((c) => c.multiPort)) regime = "per-host";
    else if (clocks >= 3) regime = "per-connection";
    return { clocks, regime, rateHz, samples };
  }
}
