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

/** Cells all clusters of one capture may take: 16 M float64 = 128 MB. */
export const CLOCK_ARENA_CELLS = 16 * 1024 * 1024;
/** Clusters a source starts with room for; its region doubles up to MAX_CLUSTERS. */
const INITIAL_CLUSTERS = 2;
/** One cluster's cells: its last point (time, TSval as int32), then the fields below. */
const LAST_MICROS = 0;
const LAST_TSVAL = 1;
/** index into CANDIDATE_RATES, -1 until a second sample fixes it */
const RATE_INDEX = 2;
const COUNT = 3;
const FIRST_PORT = 4;
const MULTI_PORT = 5;
const STRIDE = 6;
/** Past this |Δt| the 32-bit arithmetic of the quick test could wrap; the exact test alone decides. */
const QUICK_TEST_MAX_SECONDS = 1e6;

/** TSval − r·t (mod 2^32) for candidate rate k: constant along one clock of that rate. */
function offset(tsVal: number, k: number, seconds: number): number {
  return (tsVal - Math.round((CANDIDATE_RATES[k] as number) * seconds)) | 0;
}

/**
 * Cluster storage shared by the estimators of one capture: fixed-size chunks of Float64Array in which each source
 * owns a region of 2, 4, … 64 clusters, moved to a region twice as large when full (freed regions are reused by
 * size). A typed array per source would cost more to allocate than the whole analysis of that source, and one
 * array grown by doubling touches twice the memory it needs (fresh pages are expensive on VMs).
 */
export class ClockArena {
  /** where the last `allocate` put the region */
  regionCells: Float64Array = new Float64Array(0);
  regionBase = 0;
  private chunk: Float64Array;
  private top = 0;
  private cellsInChunks: number;
  /** freed regions by log2(clusters): their chunks and offsets */
  private readonly freedCells: Float64Array[][] = [];
  private readonly freedBases: number[][] = [];

  /**
   * chunkCells: cells per chunk; maxCells: cells the arena may hold in all (default 16 M = 128 MB) — past it,
   * sources keep the clusters they have (see TsClockEstimator.add), so memory stays bounded on any capture.
   */
  constructor(
    private readonly chunkCells = 1 << 16,
    private readonly maxCells = CLOCK_ARENA_CELLS,
  ) {
    this.chunk = new Float64Array(chunkCells);
    this.cellsInChunks = chunkCells;
  }

  /**
   * Finds room for `clusters` clusters (a power of two ≤ MAX_CLUSTERS): sets regionCells and regionBase and
   * returns true; false when the arena reached maxCells and no freed region fits.
   */
  allocate(clusters: number): boolean {
    const sizeClass = Math.log2(clusters);
    const reuse = this.freedBases[sizeClass];
    if (reuse && reuse.length > 0) {
      this.regionBase = reuse.pop() as number;
      this.regionCells = (this.freedCells[sizeClass] as Float64Array[]).pop() as Float64Array;
      return true;
    }
    const size = clusters * STRIDE;
    if (this.top + size > this.chunk.length) {
      const length = Math.max(this.chunkCells, size);
      if (this.cellsInChunks + length > this.maxCells) return false;
      this.chunk = new Float64Array(length);
      this.cellsInChunks += length;
      this.top = 0;
    }
    this.regionCells = this.chunk;
    this.regionBase = this.top;
    this.top += size;
    return true;
  }

  release(cells: Float64Array, base: number, clusters: number): void {
    const sizeClass = Math.log2(clusters);
    (this.freedCells[sizeClass] ??= []).push(cells);
    (this.freedBases[sizeClass] ??= []).push(base);
  }
}

/**
 * For each candidate rate r a sample's "offset" is TSval − r·t (mod 2^32); a sample continues a cluster when its
 * offset is within the tolerance of the offset of the cluster's last point (kept as time and TSval) — the same test as
 * |TSval − (last + r·Δt)|. Before that exact test, one comparison rejects clusters that no candidate rate could
 * explain: ΔTSval must lie within the widest tolerance of [100·Δt, 1000·Δt]. Unrelated clocks almost never pass
 * it, so a source with many clocks costs a few operations per cluster.
 */
export class TsClockEstimator {
  private readonly arena: ClockArena;
  /** the arena chunk holding this source's clusters, where they start, and how many fit */
  private cells: Float64Array = new Float64Array(0);
  private base = 0;
  private room = 0;
  private clusters = 0;
  private readonly sampleOffsets = new Int32Array(RATE_COUNT);
  /** the sample's offsets are computed (lazily: only clusters that pass the quick test need them) */
  private offsetsReady = false;
  /** samples that would have started a cluster past MAX_CLUSTERS */
  private overflow = 0;
  private lastMatch = 0;
  /** some cluster has two or more samples */
  private someRepeated = false;
  samples = 0;

  constructor(arena: ClockArena = new ClockArena(MAX_CLUSTERS * STRIDE)) {
    this.arena = arena;
  }

  add(micros: number, tsVal: number, port: number): void {
    this.samples++;
    const clusters = this.clusters;
    // This many clocks and none seen twice: a fresh offset per connection; further samples only count.
    if (clusters >= MAX_CLUSTERS && !this.someRepeated) {
      this.overflow++;
      return;
    }
    this.offsetsReady = false;
    // The most recently matched cluster first, then the others in creation order.
    const lastMatch = this.lastMatch;
    const cells = this.cells;
    const base = this.base;
    const tsVal32 = tsVal | 0;
    for (let n = 0; n < clusters; n++) {
      const c = n === 0 ? lastMatch : n - 1 < lastMatch ? n - 1 : n;
      const at = base + c * STRIDE;
      const dt = (micros - (cells[at + LAST_MICROS] as number)) * 1e-6;
      // ΔTSval (mod 2^32) must lie in [100·Δt, 1000·Δt] widened by the largest tolerance (1000 Hz: 53 + 2·|Δt|)
      // plus one tick for rounding and one for floating-point slack; int32 arithmetic keeps this loop cheap.
      const dTsVal = (tsVal32 - (cells[at + LAST_TSVAL] as number)) | 0;
      if (dt >= 0) {
        if (dt < QUICK_TEST_MAX_SECONDS && (dTsVal < 98 * dt - 55 || dTsVal > 1002 * dt + 55)) continue;
      } else if (dt > -QUICK_TEST_MAX_SECONDS && (dTsVal < 1002 * dt - 55 || dTsVal > 98 * dt + 55)) {
        continue;
      }
      if (this.tryJoin(c, micros, tsVal, port)) {
        this.lastMatch = c;
        return;
      }
    }
    // Past MAX_CLUSTERS, or when the capture's clusters filled the arena, a sample that fits no cluster counts
    // as a clock of its own without being kept.
    if (clusters >= MAX_CLUSTERS || (clusters === this.room && !this.grow())) {
      this.overflow++;
      return;
    }
    const at = this.base + clusters * STRIDE;
    this.cells[at + LAST_MICROS] = micros;
    this.cells[at + LAST_TSVAL] = tsVal | 0;
    this.cells[at + RATE_INDEX] = -1;
    this.cells[at + COUNT] = 1;
    this.cells[at + FIRST_PORT] = port;
    this.cells[at + MULTI_PORT] = 0;
    this.lastMatch = clusters;
    this.clusters = clusters + 1;
  }

  estimate(): ClockEstimate {
    const samples = this.samples;
    const clusters = this.clusters;
    const cells = this.cells;
    const at = (c: number, field: number): number => cells[this.base + c * STRIDE + field] as number;
    const clocks = clusters + this.overflow;
    if (samples === 0) return { clocks: 0, regime: "unknown", rateHz: null, samples };
    let largest = -1;
    let multiPort = false;
    for (let c = 0; c < clusters; c++) {
      const count = at(c, COUNT);
      if (count > 1 && (largest < 0 || count > at(largest, COUNT))) largest = c;
      if (at(c, MULTI_PORT) === 1) multiPort = true;
    }
    let regime: TsRegime = "unknown";
    if (samples >= 2 && clocks === 1) regime = "single-clock";
    else if (clocks >= 2 && multiPort) regime = "per-host";
    else if (clocks >= 3) regime = "per-connection";
    const rateHz = largest < 0 ? null : (CANDIDATE_RATES[at(largest, RATE_INDEX)] ?? null);
    return { clocks, regime, rateHz, samples };
  }

  private computeOffsets(micros: number, tsVal: number): void {
    if (this.offsetsReady) return;
    const seconds = micros / 1e6;
    for (let k = 0; k < RATE_COUNT; k++) this.sampleOffsets[k] = offset(tsVal, k, seconds);
    this.offsetsReady = true;
  }

  /** The exact test: joins cluster c if the sample continues it (fixing the cluster's rate on its second sample). */
  private tryJoin(c: number, micros: number, tsVal: number, port: number): boolean {
    const cells = this.cells;
    const base = this.base + c * STRIDE;
    const last = cells[base + LAST_MICROS] as number;
    const dt = (micros - last) / 1e6;
    const dtSeconds = Math.abs(dt);
    this.computeOffsets(micros, tsVal);
    const sampleOffsets = this.sampleOffsets;
    const lastSeconds = last / 1e6;
    const lastTsVal = cells[base + LAST_TSVAL] as number;
    const fixed = cells[base + RATE_INDEX] as number;
    let matched = -1;
    for (let k = fixed < 0 ? 0 : fixed; k < (fixed < 0 ? RATE_COUNT : fixed + 1); k++) {
      const rate = CANDIDATE_RATES[k] as number;
      const tolerance = rate * 0.05 + 3 + 0.002 * rate * dtSeconds;
      if (Math.abs(((sampleOffsets[k] as number) - offset(lastTsVal, k, lastSeconds)) | 0) <= tolerance) {
        matched = k;
        break;
      }
    }
    if (matched < 0) return false;
    cells[base + RATE_INDEX] = matched;
    if (micros >= last) {
      cells[base + LAST_MICROS] = micros;
      cells[base + LAST_TSVAL] = tsVal | 0;
    }
    cells[base + COUNT] = (cells[base + COUNT] as number) + 1;
    this.someRepeated = true;
    if (port !== cells[base + FIRST_PORT]) cells[base + MULTI_PORT] = 1;
    return true;
  }

  /** Moves the clusters to a region twice as large (or takes the first region); false when the arena is full. */
  private grow(): boolean {
    const arena = this.arena;
    const room = this.room === 0 ? INITIAL_CLUSTERS : Math.min(this.room * 2, MAX_CLUSTERS);
    if (!arena.allocate(room)) return false;
    const cells = arena.regionCells;
    const base = arena.regionBase;
    if (this.room > 0) {
      for (let i = 0; i < this.clusters * STRIDE; i++) cells[base + i] = this.cells[this.base + i] as number;
      arena.release(this.cells, this.base, this.room);
    }
    this.cells = cells;
    this.base = base;
    this.room = room;
    return true;
  }
}
