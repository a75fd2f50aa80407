/** Words of a cell's key record: the three key words and whether the cell is in use. */
const CELL_WORDS = 4;
const USED = 3;

/**
 * A hash table keyed by three 32-bit words: the kernel model's established hash (local address, remote address,
 * lport·65536 + rport) and tcp_metrics cache (an address pair and 0), the simulator's open connections (address,
 * port, 0). A Map keyed by addr·65536 + port needs 48-bit keys, which V8 boxes as heap numbers on every lookup;
 * here keys stay in an Int32Array and compare exactly.
 * Open addressing with linear probing and backward-shift deletion (no tombstones to sweep).
 */
export class FlowTable<V> {
  size = 0;
  private mask = 0;
  /**
   * Cell i's key at i · CELL_WORDS (k1, k2, k3, in use): a probe reads one 16-byte record, where three key arrays
   * and the value array cost up to four cache misses in a table larger than the cache. Values are read on a match.
   */
  private keys = new Int32Array(0);
  private values: (V | undefined)[] = [];

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.resize(capacity);
  }

  private home(a: number, b: number, c: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h & this.mask;
  }

  /** The cell holding the key, or -1. */
  private cellOf(a: number, b: number, c: number): number {
    const keys = this.keys;
    const mask = this.mask;
    for (let i = this.home(a, b, c); ; i = (i + 1) & mask) {
      const at = i * CELL_WORDS;
      if (keys[at + USED] === 0) return -1;
      if (keys[at] === a && keys[at + 1] === b && keys[at + 2] === c) return i;
    }
  }

  get(a: number, b: number, c: number): V | undefined {
    const i = this.cellOf(a | 0, b | 0, c | 0);
    return i < 0 ? undefined : this.values[i];
  }

  /** Stores value under the key; returns the value it replaced, if any. */
  set(a: number, b: number, c: number, value: V): V | undefined {
    a |= 0;
    b |= 0;
    c |= 0;
    const keys = this.keys;
    const mask = this.mask;
    let i = this.home(a, b, c);
    for (; keys[i * CELL_WORDS + USED] !== 0; i = (i + 1) & mask) {
      const at = i * CELL_WORDS;
      if (keys[at] === a && keys[at + 1] === b && keys[at + 2] === c) {
        const old = this.values[i];
        this.values[i] = value;
        return old;
      }
    }
    const at = i * CELL_WORDS;
    keys[at] = a;
    keys[at + 1] = b;
    keys[at + 2] = c;
    keys[at + USED] = 1;
    this.values[i] = value;
    if (++this.size * 2 > mask + 1) this.resize((mask + 1) * 2);
    return undefined;
  }

  /** Removes the key; returns its value, if it was there. */
  delete(a: number, b: number, c: number): V | undefined {
    const i = this.cellOf(a | 0, b | 0, c | 0);
    if (i < 0) return undefined;
    const keys = this.keys;
    const values = this.values;
    const mask = this.mask;
    const removed = values[i];
    this.size--;
    // Backward shift: later members of the probe run move into the hole when their home slot allows it.
    let hole = i;
    for (let j = (i + 1) & mask; keys[j * CELL_WORDS + USED] !== 0; j = (j + 1) & mask) {
      const at = j * CELL_WORDS;
      const home = this.home(keys[at] as number, keys[at + 1] as number, keys[at + 2] as number);
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        const to = hole * CELL_WORDS;
        keys[to] = keys[at] as number;
        keys[to + 1] = keys[at + 1] as number;
        keys[to + 2] = keys[at + 2] as number;
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[hole * CELL_WORDS + USED] = 0;
    values[hole] = undefined;
    return removed;
  }

  /** The values in table order (not insertion order). */
  list(): V[] {
    const out: V[] = [];
    for (const v of this.values) if (v !== undefined) out.push(v);
    return out;
  }

  clear(): void {
    this.keys.fill(0);
    this.values.fill(undefined);
    this.size = 0;
  }

  private resize(capacity: number): void {
    const oldKeys = this.keys;
    const old = this.values;
    this.keys = new Int32Array(capacity * CELL_WORDS);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i++) {
      const at = i * CELL_WORDS;
      if (oldKeys[at + USED] !== 0) this.set(oldKeys[at] as number, oldKeys[at + 1] as number, oldKeys[at + 2] as number, old[i] as V);
    }
  }
}
