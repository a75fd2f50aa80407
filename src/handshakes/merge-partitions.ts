import type { AttemptRecord, FirstReply, HandshakeTotals, ListenerSummary, SourceSummary, Timeline, TsSeries, WireSignals } from "./analysis-types.js";
import { type KeptAttempts, type ListenerState, type PartitionResult, type SourceTally, zeroReplies } from "./tallies.js";
import { DistinctCounter } from "../util/distinct-count.js";
import { TimelineBuilder } from "./timeline.js";
import { MAX_SOURCES, SERIES_SOURCES } from "./tracker.js";

export interface TrackerResult {
  handshakes: HandshakeTotals;
  listeners: ListenerSummary[];
  sources: SourceSummary[];
  sourceAddresses: { count: number; estimated: boolean };
  signals: WireSignals;
  timeline: Timeline;
  tsSeries: TsSeries[];
  attempts: AttemptRecord[];
  attemptsOmitted: number;
  warnings: string[];
}

/**
 * The summary of one or more partitions of the same capture (tracker.ts). Each client lives in one partition, so
 * sources are taken whole; listeners, totals, signals and timelines add up; kept attempt records and followed
 * sources are chosen by their place in the capture, which is what a single tracker would have kept.
 */
export function mergePartitions(parts: readonly PartitionResult[]): TrackerResult {
  const warnings = [...new Set(parts.flatMap((p) => p.warnings))];
  const sources = parts.flatMap((p) => p.sources).sort((a, b) => a.firstSeen - b.firstSeen);
  let sourceAddresses = { count: sources.length, estimated: false };
  if (sources.length > MAX_SOURCES || parts.some((p) => p.sourcesRefused)) {
    const all = new DistinctCounter();
    for (const part of parts) all.merge(new DistinctCounter(part.sourceAddresses));
    sourceAddresses = { count: Math.max(all.estimate(), MAX_SOURCES + 1), estimated: true };
    warnings.push(`about ${sourceAddresses.count} source addresses: per-source figures cover the first ${MAX_SOURCES}`);
    sources.length = Math.min(sources.length, MAX_SOURCES);
  }
  // Each partition follows its first SERIES_SOURCES sources; of all, the first SERIES_SOURCES are followed.
  let followed = 0;
  for (const source of sources) {
    if (source.points === null) continue;
    if (followed < SERIES_SOURCES) followed++;
    else source.points = null;
  }
  const kept = [...keptInOrder(parts.map((p) => p.unanswered)), ...keptInOrder(parts.map((p) => p.answered))];
  const offered = parts.reduce((sum, p) => sum + p.unanswered.offered + p.answered.offered, 0);
  const timeline = new TimelineBuilder();
  for (const part of parts) timeline.merge(part.timeline);
  const summaries = sourceSummaries(sources);
  return {
    handshakes: sumTotals(parts.map((p) => p.totals)),
    listeners: listenerSummaries(parts.flatMap((p) => p.listeners)),
    sources: summaries,
    sourceAddresses,
    signals: mergeSignals(parts),
    timeline: timeline.build(),
    tsSeries: tsSeries(summaries, sources),
    attempts: kept.sort((a, b) => a.firstSyn - b.firstSyn || compareText(a.client, b.client) || a.clientPort - b.clientPort),
    attemptsOmitted: offered - kept.length,
    warnings,
  };
}

/** The first `limit` records of all partitions, in the order the attempts were finalised. */
function keptInOrder(lists: readonly KeptAttempts[]): AttemptRecord[] {
  const limit = lists[0]?.limit ?? 0;
  return lists
    .flatMap((l) => l.records)
    .sort((a, b) => a.order - b.order || a.created - b.created)
    .slice(0, limit)
    .map((k) => k.record);
}

function addReplies(into: Record<FirstReply, number>, from: Record<FirstReply, number>): void {
  for (const key of Object.keys(into) as FirstReply[]) into[key] += from[key];
}

function sumTotals(all: readonly HandshakeTotals[]): HandshakeTotals {
  const sum: HandshakeTotals = { attempts: 0, answered: 0, unanswered: 0, answeredAfterRetransmit: 0, firstReply: zeroReplies(), synRetransmits: 0, synackRetransmits: 0 };
  for (const t of all) {
    sum.attempts += t.attempts;
    sum.answered += t.answered;
    sum.unanswered += t.unanswered;
    sum.answeredAfterRetransmit += t.answeredAfterRetransmit;
    sum.synRetransmits += t.synRetransmits;
    sum.synackRetransmits += t.synackRetransmits;
    addReplies(sum.firstReply, t.firstReply);
  }
  return sum;
}

function mergeSignals(parts: readonly PartitionResult[]): WireSignals {
  const counts = ["synBadChecksum", "synChecksumChecked", "synWithMd5", "synWithTimestamps", "synMalformedOptions", "clientRstAfterBareAck", "synOnServerClosedTuple", "serverClosedConnections", "clientClosedConnections"] as const;
  const merged: WireSignals = { ...(parts[0]?.signals as WireSignals) };
  for (const key of counts) merged[key] = parts.reduce((sum, p) => sum + p.signals[key], 0);
  const requests = new Map<string, number>();
  const answered = new Set<string>();
  for (const part of parts) {
    for (const [target, count] of part.arpRequests) requests.set(target, (requests.get(target) ?? 0) + count);
    for (const sender of part.arpAnswered) answered.add(sender);
  }
  merged.arpUnanswered = [...requests]
    .filter(([target]) => !answered.has(target))
    .map(([target, count]) => ({ target, requests: count }))
    .sort((a, b) => b.requests - a.requests || compareText(a.target, b.target));
  return merged;
}

function listenerSummaries(states: readonly ListenerState[]): ListenerSummary[] {
  const byEndpoint = new Map<string, ListenerState>();
  for (const state of states) {
    const key = `${state.addr} ${state.port}`;
    const into = byEndpoint.get(key);
    if (!into) {
      byEndpoint.set(key, { ...state, firstReply: { ...state.firstReply } });
      continue;
    }
    into.attempts += state.attempts;
    into.unanswered += state.unanswered;
    into.synsWithoutReply += state.synsWithoutReply;
    into.halfOpen += state.halfOpen;
    addReplies(into.firstReply, state.firstReply);
    into.ttlMin = Math.min(into.ttlMin, state.ttlMin);
    into.ttlMax = Math.max(into.ttlMax, state.ttlMax);
  }
  return [...byEndpoint.values()]
    .filter((l) => l.attempts > 0)
    .map((l) => ({
      addr: l.addr,
      port: l.port,
      attempts: l.attempts,
      unanswered: l.unanswered,
      firstReply: l.firstReply,
      synsWithoutReply: l.synsWithoutReply,
      halfOpen: l.halfOpen,
      synTtlMin: l.ttlMax < 0 ? null : l.ttlMin,
      synTtlMax: l.ttlMax < 0 ? null : l.ttlMax,
    }))
    .sort((a, b) => b.unanswered - a.unanswered || b.attempts - a.attempts || compareText(a.addr, b.addr) || a.port - b.port);
}

function sourceSummaries(sources: readonly SourceTally[]): SourceSummary[] {
  return sources
    .map((s) => ({ addr: s.addr, attempts: s.attempts, unanswered: s.unanswered, tsvalRegressions: s.tsvalRegressions, tsClocks: s.clocks.clocks, tsRegime: s.clocks.regime, tsRateHz: s.clocks.rateHz, tsSamples: s.clocks.samples }))
    .sort((a, b) => b.unanswered - a.unanswered || b.tsvalRegressions - a.tsvalRegressions || b.attempts - a.attempts || compareText(a.addr, b.addr));
}

/** TSval series of the sources worth a plot: regressions, or several per-host clocks. */
function tsSeries(summaries: readonly SourceSummary[], sources: readonly SourceTally[]): TsSeries[] {
  const chosen = summaries
    .filter((s) => s.tsvalRegressions > 0 || (s.tsClocks > 1 && s.tsRegime === "per-host"))
    .sort((a, b) => b.tsvalRegressions - a.tsvalRegressions || b.tsClocks - a.tsClocks || compareText(a.addr, b.addr))
    .slice(0, 10);
  // Only the chosen few need their points: no index over every source (200 000 in a flood).
  const wanted = new Set(chosen.map((s) => s.addr));
  const byAddr = new Map(sources.filter((s) => wanted.has(s.addr)).map((s) => [s.addr, s]));
  return chosen.flatMap((s) => {
    const flat = byAddr.get(s.addr)?.points;
    if (!flat || flat.length === 0) return [];
    const points: Array<[number, number, number]> = [];
    for (let i = 0; i < flat.length; i += 3) points.push([flat[i] as number, flat[i + 1] as number, flat[i + 2] as number]);
    return [{ addr: s.addr, tsClocks: s.tsClocks, tsvalRegressions: s.tsvalRegressions, points }];
  });
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
