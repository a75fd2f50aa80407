import { grownColumn } from "./columns.js";
import { ABSENT, Int32Map } from "./int32-map.js";

/** What `find` returns when no slot has the key. */
export const NO_SLOT = -1;

/** Words of a slot's key record: a, b, c and the next slot in the same hash chain (or in the free list). */
const KEY_WORDS = 4;
const A = 0;
const B = 1;
const C = 2;
const NEXT = 3;

/**
 * Numbered slots for live records that are identified by an exact key — three int32 (a, b, c) and a text that is
 * empty for IPv4 and holds the addresses for IPv6, whose a and b are only digests — and found by a 32-bit digest
 * through hash chains. Records live in columns (typed arrays, grown by doubling) instead of one object each:
 * the tracker keeps hundreds of thousands of them alive for minutes of capture time, and as objects they were
 * what the garbage collector spent its time on. Freed slots are reused. Subclasses add columns in `growColumns`.
 *
 * A slot's key and chain link share one 16-byte record, so a lookup in a table larger than the CPU cache costs one
 * miss per slot it visits instead of four; texts are compared only while some slot holds one (IPv6).
 */
export class KeyedSlots {
  // Columns start empty and are set to their size in the constructor, so that growth does not throw optimised
  // code away (see columns.ts); subclasses do the same with theirs.
  capacity = 0;
  /** a, b, c, next of slot s at s · KEY_WORDS */
  private keys = new Int32Array(0);
  digest = new Int32Array(0);
  /** 1 while the slot is in a hash chain */
  linked = new Uint8Array(0);
  text: string[] = [];
  /** slots in use (linked or not yet freed) */
  used = 0;
  /** slots in use whose text is not empty: while there are none, a lookup need not read the texts */
  private textSlots = 0;
  private readonly heads = new Int32Map(1024);
  private freeHead = NO_SLOT;
  private top = 0;

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    this.keys = new Int32Array(initialCapacity * KEY_WORDS);
    this.digest = new Int32Array(initialCapacity);
    this.linked = new Uint8Array(initialCapacity);
    this.text = new Array<string>(initialCapacity).fill("");
  }

  /** The key's parts of slot s, as stored (int32). */
  keyA(s: number): number {
    return this.keys[s * KEY_WORDS + A] as number;
  }

  keyB(s: number): number {
    return this.keys[s * KEY_WORDS + B] as number;
  }

  keyC(s: number): number {
    return this.keys[s * KEY_WORDS + C] as number;
  }

  /** Whether slot s has the key (a, b, c) — its text aside. */
  hasKey(s: number, a: number, b: number, c: number): boolean {
    const keys = this.keys;
    const at = s * KEY_WORDS;
    return keys[at + A] === a && keys[at + B] === b && keys[at + C] === c;
  }

  /** The first linked slot whose key has this digest, or NO_SLOT; the chain goes on through `nextInChain`. */
  chainHead(digest: number): number {
    const head = this.heads.get(digest);
    return head === ABSENT ? NO_SLOT : head;
  }

  nextInChain(s: number): number {
    return this.keys[s * KEY_WORDS + NEXT] as number;
  }

  /** The linked slot with exactly this key, or NO_SLOT. */
  find(digest: number, a: number, b: number, c: number, text: string): number {
    const keys = this.keys;
    const anyText = this.textSlots > 0;
    for (let s = this.heads.get(digest); s !== ABSENT; s = keys[s * KEY_WORDS + NEXT] as number) {
      const at = s * KEY_WORDS;
      if (keys[at + A] === a && keys[at + B] === b && keys[at + C] === c && (anyText ? this.text[s] === text : text === "")) return s;
    }
    return NO_SLOT;
  }

  /** Takes a slot for a key that `find` did not find and links it; a, b, c are stored as int32. */
  insert(digest: number, a: number, b: number, c: number, text: string): number {
    const s = this.take();
    const at = s * KEY_WORDS;
    const keys = this.keys;
    keys[at + A] = a;
    keys[at + B] = b;
    keys[at + C] = c;
    this.digest[s] = digest;
    this.text[s] = text;
    if (text !== "") this.textSlots++;
    const head = this.heads.get(digest);
    keys[at + NEXT] = head === ABSENT ? NO_SLOT : head;
    this.heads.set(digest, s);
    this.linked[s] = 1;
    return s;
  }

  /** Takes the slot out of its hash chain: `find` no longer sees it, its columns stay readable until `free`. */
  unlink(s: number): void {
    if (this.linked[s] === 0) return;
    this.linked[s] = 0;
    const keys = this.keys;
    const digest = this.digest[s] as number;
    const head = this.heads.get(digest);
    const after = keys[s * KEY_WORDS + NEXT] as number;
    if (head === s) {
      if (after === NO_SLOT) this.heads.delete(digest);
      else this.heads.set(digest, after);
      return;
    }
    for (let p = head; p !== NO_SLOT && p !== ABSENT; p = keys[p * KEY_WORDS + NEXT] as number) {
      if (keys[p * KEY_WORDS + NEXT] === s) {
        keys[p * KEY_WORDS + NEXT] = after;
        return;
      }
    }
  }

  /** Unlinks the slot if needed and gives it back for reuse. */
  free(s: number): void {
    this.unlink(s);
    if (this.text[s] !== "") {
      this.text[s] = "";
      this.textSlots--;
    }
    this.keys[s * KEY_WORDS + NEXT] = this.freeHead;
    this.freeHead = s;
    this.used--;
  }

  /** Adds the subclass's columns up to `capacity` (called before the slot count passes the old capacity). */
  protected growColumns(_capacity: number): void {}

  private take(): number {
    this.used++;
    if (this.freeHead !== NO_SLOT) {
      const s = this.freeHead;
      this.freeHead = this.keys[s * KEY_WORDS + NEXT] as number;
      return s;
    }
    if (this.top === this.capacity) {
      const capacity = this.capacity * 2;
      this.keys = grownColumn(this.keys, capacity * KEY_WORDS);
      this.digest = grownColumn(this.digest, capacity);
      this.linked = grownColumn(this.linked, capacity);
      for (let i = this.capacity; i < capacity; i++) this.text.push("");
      this.growColumns(capacity);
      this.capacity = capacity;
    }
    return this.top++;
  }
}
