/**
 * A hash map from int32 keys to non-negative int32 values (slot numbers, counts), by open addressing over typed
 * arrays. The handshake tracker looks up SYNs, SYN-ACKs, FINs, RSTs and candidate bare ACKs by 32-bit digests;
 * V8's Map boxes keys outside the small-integer range, rehashes on churn and keeps its entries on the GC heap.
 * Linear probing with backward-shift deletion (no tombstones, so the constant churn of attempts never forces a
 * rebuild); the table doubles when it is 60 % full.
 */
const EMPTY = 0;
const FULL = 1;

/** What `get` returns for a key that is not there. */
export const ABSENT = -1;

export class Int32Map {
  // Fields that growth replaces start empty and are set again in the constructor: V8 treats a field stored once
  // as a constant in optimised code, and throws that code away when the first growth replaces it (see columns.ts).
  private keys = new Int32Array(0);
  private values = new Int32Array(0);
  private state = new Uint8Array(0);
  private mask = -1;
  size = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.keys = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.state = new Uint8Array(capacity);
    this.mask = capacity - 1;
  }

  /** Spreads keys whose low bits agree (digests are already mixed; this is cheap insurance). */
  private slot(key: number): number {
    return ((Math.imul(key, 0x9e3779b1) >>> 16) ^ key) & this.mask;
  }

  /** The value, or ABSENT. */
  get(key: number): number {
    const keys = this.keys;
    const state = this.state;
    const mask = this.mask;
    for (let i = this.slot(key); state[i] === FULL; i = (i + 1) & mask) {
      if (keys[i] === key) return this.values[i] as number;
    }
    return ABSENT;
  }

  /** Stores value (≥ 0) under key. */
  set(key: number, value: number): void {
    const keys = this.keys;
    const state = this.state;
    const mask = this.mask;
    let i = this.slot(key);
    for (; state[i] === FULL; i = (i + 1) & mask) {
      if (keys[i] === key) {
        this.values[i] = value;
        return;
      }
    }
    keys[i] = key;
    state[i] = FULL;
    this.values[i] = value;
    this.size++;
    if (this.size * 5 > keys.length * 3) this.grow();
  }

  delete(key: number): boolean {
    const keys = this.keys;
    const state = this.state;
    const values = this.values;
    const mask = this.mask;
    let hole = this.slot(key);
    for (; ; hole = (hole + 1) & mask) {
      if (state[hole] === EMPTY) return false;
      if (keys[hole] === key) break;
    }
    // Pull later entries of the probe run back into the hole when their home slot allows it (Knuth 6.4 R).
    for (let j = (hole + 1) & mask; state[j] === FULL; j = (j + 1) & mask) {
      const home = this.slot(keys[j] as number);
      const movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
      if (movable) {
        keys[hole] = keys[j] as number;
        values[hole] = values[j] as number;
        hole = j;
      }
    }
    state[hole] = EMPTY;
    this.size--;
    return true;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldState = this.state;
    const capacity = oldKeys.length * 2;
    this.keys = new Int32Array(capacity);
    this.values = new Int32Array(capacity);
    this.state = new Uint8Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldState[i] === FULL) this.set(oldKeys[i] as number, oldValues[i] as number);
  }
}
