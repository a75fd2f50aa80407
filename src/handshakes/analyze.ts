import type { CaptureStats } from "../capture/capture-stats.js";
import type { PacketView } from "../capture/packet-view.js";
import { readCaptures, type ReadCapturesOptions } from "../capture/reader.js";
import type { AnalyzeSummary } from "./analysis-types.js";
import { mergePartitions } from "./merge-partitions.js";
import { PacketRecord, RecordBuffer } from "./packet-record.js";
import { PacketRouter } from "./packet-router.js";
import { analyzeInParallel } from "./parallel/analyze-parallel.js";
import { MAX_PARTITIONS } from "./parallel/record-ring.js";
import type { PartitionResult } from "./tallies.js";
import { HandshakeTracker, type TrackerOptions } from "./tracker.js";

export interface AnalyzeOptions extends TrackerOptions, ReadCapturesOptions {
  /**
   * Threads in all (default 1: this thread does everything). With N > 1 this thread reads and decodes and N − 1
   * worker threads track a share of the clients each. The result does not depend on it.
   */
  threads?: number;
  /** trackers in this thread that split the clients between them (default 1); for tests of the merge */
  partitions?: number;
  /** words of records handed to the workers at a time (see analyze-parallel.ts); for tests */
  slotWords?: number;
  /** tuples the reading thread follows before it forwards every plain ACK (see pending-syns.ts); for tests */
  pendingSynsLimit?: number;
}

/**
 * Reads one or more captures (in the order given, e.g. rotated files) through the handshake tracker and returns
 * the analyze summary. Throws InputError for a capture that cannot be read.
 */
export async function analyzeCaptures(paths: readonly string[], options: AnalyzeOptions = {}): Promise<AnalyzeSummary> {
  const workers = Math.min(options.threads ?? 1, MAX_PARTITIONS + 1) - 1;
  if (workers > 0) {
    const parallel = await analyzeInParallel(paths, { ...options, workers });
    return summarize(paths, parallel.stats, parallel.partitions, parallel.tcpPackets);
  }
  const pipeline = new InlinePipeline(options, options.partitions ?? 1);
  const stats = await readCaptures(paths, (view) => pipeline.observe(view), options);
  return summarize(
    paths,
    stats,
    pipeline.trackers.map((t) => t.finish()),
    pipeline.router.tcpPackets,
  );
}

/** Routes each packet to the partitions' trackers and lets them read it at once: the single-thread pipeline. */
class InlinePipeline {
  readonly trackers: HandshakeTracker[];
  readonly router: PacketRouter;
  private readonly outputs: RecordBuffer[];
  private readonly record = new PacketRecord();

  constructor(options: TrackerOptions, partitions: number) {
    this.trackers = Array.from({ length: partitions }, (_, index) => new HandshakeTracker(options, { index, count: partitions }));
    this.outputs = this.trackers.map(() => RecordBuffer.ofWords(2 * PacketRouter.MAX_WORDS_PER_PACKET));
    this.router = new PacketRouter(this.outputs);
    // Records are read as soon as they are routed, so the trackers can say which plain ACKs they need.
    this.router.plainAckWanted = (p, srcKey, dstKey, sport, dport) => (this.trackers[p] as HandshakeTracker).awaitsReply(srcKey, dstKey, sport, dport);
  }

  observe(view: PacketView): void {
    const router = this.router;
    router.route(view);
    for (let p = 0; p < this.outputs.length; p++) {
      const end = router.positions[p] as number;
      const output = this.outputs[p] as RecordBuffer;
      const tracker = this.trackers[p] as HandshakeTracker;
      for (let at = 0; at < end; ) {
        at = this.record.load(output, at);
        tracker.observe(this.record);
      }
      router.positions[p] = 0;
    }
  }
}

function summarize(paths: readonly string[], stats: readonly CaptureStats[], partitions: readonly PartitionResult[], tcpPackets: number): AnalyzeSummary {
  const files: AnalyzeSummary["files"] = [];
  const warnings: AnalyzeSummary["warnings"] = [];
  let packets = 0;
  let first: number | null = null;
  let last: number | null = null;
  for (const [index, s] of stats.entries()) {
    const path = paths[index] as string;
    packets += s.packets;
    if (s.firstTimestampMicros !== null && (first === null || s.firstTimestampMicros < first)) first = s.firstTimestampMicros;
    if (s.lastTimestampMicros !== null && (last === null || s.lastTimestampMicros > last)) last = s.lastTimestampMicros;
    files.push({
      path,
      format: s.format,
      compressed: s.compressed,
      packets: s.packets,
      snaplenTruncated: s.snaplenTruncated,
      headerTruncated: s.headerTruncated,
      fragments: s.fragments,
      malformed: s.malformed,
      linkTypes: s.linkTypes,
    });
    for (const warning of s.warnings) warnings.push(warning.offset === undefined ? { file: warning.file, message: warning.message } : { file: warning.file, offset: warning.offset, message: warning.message });
    if (s.unsupportedLinkType > 0) warnings.push({ file: path, message: `${s.unsupportedLinkType} packets of unsupported link types skipped` });
    if (s.fragments > 0) warnings.push({ file: path, message: `${s.fragments} IP fragments counted and skipped` });
  }
  const result = mergePartitions(partitions);
  for (const message of result.warnings) warnings.push({ file: paths.join(", "), message });
  return {
    packets,
    tcpPackets,
    handshakes: result.handshakes,
    listeners: result.listeners,
    sources: result.sources,
    sourceAddresses: result.sourceAddresses,
    timeRange: { first, last },
    signals: result.signals,
    timeline: result.timeline,
    tsSeries: result.tsSeries,
    attempts: result.attempts,
    attemptsOmitted: result.attemptsOmitted,
    files,
    warnings,
  };
}
