import { SlotHeap } from "./slot-heap.js";

/**
 * Priority queue of objects keyed by (time, scheduling sequence), over SlotHeap: two entries due at the same time
 * always come out in the order they were pushed. The same object may be queued more than once (a re-armed timer
 * leaves its old entry behind; its owner skips entries that no longer match).
 */
export class EventQueue<T> {
  private readonly heap = new SlotHeap();
  private items: Array<T | undefined> = [];
  private readonly freeSlots: number[] = [];

  get size(): number {
    return this.heap.size;
  }

  /** The earliest entry without removing it, or `undefined` when empty. */
  peek(): T | undefined {
    const slot = this.heap.peekSlot();
    return slot < 0 ? undefined : this.items[slot];
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.heap.peekTime();
  }

  push(time: number, item: T): void {
    const slot = this.freeSlots.length > 0 ? (this.freeSlots.pop() as number) : this.items.length;
    this.items[slot] = item;
    this.heap.push(time, slot);
  }

  /** Removes the earliest event; `undefined` when empty. Read its time with peekTime() before popping. */
  pop(): T | undefined {
    const slot = this.heap.pop();
    if (slot < 0) return undefined;
    return this.take(slot);
  }

  /** Drops every entry whose item fails `keep`; the others keep their order. */
  retain(keep: (item: T) => boolean): void {
    this.heap.retain((slot) => {
      if (keep(this.items[slot] as T)) return true;
      this.take(slot);
      return false;
    });
  }

  private take(slot: number): T {
    const item = this.items[slot] as T;
    this.items[slot] = undefined;
    this.freeSlots.push(slot);
    return item;
  }
}
