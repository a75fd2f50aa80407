/**
 * The host's timer list: a binary heap keyed by (due, scheduling sequence), like util/event-queue, with lazy
 * deletion (a rescheduled sock leaves its old entry behind; the caller skips entries that no longer match).
 *
 * What it adds: `compact()` drops the entries of dead socks. A request that completes its handshake in a
 * millisecond would otherwise stay referenced by its 1 s SYN-ACK timer: at 100 k connections per simulated
 * second the heap held 100 k dead requests, every push and pop walked 17 levels of cache misses, and every one
 * of them was promoted to the old generation. Only dead socks' entries are dropped (a dead sock never comes
 * back), so the entries that remain, and the order they fire in, are exactly those of the lazy heap.
 */
export interface TimedEntry {
  readonly dead: boolean;
}

export class TimerHeap<T extends TimedEntry> {
  private times: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Due time of the earliest entry, or Infinity when empty. */
  peekTime(): number {
    return this.times.length > 0 ? (this.times[0] as number) : Infinity;
  }

  push(time: number, item: T): void {
    const seq = this.nextSeq++;
    this.times.push(time);
    this.seqs.push(seq);
    this.items.push(item);
    this.siftUp(this.items.length - 1, time, seq, item);
  }

  /** Removes the earliest entry (read its time with peekTime() first). */
  pop(): T | undefined {
    const items = this.items;
    const n = items.length;
    if (n === 0) return undefined;
    const top = items[0] as T;
    const lastTime = this.times.pop() as number;
    const lastSeq = this.seqs.pop() as number;
    const lastItem = items.pop() as T;
    if (n > 1) this.siftDown(0, n - 1, lastTime, lastSeq, lastItem);
    return top;
  }

  /** Drops every entry whose sock is dead and restores the heap (order by (due, seq) is unchanged). */
  compact(): void {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    let n = 0;
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as T;
      if (item.dead) continue;
      times[n] = times[i] as number;
      seqs[n] = seqs[i] as number;
      items[n] = item;
      n++;
    }
    times.length = n;
    seqs.length = n;
    items.length = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i, n, times[i] as number, seqs[i] as number, items[i] as T);
  }

  private siftUp(start: number, time: number, seq: number, item: T): void {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt < time || (pt === time && (seqs[parent] as number) < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent] as number;
      items[i] = items[parent] as T;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Places (time, seq, item) at or below index `start` of a heap of `size` entries. */
  private siftDown(start: number, size: number, time: number, seq: number, item: T): void {
    const times = this.times;
    const seqs = this.seqs;
    const items = this.items;
    let i = start;
    while (true) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      let ct = times[left] as number;
      let cs = seqs[left] as number;
      if (right < size) {
        const rt = times[right] as number;
        const rs = seqs[right] as number;
        if (rt < ct || (rt === ct && rs < cs)) {
          child = right;
          ct = rt;
          cs = rs;
        }
      }
      if (time < ct || (time === ct && seq < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      items[i] = items[child] as T;
      i = child;
    }
    times[i] = time;
    seqs[i] = seq;
    items[i] = item;
  }
}
