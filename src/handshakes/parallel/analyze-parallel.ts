import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { emptyStats, type CaptureStats } from "../../capture/capture-stats.js";
import { PacketEmitter } from "../../capture/packet-emitter.js";
import { PCAP_FILE_HEADER_LEN, PCAP_MAGIC, PcapFormat } from "../../capture/pcap-format.js";
import { readChunk } from "../../capture/reader.js";
import type { PartitionResult } from "../tallies.js";
import type { TrackerOptions } from "../tracker.js";
import type { WorkerInit, WorkerResult } from "./messages.js";
import { CONTROL, MAX_PARTITIONS, SLOT_STATE, SharedChunks } from "./shared-chunks.js";

const CHUNK_BYTES = 4 * 1024 * 1024;
const SLOTS = 4;
const PCAP_MAGICS: readonly number[] = Object.values(PCAP_MAGIC);

export interface ParallelOptions extends TrackerOptions {
  threads: number;
  /** bytes per chunk (tests use small ones to cut records everywhere); default 4 MiB */
  chunkBytes?: number;
  onProgress?: (fileIndex: number, bytesRead: number, totalBytes: number | null) => void;
}

export interface ParallelResult {
  partitions: PartitionResult[];
  stats: CaptureStats[];
  tcpPackets: number;
}

/**
 * Whether the parallel reader can take these inputs: plain (not compressed) classic pcap files, each with a
 * header that parses and a snapshot length no larger than the chunk size. Anything else (pcapng, gzip, stdin, a
 * broken header) takes the single-thread reader, which also reports errors.
 */
export function parallelReadable(paths: readonly string[], chunkBytes = CHUNK_BYTES): boolean {
  return paths.every((path) => pcapHeader(path, chunkBytes) !== null);
}

function pcapHeader(path: string, chunkBytes: number): Uint8Array | null {
  if (path === "-") return null;
  let fd = -1;
  try {
    fd = openSync(path, "r");
    if (!fstatSync(fd).isFile()) return null;
    const header = new Uint8Array(PCAP_FILE_HEADER_LEN);
    if (readSync(fd, header, 0, header.length, 0) !== header.length) return null;
    const magic = new DataView(header.buffer).getUint32(0, false);
    if (!PCAP_MAGICS.includes(magic)) return null;
    const format = framingFormat(path, header);
    // A chunk must hold a whole record (with the start of it carried over from the previous chunk).
    return format.recordLimit <= chunkBytes ? header : null;
  } catch {
    return null;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function framingFormat(path: string, header: Uint8Array): PcapFormat {
  const format = new PcapFormat(path, new PacketEmitter(emptyStats(path, "pcap", false), () => {}));
  format.record(header, 0, PCAP_FILE_HEADER_LEN, 0);
  return format;
}

/**
 * Analyzes pcap files with `threads` workers that each track one partition of the clients (tracker.ts). This
 * thread reads the files in chunks of whole records into shared memory (the next read runs in libuv's pool)
 * and only walks record headers: for chunk boundaries, packet numbers and the sweep clock. Worker k decodes
 * chunks k, k + threads, … into records for every partition; each worker's tracker reads its partition's records
 * of every chunk in order. The merged result equals a single tracker's (merge-partitions.ts).
 */
export async function analyzeInParallel(paths: readonly string[], options: ParallelOptions): Promise<ParallelResult> {
  const threads = Math.max(1, Math.min(MAX_PARTITIONS, options.threads));
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const headers = paths.map((path) => pcapHeader(path, chunkBytes));
  if (headers.some((h) => h === null)) throw new Error("analyzeInParallel: inputs not readable in parallel");
  const shared = SharedChunks.create(SLOTS, chunkBytes, threads);
  const trackerOptions: TrackerOptions = {};
  if (options.server !== undefined) trackerOptions.server = options.server;
  if (options.port !== undefined) trackerOptions.port = options.port;
  if (options.keepAttempts !== undefined) trackerOptions.keepAttempts = options.keepAttempts;
  const files = paths.map((path, i) => ({ path, header: headers[i] as Uint8Array }));

  let failure: unknown = null;
  const workers: Worker[] = [];
  const results = Array.from({ length: threads }, (_, partition) => {
    const init: WorkerInit = { chunks: shared.init, partition, options: trackerOptions, files };
    const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: init });
    workers.push(worker);
    return new Promise<WorkerResult>((resolve, reject) => {
      worker.once("message", (message: WorkerResult) => resolve(message));
      worker.once("error", (error) => {
        failure ??= error;
        abort(shared);
        reject(error);
      });
      worker.once("exit", (code) => reject(new Error(`analysis worker ${partition} stopped (exit code ${code})`)));
    });
  });
  // Rejections are collected below; until then keep them from counting as unhandled.
  for (const r of results) r.catch(() => {});

  const warnings: CaptureStats["warnings"][] = paths.map(() => []);
  const sizes: number[] = [];
  try {
    // The timestamp of the packet before each chunk: the workers' sweep clocks continue from it.
    let previousMicros = Number.NaN;
    let chunk = 0;
    let packets = 0;
    for (const [fileIndex, path] of paths.entries()) {
      const fd = openSync(path, "r");
      try {
        const size = fstatSync(fd).size;
        sizes.push(size);
        const framing = framingFormat(path, files[fileIndex]?.header as Uint8Array);
        let position = PCAP_FILE_HEADER_LEN;
        let carry = new Uint8Array(0);
        while (true) {
          const slot = shared.slotOf(chunk);
          await waitUntilFree(shared, slot, () => failure);
          const input = shared.inputs[slot] as Uint8Array;
          input.set(carry, 0);
          const got = await readInto(path, fd, input, carry.length, position);
          const filled = carry.length + got;
          const start = position - carry.length;
          position += got;
          if (got === 0) {
            if (filled > 0) warnings[fileIndex]?.push(truncatedWarning(path, framing, carry, start));
            break;
          }
          const end = framing.frame(input, 0, filled, start);
          carry = input.slice(end, filled);
          if (end > 0) {
            shared.publish(chunk++, end, fileIndex, packets, previousMicros, start);
            packets += framing.framedRecords;
            previousMicros = framing.lastFramedMicros;
          }
          options.onProgress?.(fileIndex, position, size);
        }
      } finally {
        closeSync(fd);
      }
    }
    Atomics.store(shared.control, CONTROL.allPublished, 1);
    shared.signal();
    const done = await Promise.all(results);
    return { partitions: done.map((r) => r.partition), stats: mergeStats(paths, sizes, warnings, done), tcpPackets: done.reduce((sum, r) => sum + r.tcpPackets, 0) };
  } catch (error) {
    abort(shared);
    throw failure ?? error;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function abort(shared: SharedChunks): void {
  Atomics.store(shared.control, CONTROL.abort, 1);
  shared.signal();
}

/** Atomics.waitAsync (Node ≥ 16), which TypeScript's ES2022 library does not declare. */
interface AtomicsWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: boolean; value: Promise<string> | string };
}

async function waitUntilFree(shared: SharedChunks, slot: number, failure: () => unknown): Promise<void> {
  while (true) {
    const failed = failure();
    if (failed) throw failed;
    const seen = Atomics.load(shared.control, CONTROL.signal);
    if (shared.state(slot) === SLOT_STATE.free) return;
    const wait = (Atomics as unknown as AtomicsWaitAsync).waitAsync(shared.control, CONTROL.signal, seen, 1000);
    if (wait.async) await wait.value;
  }
}

/** Fills input[from…] from the file at `position`; returns the bytes read (0 at the end). */
async function readInto(path: string, fd: number, input: Uint8Array, from: number, position: number): Promise<number> {
  let total = 0;
  while (from + total < input.length) {
    const got = await readChunk(path, fd, input, position + total, from + total);
    if (got === 0) break;
    total += got;
  }
  return total;
}

/** The single-thread reader's warning for a record cut off by the end of the file. */
function truncatedWarning(path: string, framing: PcapFormat, carry: Uint8Array, offset: number): CaptureStats["warnings"][number] {
  const expected = carry.length >= framing.headerBytes() ? framing.recordLength(carry, 0, offset) : -1;
  const of = expected > 0 ? ` of ${expected}` : "";
  return { file: path, offset, message: `last record truncated: ${carry.length}${of} bytes present; ignored` };
}

/** One CaptureStats per file from the workers' shares: counts add up, the first and last packet by chunk order. */
function mergeStats(paths: readonly string[], sizes: readonly number[], warnings: ReadonlyArray<CaptureStats["warnings"]>, results: readonly WorkerResult[]): CaptureStats[] {
  return paths.map((path, fileIndex) => {
    const merged = emptyStats(path, "pcap", false);
    merged.bytes = sizes[fileIndex] ?? 0;
    merged.warnings = [...(warnings[fileIndex] ?? [])];
    const shares = results.flatMap((r) => r.files.filter((f) => f.fileIndex === fileIndex));
    for (const { stats } of shares) {
      merged.packets += stats.packets;
      merged.snaplenTruncated += stats.snaplenTruncated;
      merged.headerTruncated += stats.headerTruncated;
      merged.fragments += stats.fragments;
      merged.malformed += stats.malformed;
      merged.nonIp += stats.nonIp;
      merged.unsupportedLinkType += stats.unsupportedLinkType;
      for (const [name, count] of Object.entries(stats.linkTypes)) merged.linkTypes[name] = (merged.linkTypes[name] ?? 0) + count;
      merged.warnings.push(...stats.warnings);
    }
    const first = shares.reduce<(typeof shares)[number] | null>((best, s) => (best === null || s.firstChunk < best.firstChunk ? s : best), null);
    const last = shares.reduce<(typeof shares)[number] | null>((best, s) => (best === null || s.lastChunk > best.lastChunk ? s : best), null);
    merged.firstTimestampMicros = first?.stats.firstTimestampMicros ?? null;
    merged.lastTimestampMicros = last?.stats.lastTimestampMicros ?? null;
    return merged;
  });
}
