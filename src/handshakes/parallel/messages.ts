import type { PartitionResult } from "../tallies.js";
import type { TrackerOptions } from "../tracker.js";
import type { RecordRingInit } from "./record-ring.js";

/** What a worker starts with. */
export interface WorkerInit {
  ring: RecordRingInit;
  partition: number;
  options: TrackerOptions;
}

export interface WorkerResult {
  partition: PartitionResult;
}
