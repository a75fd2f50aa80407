/**
 * A FIFO of (slot, time) pairs in the order they were pushed: a ring buffer over typed arrays that doubles when
 * full. The tracker's state expires by capture time in creation order, so the oldest entry is always in front.
 */
export class SlotQueue {
  private slots = new Int32Array(1024);
  private times = new Float64Array(1024);
  private head = 0;
  size = 0;

  push(slot: number, time: number): void {
    if (this.size === this.slots.length) this.grow();
    const i = (this.head + this.size) & (this.slots.length - 1);
    this.slots[i] = slot;
    this.times[i] = time;
    this.size++;
  }

  /** Slot at the front; only when size > 0. */
  frontSlot(): number {
    return this.slots[this.head] as number;
  }

  /** Time at the front, or +Infinity when empty. */
  frontTime(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : (this.times[this.head] as number);
  }

  shift(): void {
    if (this.size === 0) return;
    this.head = (this.head + 1) & (this.slots.length - 1);
    this.size--;
  }

  private grow(): void {
    const length = this.slots.length;
    const slots = new Int32Array(length * 2);
    const times = new Float64Array(length * 2);
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) & (length - 1);
      slots[k] = this.slots[i] as number;
      times[k] = this.times[i] as number;
    }
    this.slots = slots;
    this.times = times;
    this.head = 0;
  }
}
