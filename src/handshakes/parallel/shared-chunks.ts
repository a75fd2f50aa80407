import { RecordBuffer, MAX_RECORD_WORDS } from "../packet-record.js";

/**
 * Shared memory between the reading thread and the workers of a parallel analysis. The capture is cut into
 * chunks of whole records; chunk k lives in slot k % slots: its bytes, then one record buffer per partition
 * that the decoding worker fills and each partition's tracker reads. Control words (Int32Array):
 *   0 chunks published · 1 all published · 2 abort · 3 signal (bumped on every change; waits watch it)
 *   per slot (8 words from 8 + 8·s): state (free / published / decoded) · input bytes · file index ·
 *   partitions done with it · record words per partition (4 at most)
 * and per slot three float64: first packet index, the timestamp of the packet before it (the sweep clock), its file offset.
 */
export const CONTROL = { published: 0, allPublished: 1, abort: 2, signal: 3 } as const;
export const SLOT_STATE = { free: 0, published: 1, decoded: 2 } as const;
const SLOT_BASE = 8;
const SLOT_WORDS = 8;
const SLOT = { state: 0, inputBytes: 1, fileIndex: 2, consumed: 3, outputWords: 4 } as const;
export const MAX_PARTITIONS = 4;

export interface SharedChunksInit {
  slots: number;
  chunkBytes: number;
  partitions: number;
  control: SharedArrayBuffer;
  meta: SharedArrayBuffer;
  inputs: SharedArrayBuffer[];
  outputs: SharedArrayBuffer[][];
}

export class SharedChunks {
  readonly control: Int32Array;
  readonly meta: Float64Array;
  readonly inputs: Uint8Array[];
  readonly outputs: RecordBuffer[][];
  /** words a partition's record buffer holds: every packet yields at most one record and one tick */
  readonly outputCapacity: number;

  constructor(readonly init: SharedChunksInit) {
    this.control = new Int32Array(init.control);
    this.meta = new Float64Array(init.meta);
    this.inputs = init.inputs.map((b) => new Uint8Array(b));
    this.outputs = init.outputs.map((perPartition) => perPartition.map((b) => new RecordBuffer(b)));
    this.outputCapacity = (init.outputs[0]?.[0]?.byteLength ?? 0) >> 2;
  }

  static create(slots: number, chunkBytes: number, partitions: number): SharedChunks {
    if (partitions > MAX_PARTITIONS) throw new Error(`at most ${MAX_PARTITIONS} partitions`);
    // A record and a tick take at most 120 bytes, and the smallest packet that yields a record is 52 bytes long
    // with its pcap header: twice the chunk (plus one packet's worth) is always enough.
    const outputBytes = 2 * chunkBytes + 8 * (MAX_RECORD_WORDS + 8);
    return new SharedChunks({
      slots,
      chunkBytes,
      partitions,
      control: new SharedArrayBuffer(4 * (SLOT_BASE + SLOT_WORDS * slots)),
      meta: new SharedArrayBuffer(8 * 3 * slots),
      inputs: Array.from({ length: slots }, () => new SharedArrayBuffer(chunkBytes)),
      outputs: Array.from({ length: slots }, () => Array.from({ length: partitions }, () => new SharedArrayBuffer(outputBytes))),
    });
  }

  slotOf(chunk: number): number {
    return chunk % this.init.slots;
  }

  private word(slot: number, field: number): number {
    return SLOT_BASE + SLOT_WORDS * slot + field;
  }

  state(slot: number): number {
    return Atomics.load(this.control, this.word(slot, SLOT.state));
  }

  /** Makes a change visible and wakes every waiting thread. */
  signal(): void {
    Atomics.add(this.control, CONTROL.signal, 1);
    Atomics.notify(this.control, CONTROL.signal);
  }

  publish(chunk: number, inputBytes: number, fileIndex: number, firstPacket: number, previousMicros: number, fileOffset: number): void {
    const slot = this.slotOf(chunk);
    const c = this.control;
    c[this.word(slot, SLOT.inputBytes)] = inputBytes;
    c[this.word(slot, SLOT.fileIndex)] = fileIndex;
    c[this.word(slot, SLOT.consumed)] = 0;
    this.meta[3 * slot] = firstPacket;
    this.meta[3 * slot + 1] = previousMicros;
    this.meta[3 * slot + 2] = fileOffset;
    Atomics.store(c, this.word(slot, SLOT.state), SLOT_STATE.published);
    Atomics.add(c, CONTROL.published, 1);
    this.signal();
  }

  chunkInfo(slot: number): { inputBytes: number; fileIndex: number; firstPacket: number; previousMicros: number; fileOffset: number } {
    const c = this.control;
    return {
      inputBytes: c[this.word(slot, SLOT.inputBytes)] as number,
      fileIndex: c[this.word(slot, SLOT.fileIndex)] as number,
      firstPacket: this.meta[3 * slot] as number,
      previousMicros: this.meta[3 * slot + 1] as number,
      fileOffset: this.meta[3 * slot + 2] as number,
    };
  }

  decoded(slot: number, outputWords: readonly number[]): void {
    outputWords.forEach((words, p) => (this.control[this.word(slot, SLOT.outputWords + p)] = words));
    Atomics.store(this.control, this.word(slot, SLOT.state), SLOT_STATE.decoded);
    this.signal();
  }

  outputWords(slot: number, partition: number): number {
    return this.control[this.word(slot, SLOT.outputWords + partition)] as number;
  }

  /** A partition is done with the slot; the last one frees it. */
  consumed(slot: number): void {
    if (Atomics.add(this.control, this.word(slot, SLOT.consumed), 1) + 1 === this.init.partitions) {
      Atomics.store(this.control, this.word(slot, SLOT.state), SLOT_STATE.free);
    }
    this.signal();
  }
}
