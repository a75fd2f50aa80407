/** What `get` returns for a key that is not there; also what an empty cell's value holds. */
export const ABSENT = -1;

/**
 * A hash map from int32 keys to non-negative int32 values (slot numbers, counts), by open addressing over typed
 * arrays. The handshake tracker looks up SYNs, SYN-ACKs, FINs, RSTs and candidate bare ACKs by 32-bit digests;
 * V8's Map boxes keys outside the small-integer range, rehashes on churn and keeps its entries on the GC heap.
 * Linear probing with backward-shift deletion (no tombstones, so the constant churn of attempts never forces a
 * rebuild); the table doubles when it is 60 % full.
 */
export class Int32Map {
  // Cell i is cells[2i] (key) and cells[2i + 1] (value, ABSENT when the cell is empty): a probe reads one cache
  // line, where separate key, value and state arrays cost up to three misses in a table larger than the cache.
  // Set again in the constructor: V8 treats a field stored once as a constant in optimised code, and throws that
  // code away when the first growth replaces it (see columns.ts).
  private cells = new Int32Array(0);
  private mask = -1;
  size = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.cells = emptyCells(capacity);
    this.mask = capacity - 1;
  }

  /** Spreads keys whose low bits agree (digests are already mixed; this is cheap insurance). */
  private slot(key: number): number {
    return ((Math.imul(key, 0x9e3779b1) >>> 16) ^ key) & this.mask;
  }

  /** The value, or ABSENT. */
  get(key: number): number {
    const cells = this.cells;
    const mask = this.mask;
    for (let i = this.slot(key); ; i = (i + 1) & mask) {
      const value = cells[2 * i + 1] as number;
      if (value === ABSENT || cells[2 * i] === key) return value;
    }
  }

  /** Stores value (≥ 0) under key. */
  set(key: number, value: number): void {
    const cells = this.cells;
    const mask = this.mask;
    let i = this.slot(key);
    for (; cells[2 * i + 1] !== ABSENT; i = (i + 1) & mask) {
      if (cells[2 * i] === key) {
        cells[2 * i + 1] = value;
        return;
      }
    }
    cells[2 * i] = key;
    cells[2 * i + 1] = value;
    this.size++;
    if (this.size * 5 > (mask + 1) * 3) this.grow();
  }

  delete(key: number): boolean {
    const cells = this.cells;
    const mask = this.mask;
    let hole = this.slot(key);
    for (; ; hole = (hole + 1) & mask) {
      if (cells[2 * hole + 1] === ABSENT) return false;
      if (cells[2 * hole] === key) break;
    }
    // Pull later entries of the probe run back into the hole when their home slot allows it (Knuth 6.4 R).
    for (let j = (hole + 1) & mask; cells[2 * j + 1] !== ABSENT; j = (j + 1) & mask) {
      const home = this.slot(cells[2 * j] as number);
      const movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
      if (movable) {
        cells[2 * hole] = cells[2 * j] as number;
        cells[2 * hole + 1] = cells[2 * j + 1] as number;
        hole = j;
      }
    }
    cells[2 * hole + 1] = ABSENT;
    this.size--;
    return true;
  }

  private grow(): void {
    const old = this.cells;
    const capacity = old.length;
    this.cells = emptyCells(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 1; i < old.length; i += 2) if (old[i] !== ABSENT) this.set(old[i - 1] as number, old[i] as number);
  }
}

function emptyCells(capacity: number): Int32Array<ArrayBuffer> {
  return new Int32Array(2 * capacity).fill(ABSENT);
}
