/**
 * A hash map from int32 keys to values, by open addressing over typed arrays. The handshake tracker looks up
 * every SYN, SYN-ACK, FIN and RST by a 32-bit digest; V8's Map boxes keys outside the small-integer range and
 * rehashes on churn, which made those lookups the tracker's largest cost. Linear probing, tombstones on delete,
 * rebuilt (larger if needed) when live + deleted slots pass 60 % of the capacity.
 */
const EMPTY = 0;
const FULL = 1;
const DELETED = 2;

export class Int32Map<V> {
  private keys: Int32Array;
  private state: Uint8Array;
  private values: Array<V | undefined>;
  private mask: number;
  private used = 0;
  size = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.keys = new Int32Array(capacity);
    this.state = new Uint8Array(capacity);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
  }

  /** Spreads keys whose low bits agree (digests are already mixed; this is cheap insurance). */
  private slot(key: number): number {
    return ((Math.imul(key, 0x9e3779b1) >>> 16) ^ key) & this.mask;
  }

  get(key: number): V | undefined {
    const keys = this.keys;
    const state = this.state;
    for (let i = this.slot(key); ; i = (i + 1) & this.mask) {
      const s = state[i];
      if (s === EMPTY) return undefined;
      if (s === FULL && keys[i] === key) return this.values[i];
    }
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  set(key: number, value: V): void {
    const keys = this.keys;
    const state = this.state;
    let tombstone = -1;
    let i = this.slot(key);
    for (; ; i = (i + 1) & this.mask) {
      const s = state[i];
      if (s === EMPTY) break;
      if (s === DELETED) {
        if (tombstone < 0) tombstone = i;
      } else if (keys[i] === key) {
        this.values[i] = value;
        return;
      }
    }
    if (tombstone >= 0) {
      i = tombstone;
    } else {
      this.used++;
    }
    keys[i] = key;
    state[i] = FULL;
    this.values[i] = value;
    this.size++;
    if (this.used * 5 > this.keys.length * 3) this.rebuild();
  }

  delete(key: number): boolean {
    const keys = this.keys;
    const state = this.state;
    for (let i = this.slot(key); ; i = (i + 1) & this.mask) {
      const s = state[i];
      if (s === EMPTY) return false;
      if (s === FULL && keys[i] === key) {
        state[i] = DELETED;
        this.values[i] = undefined;
        this.size--;
        return true;
      }
    }
  }

  private rebuild(): void {
    const oldKeys = this.keys;
    const oldState = this.state;
    const oldValues = this.values;
    let capacity = oldKeys.length;
    if (this.size * 10 > capacity * 3) capacity *= 2;
    this.keys = new Int32Array(capacity);
    this.state = new Uint8Array(capacity);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.used = 0;
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldState[i] === FULL) this.set(oldKeys[i] as number, oldValues[i] as V);
  }
}
