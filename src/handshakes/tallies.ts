import type { FirstReply } from "./analysis-types.js";
import type { TsClockEstimator } from "./ts-clocks.js";

/** Per-listener tallies, filled as attempts are finalised. */
export interface ListenerState {
  addr: string;
  port: number;
  attempts: number;
  unanswered: number;
  firstReply: Record<FirstReply, number>;
  synsWithoutReply: number;
  ttlMin: number;
  ttlMax: number;
}

/** Per-source tallies and timestamp clocks. */
export interface SourceState {
  addr: string;
  attempts: number;
  unanswered: number;
  tsvalRegressions: number;
  clocks: TsClockEstimator;
  /** flat [micros, tsVal, port, …] of first SYNs; null when this source is not followed */
  points: number[] | null;
}
