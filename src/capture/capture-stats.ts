import type { InputWarning } from "../util/errors.js";

/** What reading one capture file found, besides the packets themselves. */
export interface CaptureStats {
  file: string;
  format: "pcap" | "pcapng";
  compressed: boolean;
  /** bytes of the (decompressed) capture */
  bytes: number;
  packets: number;
  /** records whose captured length is below the original length (snaplen); decoded as far as they go */
  snaplenTruncated: number;
  /** records cut before a header nosynack needed */
  headerTruncated: number;
  fragments: number;
  malformed: number;
  nonIp: number;
  /** packets per link-type name */
  linkTypes: Record<string, number>;
  /** packets skipped because their link type is not decoded */
  unsupportedLinkType: number;
  firstTimestampMicros: number | null;
  lastTimestampMicros: number | null;
  warnings: InputWarning[];
}

export function emptyStats(file: string, format: "pcap" | "pcapng", compressed: boolean): CaptureStats {
  return {
    file,
    format,
    compressed,
    bytes: 0,
    packets: 0,
    snaplenTruncated: 0,
    headerTruncated: 0,
    fragments: 0,
    malformed: 0,
    nonIp: 0,
    linkTypes: {},
    unsupportedLinkType: 0,
    firstTimestampMicros: null,
    lastTimestampMicros: null,
    warnings: [],
  };
}
