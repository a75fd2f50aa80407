import { diff32 } from "../util/seq32.js";
import type { TsRegime } from "./analysis-types.js";

/**
 * How many TSval clocks stand behind one source address, and which offset regime the samples support.
 *
 * Method (deterministic): every first SYN of an attempt gives a sample (time, TSval, source port). A sample joins
 * the first cluster (most recently matched first, then in creation order) whose last point predicts its TSval
 * within |TSval − (last + r·Δt)| ≤ r·50 ms + 3 ticks + 2000 ppm·r·|Δt| (network jitter, clock drift, rate error),
 * where r is the cluster's rate. A cluster's rate is fixed by its second sample: the first of 1000, 250, 300 and
 * 100 Hz (Linux ≥ 4.13, then the usual HZ values) that fits. Otherwise the sample starts a cluster. Unrelated
 * 32-bit offsets fall inside such a window with probability ~1e-6, so clusters are clocks, and hosts with
 * different HZ behind one NAT each get their own. Regime: one cluster → single clock; clusters whose samples span
 * several source ports → several hosts with one clock each (per-host offsets, NAT); three or more clusters that
 * each stay on one source port → a fresh offset per connection (4.10, and 2026+ kernels such as 6.18.44 here).
 * Anything else → unknown.
 */
const CANDIDATE_RATES = [1000, 250, 300, 100] as const;
/** Past this many clusters a source is evidently per-connection; more would only cost time. */
const MAX_CLUSTERS = 64;

interface Cluster {
  lastMicros: number;
  lastTsVal: number;
  /** Hz; 0 until a second sample fixes it */
  rate: number;
  count: number;
  firstPort: number;
  multiPort: boolean;
}

function fits(rate: number, cluster: Cluster, micros: number, tsVal: number): boolean {
  const dtSeconds = (micros - cluster.lastMicros) / 1e6;
  const predicted = (cluster.lastTsVal + Math.round(rate * dtSeconds)) >>> 0;
  const tolerance = rate * 0.05 + 3 + 0.002 * rate * Math.abs(dtSeconds);
  return Math.abs(diff32(tsVal, predicted)) <= tolerance;
}

/** The rate under which the sample continues the cluster, or 0. */
function matchRate(cluster: Cluster, micros: number, tsVal: number): number {
  if (cluster.rate !== 0) return fits(cluster.rate, cluster, micros, tsVal) ? cluster.rate : 0;
  for (const rate of CANDIDATE_RATES) if (fits(rate, cluster, micros, tsVal)) return rate;
  return 0;
}

export interface ClockEstimate {
  clocks: number;
  regime: TsRegime;
  /** rate of the largest multi-sample clock; null when no clock has two samples */
  rateHz: number | null;
  samples: number;
}

export class TsClockEstimator {
  private readonly clusters: Cluster[] = [];
  /** samples that would have started a cluster past MAX_CLUSTERS */
  private overflow = 0;
  private lastMatch = 0;
  samples = 0;

  add(micros: number, tsVal: number, port: number): void {
    this.samples++;
    const clusters = this.clusters;
    const hinted = clusters[this.lastMatch];
    if (hinted && this.tryJoin(hinted, micros, tsVal, port)) return;
    for (let i = 0; i < clusters.length; i++) {
      if (i !== this.lastMatch && this.tryJoin(clusters[i] as Cluster, micros, tsVal, port)) {
        this.lastMatch = i;
        return;
      }
    }
    if (clusters.length >= MAX_CLUSTERS) {
      this.overflow++;
      return;
    }
    this.lastMatch = clusters.length;
    clusters.push({ lastMicros: micros, lastTsVal: tsVal, rate: 0, count: 1, firstPort: port, multiPort: false });
  }

  estimate(): ClockEstimate {
    const samples = this.samples;
    const clocks = this.clusters.length + this.overflow;
    if (samples === 0) return { clocks: 0, regime: "unknown", rateHz: null, samples };
    let largest: Cluster | null = null;
    for (const c of this.clusters) if (c.count > 1 && (!largest || c.count > largest.count)) largest = c;
    let regime: TsRegime = "unknown";
    if (samples >= 2 && clocks === 1) regime = "single-clock";
    else if (clocks >= 2 && this.clusters.some((c) => c.multiPort)) regime = "per-host";
    else if (clocks >= 3) regime = "per-connection";
    return { clocks, regime, rateHz: largest ? largest.rate : null, samples };
  }

  private tryJoin(cluster: Cluster, micros: number, tsVal: number, port: number): boolean {
    const rate = matchRate(cluster, micros, tsVal);
    if (rate === 0) return false;
    cluster.rate = rate;
    if (micros >= cluster.lastMicros) {
      cluster.lastMicros = micros;
      cluster.lastTsVal = tsVal;
    }
    cluster.count++;
    if (port !== cluster.firstPort) cluster.multiPort = true;
    return true;
  }
}
