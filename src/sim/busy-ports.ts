/**
 * One client host's ephemeral ports that are not free: port → the time (µs) it becomes free again, Infinity while a
 * connection holds it. Open addressing over typed arrays: the simulator allocates and releases a port per
 * connection, and a Map of numbers allocated a heap number per release and kept thousands of entries per host
 * on the garbage-collected heap (a fifth of a full-connection run went there).
 */
const EMPTY = 0;

export class BusyPorts {
  /** per slot: port + 1 (EMPTY when unused), then the time it becomes free — one allocation, one cache line */
  private cells = new Float64Array(0);
  private mask = -1;
  size = 0;

  constructor(capacity = 16) {
    // Stored a second time here, so that growth does not throw optimised code away (util/columns.ts).
    this.cells = new Float64Array(2 * capacity);
    this.mask = capacity - 1;
  }

  /** When the port becomes free (µs; Infinity while in use), or -Infinity when it is not here. */
  freeAt(port: number): number {
    const cells = this.cells;
    const key = port + 1;
    for (let i = port & this.mask; ; i = (i + 1) & this.mask) {
      const k = cells[2 * i] as number;
      if (k === EMPTY) return Number.NEGATIVE_INFINITY;
      if (k === key) return cells[2 * i + 1] as number;
    }
  }

  set(port: number, freeAtUs: number): void {
    const cells = this.cells;
    const key = port + 1;
    let i = port & this.mask;
    for (; cells[2 * i] !== EMPTY; i = (i + 1) & this.mask) {
      if (cells[2 * i] === key) {
        cells[2 * i + 1] = freeAtUs;
        return;
      }
    }
    cells[2 * i] = key;
    cells[2 * i + 1] = freeAtUs;
    this.size++;
    // Four times larger: hosts reach their steady count of busy ports in a few rebuilds.
    if (this.size * 2 > this.mask + 1) this.rebuild(4 * (this.mask + 1), Number.NEGATIVE_INFINITY);
  }

  /** Drops the ports free by `nowUs` (they behave as absent ones anyway), so the table follows the live count. */
  sweep(nowUs: number): void {
    let live = 0;
    for (let i = 0; i < this.cells.length; i += 2) if (this.cells[i] !== EMPTY && (this.cells[i + 1] as number) > nowUs) live++;
    let capacity = 16;
    while (capacity < 4 * live) capacity *= 2;
    this.rebuild(capacity, nowUs);
  }

  /** Re-inserts the entries still busy after `nowUs` into a table of `capacity` slots. */
  private rebuild(capacity: number, nowUs: number): void {
    const old = this.cells;
    this.cells = new Float64Array(2 * capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const key = old[i] as number;
      if (key !== EMPTY && (old[i + 1] as number) > nowUs) this.set(key - 1, old[i + 1] as number);
    }
  }
}
