import { Worker } from "node:worker_threads";
import type { CaptureStats } from "../../capture/capture-stats.js";
import type { PacketView } from "../../capture/packet-view.js";
import { readCaptures, type ReadCapturesOptions } from "../../capture/reader.js";
import type { RecordBuffer } from "../packet-record.js";
import { PacketRouter } from "../packet-router.js";
import type { PartitionResult } from "../tallies.js";
import type { TrackerOptions } from "../tracker.js";
import type { WorkerInit, WorkerResult } from "./messages.js";
import { PendingSyns } from "./pending-syns.js";
import { MAX_PARTITIONS, RecordRing } from "./record-ring.js";

const SLOTS = 4;
const SLOT_WORDS = 1 << 18;
/** A worker that reports no progress for this long while the reader waits for it is stuck: a bug, not a wait. */
const STALL_LIMIT_MS = 60_000;

export interface ParallelOptions extends TrackerOptions, ReadCapturesOptions {
  /** worker threads, each tracking one partition of the clients */
  workers: number;
  /** words per slot before it is handed over (tests use small ones to switch slots often); default 256 Ki */
  slotWords?: number;
  /** tuples the pending SYNs follow before they give up filtering (tests use small ones); default 1 M */
  pendingSynsLimit?: number;
}

export interface ParallelResult {
  partitions: PartitionResult[];
  stats: CaptureStats[];
  tcpPackets: number;
}

/** A worker stopped with an error; the error itself arrives as the worker's event. */
class WorkerFailed extends Error {}

/**
 * Analyzes captures with this thread reading and decoding (any format: the single-thread reader) and `workers`
 * threads tracking a partition of the clients each. Records go to the workers through a ring of shared buffers
 * (record-ring.ts). The decoder and the trackers overlap, and each thread compiles only its own half of the code;
 * the merged result equals a single tracker's (merge-partitions.ts). A tracker in another thread cannot be asked
 * at once whether it awaits a plain ACK; the pending SYNs (pending-syns.ts) rule most of them out instead.
 */
export async function analyzeInParallel(paths: readonly string[], options: ParallelOptions): Promise<ParallelResult> {
  const partitions = Math.max(1, Math.min(MAX_PARTITIONS, options.workers));
  const ring = RecordRing.create(SLOTS, options.slotWords ?? SLOT_WORDS, partitions);
  const trackerOptions: TrackerOptions = {};
  if (options.server !== undefined) trackerOptions.server = options.server;
  if (options.port !== undefined) trackerOptions.port = options.port;
  if (options.keepAttempts !== undefined) trackerOptions.keepAttempts = options.keepAttempts;
  if (options.maxLiveAttempts !== undefined) trackerOptions.maxLiveAttempts = options.maxLiveAttempts;

  let failure: unknown = null;
  const workers: Worker[] = [];
  const results = Array.from({ length: partitions }, (_, partition) => {
    const init: WorkerInit = { ring: ring.init, partition, options: trackerOptions };
    const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: init });
    workers.push(worker);
    return new Promise<WorkerResult>((resolve, reject) => {
      worker.once("message", (message: WorkerResult) => resolve(message));
      worker.once("error", (error) => {
        failure ??= error;
        reject(error);
      });
      worker.once("exit", (code) => reject(new Error(`analysis worker ${partition} stopped (exit code ${code})`)));
    });
  });
  // Rejections are collected below; until then keep them from counting as unhandled.
  for (const r of results) r.catch(() => {});

  try {
    const feeder = new RingFeeder(ring, new PendingSyns(options.pendingSynsLimit));
    const stats = await readCaptures(paths, (view) => feeder.observe(view), options);
    feeder.finish();
    const done = await Promise.all(results);
    return { partitions: done.map((r) => r.partition), stats, tcpPackets: feeder.router.tcpPackets };
  } catch (error) {
    ring.abort();
    // A worker's own error explains a failure (or a stall) this thread only noticed; wait for the workers to stop.
    await Promise.allSettled(results);
    throw failure ?? error;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Routes decoded packets into the ring's current slot and hands each full slot to the workers. */
class RingFeeder {
  readonly router: PacketRouter;
  /** the slot being filled, counted from 0 */
  private index = 0;
  private readonly limit: number;

  /** whether the packet being routed is IPv4 (the pending SYNs follow IPv4 tuples only) */
  private ipv4 = false;

  constructor(
    private readonly ring: RecordRing,
    private readonly pending: PendingSyns,
  ) {
    this.limit = ring.init.slotWords;
    this.router = new PacketRouter(ring.buffers[0] as RecordBuffer[]);
    this.router.plainAckWanted = (_partition, srcKey, dstKey, sport, dport) => !this.ipv4 || this.pending.mayAwait(srcKey, dstKey, sport, dport);
  }

  observe(view: PacketView): void {
    const router = this.router;
    this.ipv4 = view.ipVersion === 4;
    this.pending.observe(view);
    router.route(view);
    const positions = router.positions;
    for (let p = 0; p < positions.length; p++) {
      if ((positions[p] as number) >= this.limit) {
        this.handOver();
        return;
      }
    }
  }

  finish(): void {
    this.handOver();
    this.ring.finishPublishing();
  }

  private handOver(): void {
    const ring = this.ring;
    ring.publish(this.index, this.router.positions);
    this.index++;
    // The next slot is free once every partition is done with what it held, `slots` slots ago.
    const needed = this.index - ring.init.slots + 1;
    let progress = -1;
    let since = 0;
    while (true) {
      const seen = ring.readerSignal();
      if (ring.failed()) throw new WorkerFailed("an analysis worker failed");
      const consumed = ring.consumedByAll();
      if (consumed >= needed) break;
      const now = performance.now();
      if (consumed !== progress) {
        progress = consumed;
        since = now;
      } else if (now - since > STALL_LIMIT_MS) {
        throw new Error(`analysis workers made no progress for ${STALL_LIMIT_MS / 1000} s`);
      }
      ring.waitForWorkers(seen, 1000);
    }
    this.router.retarget(ring.buffers[ring.slotOf(this.index)] as RecordBuffer[]);
  }
}
