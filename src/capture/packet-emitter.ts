import { isSupportedLinkType, linkTypeName } from "../wire/link-type.js";
import type { CaptureStats } from "./capture-stats.js";
import { decodePacket } from "./decode.js";
import { PacketView } from "./packet-view.js";

export type PacketHandler = (view: PacketView) => void;

const MAX_WARNINGS = 50;

/** Fills the one reused PacketView from a record, decodes it, keeps the statistics and calls the handler. */
export class PacketEmitter {
  readonly view = new PacketView();
  private readonly linkCounts = new Map<number, number>();

  constructor(
    private readonly stats: CaptureStats,
    private readonly handler: PacketHandler,
  ) {}

  emit(bytes: Uint8Array, start: number, captured: number, original: number, timestampMicros: number, linkType: number, interfaceIndex: number, recordOffset: number): void {
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
    view.recordOffset = recordOffset;
    view.packetNumber = stats.packets;
    if (stats.firstTimestampMicros === null) stats.firstTimestampMicros = timestampMicros;
    stats.lastTimestampMicros = timestampMicros;
    if (captured < original) stats.snaplenTruncated++;
    this.linkCounts.set(linkType, (this.linkCounts.get(linkType) ?? 0) + 1);
    if (!isSupportedLinkType(linkType)) {
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
    for (const [linkType, count] of this.linkCounts) this.stats.linkTypes[linkTypeName(linkType)] = count;
  }
}
