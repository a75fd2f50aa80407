import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { InputError } from "../util/errors.js";
import { GZIP_PIECE, gzipCorruptProblem } from "../util/gzip-fault.js";
import { emptyStats, type CaptureStats } from "./capture-stats.js";
import { Framer, type RecordFormat } from "./framer.js";
import { PacketEmitter, type PacketHandler } from "./packet-emitter.js";
import { PCAP_MAGIC, PcapFormat } from "./pcap-format.js";
import { PCAPNG_BLOCK, PcapngFormat } from "./pcapng-format.js";

export interface ReadCaptureOptions {
  /** called after each chunk with the raw bytes consumed so far and the file size (null for stdin) */
  onProgress?: (bytesRead: number, totalBytes: number | null) => void;
  /** read size for plain files, stdin and pipes; default 256 KiB (small enough to stay in the core's cache) */
  chunkSize?: number;
  /** the stream behind "-"; default process.stdin */
  stdin?: NodeJS.ReadableStream;
}

export interface ReadCapturesOptions {
  /** progress of the file at `fileIndex` (see ReadCaptureOptions.onProgress) */
  onProgress?: (fileIndex: number, bytesRead: number, totalBytes: number | null) => void;
  stdin?: NodeJS.ReadableStream;
}

/** Reads several captures, in the order given (rotated files), through one handler; their statistics in order. */
export async function readCaptures(paths: readonly string[], handler: PacketHandler, options: ReadCapturesOptions = {}): Promise<CaptureStats[]> {
  const stats: CaptureStats[] = [];
  for (const [index, path] of paths.entries()) {
    const readOptions: ReadCaptureOptions = {};
    const report = options.onProgress;
    if (report) readOptions.onProgress = (read, total) => report(index, read, total);
    if (options.stdin) readOptions.stdin = options.stdin;
    stats.push(await readCapture(path, handler, readOptions));
  }
  return stats;
}

const DEFAULT_CHUNK = 256 * 1024;
const YIELD_EVERY_BYTES = 16 << 20;
const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * Reads a pcap or pcapng capture (optionally gzip-compressed; "-" is stdin) and calls `handler` for every packet
 * with the reader's one reused PacketView. Files, stdin and pipes are read synchronously into one reused buffer;
 * gzip then goes through zlib's stream. Memory stays bounded by the chunk size and the largest record.
 * Throws InputError for files that cannot be read or understood; a truncated last record is a warning.
 */
export async function readCapture(path: string, handler: PacketHandler, options: ReadCaptureOptions = {}): Promise<CaptureStats> {
  if (path === "-") {
    if (options.stdin !== undefined) return readStream("stdin", options.stdin as Readable, null, handler, options);
    // A pipe (`tcpdump -w - | nosynack analyze -`) or a redirected file, read where it stands.
    return readSequential("stdin", 0, regularFileSize(0), handler, options);
  }
  const fd = openInput(path);
  try {
    // A regular file, or a pipe or FIFO (`analyze <(ssh host tcpdump -w - …)`), a socket or a device: no size.
    return await readSequential(path, fd, regularFileSize(fd), handler, options);
  } finally {
    closeSync(fd);
  }
}

/** The size of the regular file behind `fd`, or null (a pipe, a socket, a terminal, a closed descriptor). */
function regularFileSize(fd: number): number | null {
  try {
    const info = fstatSync(fd);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

function openInput(path: string): number {
  try {
    const fd = openSync(path, "r");
    if (fstatSync(fd).isDirectory()) {
      closeSync(fd);
      throw new InputError("unreadable", { file: path }, "is a directory", "a pcap or pcapng file");
    }
    return fd;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? "cannot open";
    throw new InputError("unreadable", { file: path }, `cannot open (${reason})`, "a readable pcap or pcapng file", { cause: error });
  }
}

/**
 * Reads a descriptor from where it stands to its end: files, pipes, FIFOs and stdin. Synchronous reads into one
 * small reused buffer: the kernel's copy leaves the chunk in this core's cache, where the decoder finds every record
 * header (reads done ahead on libuv's thread landed in another core's cache: 0.3 s against 0.1 s per GB for a plain
 * header walk), and nothing is allocated per read (Node's streams allocated a fresh 64 KiB buffer per pipe read,
 * which made a piped capture 3–6× slower than the same file). The kernel's readahead keeps a cold file streaming.
 * A gzip stream goes on to zlib as copies of the pieces read.
 */
async function readSequential(path: string, fd: number, size: number | null, handler: PacketHandler, options: ReadCaptureOptions): Promise<CaptureStats> {
  // A pipe read returns at most what the pipe holds (64 KiB by default); a redirected file fills the whole chunk.
  const buffer = new Uint8Array(options.chunkSize ?? DEFAULT_CHUNK);
  let consumed = 0;
  let got = 0;
  // Two bytes tell gzip from a plain capture.
  while (got < 2) {
    const more = readAvailable(path, fd, buffer, got, consumed + got);
    if (more === 0) break;
    got += more;
  }
  if (got >= 2 && buffer[0] === GZIP_MAGIC_0 && buffer[1] === GZIP_MAGIC_1) {
    const first = buffer.slice(0, got);
    consumed = got;
    const pieces = function* (): Generator<Uint8Array> {
      yield first;
      for (let n = readAvailable(path, fd, buffer, 0, consumed); n > 0; n = readAvailable(path, fd, buffer, 0, consumed)) {
        consumed += n;
        yield buffer.slice(0, n);
      }
    };
    return readStream(path, Readable.from(pieces()), size, handler, options, () => consumed);
  }
  const session = new ReadSession(path, false, handler);
  let yieldAt = YIELD_EVERY_BYTES;
  while (got > 0) {
    // The framer keeps no reference into a chunk after feed() returns, so the buffer can be refilled after it.
    session.feed(got === buffer.length ? buffer : buffer.subarray(0, got));
    consumed += got;
    options.onProgress?.(consumed, size);
    // Let timers (the progress bar) and signal handlers run now and then.
    if (consumed >= yieldAt) {
      yieldAt = consumed + YIELD_EVERY_BYTES;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    got = readAvailable(path, fd, buffer, 0, consumed);
  }
  return session.finish();
}

/** Waits when a non-blocking descriptor has nothing yet (EAGAIN). */
const pause = new Int32Array(new SharedArrayBuffer(4));

/** One read of what is there (blocking until something is, or the end: 0); `consumed` is for the error's offset. */
function readAvailable(path: string, fd: number, buffer: Uint8Array, at: number, consumed: number): number {
  while (true) {
    try {
      return readSync(fd, buffer, at, buffer.length - at, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EAGAIN") throw readError(path, consumed, error);
      Atomics.wait(pause, 0, 0, 2);
    }
  }
}

function readError(path: string, position: number, error: unknown): InputError {
  const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
  return new InputError("unreadable", { file: path, offset: position }, `read failed (${code})`, "a readable pcap or pcapng file", { cause: error });
}

async function readStream(
  path: string,
  raw: Readable,
  size: number | null,
  handler: PacketHandler,
  options: ReadCaptureOptions,
  rawBytesRead?: () => number,
): Promise<CaptureStats> {
  // Peek at the first two bytes to tell gzip from a plain capture (stdin may be either).
  const iterator = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first: Buffer[] = [];
  let peeked = 0;
  while (peeked < 2) {
    const step = await iterator.next();
    if (step.done) break;
    first.push(step.value);
    peeked += step.value.length;
  }
  const head = Buffer.concat(first);
  const gzip = head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
  const rest = (async function* () {
    let chunk: Buffer | undefined = head.length ? head : undefined;
    while (true) {
      if (chunk === undefined) {
        const step = await iterator.next();
        if (step.done) return;
        chunk = step.value;
      }
      // zlib counts the input it has consumed (bytesWritten) but does not say where in a write it failed: small
      // writes keep a gzip error's offset within GZIP_PIECE of the fault.
      const piece = gzip ? GZIP_PIECE : chunk.length;
      for (let at = 0; at < chunk.length; at += piece) yield chunk.subarray(at, at + piece);
      chunk = undefined;
    }
  })();
  const gunzip = gzip ? createGunzip({ chunkSize: 1 << 20 }) : null;
  const source: AsyncIterable<Buffer> = gunzip ? Readable.from(rest).pipe(gunzip) : rest;
  const name = gzip ? `${path} (gunzipped)` : path;
  const session = new ReadSession(name, gzip, handler);
  let consumed = 0;
  try {
    for await (const chunk of source) {
      consumed += chunk.length;
      session.feed(chunk);
      options.onProgress?.(rawBytesRead ? rawBytesRead() : consumed, size);
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    if (gunzip === null) throw readError(path, consumed, error);
    // A gzip file that ends early (a capture copied while still written, a pipeline stopped with Ctrl-C): zlib has
    // delivered everything before its trailer, so it is read like a plain capture cut short — with a warning.
    if ((error as NodeJS.ErrnoException).code === "Z_BUF_ERROR" && session.started) {
      return session.finish(`gzip stream cut short after ${gunzip.bytesWritten} compressed bytes: the end of the capture is missing`);
    }
    const message = error instanceof Error ? error.message : String(error);
    const problem = gzipCorruptProblem(message);
    throw new InputError("bad-format", { file: path, offset: gunzip.bytesWritten }, problem, "a complete gzip stream", { cause: error });
  }
  return session.finish();
}

/** Sniffs the format from the first bytes, then feeds a Framer; turns the end of input into warnings or errors. */
class ReadSession {
  private framer: Framer | null = null;
  private stats: CaptureStats | null = null;
  private emitter: PacketEmitter | null = null;
  private pending = new Uint8Array(0);

  constructor(
    private readonly file: string,
    private readonly compressed: boolean,
    private readonly handler: PacketHandler,
  ) {}

  feed(chunk: Uint8Array): void {
    if (this.framer) {
      this.framer.feed(chunk);
      return;
    }
    // Keep bytes until the 4-byte magic is known (only tiny first chunks take this path).
    const joined = new Uint8Array(this.pending.length + chunk.length);
    joined.set(this.pending);
    joined.set(chunk, this.pending.length);
    if (joined.length < 4) {
      this.pending = joined;
      return;
    }
    this.pending = new Uint8Array(0);
    this.framer = this.start(joined);
    this.framer.feed(joined);
  }

  /** Whether the format is known (the first bytes have been read). */
  get started(): boolean {
    return this.framer !== null;
  }

  /** Ends the input; `cutShort` is a warning about input that ended early (at the last byte read). */
  finish(cutShort?: string): CaptureStats {
    if (!this.framer || !this.stats || !this.emitter) {
      throw new InputError("bad-magic", { file: this.file, offset: 0 }, this.pending.length ? `only ${this.pending.length} bytes` : "empty input", "a pcap or pcapng capture");
    }
    const left = this.framer.leftover();
    const stats = this.stats;
    stats.bytes = this.framer.bytesFed;
    if (left.bytes > 0) {
      if (left.offset === 0) {
        throw new InputError("truncated", { file: this.file, offset: left.offset }, `${stats.format} file header cut short (${left.bytes} bytes)`, stats.format === "pcap" ? "a 24-byte pcap file header" : "a complete section header block");
      }
      const of = left.expected > 0 ? ` of ${left.expected}` : "";
      this.emitter.warn(left.offset, `last record truncated: ${left.bytes}${of} bytes present; ignored`);
    }
    if (cutShort !== undefined) this.emitter.warn(this.framer.bytesFed, cutShort);
    this.emitter.finish();
    return stats;
  }

  private start(head: Uint8Array): Framer {
    const magic = (((head[0] as number) << 24) | ((head[1] as number) << 16) | ((head[2] as number) << 8) | (head[3] as number)) >>> 0;
    let format: RecordFormat;
    if (magic === PCAPNG_BLOCK.SECTION_HEADER) {
      this.stats = emptyStats(this.file, "pcapng", this.compressed);
      this.emitter = new PacketEmitter(this.stats, this.handler);
      format = new PcapngFormat(this.file, this.emitter);
    } else if (Object.values(PCAP_MAGIC).includes(magic as (typeof PCAP_MAGIC)[keyof typeof PCAP_MAGIC])) {
      this.stats = emptyStats(this.file, "pcap", this.compressed);
      this.emitter = new PacketEmitter(this.stats, this.handler);
      format = new PcapFormat(this.file, this.emitter);
    } else if (this.compressed && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1) {
      throw new InputError("bad-magic", { file: this.file, offset: 0 }, "the gunzipped data is gzip again", "a pcap or pcapng inside one layer of gzip (gunzip the file once first)");
    } else {
      const hex = magic.toString(16).padStart(8, "0");
      throw new InputError("bad-magic", { file: this.file, offset: 0 }, `unknown file magic 0x${hex}`, "a pcap (a1b2c3d4 / a1b23c4d), pcapng (0a0d0d0a) or gzip (1f8b) file");
    }
    return new Framer(format);
  }
}
