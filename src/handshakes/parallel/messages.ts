import type { CaptureStats } from "../../capture/capture-stats.js";
import type { PartitionResult } from "../tallies.js";
import type { TrackerOptions } from "../tracker.js";
import type { SharedChunksInit } from "./shared-chunks.js";

/** What a worker starts with. */
export interface WorkerInit {
  chunks: SharedChunksInit;
  partition: number;
  options: TrackerOptions;
  /** every input file, with its pcap file header (the decoder's byte order, resolution and link type) */
  files: Array<{ path: string; header: Uint8Array }>;
}

/** One file's decoding statistics from the chunks one worker decoded. */
export interface FileDecodeStats {
  fileIndex: number;
  stats: CaptureStats;
  firstChunk: number;
  lastChunk: number;
}

export interface WorkerResult {
  partition: PartitionResult;
  files: FileDecodeStats[];
  tcpPackets: number;
}
