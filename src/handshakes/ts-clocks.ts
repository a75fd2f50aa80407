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
const RATE_COUNT = CANDIDATE_RATES.length;
/** Clusters kept per source. Past it, samples that fit no cluster only count (as clocks of their own). */
const MAX_CLUSTERS = 64;

export interface ClockEstimate {
  clocks: number;
  regime: TsRegime;
  /** rate of the largest multi-sample clock; null when no clock has two samples */
  rateHz: number | null;
  samples: number;
}

/**
 * Clusters are kept as parallel number arrays. For each candidate rate r a sample's "offset" is
 * TSval − r·t (mod 2^32), computed once per sample; a sample continues a cluster when its offset is within the
 * tolerance of the offset of the cluster's last point — the same test as |TSval − (last + r·Δt)|, but one
 * subtraction per cluster instead of a prediction.
 */
export class TsClockEstimator {
  /** per cluster: RATE_COUNT offsets of its last point */
  private offsets: number[] = [];
  private lastMicros: number[] = [];
  /** index into CANDIDATE_RATES, -1 until a second sample fixes it */
  private rateIndex: number[] = [];
  private counts: number[] = [];
  private firstPorts: number[] = [];
  private multiPort: boolean[] = [];
  private readonly sampleOffsets = new Array<number>(RATE_COUNT).fill(0);
  /** samples that would have started a cluster past MAX_CLUSTERS */
  private overflow = 0;
  private lastMatch = 0;
  /** some cluster has two or more samples */
  private someRepeated = false;
  samples = 0;

  add(micros: number, tsVal: number, port: number): void {
    this.samples++;
    const clusters = this.counts.length;
    // This many clocks and none seen twice: a fresh offset per connection; further samples only count.
    if (clusters >= MAX_CLUSTERS && !this.someRepeated) {
      this.overflow++;
      return;
    }
    const seconds = micros / 1e6;
    for (let k = 0; k < RATE_COUNT; k++) this.sampleOffsets[k] = (tsVal - Math.round((CANDIDATE_RATES[k] as number) * seconds)) | 0;
    if (clusters > 0 && this.tryJoin(this.lastMatch, micros, port)) return;
    for (let c = 0; c < clusters; c++) {
      if (c !== this.lastMatch && this.tryJoin(c, micros, port)) {
        this.lastMatch = c;
        return;
      }
    }
    if (clusters >= MAX_CLUSTERS) {
      this.overflow++;
      return;
    }
    this.lastMatch = clusters;
    for (let k = 0; k < RATE_COUNT; k++) this.offsets.push(this.sampleOffsets[k] as number);
    this.lastMicros.push(micros);
    this.rateIndex.push(-1);
    this.counts.push(1);
    this.firstPorts.push(port);
    this.multiPort.push(false);
  }

  estimate(): ClockEstimate {
    const samples = this.samples;
    const clusters = this.counts.length;
    const clocks = clusters + this.overflow;
    if (samples === 0) return { clocks: 0, regime: "unknown", rateHz: null, samples };
    let largest = -1;
    for (let c = 0; c < clusters; c++) if ((this.counts[c] as number) > 1 && (largest < 0 || (this.counts[c] as number) > (this.counts[largest] as number))) largest = c;
    let regime: TsRegime = "unknown";
    if (samples >= 2 && clocks === 1) regime = "single-clock";
    else if (clocks >= 2 && this.multiPort.some(Boolean)) regime = "per-host";
    else if (clocks >= 3) regime = "per-connection";
    const rateHz = largest < 0 ? null : (CANDIDATE_RATES[this.rateIndex[largest] as number] ?? null);
    return { clocks, regime, rateHz, samples };
  }

  /** Joins cluster c if the sample continues it (fixing the cluster's rate on its second sample). */
  private tryJoin(c: number, micros: number, port: number): boolean {
    const dtSeconds = Math.abs(micros - (this.lastMicros[c] as number)) / 1e6;
    const fixed = this.rateIndex[c] as number;
    let matched = -1;
    for (let k = fixed < 0 ? 0 : fixed; k < (fixed < 0 ? RATE_COUNT : fixed + 1); k++) {
      const rate = CANDIDATE_RATES[k] as number;
      const tolerance = rate * 0.05 + 3 + 0.002 * rate * dtSeconds;
      if (Math.abs(((this.sampleOffsets[k] as number) - (this.offsets[c * RATE_COUNT + k] as number)) | 0) <= tolerance) {
        matched = k;
        break;
      }
    }
    if (matched < 0) return false;
    this.rateIndex[c] = matched;
    if (micros >= (this.lastMicros[c] as number)) {
      this.lastMicros[c] = micros;
      for (let k = 0; k < RATE_COUNT; k++) this.offsets[c * RATE_COUNT + k] = this.sampleOffsets[k] as number;
    }
    this.counts[c] = (this.counts[c] as number) + 1;
    this.someRepeated = true;
    if (port !== this.firstPorts[c]) this.multiPort[c] = true;
    return true;
  }
}
