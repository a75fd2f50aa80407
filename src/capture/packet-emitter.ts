import { isSupportedLinkType, linkTypeName } from "../wire/link-type.js";
import type { CaptureStats } from "./capture-stats.js";
import { decodePacket } from "./decode.js";
import { PacketView } from "./packet-view.js";

export type PacketHandler = (view: PacketView) => void;

const MAX_WARNINGS = 50;

/** Fills the one reused PacketView from a record, decodes it, keeps the statistics and calls the handler. */
export class PacketEmitter {
  readonly view = new PacketView();
  /**
   * The next record's timestamp (µs since the epoch) and file offset, set by the format just before `emit`:
   * passed as arguments, numbers beyond 2^30 are boxed on every call the JIT does not inline.
   */
  timestampMicros = Number.NaN;
  recordOffset = Number.NaN;
  private firstMicros = Number.NaN;
  private lastMicros = Number.NaN;
  /** packets per link type: a link type is a 16-bit number, so a dense table beats a map on this path */
  private readonly linkCounts = new Float64Array(65536);
  private readonly supported = new Uint8Array(65536).map((_, linkType) => (isSupportedLinkType(linkType) ? 1 : 0));

  constructor(
    private readonly stats: CaptureStats,
    private readonly handler: PacketHandler,
  ) {}

  emit(bytes: Uint8Array, start: number, captured: number, original: number, linkType: number, interfaceIndex: number): void {
    const timestampMicros = this.timestampMicros;
    const stats = this.stats;
    const view = this.view;
    stats.packets++;
    view.bytes = bytes;
    view.end = start + captured;
    view.capturedLength = captured;
    view.originalLength = original;
    view.timestampMicros = timestampMicros;
    view.linkType = linkType;
    view.interfaceIndex = interfaceIndex;
    view.recordOffset = this.recordOffset;
    view.packetNumber = stats.packets;
    if (stats.packets === 1) this.firstMicros = timestampMicros;
    this.lastMicros = timestampMicros;
    if (captured < original) stats.snaplenTruncated++;
    const linkIndex = linkType & 0xffff;
    this.linkCounts[linkIndex] = (this.linkCounts[linkIndex] as number) + 1;
    if (this.supported[linkIndex] === 0) {
      stats.unsupportedLinkType++;
      view.reset();
      return;
    }
    decodePacket(view, start);
    if (view.truncated) stats.headerTruncated++;
    if (view.fragment) stats.fragments++;
    if (view.malformed) stats.malformed++;
    if (view.ipVersion === 0) stats.nonIp++;
    this.handler(view);
  }

  warn(offset: number, message: string): void {
    if (this.stats.warnings.length < MAX_WARNINGS) this.stats.warnings.push({ file: this.stats.file, offset, message });
  }

  finish(): void {
    if (this.stats.packets > 0) {
      this.stats.firstTimestampMicros = this.firstMicros;
      this.stats.lastTimestampMicros = this.lastMicros;
    }
    this.linkCounts.forEach((count, linkType) => {
      if (count > 0) this.stats.linkTypes[linkTypeName(linkType)] = count;
    });
  }
}
