/**
 * A hash table keyed by three 32-bit words: the kernel model's established hash (local address, remote address,
 * lport·65536 + rport) and tcp_metrics cache (an address pair and 0), the simulator's open connections (address,
 * port, 0). A Map keyed by addr·65536 + port needs 48-bit
 * keys, which V8 boxes as heap numbers on every lookup; here keys stay in Int32Arrays and compare exactly.
 * Open addressing with linear probing and backward-shift deletion (no tombstones to sweep).
 */
export class FlowTable<V> {
  size = 0;
  private mask = 0;
  private k1 = new Int32Array(0);
  private k2 = new Int32Array(0);
  private k3 = new Int32Array(0);
  private values: (V | undefined)[] = [];

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity < initialCapacity) capacity *= 2;
    this.resize(capacity);
  }

  private home(a: number, b: number, c: number): number {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b) ^ Math.imul(c, 0xc2b2ae35);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    return h & this.mask;
  }

  get(a: number, b: number, c: number): V | undefined {
    a |= 0;
    b |= 0;
    c |= 0;
    const values = this.values;
    const mask = this.mask;
    for (let i = this.home(a, b, c); ; i = (i + 1) & mask) {
      const v = values[i];
      if (v === undefined) return undefined;
      if (this.k1[i] === a && this.k2[i] === b && this.k3[i] === c) return v;
    }
  }

  /** Stores value under the key; returns the value it replaced, if any. */
  set(a: number, b: number, c: number, value: V): V | undefined {
    a |= 0;
    b |= 0;
    c |= 0;
    const values = this.values;
    const mask = this.mask;
    let i = this.home(a, b, c);
    for (; values[i] !== undefined; i = (i + 1) & mask) {
      if (this.k1[i] === a && this.k2[i] === b && this.k3[i] === c) {
        const old = values[i];
        values[i] = value;
        return old;
      }
    }
    this.k1[i] = a;
    this.k2[i] = b;
    this.k3[i] = c;
    values[i] = value;
    if (++this.size * 2 > values.length) this.resize(values.length * 2);
    return undefined;
  }

  /** Removes the key; returns its value, if it was there. */
  delete(a: number, b: number, c: number): V | undefined {
    a |= 0;
    b |= 0;
    c |= 0;
    const values = this.values;
    const mask = this.mask;
    let i = this.home(a, b, c);
    for (; ; i = (i + 1) & mask) {
      if (values[i] === undefined) return undefined;
      if (this.k1[i] === a && this.k2[i] === b && this.k3[i] === c) break;
    }
    const removed = values[i];
    this.size--;
    // Backward shift: later members of the probe run move into the hole when their home slot allows it.
    let hole = i;
    for (let j = (i + 1) & mask; values[j] !== undefined; j = (j + 1) & mask) {
      const home = this.home(this.k1[j] as number, this.k2[j] as number, this.k3[j] as number);
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        this.k1[hole] = this.k1[j] as number;
        this.k2[hole] = this.k2[j] as number;
        this.k3[hole] = this.k3[j] as number;
        values[hole] = values[j];
        hole = j;
      }
    }
    values[hole] = undefined;
    return removed;
  }

  /** The values in table order (not insertion order). */
  list(): V[] {
    const out: V[] = [];
    for (const v of this.values) if (v !== undefined) out.push(v);
    return out;
  }

  clear(): void {
    this.values.fill(undefined);
    this.size = 0;
  }

  private resize(capacity: number): void {
    const o1 = this.k1;
    const o2 = this.k2;
    const o3 = this.k3;
    const old = this.values;
    this.k1 = new Int32Array(capacity);
    this.k2 = new Int32Array(capacity);
    this.k3 = new Int32Array(capacity);
    this.values = new Array<V | undefined>(capacity).fill(undefined);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i++) {
      const v = old[i];
      if (v !== undefined) this.set(o1[i] as number, o2[i] as number, o3[i] as number, v);
    }
  }
}
