/**
 * TCP options (RFC 9293 §3.2, RFC 7323, RFC 2018, RFC 2385). Parsed into a caller-owned record that is reset
 * in place, so the hot path allocates nothing. Unknown kinds are kept; malformed options are flagged, not thrown.
 */
export const TCP_OPTION = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WINDOW_SCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMPS: 8,
  MD5: 19,
  AUTH: 29, // TCP-AO
  FAST_OPEN: 34,
} as const;

export class TcpOptions {
  /** -1 when absent */
  mss = -1;
  /** -1 when absent */
  windowScale = -1;
  sackPermitted = false;
  hasTimestamps = false;
  tsVal = 0;
  tsEcr = 0;
  hasMd5 = false;
  /** kinds that nosynack does not interpret, in order of appearance */
  unknownKinds: number[] = [];
  /** a length byte that is missing, below 2, past the header, or wrong for its kind */
  malformed = false;

  reset(): void {
    this.mss = -1;
    this.windowScale = -1;
    this.sackPermitted = false;
    this.hasTimestamps = false;
    this.tsVal = 0;
    this.tsEcr = 0;
    this.hasMd5 = false;
    // Setting length is a runtime call even on an empty array; nearly every packet has no unknown kind.
    if (this.unknownKinds.length !== 0) this.unknownKinds.length = 0;
    this.malformed = false;
  }
}

/** Expected length of the fixed-size options; 0 means variable. */
function fixedLength(kind: number): number {
  switch (kind) {
    case TCP_OPTION.MSS:
      return 4;
    case TCP_OPTION.WINDOW_SCALE:
      return 3;
    case TCP_OPTION.SACK_PERMITTED:
      return 2;
    case TCP_OPTION.TIMESTAMPS:
      return 10;
    case TCP_OPTION.MD5:
      return 18;
    default:
      return 0;
  }
}

/**
 * Parses options in b[start, end) into out (reset first). Options past the captured bytes count as malformed
 * only when the header claims them and they were captured; the caller passes end = min(header end, captured end)
 * and sets `truncated` when the capture cut the header.
 */
export function parseTcpOptions(b: Uint8Array, start: number, end: number, out: TcpOptions): void {
  out.reset();
  let o = start;
  while (o < end) {
    const kind = b[o] as number;
    if (kind === TCP_OPTION.EOL) return;
    if (kind === TCP_OPTION.NOP) {
      o++;
      continue;
    }
    if (o + 1 >= end) {
      out.malformed = true;
      return;
    }
    const len = b[o + 1] as number;
    if (len < 2 || o + len > end) {
      out.malformed = true;
      return;
    }
    const want = fixedLength(kind);
    if (want !== 0 && len !== want) {
      out.malformed = true;
    } else {
      switch (kind) {
        case TCP_OPTION.MSS:
          out.mss = ((b[o + 2] as number) << 8) | (b[o + 3] as number);
          break;
        case TCP_OPTION.WINDOW_SCALE:
          out.windowScale = b[o + 2] as number;
          break;
        case TCP_OPTION.SACK_PERMITTED:
          out.sackPermitted = true;
          break;
        case TCP_OPTION.TIMESTAMPS:
          out.hasTimestamps = true;
          out.tsVal = (((b[o + 2] as number) << 24) | ((b[o + 3] as number) << 16) | ((b[o + 4] as number) << 8) | (b[o + 5] as number)) >>> 0;
          out.tsEcr = (((b[o + 6] as number) << 24) | ((b[o + 7] as number) << 16) | ((b[o + 8] as number) << 8) | (b[o + 9] as number)) >>> 0;
          break;
        case TCP_OPTION.MD5:
          out.hasMd5 = true;
          break;
        case TCP_OPTION.SACK:
          break;
        default:
          out.unknownKinds.push(kind);
      }
    }
    o += len;
  }
}
