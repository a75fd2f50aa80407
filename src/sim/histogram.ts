/**
 * Fixed-size log histogram of durations (µs): bounded memory for any number of samples, ~5 % resolution.
 * Used for connect delays, where the interesting values range from a fraction of a millisecond to minutes.
 */
const BUCKETS = 512;
const GROWTH = 1.05;
const LOG_GROWTH = Math.log(GROWTH);

export class DurationHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  max = 0;

  add(us: number): void {
    const v = Math.max(us, 1);
    const bucket = Math.min(BUCKETS - 1, Math.floor(Math.log(v) / LOG_GROWTH));
    this.counts[bucket] = (this.counts[bucket] as number) + 1;
    this.count++;
    if (us > this.max) this.max = us;
  }

  /** Upper bound of the bucket holding quantile q (0..1), in µs; 0 when empty. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] as number;
      if (seen >= target) return Math.min(GROWTH ** (i + 1), this.max);
    }
    return this.max;
  }
}
