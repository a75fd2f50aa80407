import type { Timeline } from "./analysis-types.js";

/** Buckets kept before the step doubles: a week of capture at 1 s still fits twice over. */
const MAX_BUCKETS = 100_000;

type Series = "syn" | "synRetransmits" | "synack" | "bareAck" | "rst";

/**
 * Per-interval counts of handshake packets for the report's timeline: 1 s buckets from the first packet; when a
 * capture is longer than MAX_BUCKETS steps, neighbouring buckets merge and the step doubles (bounded memory).
 */
export class TimelineBuilder {
  private startSeconds = -1;
  private step = 1;
  private readonly series: Record<Series, number[]> = { syn: [], synRetransmits: [], synack: [], bareAck: [], rst: [] };

  add(series: Series, micros: number): void {
    const seconds = Math.floor(micros / 1e6);
    if (this.startSeconds < 0) this.startSeconds = seconds;
    let index = Math.floor((seconds - this.startSeconds) / this.step);
    if (index < 0) index = 0; // out-of-order packets before the first one
    while (index >= MAX_BUCKETS) {
      this.coarsen();
      index = Math.floor((seconds - this.startSeconds) / this.step);
    }
    const values = this.series[series];
    while (values.length <= index) values.push(0);
    values[index] = (values[index] ?? 0) + 1;
  }

  build(): Timeline {
    const length = Math.max(...Object.values(this.series).map((v) => v.length));
    const pad = (v: number[]): number[] => [...v, ...new Array<number>(length - v.length).fill(0)];
    return {
      startSeconds: this.startSeconds < 0 ? null : this.startSeconds,
      stepSeconds: this.step,
      syn: pad(this.series.syn),
      synRetransmits: pad(this.series.synRetransmits),
      synack: pad(this.series.synack),
      bareAck: pad(this.series.bareAck),
      rst: pad(this.series.rst),
    };
  }

  private coarsen(): void {
    this.step *= 2;
    for (const key of Object.keys(this.series) as Series[]) {
      const old = this.series[key];
      const merged: number[] = [];
      for (let i = 0; i < old.length; i += 2) merged.push((old[i] ?? 0) + (old[i + 1] ?? 0));
      this.series[key] = merged;
    }
  }
}
