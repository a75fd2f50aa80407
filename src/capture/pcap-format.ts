import { u16, u32 } from "../util/bytes.js";
import { InputError } from "../util/errors.js";
import { scanRecords, type RecordFormat } from "./framer.js";
import type { PacketEmitter } from "./packet-emitter.js";

export const PCAP_MAGIC = { MICROS: 0xa1b2c3d4, NANOS: 0xa1b23c4d, MICROS_SWAPPED: 0xd4c3b2a1, NANOS_SWAPPED: 0x4d3cb2a1 } as const;
const FILE_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;
/** libpcap refuses records above its largest snapshot length (262144); a larger length means corruption. */
const MAX_RECORD = 262144;
/**
 * A header's snaplen may raise that limit (some writers put 2^31 − 1 there), but never past what a packet could be:
 * a record claiming gigabytes is corruption, and taking it at its word would buffer it whole.
 */
const MAX_SNAPLEN_RECORD = 16 * 1024 * 1024;

/**
 * Classic pcap (tcpdump -w): a 24-byte file header, then 16-byte record headers. Byte order and timestamp
 * resolution come from the magic number.
 */
export class PcapFormat implements RecordFormat {
  private headerDone = false;
  private littleEndian = true;
  private nanoseconds = false;
  private linkType = 0;
  private maxRecord = MAX_RECORD;

  constructor(
    private readonly file: string,
    private readonly emitter: PacketEmitter,
  ) {}

  headerBytes(): number {
    return this.headerDone ? RECORD_HEADER_LEN : FILE_HEADER_LEN;
  }

  recordLength(b: Uint8Array, o: number, fileOffset: number): number {
    if (!this.headerDone) return FILE_HEADER_LEN;
    const captured = u32(b, o + 8, this.littleEndian);
    if (captured > this.maxRecord) throw this.impossibleLength(captured, fileOffset);
    return RECORD_HEADER_LEN + captured;
  }

  /** The hot loop: record headers read inline (no helper calls, so no boxed numbers per packet). */
  records(b: Uint8Array, o: number, end: number, fileOffset: number): number {
    if (!this.headerDone) return scanRecords(this, b, o, end, fileOffset);
    const le = this.littleEndian;
    const nanoseconds = this.nanoseconds;
    const linkType = this.linkType;
    const emitter = this.emitter;
    let pos = o;
    while (end - pos >= RECORD_HEADER_LEN) {
      const h0 = readWord(b, pos, le);
      const h1 = readWord(b, pos + 4, le);
      const captured = readWord(b, pos + 8, le);
      const original = readWord(b, pos + 12, le);
      if (captured > this.maxRecord) throw this.impossibleLength(captured, fileOffset + pos - o);
      if (end - pos - RECORD_HEADER_LEN < captured) break;
      const micros = h0 * 1e6 + (nanoseconds ? Math.floor(h1 / 1000) : h1);
      emitter.timestampMicros = micros;
      emitter.recordOffset = fileOffset + pos - o;
      emitter.emit(b, pos + RECORD_HEADER_LEN, captured, original > captured ? original : captured, linkType, 0);
      pos += RECORD_HEADER_LEN + captured;
    }
    return pos;
  }

  record(b: Uint8Array, o: number, length: number, fileOffset: number): void {
    if (!this.headerDone) return this.fileHeader(b, o, fileOffset);
    const le = this.littleEndian;
    const seconds = u32(b, o, le);
    const fraction = u32(b, o + 4, le);
    // Whole microseconds: exact in a double for any date, and the resolution the analysis needs.
    const micros = seconds * 1e6 + (this.nanoseconds ? Math.floor(fraction / 1000) : fraction);
    const original = u32(b, o + 12, le);
    const captured = length - RECORD_HEADER_LEN;
    this.emitter.timestampMicros = micros;
    this.emitter.recordOffset = fileOffset;
    this.emitter.emit(b, o + RECORD_HEADER_LEN, captured, Math.max(original, captured), this.linkType, 0);
  }

  private impossibleLength(captured: number, recordOffset: number): InputError {
    return new InputError("bad-length", { file: this.file, offset: recordOffset + 8 }, `impossible pcap record length ${captured}`, `a captured length of at most ${this.maxRecord} bytes (snaplen)`);
  }

  private fileHeader(b: Uint8Array, o: number, fileOffset: number): void {
    const magic = u32(b, o, false);
    if (magic === PCAP_MAGIC.MICROS || magic === PCAP_MAGIC.NANOS) this.littleEndian = false;
    else if (magic === PCAP_MAGIC.MICROS_SWAPPED || magic === PCAP_MAGIC.NANOS_SWAPPED) this.littleEndian = true;
    else throw new InputError("bad-magic", { file: this.file, offset: fileOffset }, `unknown pcap magic 0x${magic.toString(16).padStart(8, "0")}`, "a pcap magic number (a1b2c3d4 or a1b23c4d, either byte order)");
    this.nanoseconds = magic === PCAP_MAGIC.NANOS || magic === PCAP_MAGIC.NANOS_SWAPPED;
    const major = u16(b, o + 4, this.littleEndian);
    const minor = u16(b, o + 6, this.littleEndian);
    if (major !== 2) {
      throw new InputError("unsupported-version", { file: this.file, offset: fileOffset + 4 }, `pcap version ${major}.${minor}`, "pcap version 2.x");
    }
    const snaplen = u32(b, o + 16, this.littleEndian);
    this.maxRecord = Math.max(MAX_RECORD, Math.min(snaplen, MAX_SNAPLEN_RECORD));
    // The upper bits of the link-type field carry FCS information (pcap spec §4); the type is the low 16 bits.
    this.linkType = u32(b, o + 20, this.littleEndian) & 0xffff;
    this.headerDone = true;
  }
}

/** An unsigned 32-bit field in either byte order, written out so that V8 inlines it into the record loop. */
function readWord(b: Uint8Array, o: number, littleEndian: boolean): number {
  return littleEndian
    ? ((b[o] as number) | ((b[o + 1] as number) << 8) | ((b[o + 2] as number) << 16) | ((b[o + 3] as number) << 24)) >>> 0
    : (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;
}
