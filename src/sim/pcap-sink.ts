/**
 * The server-side capture of a simulation: each segment at the server's interface becomes an Ethernet frame
 * with real IPv4/TCP headers, options and checksums (src/wire/build.ts) in a classic pcap file.
 */
import { PcapWriter } from "../capture/pcap-writer.js";
import type { Segment } from "../kernel/types.js";
import { buildTcpFrame, type TcpFrameSpec } from "../wire/build.js";
import { numberToIpv4 } from "./addr.js";
import type { PacketSink } from "./simulator.js";

/** Simulated time 0 on the wall clock of captures and bundles: 2026-01-01T00:00:00Z (fixed: same bytes per seed). */
export const SIM_EPOCH_US = Date.UTC(2026, 0, 1) * 1000;

// The server's NIC and its next hop (router, LVS director or NAT box).
const SERVER_MAC = Uint8Array.of(0x02, 0x53, 0x59, 0x4e, 0x00, 0x02);
const GATEWAY_MAC = Uint8Array.of(0x02, 0x53, 0x59, 0x4e, 0x00, 0x01);

export class PcapSink implements PacketSink {
  private readonly writer: PcapWriter;
  private readonly names = new Map<number, string>();
  private lastUs = 0;

  /** `what` names the file in errors (the option that chose it). */
  constructor(
    path: string,
    private readonly serverAddr: number,
    what: string,
  ) {
    this.writer = PcapWriter.open(path, {}, what);
  }

  get packets(): number {
    return this.writer.packets;
  }

  packet(atUs: number, seg: Segment): void {
    // Keep capture order monotonic even if a timer reply was computed a microsecond late.
    const t = Math.max(atUs, this.lastUs);
    this.lastUs = t;
    const outgoing = seg.saddr === this.serverAddr;
    const spec: TcpFrameSpec = {
      src: this.name(seg.saddr),
      dst: this.name(seg.daddr),
      sport: seg.sport,
      dport: seg.dport,
      seq: seg.seq,
      ack: seg.ack,
      flags: seg.flags,
      window: seg.window,
      ttl: seg.ttl,
      payloadLength: seg.len,
      srcMac: outgoing ? SERVER_MAC : GATEWAY_MAC,
      dstMac: outgoing ? GATEWAY_MAC : SERVER_MAC,
    };
    if (seg.mss > 0) spec.mss = seg.mss;
    if (seg.wscale >= 0) spec.windowScale = seg.wscale;
    if (seg.sackOk) spec.sackPermitted = true;
    if (seg.hasTs) spec.timestamps = { val: seg.tsval, ecr: seg.tsecr };
    if (!seg.csumOk) spec.badChecksum = true;
    this.writer.write(SIM_EPOCH_US + t, buildTcpFrame(spec));
  }

  close(): void {
    this.writer.close();
  }

  private name(addr: number): string {
    let text = this.names.get(addr);
    if (text === undefined) {
      text = numberToIpv4(addr);
      if (this.names.size < 65536) this.names.set(addr, text);
    }
    return text;
  }
}
