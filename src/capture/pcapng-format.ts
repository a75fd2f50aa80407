import { u16, u32 } from "../util/bytes.js";
import { InputError } from "../util/errors.js";
import { scanRecords, type RecordFormat } from "./framer.js";
import type { PacketEmitter } from "./packet-emitter.js";

export const PCAPNG_BLOCK = {
  SECTION_HEADER: 0x0a0d0d0a,
  INTERFACE_DESCRIPTION: 0x00000001,
  OBSOLETE_PACKET: 0x00000002,
  SIMPLE_PACKET: 0x00000003,
  ENHANCED_PACKET: 0x00000006,
} as const;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const MIN_BLOCK = 12;
/** Larger blocks than this are not produced by any capture tool; treat them as corruption. */
const MAX_BLOCK = 16 * 1024 * 1024;
const OPTION = { END: 0, IF_TSRESOL: 9, IF_TSOFFSET: 14 } as const;

interface Interface {
  linkType: number;
  snaplen: number;
  /** raw units per microsecond when finer than 1 µs (exact integer division), else 0 */
  unitsPerMicro: number;
  /** microseconds per raw unit otherwise */
  toMicros: number;
  /** seconds added to every timestamp (if_tsoffset) */
  offsetSeconds: number;
}

/** if_tsresol finer than a picosecond leaves a 64-bit timestamp less than 7 months of range: a broken writer. */
const MAX_UNITS_PER_SECOND = 1e12;

/**
 * pcapng (draft-ietf-opsawg-pcapng): blocks of type + length; sections (SHB) set the byte order; each interface
 * (IDB) has its own link type and timestamp resolution; EPB, SPB and the obsolete PB carry packets; every other
 * block is skipped.
 */
export class PcapngFormat implements RecordFormat {
  private littleEndian = true;
  private sawSection = false;
  private interfaces: Interface[] = [];
  private lastTimestamp = 0;

  constructor(
    private readonly file: string,
    private readonly emitter: PacketEmitter,
  ) {}

  headerBytes(): number {
    return MIN_BLOCK;
  }

  records(b: Uint8Array, o: number, end: number, fileOffset: number): number {
    return scanRecords(this, b, o, end, fileOffset);
  }

  recordLength(b: Uint8Array, o: number, fileOffset: number): number {
    // The section header's type reads the same in both orders; its byte-order magic decides the rest.
    if (u32(b, o, false) === PCAPNG_BLOCK.SECTION_HEADER) {
      const bom = u32(b, o + 8, true);
      if (bom === BYTE_ORDER_MAGIC) this.littleEndian = true;
      else if (bom === 0x4d3c2b1a) this.littleEndian = false;
      else throw new InputError("bad-magic", { file: this.file, offset: fileOffset + 8 }, `unknown pcapng byte-order magic 0x${bom.toString(16)}`, "1a2b3c4d in either byte order");
    } else if (!this.sawSection) {
      throw new InputError("bad-magic", { file: this.file, offset: fileOffset }, "pcapng data before a section header block", "a section header block (0a0d0d0a)");
    }
    const length = u32(b, o + 4, this.littleEndian);
    if (length < MIN_BLOCK || length % 4 !== 0 || length > MAX_BLOCK) {
      throw new InputError("bad-length", { file: this.file, offset: fileOffset + 4 }, `impossible pcapng block length ${length}`, `a multiple of 4 between ${MIN_BLOCK} and ${MAX_BLOCK}`);
    }
    return length;
  }

  record(b: Uint8Array, o: number, length: number, fileOffset: number): void {
    const le = this.littleEndian;
    if (u32(b, o + length - 4, le) !== length) {
      throw new InputError("bad-length", { file: this.file, offset: fileOffset + length - 4 }, "pcapng block's trailing length differs from its leading length", `${length}`);
    }
    const type = u32(b, o, le);
    switch (type) {
      case PCAPNG_BLOCK.SECTION_HEADER:
        return this.sectionHeader(b, o, fileOffset);
      case PCAPNG_BLOCK.INTERFACE_DESCRIPTION:
        return this.interfaceDescription(b, o, length, fileOffset);
      case PCAPNG_BLOCK.ENHANCED_PACKET:
      case PCAPNG_BLOCK.OBSOLETE_PACKET:
        return this.packetBlock(b, o, length, fileOffset, type === PCAPNG_BLOCK.OBSOLETE_PACKET);
      case PCAPNG_BLOCK.SIMPLE_PACKET:
        return this.simplePacket(b, o, length, fileOffset);
      default:
        return; // name resolution, statistics, custom and future blocks
    }
  }

  private sectionHeader(b: Uint8Array, o: number, fileOffset: number): void {
    const major = u16(b, o + 12, this.littleEndian);
    if (major !== 1) {
      throw new InputError("unsupported-version", { file: this.file, offset: fileOffset + 12 }, `pcapng version ${major}.${u16(b, o + 14, this.littleEndian)}`, "pcapng version 1.x");
    }
    this.sawSection = true;
    this.interfaces = []; // interface ids are per section
  }

  private interfaceDescription(b: Uint8Array, o: number, length: number, fileOffset: number): void {
    const le = this.littleEndian;
    const iface: Interface = { linkType: u16(b, o + 8, le), snaplen: u32(b, o + 12, le), unitsPerMicro: 0, toMicros: 1, offsetSeconds: 0 };
    let p = o + 16;
    const end = o + length - 4;
    while (p + 4 <= end) {
      const code = u16(b, p, le);
      const optionLength = u16(b, p + 2, le);
      if (code === OPTION.END) break;
      if (p + 4 + optionLength > end) {
        this.emitter.warn(fileOffset + (p - o), `interface option ${code} of ${optionLength} bytes runs past the end of its block; the options from here on are ignored`);
        break;
      }
      if (code === OPTION.IF_TSRESOL && optionLength >= 1) {
        const value = b[p + 4] as number;
        // MSB clear: 10^-n seconds; set: 2^-n seconds.
        const unitsPerSecond = value & 0x80 ? 2 ** (value & 0x7f) : 10 ** value;
        if (unitsPerSecond > MAX_UNITS_PER_SECOND) {
          const shown = value & 0x80 ? `2^-${value & 0x7f}` : `10^-${value}`;
          this.emitter.warn(fileOffset + (p - o), `if_tsresol ${shown} s is finer than a picosecond: every timestamp of this interface reads as about 0 s, so its timings mean nothing`);
        }
        iface.toMicros = 1e6 / unitsPerSecond;
        iface.unitsPerMicro = unitsPerSecond > 1e6 && unitsPerSecond % 1e6 === 0 ? unitsPerSecond / 1e6 : 0;
      } else if (code === OPTION.IF_TSOFFSET && optionLength >= 8) {
        const hi = u32(b, p + 4 + (le ? 4 : 0), le);
        const lo = u32(b, p + 4 + (le ? 0 : 4), le);
        iface.offsetSeconds = (hi | 0) * 4294967296 + lo;
      }
      p += 4 + ((optionLength + 3) & ~3);
    }
    this.interfaces.push(iface);
  }

  private packetBlock(b: Uint8Array, o: number, length: number, fileOffset: number, obsolete: boolean): void {
    const le = this.littleEndian;
    const ifIndex = obsolete ? u16(b, o + 8, le) : u32(b, o + 8, le);
    const iface = this.interfaces[ifIndex];
    if (!iface) {
      this.emitter.warn(fileOffset, `packet for undeclared interface ${ifIndex} skipped`);
      return;
    }
    const captured = u32(b, o + 20, le);
    const original = u32(b, o + 24, le);
    if (28 + captured > length - 4) {
      throw new InputError("bad-length", { file: this.file, offset: fileOffset + 20 }, `captured length ${captured} exceeds its block`, `at most ${length - 32} bytes`);
    }
    const micros = toMicros(iface, u32(b, o + 12, le), u32(b, o + 16, le)) + iface.offsetSeconds * 1e6;
    this.lastTimestamp = micros;
    this.emitter.timestampMicros = micros;
    this.emitter.recordOffset = fileOffset;
    this.emitter.emit(b, o + 28, captured, Math.max(original, captured), iface.linkType, ifIndex);
  }

  /** SPB: no timestamp and no captured length; the packet belongs to interface 0 and inherits the last time seen. */
  private simplePacket(b: Uint8Array, o: number, length: number, fileOffset: number): void {
    const iface = this.interfaces[0];
    if (!iface) {
      this.emitter.warn(fileOffset, "simple packet block without an interface skipped");
      return;
    }
    const original = u32(b, o + 8, this.littleEndian);
    let captured = Math.min(original, length - 16);
    if (iface.snaplen > 0) captured = Math.min(captured, iface.snaplen);
    this.emitter.timestampMicros = this.lastTimestamp;
    this.emitter.recordOffset = fileOffset;
    this.emitter.emit(b, o + 12, captured, original, iface.linkType, 0);
  }
}

/**
 * Whole microseconds from the 64-bit timestamp hi·2^32 + lo. Nanosecond values since the epoch exceed 2^53, so
 * fine resolutions divide exactly in two parts: hi·⌊2^32/k⌋ + ⌊(hi·(2^32 mod k) + lo)/k⌋.
 */
function toMicros(iface: Interface, hi: number, lo: number): number {
  const k = iface.unitsPerMicro;
  if (k === 0) return Math.floor((hi * 4294967296 + lo) * iface.toMicros);
  return hi * Math.floor(4294967296 / k) + Math.floor((hi * (4294967296 % k) + lo) / k);
}
