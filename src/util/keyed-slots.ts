import { grownColumn } from "./columns.js";
import { ABSENT, Int32Map } from "./int32-map.js";

/** What `find` returns when no slot has the key. */
export const NO_SLOT = -1;

/**
 * Numbered slots for live records that are identified by an exact key — three int32 (a, b, c) and a text that is
 * empty for IPv4 and holds the addresses for IPv6, whose a and b are only digests — and found by a 32-bit digest
 * through hash chains. Records live in columns (typed arrays, grown by doubling) instead of one object each:
 * the tracker keeps hundreds of thousands of them alive for minutes of capture time, and as objects they were
 * what the garbage collector spent its time on. Freed slots are reused. Subclasses add columns in `growColumns`.
 */
export class KeyedSlots {
  // Columns start empty and are set to their size in the constructor, so that growth does not throw optimised
  // code away (see columns.ts); subclasses do the same with theirs.
  capacity = 0;
  a = new Int32Array(0);
  b = new Int32Array(0);
  c = new Int32Array(0);
  digest = new Int32Array(0);
  /** next slot in the same hash chain (or in the free list) */
  next = new Int32Array(0);
  /** 1 while the slot is in a hash chain */
  linked = new Uint8Array(0);
  text: string[] = [];
  /** slots in use (linked or not yet freed) */
  used = 0;
  private readonly heads = new Int32Map(1024);
  private freeHead = NO_SLOT;
  private top = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.a = new Int32Array(initialCapacity);
    this.b = new Int32Array(initialCapacity);
    this.c = new Int32Array(initialCapacity);
    this.digest = new Int32Array(initialCapacity);
    this.next = new Int32Array(initialCapacity);
    this.linked = new Uint8Array(initialCapacity);
    this.text = new Array<string>(initialCapacity).fill("");
  }

  /** The first linked slot whose key has this digest (the chain goes on through `next`), or NO_SLOT. */
  chainHead(digest: number): number {
    const head = this.heads.get(digest);
    return head === ABSENT ? NO_SLOT : head;
  }

  /** The linked slot with exactly this key, or NO_SLOT. */
  find(digest: number, a: number, b: number, c: number, text: string): number {
    const keyA = this.a;
    const keyB = this.b;
    const keyC = this.c;
    const next = this.next;
    for (let s = this.heads.get(digest); s !== ABSENT; s = next[s] as number) {
      if (keyA[s] === a && keyB[s] === b && keyC[s] === c && this.text[s] === text) return s;
    }
    return NO_SLOT;
  }

  /** Takes a slot for a key that `find` did not find and links it; a, b, c are stored as int32. */
  insert(digest: number, a: number, b: number, c: number, text: string): number {
    const s = this.take();
    this.a[s] = a;
    this.b[s] = b;
    this.c[s] = c;
    this.digest[s] = digest;
    this.text[s] = text;
    const head = this.heads.get(digest);
    this.next[s] = head === ABSENT ? NO_SLOT : head;
    this.heads.set(digest, s);
    this.linked[s] = 1;
    return s;
  }

  /** Takes the slot out of its hash chain: `find` no longer sees it, its columns stay readable until `free`. */
  unlink(s: number): void {
    if (this.linked[s] === 0) return;
    this.linked[s] = 0;
    const digest = this.digest[s] as number;
    const head = this.heads.get(digest);
    const after = this.next[s] as number;
    if (head === s) {
      if (after === NO_SLOT) this.heads.delete(digest);
      else this.heads.set(digest, after);
      return;
    }
    for (let p = head; p !== NO_SLOT && p !== ABSENT; p = this.next[p] as number) {
      if (this.next[p] === s) {
        this.next[p] = after;
        return;
      }
    }
  }

  /** Unlinks the slot if needed and gives it back for reuse. */
  free(s: number): void {
    this.unlink(s);
    this.text[s] = "";
    this.next[s] = this.freeHead;
    this.freeHead = s;
    this.used--;
  }

  /** Adds the subclass's columns up to `capacity` (called before the slot count passes the old capacity). */
  protected growColumns(_capacity: number): void {}

  private take(): number {
    this.used++;
    if (this.freeHead !== NO_SLOT) {
      const s = this.freeHead;
      this.freeHead = this.next[s] as number;
      return s;
    }
    if (this.top === this.capacity) {
      const capacity = this.capacity * 2;
      this.a = grownColumn(this.a, capacity);
      this.b = grownColumn(this.b, capacity);
      this.c = grownColumn(this.c, capacity);
      this.digest = grownColumn(this.digest, capacity);
      this.next = grownColumn(this.next, capacity);
      this.linked = grownColumn(this.linked, capacity);
      for (let i = this.capacity; i < capacity; i++) this.text.push("");
      this.growColumns(capacity);
      this.capacity = capacity;
    }
    return this.top++;
  }
}
