import { closeSync, openSync, writeSync } from "node:fs";
import { putU16le, putU32le } from "../util/bytes.js";
import { OutputError } from "../util/errors.js";
import { LINKTYPE } from "../wire/link-type.js";

export interface PcapWriterOptions {
  /** default LINKTYPE.ETHERNET */
  linkType?: number;
  /** frames longer than this are cut, their original length kept, as tcpdump -s does; default 262144 */
  snaplen?: number;
  /** nanosecond-resolution magic (0xa1b23c4d) instead of microseconds */
  nanoseconds?: boolean;
}

const BUFFER_SIZE = 1 << 20;

/**
 * Writes a classic little-endian pcap file, buffered in 1 MiB blocks. Timestamps are microseconds since the epoch
 * (a number; fractional microseconds are kept only in nanosecond files).
 */
export class PcapWriter {
  private readonly buffer = new Uint8Array(BUFFER_SIZE);
  private used = 0;
  private readonly snaplen: number;
  private readonly nanoseconds: boolean;
  private closed = false;
  packets = 0;

  private constructor(
    private readonly fd: number,
    private readonly path: string,
    private readonly what: string,
    options: PcapWriterOptions,
  ) {
    this.snaplen = options.snaplen ?? 262144;
    this.nanoseconds = options.nanoseconds ?? false;
    const header = new Uint8Array(24);
    putU32le(header, 0, this.nanoseconds ? 0xa1b23c4d : 0xa1b2c3d4);
    putU16le(header, 4, 2);
    putU16le(header, 6, 4);
    putU32le(header, 16, this.snaplen);
    putU32le(header, 20, options.linkType ?? LINKTYPE.ETHERNET);
    this.append(header);
  }

  /** `what` names the file in errors (the option that chose it, e.g. "--pcap"). */
  static open(path: string, options: PcapWriterOptions = {}, what = "capture"): PcapWriter {
    let fd: number;
    try {
      fd = openSync(path, "w");
    } catch (error) {
      throw new OutputError(what, path, error);
    }
    return new PcapWriter(fd, path, what, options);
  }

  write(timestampMicros: number, frame: Uint8Array): void {
    const seconds = Math.floor(timestampMicros / 1e6);
    const fraction = this.nanoseconds
      ? Math.round((timestampMicros - seconds * 1e6) * 1000)
      : Math.round(timestampMicros - seconds * 1e6);
    const captured = Math.min(frame.length, this.snaplen);
    if (this.used + 16 + captured > BUFFER_SIZE) this.flush();
    const b = this.buffer;
    putU32le(b, this.used, seconds);
    putU32le(b, this.used + 4, fraction);
    putU32le(b, this.used + 8, captured);
    putU32le(b, this.used + 12, frame.length);
    this.used += 16;
    if (captured > BUFFER_SIZE) {
      this.flush();
      this.writeAll(frame.subarray(0, captured));
    } else {
      b.set(captured === frame.length ? frame : frame.subarray(0, captured), this.used);
      this.used += captured;
    }
    this.packets++;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    closeSync(this.fd);
    this.closed = true;
  }

  private append(bytes: Uint8Array): void {
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
  }

  private flush(): void {
    this.writeAll(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private writeAll(bytes: Uint8Array): void {
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
    } catch (error) {
      throw new OutputError(this.what, this.path, error);
    }
  }
}
