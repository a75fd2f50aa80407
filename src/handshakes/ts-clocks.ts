import { ABSENT, Int32Map } from "../util/int32-map.js";
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

/** Clusters one capture may keep: 2.8 M, 64 MB (their index adds at most ~36 MB). */
export const CLOCK_ARENA_CLUSTERS = Math.floor((64 * 1024 * 1024) / 24);
/** Clusters a source starts with room for; its region doubles up to MAX_CLUSTERS. */
const INITIAL_CLUSTERS = 2;
/**
 * One cluster is 24 bytes of an arena chunk: its last point's time (µs) as a float64, then four int32 words —
 * the last point's TSval, the sample count, the first source port with two flags, and the index chain.
 */
const CLUSTER_BYTES = 24;
const TIME_STRIDE = CLUSTER_BYTES / 8;
const WORD_STRIDE = CLUSTER_BYTES / 4;
/** int32 word offsets within a cluster (words 0–1 hold the time) */
const LAST_TSVAL = 2;
const COUNT = 3;
/** first source port (bits 0–15), another port seen (bit 16), index into CANDIDATE_RATES + 1 (bits 17–19; 0 until a second sample fixes it) */
const PORT_AND_RATE = 4;
const MULTI_PORT_BIT = 1 << 16;
const RATE_SHIFT = 17;
/** the next cluster (index within the source) in the same TSval bucket, -1 at the end */
const NEXT_IN_BUCKET = 5;
/** Past this |Δt| the 32-bit arithmetic of the quick test could wrap; the exact test alone decides. */
const QUICK_TEST_MAX_SECONDS = 1e6;
/**
 * The TSval index: each kept cluster is filed under (source, last TSval >>> BUCKET_SHIFT). The quick test bounds
 * ΔTSval by the source's time span, so a sample need only visit the buckets that window covers; with many clocks
 * and a short span that is one or two buckets instead of every cluster. 2^20 ticks: 17 min at 1000 Hz.
 */
const BUCKET_SHIFT = 20;
const BUCKET_MASK = (1 << (32 - BUCKET_SHIFT)) - 1;
/** Source ids the index key (id << 12 | bucket) holds in a positive int32. */
const MAX_INDEXED_SOURCES = 1 << (31 - (32 - BUCKET_SHIFT));
/** The index is used when it visits at most one bucket per this many clusters; otherwise the plain scan. */
const CLUSTERS_PER_BUCKET_VISIT = 3;
/** Quick-test bounds widened by this many ticks: the ±55 of the test, and slack for floating-point rounding. */
const WINDOW_SLACK = 57;

/** TSval − r·t (mod 2^32) for candidate rate k: constant along one clock of that rate. */
function offset(tsVal: number, k: number, seconds: number): number {
  return (tsVal - Math.round((CANDIDATE_RATES[k] as number) * seconds)) | 0;
}

/** Where a source's clusters are: a chunk's two views and the region's first cluster. */
export interface ClockRegion {
  times: Float64Array;
  words: Int32Array;
  /** index of the region's first cluster in the chunk */
  first: number;
}

/**
 * Cluster storage shared by the estimators of one capture: fixed-size chunks in which each source owns a region of
 * 2, 4, … 64 clusters, moved to a region twice as large when full (freed regions are reused by size). A typed array
 * per source would cost more to allocate than the whole analysis of that source, and one array grown by doubling
 * touches twice the memory it needs (fresh pages are expensive on VMs). It also holds the TSval index of all its
 * sources and the scratch space of the sample being added.
 */
export class ClockArena {
  // Set again in the constructor, so that a new chunk does not throw optimised code away (util/columns.ts).
  private chunk: ClockRegion = newChunk(0);
  /** clusters of the current chunk handed out */
  private top = 0;
  private clustersInChunks = 0;
  /** freed regions by log2(clusters) */
  private readonly freed: ClockRegion[][] = [];
  /** (source id << 12 | TSval bucket) → the first cluster of that bucket's chain (see NEXT_IN_BUCKET) */
  readonly buckets: Int32Map;
  private sources = 0;
  /** scratch for the sample being added: its offset per candidate rate, and the clusters the index found */
  readonly sampleOffsets = new Int32Array(RATE_COUNT);
  readonly candidates = new Int32Array(MAX_CLUSTERS);

  /**
   * chunkClusters: clusters per chunk; maxClusters: what the arena may hold in all (default CLOCK_ARENA_CLUSTERS) —
   * past it, sources keep the clusters they have (see TsClockEstimator.add), so memory stays bounded on any capture.
   */
  constructor(
    private readonly chunkClusters = 1 << 14,
    private readonly maxClusters = CLOCK_ARENA_CLUSTERS,
  ) {
    this.chunk = newChunk(chunkClusters);
    this.clustersInChunks = chunkClusters;
    this.buckets = new Int32Map(chunkClusters);
  }

  /** A fresh source id for the TSval index. */
  register(): number {
    return this.sources++;
  }

  /** Room for `clusters` clusters (a power of two ≤ MAX_CLUSTERS); null when the arena reached maxClusters and no freed region fits. */
  allocate(clusters: number): ClockRegion | null {
    const reuse = this.freed[Math.log2(clusters)];
    if (reuse && reuse.length > 0) return reuse.pop() as ClockRegion;
    if (this.top + clusters > this.chunk.times.length / TIME_STRIDE) {
      const length = Math.max(this.chunkClusters, clusters);
      if (this.clustersInChunks + length > this.maxClusters) return null;
      this.chunk = newChunk(length);
      this.clustersInChunks += length;
      this.top = 0;
    }
    const region = { times: this.chunk.times, words: this.chunk.words, first: this.top };
    this.top += clusters;
    return region;
  }

  release(region: ClockRegion, clusters: number): void {
    (this.freed[Math.log2(clusters)] ??= []).push(region);
  }
}

function newChunk(clusters: number): ClockRegion {
  const buffer = new ArrayBuffer(clusters * CLUSTER_BYTES);
  return { times: new Float64Array(buffer), words: new Int32Array(buffer), first: 0 };
}

/**
 * For each candidate rate r a sample's "offset" is TSval − r·t (mod 2^32); a sample continues a cluster when its
 * offset is within the tolerance of the offset of the cluster's last point (kept as time and TSval) — the same test as
 * |TSval − (last + r·Δt)|. Before that exact test, one comparison rejects clusters that no candidate rate could
 * explain: ΔTSval must lie within the widest tolerance of [100·Δt, 1000·Δt]. Over the source's time span that
 * bounds the last TSvals worth testing, so a source with many clocks looks only at the clusters the arena's TSval
 * index files in that range (joinOther) — the same clusters in the same order as a scan of all, fewer of them.
 */
export class TsClockEstimator {
  private readonly arena: ClockArena;
  /** this source's key prefix in the arena's TSval index; -1 when the index cannot hold it (plain scans) */
  private readonly indexKey: number;
  /** the region holding this source's clusters (its chunk's views and first cluster), and how many fit */
  private region: ClockRegion | null = null;
  private times: Float64Array = new Float64Array(0);
  private words: Int32Array = new Int32Array(0);
  private first = 0;
  private room = 0;
  private clusters = 0;
  /** the sample's offsets are computed (lazily: only clusters that pass the quick test need them) */
  private offsetsReady = false;
  /** samples that would have started a cluster past MAX_CLUSTERS */
  private overflow = 0;
  private lastMatch = 0;
  /** some cluster has two or more samples */
  private someRepeated = false;
  /** the earliest and latest sample times (µs): every cluster's last point lies between them */
  private earliestSample = Number.POSITIVE_INFINITY;
  private latestSample = Number.NEGATIVE_INFINITY;
  samples = 0;

  constructor(arena: ClockArena = new ClockArena(MAX_CLUSTERS)) {
    this.arena = arena;
    const id = arena.register();
    this.indexKey = id < MAX_INDEXED_SOURCES ? id << (32 - BUCKET_SHIFT) : -1;
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
    if (micros < this.earliestSample) this.earliestSample = micros;
    if (micros > this.latestSample) this.latestSample = micros;
    // The most recently matched cluster first, then the others in creation order.
    if (clusters > 0 && (this.tryCluster(this.lastMatch, micros, tsVal, port) || this.joinOther(micros, tsVal, port))) return;
    // Past MAX_CLUSTERS, or when the capture's clusters filled the arena, a sample that fits no cluster counts
    // as a clock of its own without being kept.
    if (clusters >= MAX_CLUSTERS || (clusters === this.room && !this.grow())) {
      this.overflow++;
      return;
    }
    const at = this.first + clusters;
    this.times[at * TIME_STRIDE] = micros;
    const w = at * WORD_STRIDE;
    this.words[w + LAST_TSVAL] = tsVal;
    this.words[w + COUNT] = 1;
    this.words[w + PORT_AND_RATE] = port;
    this.file(clusters, tsVal);
    this.lastMatch = clusters;
    this.clusters = clusters + 1;
  }

  /**
   * Tries the clusters other than lastMatch in creation order. Through the TSval index when the buckets the
   * quick test allows are few: they hold every cluster that could pass it, so the first match is the same.
   */
  private joinOther(micros: number, tsVal: number, port: number): boolean {
    const clusters = this.clusters;
    const lastMatch = this.lastMatch;
    // Every cluster's Δt lies in [dLo, dHi] (the sample itself is inside the span, so dLo ≤ 0 ≤ dHi); the
    // quick test then admits ΔTSval = TSval − last only within [1002·dLo − 55, 1002·dHi + 55].
    const lowest = Math.floor(1002 * (micros - this.latestSample) * 1e-6) - WINDOW_SLACK;
    const highest = Math.ceil(1002 * (micros - this.earliestSample) * 1e-6) + WINDOW_SLACK;
    const visits = (highest - lowest) / (1 << BUCKET_SHIFT) + 2;
    if (this.indexKey < 0 || visits * CLUSTERS_PER_BUCKET_VISIT > clusters) {
      for (let c = 0; c < clusters; c++) if (c !== lastMatch && this.tryCluster(c, micros, tsVal, port)) return true;
      return false;
    }
    // The clusters' last TSvals lie in [TSval − highest, TSval − lowest] (mod 2^32).
    const tsVal32 = tsVal | 0;
    const firstBucket = ((tsVal32 - highest) | 0) >>> BUCKET_SHIFT;
    const lastBucket = ((tsVal32 - lowest) | 0) >>> BUCKET_SHIFT;
    const found = this.arena.candidates;
    const words = this.words;
    const first = this.first;
    let count = 0;
    for (let b = firstBucket; ; b = (b + 1) & BUCKET_MASK) {
      for (let c = this.arena.buckets.get(this.indexKey | b); c >= 0; c = words[(first + c) * WORD_STRIDE + NEXT_IN_BUCKET] as number) {
        // Insertion into creation order: chains are short, and so is this list.
        let i = count++;
        for (; i > 0 && (found[i - 1] as number) > c; i--) found[i] = found[i - 1] as number;
        found[i] = c;
      }
      if (b === lastBucket) break;
    }
    for (let i = 0; i < count; i++) {
      const c = found[i] as number;
      if (c !== lastMatch && this.tryCluster(c, micros, tsVal, port)) return true;
    }
    return false;
  }

  /** The quick test, then the exact one; on a match cluster c becomes lastMatch. */
  private tryCluster(c: number, micros: number, tsVal: number, port: number): boolean {
    const at = this.first + c;
    const dt = (micros - (this.times[at * TIME_STRIDE] as number)) * 1e-6;
    // ΔTSval (mod 2^32) must lie in [100·Δt, 1000·Δt] widened by the largest tolerance (1000 Hz: 53 + 2·|Δt|)
    // plus one tick for rounding and one for floating-point slack; int32 arithmetic keeps this test cheap.
    const dTsVal = ((tsVal | 0) - (this.words[at * WORD_STRIDE + LAST_TSVAL] as number)) | 0;
    if (dt >= 0) {
      if (dt < QUICK_TEST_MAX_SECONDS && (dTsVal < 98 * dt - 55 || dTsVal > 1002 * dt + 55)) return false;
    } else if (dt > -QUICK_TEST_MAX_SECONDS && (dTsVal < 1002 * dt - 55 || dTsVal > 98 * dt + 55)) {
      return false;
    }
    if (!this.tryJoin(c, micros, tsVal, port)) return false;
    this.lastMatch = c;
    return true;
  }

  /** Files cluster c under the bucket of TSval tsVal (its last). */
  private file(c: number, tsVal: number): void {
    if (this.indexKey < 0) return;
    const key = this.indexKey | ((tsVal | 0) >>> BUCKET_SHIFT);
    const buckets = this.arena.buckets;
    const head = buckets.get(key);
    this.words[(this.first + c) * WORD_STRIDE + NEXT_IN_BUCKET] = head === ABSENT ? -1 : head;
    buckets.set(key, c);
  }

  /** Takes cluster c out of the bucket of TSval tsVal. */
  private unfile(c: number, tsVal: number): void {
    if (this.indexKey < 0) return;
    const key = this.indexKey | ((tsVal | 0) >>> BUCKET_SHIFT);
    const buckets = this.arena.buckets;
    const words = this.words;
    const first = this.first;
    const next = words[(first + c) * WORD_STRIDE + NEXT_IN_BUCKET] as number;
    let previous = buckets.get(key);
    if (previous === c) {
      if (next < 0) buckets.delete(key);
      else buckets.set(key, next);
      return;
    }
    while (previous >= 0) {
      const link = (first + previous) * WORD_STRIDE + NEXT_IN_BUCKET;
      if (words[link] === c) {
        words[link] = next;
        return;
      }
      previous = words[link] as number;
    }
  }

  estimate(): ClockEstimate {
    const samples = this.samples;
    const clusters = this.clusters;
    const words = this.words;
    const word = (c: number, field: number): number => words[(this.first + c) * WORD_STRIDE + field] as number;
    const clocks = clusters + this.overflow;
    if (samples === 0) return { clocks: 0, regime: "unknown", rateHz: null, samples };
    let largest = -1;
    let multiPort = false;
    for (let c = 0; c < clusters; c++) {
      const count = word(c, COUNT);
      if (count > 1 && (largest < 0 || count > word(largest, COUNT))) largest = c;
      if ((word(c, PORT_AND_RATE) & MULTI_PORT_BIT) !== 0) multiPort = true;
    }
    let regime: TsRegime = "unknown";
    if (samples >= 2 && clocks === 1) regime = "single-clock";
    else if (clocks >= 2 && multiPort) regime = "per-host";
    else if (clocks >= 3) regime = "per-connection";
    const rateHz = largest < 0 ? null : (CANDIDATE_RATES[(word(largest, PORT_AND_RATE) >>> RATE_SHIFT) - 1] ?? null);
    return { clocks, regime, rateHz, samples };
  }

  private computeOffsets(micros: number, tsVal: number): void {
    if (this.offsetsReady) return;
    const seconds = micros / 1e6;
    const sampleOffsets = this.arena.sampleOffsets;
    for (let k = 0; k < RATE_COUNT; k++) sampleOffsets[k] = offset(tsVal, k, seconds);
    this.offsetsReady = true;
  }

  /** The exact test: joins cluster c if the sample continues it (fixing the cluster's rate on its second sample). */
  private tryJoin(c: number, micros: number, tsVal: number, port: number): boolean {
    const words = this.words;
    const at = this.first + c;
    const w = at * WORD_STRIDE;
    const last = this.times[at * TIME_STRIDE] as number;
    const dt = (micros - last) / 1e6;
    const dtSeconds = Math.abs(dt);
    this.computeOffsets(micros, tsVal);
    const sampleOffsets = this.arena.sampleOffsets;
    const lastSeconds = last / 1e6;
    const lastTsVal = words[w + LAST_TSVAL] as number;
    const portAndRate = words[w + PORT_AND_RATE] as number;
    const fixed = (portAndRate >>> RATE_SHIFT) - 1;
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
    const multiPort = port !== (portAndRate & 0xffff) ? MULTI_PORT_BIT : portAndRate & MULTI_PORT_BIT;
    words[w + PORT_AND_RATE] = (portAndRate & 0xffff) | multiPort | ((matched + 1) << RATE_SHIFT);
    if (micros >= last) {
      this.times[at * TIME_STRIDE] = micros;
      words[w + LAST_TSVAL] = tsVal;
      if (lastTsVal >>> BUCKET_SHIFT !== (tsVal | 0) >>> BUCKET_SHIFT) {
        this.unfile(c, lastTsVal);
        this.file(c, tsVal);
      }
    }
    words[w + COUNT] = (words[w + COUNT] as number) + 1;
    this.someRepeated = true;
    return true;
  }

  /** Moves the clusters to a region twice as large (or takes the first region); false when the arena is full. */
  private grow(): boolean {
    const arena = this.arena;
    const room = this.room === 0 ? INITIAL_CLUSTERS : Math.min(this.room * 2, MAX_CLUSTERS);
    const region = arena.allocate(room);
    if (region === null) return false;
    if (this.region !== null) {
      const from = this.first * WORD_STRIDE;
      region.words.set(this.words.subarray(from, from + this.clusters * WORD_STRIDE), region.first * WORD_STRIDE);
      arena.release(this.region, this.room);
    }
    this.region = region;
    this.times = region.times;
    this.words = region.words;
    this.first = region.first;
    this.room = room;
    return true;
  }
}
