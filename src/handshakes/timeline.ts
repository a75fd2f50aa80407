import type { Timeline } from "./analysis-types.js";

/** Buckets kept before the step doubles: a week of capture at 1 s still fits twice over. */
const MAX_BUCKETS = 100_000;

type Series = "syn" | "synRetransmits" | "synack" | "bareAck" | "rst";
const SERIES: readonly Series[] = ["syn", "synRetransmits", "synack", "bareAck", "rst"];

/** Bucketed counts as a partition hands them over: buckets start at `startSeconds` and are `step` seconds wide. */
export interface TimelineState {
  startSeconds: number;
  step: number;
  series: Record<Series, number[]>;
}

/**
 * Per-interval counts of handshake packets for the report's timeline: 1 s buckets from the first packet (the
 * first sweep tick anchors them, so every partition of one capture shares the grid); when a capture is longer
 * than MAX_BUCKETS steps, neighbouring buckets merge and the step doubles (bounded memory).
 */
export class TimelineBuilder {
  private startSeconds = -1;
  private step = 1;
  private series: Record<Series, number[]> = { syn: [], synRetransmits: [], synack: [], bareAck: [], rst: [] };

  /** Fixes the first bucket at the given time, unless already fixed. */
  anchor(micros: number): void {
    if (this.startSeconds < 0) this.startSeconds = Math.floor(micros / 1e6);
  }

  add(series: Series, micros: number): void {
    const seconds = Math.floor(micros / 1e6);
    if (this.startSeconds < 0) this.startSeconds = seconds;
    let index = Math.floor((seconds - this.startSeconds) / this.step);
    if (index < 0) index = 0; // out-of-order packets before the first one
    while (index >= MAX_BUCKETS) {
      this.coarsen();
      index = Math.floor((seconds - this.startSeconds) / this.step);
    }
    const values = this.list(series);
    while (values.length <= index) values.push(0);
    values[index] = (values[index] ?? 0) + 1;
  }

  /** A switch of named fields: this.series[name] with five names is a megamorphic keyed load per packet. */
  private list(series: Series): number[] {
    const all = this.series;
    switch (series) {
      case "syn":
        return all.syn;
      case "synRetransmits":
        return all.synRetransmits;
      case "synack":
        return all.synack;
      case "bareAck":
        return all.bareAck;
      default:
        return all.rst;
    }
  }

  state(): TimelineState {
    return { startSeconds: this.startSeconds, step: this.step, series: this.series };
  }

  /** Adds another builder's counts (same anchor), at the coarser of the two steps. */
  merge(other: TimelineState): void {
    if (this.startSeconds < 0) this.startSeconds = other.startSeconds;
    while (this.step < other.step) this.coarsen();
    for (const key of SERIES) {
      let values = other.series[key];
      for (let step = other.step; step < this.step; step *= 2) values = pairSums(values);
      const into = this.series[key];
      values.forEach((value, i) => {
        while (into.length <= i) into.push(0);
        into[i] = (into[i] ?? 0) + value;
      });
    }
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
    for (const key of SERIES) this.series[key] = pairSums(this.series[key]);
  }
}

function pairSums(values: readonly number[]): number[] {
  const merged: number[] = [];
  for (let i = 0; i < values.length; i += 2) merged.push((values[i] ?? 0) + (values[i + 1] ?? 0));
  return merged;
}
