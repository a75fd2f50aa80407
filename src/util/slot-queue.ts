/**
 * A FIFO of (slot, key) pairs in the order they were pushed: a ring buffer over typed arrays that doubles when
 * full. The key is a number the owner reads back at the front: the entry's time when state expires by capture
 * time in creation order (the oldest entry is always in front), or a value that tells a current entry from one
 * whose slot has since been freed.
 */
export class SlotQueue {
  private slots = new Int32Array(1024);
  private keys = new Float64Array(1024);
  private head = 0;
  size = 0;

  push(slot: number, key: number): void {
    if (this.size === this.slots.length) this.grow();
    const i = (this.head + this.size) & (this.slots.length - 1);
    this.slots[i] = slot;
    this.keys[i] = key;
    this.size++;
  }

  /** Slot at the front; only when size > 0. */
  frontSlot(): number {
    return this.slots[this.head] as number;
  }

  /** Key at the front, or +Infinity when empty. */
  frontKey(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : (this.keys[this.head] as number);
  }

  shift(): void {
    if (this.size === 0) return;
    this.head = (this.head + 1) & (this.slots.length - 1);
    this.size--;
  }

  /** Drops every entry that fails `keep`; the others keep their order. */
  retain(keep: (slot: number, key: number) => boolean): void {
    const mask = this.slots.length - 1;
    let kept = 0;
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) & mask;
      const slot = this.slots[i] as number;
      const key = this.keys[i] as number;
      if (!keep(slot, key)) continue;
      const j = (this.head + kept++) & mask;
      this.slots[j] = slot;
      this.keys[j] = key;
    }
    this.size = kept;
  }

  private grow(): void {
    const length = this.slots.length;
    const slots = new Int32Array(length * 2);
    const keys = new Float64Array(length * 2);
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) & (length - 1);
      slots[k] = this.slots[i] as number;
      keys[k] = this.keys[i] as number;
    }
    this.slots = slots;
    this.keys = keys;
    this.head = 0;
  }
}
