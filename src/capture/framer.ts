/**
 * Splits a byte stream into records of a length-prefixed format (pcap records, pcapng blocks), whatever the
 * chunk boundaries. Complete records are handed over in place, straight from the chunk; only a record split
 * across two chunks is copied, into one carry buffer that grows to the largest such record.
 */
export interface RecordFormat {
  /** bytes needed at the start of the next record to know its total length */
  headerBytes(): number;
  /** total length of the record at b[o] (header included); throws InputError when impossible */
  recordLength(b: Uint8Array, o: number, fileOffset: number): number;
  /** one complete record b[o, o + length), valid only during the call */
  record(b: Uint8Array, o: number, length: number, fileOffset: number): void;
  /**
   * Every complete record in b[o, end) (fileOffset is that of b[o]); returns where the first incomplete one
   * starts. The per-packet loop: a format may walk its records inline (pcap) or use `scanRecords`.
   */
  records(b: Uint8Array, o: number, end: number, fileOffset: number): number;
}

/** The generic `records` loop over headerBytes / recordLength / record. */
export function scanRecords(format: RecordFormat, b: Uint8Array, o: number, end: number, fileOffset: number): number {
  let pos = o;
  while (true) {
    const available = end - pos;
    if (available === 0 || available < format.headerBytes()) return pos;
    const length = format.recordLength(b, pos, fileOffset + pos - o);
    if (available < length) return pos;
    format.record(b, pos, length, fileOffset + pos - o);
    pos += length;
  }
}

export class Framer {
  private carry = new Uint8Array(64 * 1024);
  private carryLength = 0;
  /** total length of the carried record, -1 while its header is incomplete */
  private carryNeed = -1;
  private carryOffset = 0;
  /** bytes fed so far: the file offset of the next chunk's first byte */
  private fed = 0;

  constructor(private readonly format: RecordFormat) {}

  get bytesFed(): number {
    return this.fed;
  }

  feed(chunk: Uint8Array): void {
    const base = this.fed;
    this.fed += chunk.length;
    let pos = 0;
    if (this.carryLength > 0) {
      pos = this.completeCarry(chunk);
      if (pos < 0) return;
    }
    pos = this.format.records(chunk, pos, chunk.length, base + pos);
    if (pos < chunk.length) this.startCarry(chunk, pos, base + pos);
  }

  /** Bytes of an incomplete last record, with its file offset; 0 when the stream ended on a record boundary. */
  leftover(): { bytes: number; offset: number; expected: number } {
    return { bytes: this.carryLength, offset: this.carryOffset, expected: this.carryNeed };
  }

  private startCarry(chunk: Uint8Array, pos: number, fileOffset: number): void {
    const rest = chunk.length - pos;
    this.carryOffset = fileOffset;
    this.carryLength = 0;
    this.carryNeed = -1;
    this.append(chunk, pos, rest);
    if (this.carryLength >= this.format.headerBytes()) this.carryNeed = this.format.recordLength(this.carry, 0, fileOffset);
  }

  /** Fills the carried record from the chunk; returns where the chunk's own records begin, or -1 if it was used up. */
  private completeCarry(chunk: Uint8Array): number {
    let pos = 0;
    if (this.carryNeed < 0) {
      const want = Math.min(this.format.headerBytes() - this.carryLength, chunk.length);
      this.append(chunk, 0, want);
      pos = want;
      if (this.carryLength < this.format.headerBytes()) return -1;
      this.carryNeed = this.format.recordLength(this.carry, 0, this.carryOffset);
    }
    const want = Math.min(this.carryNeed - this.carryLength, chunk.length - pos);
    this.append(chunk, pos, want);
    pos += want;
    if (this.carryLength < this.carryNeed) return -1;
    const length = this.carryNeed;
    this.carryLength = 0;
    this.carryNeed = -1;
    this.format.record(this.carry, 0, length, this.carryOffset);
    return pos;
  }

  private append(chunk: Uint8Array, from: number, count: number): void {
    if (this.carryLength + count > this.carry.length) {
      const grown = new Uint8Array(Math.max(this.carry.length * 2, this.carryLength + count));
      grown.set(this.carry.subarray(0, this.carryLength));
      this.carry = grown;
    }
    this.carry.set(chunk.subarray(from, from + count), this.carryLength);
    this.carryLength += count;
  }
}
