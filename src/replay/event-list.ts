import { grownColumn, type Column } from "../util/columns.js";
import type { ReplayEvent, ReplayEventKind } from "./types.js";

/** Event kinds by their code in ReplayEventList. */
const KINDS: readonly ReplayEventKind[] = ["syn", "complete", "client-seg", "app-accept", "server-fin", "client-fin", "client-final-ack", "client-rst"];
const KIND_CODE: ReadonlyMap<ReplayEventKind, number> = new Map(KINDS.map((kind, code) => [kind, code]));

const HAS_TS = 1;
const SACK_OK = 2;
const CSUM_OK = 4;
const MD5 = 8;
const FLAG = 16;

/**
 * The replay events of a capture as typed-array columns (36 bytes an event). A capture of a million attempts has
 * several million events; as objects they were most of replay's memory, and every major GC traced them all.
 * `at(i)` returns a fresh ReplayEvent for code that reads one event at a time.
 */
export class ReplayEventList implements Iterable<ReplayEvent> {
  length = 0;
  // Growable columns start empty and are set again in the constructor (see util/columns.ts).
  private kinds = new Uint8Array(0);
  private times = new Float64Array(0);
  private attempts = new Int32Array(0);
  private seqs = new Uint32Array(0);
  private lens = new Int32Array(0);
  private tsvals = new Uint32Array(0);
  private mss = new Int32Array(0);
  private wscales = new Int8Array(0);
  private ttls = new Uint8Array(0);
  private bits = new Uint8Array(0);
  private indexes = new Int32Array(0);

  constructor(capacity = 1024) {
    this.resize(capacity);
  }

  push(ev: ReplayEvent): void {
    const i = this.length;
    if (i === this.kinds.length) this.resize(i * 2);
    this.kinds[i] = KIND_CODE.get(ev.kind) as number;
    this.times[i] = ev.atMs;
    this.attempts[i] = ev.attempt;
    this.seqs[i] = ev.seq;
    this.lens[i] = ev.len;
    this.tsvals[i] = ev.tsval;
    this.mss[i] = ev.mss;
    this.wscales[i] = ev.wscale;
    this.ttls[i] = ev.ttl;
    this.bits[i] = (ev.hasTs ? HAS_TS : 0) | (ev.sackOk ? SACK_OK : 0) | (ev.csumOk ? CSUM_OK : 0) | (ev.md5 ? MD5 : 0) | (ev.flag ? FLAG : 0);
    this.indexes[i] = ev.index;
    this.length = i + 1;
  }

  kind(i: number): ReplayEventKind {
    return KINDS[this.kinds[i] as number] as ReplayEventKind;
  }

  atMs(i: number): number {
    return this.times[i] as number;
  }

  attempt(i: number): number {
    return this.attempts[i] as number;
  }

  /** Event i as an object; `atMs` replaces its time (the replay moves accepts earlier). */
  at(i: number, atMs = this.atMs(i)): ReplayEvent {
    const bits = this.bits[i] as number;
    return {
      kind: this.kind(i),
      atMs,
      attempt: this.attempts[i] as number,
      seq: this.seqs[i] as number,
      len: this.lens[i] as number,
      hasTs: (bits & HAS_TS) !== 0,
      tsval: this.tsvals[i] as number,
      mss: this.mss[i] as number,
      wscale: this.wscales[i] as number,
      sackOk: (bits & SACK_OK) !== 0,
      ttl: this.ttls[i] as number,
      csumOk: (bits & CSUM_OK) !== 0,
      md5: (bits & MD5) !== 0,
      index: this.indexes[i] as number,
      flag: (bits & FLAG) !== 0,
    };
  }

  *[Symbol.iterator](): Iterator<ReplayEvent> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  /** Puts the events in time order; equal times keep their order (a stable sort). */
  sortByTime(): void {
    const order = timeOrder(this.times.subarray(0, this.length));
    const permute = <T extends Column>(column: T): T => {
      const out = new (column.constructor as new (length: number) => T)(column.length);
      for (let k = 0; k < order.length; k++) out[k] = column[order[k] as number] as number;
      return out;
    };
    this.kinds = permute(this.kinds);
    this.times = permute(this.times);
    this.attempts = permute(this.attempts);
    this.seqs = permute(this.seqs);
    this.lens = permute(this.lens);
    this.tsvals = permute(this.tsvals);
    this.mss = permute(this.mss);
    this.wscales = permute(this.wscales);
    this.ttls = permute(this.ttls);
    this.bits = permute(this.bits);
    this.indexes = permute(this.indexes);
  }

  private resize(capacity: number): void {
    this.kinds = grownColumn(this.kinds, capacity);
    this.times = grownColumn(this.times, capacity);
    this.attempts = grownColumn(this.attempts, capacity);
    this.seqs = grownColumn(this.seqs, capacity);
    this.lens = grownColumn(this.lens, capacity);
    this.tsvals = grownColumn(this.tsvals, capacity);
    this.mss = grownColumn(this.mss, capacity);
    this.wscales = grownColumn(this.wscales, capacity);
    this.ttls = grownColumn(this.ttls, capacity);
    this.bits = grownColumn(this.bits, capacity);
    this.indexes = grownColumn(this.indexes, capacity);
  }
}

/** Indices 0…n−1 ordered by `times`, equal times in index order (what a stable sort of the events gives). */
export function timeOrder(times: Float64Array): Int32Array {
  const order = Array.from({ length: times.length }, (_, i) => i);
  order.sort((x, y) => (times[x] as number) - (times[y] as number) || x - y);
  return Int32Array.from(order);
}
