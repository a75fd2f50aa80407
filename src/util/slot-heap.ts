/**
 * Slot numbers ordered by (time, push sequence): a binary heap over typed arrays. Equal times come out in the
 * order they were pushed — the tie-break that makes a simulation reproducible from its seed alone and the kernel
 * model's timers fire in a stable order. The one heap of the project: EventQueue puts objects on it, the
 * simulator its pooled event records, the kernel model its timers.
 */
export class SlotHeap {
  size = 0;
  private times: Float64Array;
  private seqs: Float64Array;
  private slots: Int32Array;
  private nextSeq = 0;

  constructor(capacity = 1024) {
    this.times = new Float64Array(capacity);
    this.seqs = new Float64Array(capacity);
    this.slots = new Int32Array(capacity);
  }

  /** Time of the earliest entry, or Infinity when empty. */
  peekTime(): number {
    return this.size > 0 ? (this.times[0] as number) : Number.POSITIVE_INFINITY;
  }

  /** Slot of the earliest entry, or -1 when empty. */
  peekSlot(): number {
    return this.size > 0 ? (this.slots[0] as number) : -1;
  }

  push(time: number, slot: number): void {
    if (this.size === this.slots.length) this.grow();
    this.siftUp(this.size++, time, this.nextSeq++, slot);
  }

  /** Removes the earliest entry and returns its slot, -1 when empty (read its time with peekTime() first). */
  pop(): number {
    if (this.size === 0) return -1;
    const top = this.slots[0] as number;
    const size = --this.size;
    if (size > 0) this.siftDown(0, size, this.times[size] as number, this.seqs[size] as number, this.slots[size] as number);
    return top;
  }

  /**
   * Keeps only the entries whose slot passes `keep` (called once per entry). The order of (time, sequence) is
   * total, so the remaining entries come out exactly as they would have.
   */
  retain(keep: (slot: number) => boolean): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      if (!keep(slots[i] as number)) continue;
      times[n] = times[i] as number;
      seqs[n] = seqs[i] as number;
      slots[n] = slots[i] as number;
      n++;
    }
    this.size = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.siftDown(i, n, times[i] as number, seqs[i] as number, slots[i] as number);
  }

  private siftUp(start: number, time: number, seq: number, slot: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent] as number;
      if (pt < time || (pt === time && (seqs[parent] as number) < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent] as number;
      slots[i] = slots[parent] as number;
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  /** Places (time, seq, slot) at or below index `start` of a heap of `size` entries. */
  private siftDown(start: number, size: number, time: number, seq: number, slot: number): void {
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
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
      slots[i] = slots[child] as number;
      i = child;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  private grow(): void {
    const capacity = this.slots.length * 2;
    const times = new Float64Array(capacity);
    const seqs = new Float64Array(capacity);
    const slots = new Int32Array(capacity);
    times.set(this.times);
    seqs.set(this.seqs);
    slots.set(this.slots);
    this.times = times;
    this.seqs = seqs;
    this.slots = slots;
  }
}
