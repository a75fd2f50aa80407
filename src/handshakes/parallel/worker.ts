/**
 * A worker of the parallel analysis (analyze-parallel.ts): tracks one partition of the clients over the records
 * the reading thread publishes, slot by slot, in capture order.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PacketRecord, type RecordBuffer } from "../packet-record.js";
import { HandshakeTracker } from "../tracker.js";
import type { WorkerInit, WorkerResult } from "./messages.js";
import { RecordRing } from "./record-ring.js";

const init = workerData as WorkerInit;
const ring = new RecordRing(init.ring);
const me = init.partition;
const record = new PacketRecord();

function track(tracker: HandshakeTracker, index: number): void {
  const words = ring.words(index, me);
  const buffer = (ring.buffers[ring.slotOf(index)] as RecordBuffer[])[me] as RecordBuffer;
  for (let at = 0; at < words; ) {
    at = record.load(buffer, at);
    tracker.observe(record);
  }
}

function run(): void {
  const tracker = new HandshakeTracker(init.options, { index: me, count: init.ring.partitions });
  let next = 0;
  while (!ring.aborted()) {
    const seen = ring.workerSignal();
    if (next < ring.published()) {
      track(tracker, next);
      ring.consumed(me, ++next);
      continue;
    }
    if (ring.allPublished() && next >= ring.published()) {
      const result: WorkerResult = { partition: tracker.finish() };
      parentPort?.postMessage(result);
      return;
    }
    ring.waitForReader(seen, 1000);
  }
}

try {
  run();
} catch (error) {
  // The reading thread may be blocked waiting for this worker: tell it, then let the error reach it as an event.
  ring.fail();
  throw error;
}
