import { RecordBuffer } from "../packet-record.js";
import { PacketRouter } from "../packet-router.js";

/**
 * Shared memory between the thread that reads and decodes a capture and the worker threads that track its
 * clients (analyze-parallel.ts). Records go through a ring of slots; slot k % slots holds one record buffer per
 * partition. The reading thread fills a slot, publishes it and moves on once every partition is done with the slot
 * it needs next; partition p's worker reads its buffer of every slot, in order. Control words (Int32Array):
 *   0 slots published · 1 all published · 2 abort · 3 a worker failed ·
 *   4 signal to the workers (bumped on every publish, the end and abort) · 5 signal to the reader (bumped by workers)
 *   8 + p: slots partition p is done with · 16 + slot·MAX_PARTITIONS + p: words of partition p's records in the slot
 */
const CONTROL = { published: 0, allPublished: 1, abort: 2, failed: 3, toWorkers: 4, toReader: 5 } as const;
const CONSUMED_BASE = 8;
const WORDS_BASE = 16;
export const MAX_PARTITIONS = 4;

export interface RecordRingInit {
  slots: number;
  /** words a slot's buffer takes before it is published; each buffer has room for one more packet's records */
  slotWords: number;
  partitions: number;
  control: SharedArrayBuffer;
  buffers: SharedArrayBuffer[][];
}

export class RecordRing {
  private readonly control: Int32Array;
  /** buffers[slot][partition] */
  readonly buffers: RecordBuffer[][];

  constructor(readonly init: RecordRingInit) {
    this.control = new Int32Array(init.control);
    this.buffers = init.buffers.map((perPartition) => perPartition.map((b) => new RecordBuffer(b)));
  }

  static create(slots: number, slotWords: number, partitions: number): RecordRing {
    if (partitions < 1 || partitions > MAX_PARTITIONS) throw new Error(`1 to ${MAX_PARTITIONS} partitions`);
    const bytes = 4 * (slotWords + PacketRouter.MAX_WORDS_PER_PACKET);
    return new RecordRing({
      slots,
      slotWords,
      partitions,
      control: new SharedArrayBuffer(4 * (WORDS_BASE + slots * MAX_PARTITIONS)),
      buffers: Array.from({ length: slots }, () => Array.from({ length: partitions }, () => new SharedArrayBuffer(bytes))),
    });
  }

  slotOf(index: number): number {
    return index % this.init.slots;
  }

  // --- the reading thread ---

  /** Publishes slot `index` with the given words per partition. */
  publish(index: number, words: readonly number[]): void {
    const c = this.control;
    const base = WORDS_BASE + this.slotOf(index) * MAX_PARTITIONS;
    for (let p = 0; p < words.length; p++) c[base + p] = words[p] as number;
    Atomics.store(c, CONTROL.published, index + 1);
    this.wakeWorkers();
  }

  finishPublishing(): void {
    Atomics.store(this.control, CONTROL.allPublished, 1);
    this.wakeWorkers();
  }

  abort(): void {
    Atomics.store(this.control, CONTROL.abort, 1);
    this.wakeWorkers();
  }

  /** The fewest slots any partition is done with. */
  consumedByAll(): number {
    let least = Number.POSITIVE_INFINITY;
    for (let p = 0; p < this.init.partitions; p++) least = Math.min(least, Atomics.load(this.control, CONSUMED_BASE + p));
    return least;
  }

  failed(): boolean {
    return Atomics.load(this.control, CONTROL.failed) !== 0;
  }

  /** The reader's wake-up counter, read before checking what it waits for (so no wake-up is lost). */
  readerSignal(): number {
    return Atomics.load(this.control, CONTROL.toReader);
  }

  /** Blocks the reading thread until a worker reports progress (or `timeoutMs` passes). */
  waitForWorkers(seen: number, timeoutMs: number): void {
    Atomics.wait(this.control, CONTROL.toReader, seen, timeoutMs);
  }

  private wakeWorkers(): void {
    Atomics.add(this.control, CONTROL.toWorkers, 1);
    Atomics.notify(this.control, CONTROL.toWorkers);
  }

  // --- the workers ---

  published(): number {
    return Atomics.load(this.control, CONTROL.published);
  }

  allPublished(): boolean {
    return Atomics.load(this.control, CONTROL.allPublished) !== 0;
  }

  aborted(): boolean {
    return Atomics.load(this.control, CONTROL.abort) !== 0;
  }

  words(index: number, partition: number): number {
    return this.control[WORDS_BASE + this.slotOf(index) * MAX_PARTITIONS + partition] as number;
  }

  /** Partition `partition` is done with slots [0, count). */
  consumed(partition: number, count: number): void {
    Atomics.store(this.control, CONSUMED_BASE + partition, count);
    this.wakeReader();
  }

  fail(): void {
    Atomics.store(this.control, CONTROL.failed, 1);
    this.wakeReader();
  }

  workerSignal(): number {
    return Atomics.load(this.control, CONTROL.toWorkers);
  }

  waitForReader(seen: number, timeoutMs: number): void {
    Atomics.wait(this.control, CONTROL.toWorkers, seen, timeoutMs);
  }

  private wakeReader(): void {
    Atomics.add(this.control, CONTROL.toReader, 1);
    Atomics.notify(this.control, CONTROL.toReader);
  }
}
