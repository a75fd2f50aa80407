import { BusyPorts } from "./busy-ports.js";

/** Takes a ring may span before the host moves to the general table (32 KiB of free times). */
const WINDOW_MAX = 4096;
const RING_START = 16;

/**
 * One client host's ephemeral ports: a cursor that walks the range (inet_hash_connect walks it from a
 * per-destination offset; a cursor that advances is close enough here) and the ports not yet free again.
 *
 * As long as the cursor has taken every port it passed, the n-th port taken is `first + n` (mod the range), so the
 * ports that may still be busy are the recent takes [oldest, taken): their free times sit in a ring indexed by take
 * number, written in order, and the front drops off as it frees. That is a write or two per connection to memory
 * just touched, where a hash table of ports (busy-ports.ts) cost a fifth of a full-connection simulation and most
 * of its memory. A host whose cursor has to skip a busy port (its range wraps onto a port in TIME_WAIT), or whose
 * window passes WINDOW_MAX takes (a connection that outlives thousands), moves to that table for good. Both answer
 * the only question asked, whether a port is free at `now`, the same way.
 */
export class ClientPorts {
  private cursor: number;
  /** the port of take 0 */
  private readonly first: number;
  private readonly span: number;
  /** takes so far, and the first of them that may still be busy (those before are free) */
  private taken = 0;
  private oldest = 0;
  /** free time (µs; Infinity while in use) of take n at n & mask */
  private ring = new Float64Array(0);
  private mask = -1;
  /** the general table, once the ring no longer describes the ports */
  private table: BusyPorts | null = null;

  constructor(
    private readonly low: number,
    private readonly high: number,
    start: number,
  ) {
    this.cursor = start;
    this.first = start;
    this.span = high - low + 1;
    // Stored a second time here, so that growth does not throw optimised code away (util/columns.ts).
    this.ring = new Float64Array(RING_START);
    this.mask = RING_START - 1;
  }

  /** The next free port from the cursor on, now in use; -1 when every port is busy at `nowUs`. */
  take(nowUs: number): number {
    for (let tries = 0; tries < this.span; tries++) {
      const port = this.cursor;
      this.cursor = port >= this.high ? this.low : port + 1;
      if (this.freeAt(port) <= nowUs) {
        this.hold(port, nowUs);
        return port;
      }
    }
    return -1;
  }

  /** Marks a port taken earlier free from `freeAtUs` (now, or after the client's own TIME_WAIT). */
  release(port: number, freeAtUs: number, nowUs: number): void {
    if (this.table === null) {
      const n = this.latestTake(port);
      if (n >= this.oldest) {
        this.ring[n & this.mask] = freeAtUs;
        this.dropFreed(nowUs);
        return;
      }
      this.useTable(nowUs);
    }
    (this.table as BusyPorts).set(port, freeAtUs, nowUs);
  }

  /** When the port becomes free (µs; Infinity while in use); at most `now` (or -Infinity) once it is free. */
  freeAt(port: number): number {
    if (this.table !== null) return this.table.freeAt(port);
    const n = this.latestTake(port);
    return n >= this.oldest ? (this.ring[n & this.mask] as number) : Number.NEGATIVE_INFINITY;
  }

  private hold(port: number, nowUs: number): void {
    if (this.table === null) {
      if (port === this.portOf(this.taken) && (this.taken - this.oldest <= this.mask || this.growRing())) {
        this.ring[this.taken & this.mask] = Number.POSITIVE_INFINITY;
        this.taken++;
        this.dropFreed(nowUs);
        return;
      }
      this.useTable(nowUs);
    }
    (this.table as BusyPorts).set(port, Number.POSITIVE_INFINITY, nowUs);
  }

  /** The port of take n. */
  private portOf(n: number): number {
    const port = this.first + (n < this.span ? n : n % this.span);
    return port > this.high ? port - this.span : port;
  }

  /** The last take of `port`, or -1 when the cursor has not reached it yet. */
  private latestTake(port: number): number {
    // Both ports lie in the range, so one correction brings the distance into [0, span).
    let d = port - this.first;
    if (d < 0) d += this.span;
    if (d >= this.taken) return -1;
    const taken = this.taken;
    // Before the cursor's first wrap, a port has been taken once at most.
    return taken <= this.span ? d : d + this.span * Math.floor((taken - 1 - d) / this.span);
  }

  /** Takes at the front that are free by now are forgotten: `now` never runs back. */
  private dropFreed(nowUs: number): void {
    while (this.oldest < this.taken && (this.ring[this.oldest & this.mask] as number) <= nowUs) this.oldest++;
  }

  /** Doubles the ring; false when it would pass WINDOW_MAX. */
  private growRing(): boolean {
    const capacity = 2 * (this.mask + 1);
    if (capacity > WINDOW_MAX) return false;
    const ring = new Float64Array(capacity);
    for (let n = this.oldest; n < this.taken; n++) ring[n & (capacity - 1)] = this.ring[n & this.mask] as number;
    this.ring = ring;
    this.mask = capacity - 1;
    return true;
  }

  /**
   * Moves the ports still busy into the general table, for good. An earlier take of a port taken again is free
   * (the port was free when taken again, and releases go to its last take), so it is left out with the others.
   */
  private useTable(nowUs: number): void {
    const table = new BusyPorts();
    for (let n = this.oldest; n < this.taken; n++) {
      const until = this.ring[n & this.mask] as number;
      if (until > nowUs) table.set(this.portOf(n), until, nowUs);
    }
    this.table = table;
    this.ring = new Float64Array(0);
  }
}
