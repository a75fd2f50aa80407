/**
 * One client host's ephemeral ports that are not free: port → the time (µs) it becomes free again, Infinity while a
 * connection holds it. Open addressing over typed arrays (a Map of numbers allocated a heap number per release and
 * kept thousands of entries per host on the garbage-collected heap). ClientPorts (client-ports.ts) falls back on it
 * once its ring of recent takes no longer describes a host's ports.
 */
const EMPTY = 0;
const MIN_CAPACITY = 16;

/** Where a compaction copies the old cells before re-inserting them into the same table (shared: one at a time). */
let scratch = new Float64Array(2 * MIN_CAPACITY);

export class BusyPorts {
  /** per slot: port + 1 (EMPTY when unused), then the time it becomes free — one allocation, one cache line */
  private cells = new Float64Array(0);
  private mask = -1;
  size = 0;

  constructor(capacity = MIN_CAPACITY) {
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

  /**
   * Records that `port` is busy until `freeAtUs`, at simulation time `nowUs`. The caller's clock never runs back,
   * so a port free by `nowUs` is as good as absent from then on: when the table is half full, such entries are
   * dropped and the table is sized for the rest (a host's ports are taken in sequence, so without this every port
   * of the range would stay until the table held them all).
   */
  set(port: number, freeAtUs: number, nowUs: number): void {
    if (this.insert(port, freeAtUs) && this.size * 2 > this.mask + 1) this.compact(nowUs);
  }

  /** Stores the entry; true when the port was not here before. */
  private insert(port: number, freeAtUs: number): boolean {
    const cells = this.cells;
    const key = port + 1;
    let i = port & this.mask;
    for (; cells[2 * i] !== EMPTY; i = (i + 1) & this.mask) {
      if (cells[2 * i] === key) {
        cells[2 * i + 1] = freeAtUs;
        return false;
      }
    }
    cells[2 * i] = key;
    cells[2 * i + 1] = freeAtUs;
    this.size++;
    return true;
  }

  /** Keeps the entries still busy after `nowUs`, in a table of at least four times their number. */
  private compact(nowUs: number): void {
    const cells = this.cells;
    let live = 0;
    for (let i = 0; i < cells.length; i += 2) if (cells[i] !== EMPTY && (cells[i + 1] as number) > nowUs) live++;
    let capacity = MIN_CAPACITY;
    while (capacity < 4 * live) capacity *= 2;
    let old: Float64Array;
    if (2 * capacity === cells.length) {
      if (scratch.length < cells.length) scratch = new Float64Array(cells.length);
      scratch.set(cells);
      cells.fill(EMPTY);
      old = scratch;
    } else {
      old = cells;
      this.cells = new Float64Array(2 * capacity);
      this.mask = capacity - 1;
    }
    const oldLength = cells.length;
    this.size = 0;
    for (let i = 0; i < oldLength; i += 2) {
      const key = old[i] as number;
      if (key !== EMPTY && (old[i + 1] as number) > nowUs) this.insert(key - 1, old[i + 1] as number);
    }
  }
}
