import type { AttemptRecord, FirstReply, HandshakeTotals, WireSignals } from "./analysis-types.js";
import type { TimelineState } from "./timeline.js";
import type { ClockEstimate, TsClockEstimator } from "./ts-clocks.js";

/** A count per first reply, all zero. */
export function zeroReplies(): Record<FirstReply, number> {
  return { synack: 0, ack: 0, rst: 0, icmp: 0, none: 0 };
}

/** Per-listener tallies, filled as attempts are finalised. */
export interface ListenerState {
  addr: string;
  port: number;
  attempts: number;
  unanswered: number;
  firstReply: Record<FirstReply, number>;
  synsWithoutReply: number;
  halfOpen: number;
  ttlMin: number;
  ttlMax: number;
}

/** Per-source tallies and timestamp clocks. */
export interface SourceState {
  addr: string;
  /** packet index of the source's first SYN: orders sources across partitions */
  firstSeen: number;
  attempts: number;
  unanswered: number;
  tsvalRegressions: number;
  clocks: TsClockEstimator;
  /** flat [micros, tsVal, port, …] of first SYNs; null when this source is not followed */
  points: number[] | null;
}

/** A source as a partition hands it over: its clocks estimated. */
export type SourceTally = Omit<SourceState, "clocks"> & { clocks: ClockEstimate };

/**
 * The first `limit` attempt records of one kind in the order they were finalised, and how many were offered.
 * Each record carries its place in that order (the finalising packet, then the attempt's first SYN), so that the
 * lists of several partitions merge into the one a single tracker would have kept.
 */
export interface KeptAttempts {
  limit: number;
  offered: number;
  records: Array<{ order: number; created: number; record: AttemptRecord }>;
}

export function keptAttempts(limit: number): KeptAttempts {
  return { limit, offered: 0, records: [] };
}

/**
 * Counts an offered attempt and says whether to keep it (then push its record). The caller builds the record only
 * when kept: a closure per offer to build it lazily was most of what a SYN flood allocated.
 */
export function offerKept(kept: KeptAttempts): boolean {
  kept.offered++;
  return kept.records.length < kept.limit;
}

/** What one partition's tracker found; merge-partitions.ts turns one or more of these into the summary. */
export interface PartitionResult {
  totals: HandshakeTotals;
  signals: WireSignals;
  listeners: ListenerState[];
  sources: SourceTally[];
  /** some source was left out because the partition already held the most it keeps */
  sourcesRefused: boolean;
  /** DistinctCounter registers of every source address of an attempt */
  sourceAddresses: Uint8Array;
  timeline: TimelineState;
  /** attempts never answered or answered by something else than a SYN-ACK */
  unanswered: KeptAttempts;
  answered: KeptAttempts;
  arpRequests: Array<[string, number]>;
  arpAnswered: string[];
  warnings: string[];
}
