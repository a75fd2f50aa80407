import type { PacketView } from "../capture/packet-view.js";
import { readCapture, type ReadCaptureOptions } from "../capture/reader.js";
import type { AnalyzeSummary, CaptureFileSummary } from "./analysis-types.js";
import { mergePartitions } from "./merge-partitions.js";
import { PacketRecord, RecordBuffer } from "./packet-record.js";
import { PacketRouter } from "./packet-router.js";
import { HandshakeTracker, type TrackerOptions } from "./tracker.js";

export interface AnalyzeOptions extends TrackerOptions {
  /** progress per file: index of the file, raw bytes read, file size (null for stdin) */
  onProgress?: (fileIndex: number, bytesRead: number, totalBytes: number | null) => void;
  stdin?: ReadCaptureOptions["stdin"];
  /** trackers that split the clients between them (default 1); the result does not depend on it */
  partitions?: number;
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

/**
 * Reads one or more captures (in the order given, e.g. rotated files) through one handshake tracker and returns
 * the analyze summary. Throws InputError for a capture that cannot be read.
 */
export async function analyzeCaptures(paths: readonly string[], options: AnalyzeOptions = {}): Promise<AnalyzeSummary> {
  const pipeline = new InlinePipeline(options, options.partitions ?? 1);
  const files: CaptureFileSummary[] = [];
  const warnings: AnalyzeSummary["warnings"] = [];
  let packets = 0;
  let first: number | null = null;
  let last: number | null = null;
  for (const [index, path] of paths.entries()) {
    const readOptions: ReadCaptureOptions = {};
    if (options.onProgress) {
      const report = options.onProgress;
      readOptions.onProgress = (read, total) => report(index, read, total);
    }
    if (options.stdin) readOptions.stdin = options.stdin;
    const stats = await readCapture(path, (view) => pipeline.observe(view), readOptions);
    packets += stats.packets;
    if (stats.firstTimestampMicros !== null && (first === null || stats.firstTimestampMicros < first)) first = stats.firstTimestampMicros;
    if (stats.lastTimestampMicros !== null && (last === null || stats.lastTimestampMicros > last)) last = stats.lastTimestampMicros;
    files.push({
      path,
      format: stats.format,
      compressed: stats.compressed,
      packets: stats.packets,
      snaplenTruncated: stats.snaplenTruncated,
      headerTruncated: stats.headerTruncated,
      fragments: stats.fragments,
      malformed: stats.malformed,
      linkTypes: stats.linkTypes,
    });
    for (const warning of stats.warnings) warnings.push(warning.offset === undefined ? { file: warning.file, message: warning.message } : { file: warning.file, offset: warning.offset, message: warning.message });
    if (stats.unsupportedLinkType > 0) warnings.push({ file: path, message: `${stats.unsupportedLinkType} packets of unsupported link types skipped` });
    if (stats.fragments > 0) warnings.push({ file: path, message: `${stats.fragments} IP fragments counted and skipped` });
  }
  const result = mergePartitions(pipeline.trackers.map((t) => t.finish()));
  for (const message of result.warnings) warnings.push({ file: paths.join(", "), message });
  return {
    packets,
    tcpPackets: pipeline.router.tcpPackets,
    handshakes: result.handshakes,
    listeners: result.listeners,
    sources: result.sources,
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
