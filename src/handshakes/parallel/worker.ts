/**
 * A worker of the parallel analysis (analyze-parallel.ts): decodes every `partitions`-th chunk into tracker
 * records for all partitions, and tracks its own partition over all chunks in order. Decoding comes first
 * whenever a chunk is waiting for it, so the reading thread and the other worker never wait on this one in vain.
 */
import { parentPort, workerData } from "node:worker_threads";
import { emptyStats, type CaptureStats } from "../../capture/capture-stats.js";
import { PacketEmitter } from "../../capture/packet-emitter.js";
import { PCAP_FILE_HEADER_LEN, PcapFormat } from "../../capture/pcap-format.js";
import { PacketRecord, type RecordBuffer } from "../packet-record.js";
import { PacketRouter } from "../packet-router.js";
import { HandshakeTracker } from "../tracker.js";
import { CONTROL, SLOT_STATE, SharedChunks } from "./shared-chunks.js";
import type { WorkerInit, WorkerResult, FileDecodeStats } from "./messages.js";

const init = workerData as WorkerInit;
const shared = new SharedChunks(init.chunks);
const partitions = init.chunks.partitions;
const me = init.partition;
const tracker = new HandshakeTracker(init.options, { index: me, count: partitions });
const record = new PacketRecord();
const routers = shared.outputs.map((outputs) => new PacketRouter(outputs));
let routing = routers[0] as PacketRouter;
const files = new Map<number, { format: PcapFormat; emitter: PacketEmitter; stats: CaptureStats; firstChunk: number; lastChunk: number }>();

function fileState(index: number) {
  let state = files.get(index);
  if (!state) {
    const file = init.files[index] as WorkerInit["files"][number];
    const stats = emptyStats(file.path, "pcap", false);
    const emitter = new PacketEmitter(stats, (view) => routing.route(view));
    const format = new PcapFormat(file.path, emitter);
    format.record(file.header, 0, PCAP_FILE_HEADER_LEN, 0);
    state = { format, emitter, stats, firstChunk: Number.POSITIVE_INFINITY, lastChunk: -1 };
    files.set(index, state);
  }
  return state;
}

function decode(chunk: number): void {
  const slot = shared.slotOf(chunk);
  const info = shared.chunkInfo(slot);
  const file = fileState(info.fileIndex);
  const router = routers[slot] as PacketRouter;
  router.positions.fill(0);
  router.packetIndex = info.firstPacket;
  router.sweep.follow(info.previousMicros);
  routing = router;
  const end = file.format.records(shared.inputs[slot] as Uint8Array, 0, info.inputBytes, info.fileOffset);
  if (end !== info.inputBytes) throw new Error(`chunk ${chunk} does not end on a record boundary (${end} of ${info.inputBytes})`);
  if (router.positions.some((words) => words > shared.outputCapacity)) throw new Error(`chunk ${chunk}: records overflowed their buffer`);
  file.firstChunk = Math.min(file.firstChunk, chunk);
  file.lastChunk = Math.max(file.lastChunk, chunk);
  shared.decoded(slot, router.positions);
}

function track(chunk: number): void {
  const slot = shared.slotOf(chunk);
  const words = shared.outputWords(slot, me);
  const buffer = (shared.outputs[slot] as RecordBuffer[])[me] as RecordBuffer;
  for (let at = 0; at < words; ) {
    at = record.load(buffer, at);
    tracker.observe(record);
  }
  shared.consumed(slot);
}

function run(): void {
  const control = shared.control;
  let nextDecode = me;
  let nextTrack = 0;
  while (Atomics.load(control, CONTROL.abort) === 0) {
    const seen = Atomics.load(control, CONTROL.signal);
    const published = Atomics.load(control, CONTROL.published);
    let progressed = false;
    if (nextDecode < published) {
      decode(nextDecode);
      nextDecode += partitions;
      progressed = true;
    }
    if (nextTrack < published && shared.state(shared.slotOf(nextTrack)) === SLOT_STATE.decoded) {
      track(nextTrack);
      nextTrack++;
      progressed = true;
    }
    if (progressed) continue;
    if (Atomics.load(control, CONTROL.allPublished) === 1 && nextTrack >= Atomics.load(control, CONTROL.published)) break;
    Atomics.wait(control, CONTROL.signal, seen, 1000);
  }
  if (Atomics.load(control, CONTROL.abort) !== 0) return;
  const decoded: FileDecodeStats[] = [...files].map(([fileIndex, f]) => {
    f.emitter.finish();
    return { fileIndex, stats: f.stats, firstChunk: f.firstChunk, lastChunk: f.lastChunk };
  });
  const result: WorkerResult = { partition: tracker.finish(), files: decoded, tcpPackets: routers.reduce((sum, r) => sum + r.tcpPackets, 0) };
  parentPort?.postMessage(result);
}

run();
