/**
 * One client host's ephemeral ports that are not free: port → the time (µs) it becomes free again, Infinity while a
 * connection holds it. Open addressing over typed arrays: the simulator allocates and releases a port per
 * connection, and a Map of numbers allocated a heap number per release and kept thousands of entries per host
 * on the garbage-collected heap (a fifth of a full-connection run went there).
 */
const EMPTY = 0;

export class BusyPorts {
  /** port + 1, or EMPTY */
  private keys: Int32Array;
  private until: Float64Array;
  private mask: number;
  size = 0;

  constructor(capacity = 16) {
    this.keys = new Int32Array(capacity);
    this.until = new Float64Array(capacity);
    this.mask = capacity - 1;
  }

  /** When the port becomes free (µs; Infinity while in use), or -Infinity when it is not here. */
  freeAt(port: number): number {
    const keys = this.keys;
    const key = port + 1;
    for (let i = port & this.mask; ; i = (i + 1) & this.mask) {
      const k = keys[i] as number;
      if (k === EMPTY) return Number.NEGATIVE_INFINITY;
      if (k === key) return this.until[i] as number;
    }
  }

  set(port: number, freeAtUs: number): void {
    const keys = this.keys;
    const key = port + 1;
    let i = port & this.mask;
    for (; keys[i] !== EMPTY; i = (i + 1) & this.mask) {
      if (keys[i] === key) {
        this.until[i] = freeAtUs;
        return;
      }
    }
    keys[i] = key;
    this.until[i] = freeAtUs;
    this.size++;
    if (this.size * 2 > keys.length) this.rebuild(keys.length * 2, Number.NEGATIVE_INFINITY);
  }

  /** Drops the ports free by `nowUs` (they behave as absent ones anyway), so the table follows the live count. */
  sweep(nowUs: number): void {
    let capacity = 16;
    while (capacity < 4 * this.live(nowUs)) capacity *= 2;
    this.rebuild(capacity, nowUs);
  }

  private live(nowUs: number): number {
    let count = 0;
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== EMPTY && (this.until[i] as number) > nowUs) count++;
    return count;
  }

  /** Re-inserts the entries still busy after `nowUs` into a table of `capacity` slots. */
  private rebuild(capacity: number, nowUs: number): void {
    const keys = this.keys;
    const until = this.until;
    this.keys = new Int32Array(capacity);
    this.until = new Float64Array(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as number;
      if (key !== EMPTY && (until[i] as number) > nowUs) this.set(key - 1, until[i] as number);
    }
  }
}
