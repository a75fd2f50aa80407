import { run } from "./exec.js";

/**
 * An independent reading of a lab capture through tshark, so lab tests and notes do not depend on our own
 * capture reader (which they help to test).
 */
export interface WirePacket {
  readonly time: number;
  readonly kind: "tcp" | "icmp" | "arp";
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  readonly ttl: number;
  readonly flags: number;
  readonly seq: number;
  readonly ack: number;
  readonly tsval: number | null;
  /** tshark's verdict on the TCP checksum (checked with tcp.check_checksum); offloaded sends look bad too. */
  readonly checksumBad: boolean;
  readonly arpOp: number;
}

export const FLAG = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

export type FirstReply = "synack" | "ack" | "rst" | "icmp" | "none";

export interface WireSummary {
  readonly packets: number;
  /** SYNs (without ACK), retransmissions included. */
  readonly syns: number;
  /** Distinct (4-tuple, ISN). */
  readonly attempts: number;
  readonly synRetransmits: number;
  readonly synacks: number;
  readonly firstReply: Record<FirstReply, number>;
  /** RSTs sent by the side that received the SYNs. */
  readonly serverRsts: number;
  /** RSTs sent by the side that sent the SYNs. */
  readonly clientRsts: number;
  readonly icmp: number;
  readonly arpRequests: number;
  /** TCP packets towards the SYN receiver with a wrong checksum (its own offloaded sends are not counted). */
  readonly badChecksums: number;
  /** SYNs carrying a TCP timestamp option. */
  readonly synsWithTimestamp: number;
  /** TTLs of the SYNs as seen in this capture. */
  readonly synTtls: readonly number[];
  /** Attempts whose first reply was a bare ACK followed by a SYN-ACK later on the same 4-tuple. */
  readonly ackThenSynack: number;
  /** Attempts on a 4-tuple that an earlier attempt used less than 60 s (TCP_TIMEWAIT_LEN) before. */
  readonly reusedTuples: number;
}

const FIELDS = [
  "frame.time_relative", "ip.src", "ip.dst", "ip.ttl", "tcp.srcport", "tcp.dstport", "tcp.flags",
  "tcp.seq_raw", "tcp.ack_raw", "tcp.options.timestamp.tsval", "tcp.checksum.status", "icmp.type", "arp.opcode",
];

export async function readWire(pcap: string): Promise<WirePacket[]> {
  const args = ["-r", pcap, "-n", "-o", "tcp.check_checksum:TRUE", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f"];
  for (const f of FIELDS) args.push("-e", f);
  const result = await run("tshark", args, { timeoutMs: 120_000 });
  const packets: WirePacket[] = [];
  for (const line of result.stdout.split("\n")) {
    if (line === "") continue;
    const c = line.split("\t");
    const num = (i: number): number => Number(c[i] ?? "") || 0;
    const kind = c[12] ? "arp" : c[11] ? "icmp" : c[4] ? "tcp" : null;
    if (kind === null) continue;
    packets.push({
      time: num(0),
      kind,
      src: c[1] ?? "",
      dst: c[2] ?? "",
      ttl: num(3),
      sport: num(4),
      dport: num(5),
      flags: Number.parseInt(c[6] || "0", 16),
      seq: num(7),
      ack: num(8),
      tsval: c[9] ? Number(c[9]) : null,
      checksumBad: c[10] === "0",
      arpOp: num(12),
    });
  }
  return packets;
}

const isSyn = (p: WirePacket): boolean => p.kind === "tcp" && (p.flags & (FLAG.SYN | FLAG.ACK)) === FLAG.SYN;
const isSynAck = (p: WirePacket): boolean => p.kind === "tcp" && (p.flags & (FLAG.SYN | FLAG.ACK)) === (FLAG.SYN | FLAG.ACK);

export function summarizeWire(packets: readonly WirePacket[]): WireSummary {
  const syns = packets.filter(isSyn);
  const servers = new Set(syns.map((p) => p.dst));
  const clients = new Set(syns.map((p) => p.src));
  const attempts = new Map<string, { index: number; src: string; sport: number; dst: string; dport: number }>();
  const lastUse = new Map<string, number>();
  let reusedTuples = 0;
  packets.forEach((p, index) => {
    if (!isSyn(p)) return;
    const tuple = `${p.src}:${p.sport}>${p.dst}:${p.dport}`;
    const key = `${tuple}#${p.seq}`;
    if (attempts.has(key)) return;
    attempts.set(key, { index, src: p.src, sport: p.sport, dst: p.dst, dport: p.dport });
    const last = lastUse.get(tuple);
    if (last !== undefined && p.time - last < 60) reusedTuples++;
    lastUse.set(tuple, p.time);
  });
  const firstReply: Record<FirstReply, number> = { synack: 0, ack: 0, rst: 0, icmp: 0, none: 0 };
  let ackThenSynack = 0;
  for (const a of attempts.values()) {
    let reply: FirstReply = "none";
    let sawAck = false;
    for (let i = a.index + 1; i < packets.length; i++) {
      const p = packets[i];
      if (p === undefined) continue;
      const fromServer = p.src === a.dst && p.dst === a.src && p.sport === a.dport && p.dport === a.sport;
      const icmpAbout = p.kind === "icmp" && p.dst === a.src && p.sport === a.sport && p.dport === a.dport;
      if (icmpAbout && reply === "none") {
        reply = "icmp";
        break;
      }
      if (p.kind !== "tcp" || !fromServer) continue;
      if (reply === "none") {
        reply = isSynAck(p) ? "synack" : p.flags & FLAG.RST ? "rst" : "ack";
        if (reply !== "ack") break;
        sawAck = true;
      } else if (sawAck && isSynAck(p)) {
        ackThenSynack++;
        break;
      }
    }
    firstReply[reply]++;
  }
  const rstFrom = (set: Set<string>): number =>
    packets.filter((p) => p.kind === "tcp" && p.flags & FLAG.RST && set.has(p.src)).length;
  return {
    packets: packets.length,
    syns: syns.length,
    attempts: attempts.size,
    synRetransmits: syns.length - attempts.size,
    synacks: packets.filter(isSynAck).length,
    firstReply,
    serverRsts: rstFrom(servers),
    clientRsts: rstFrom(clients),
    icmp: packets.filter((p) => p.kind === "icmp").length,
    arpRequests: packets.filter((p) => p.kind === "arp" && p.arpOp === 1).length,
    badChecksums: packets.filter((p) => p.kind === "tcp" && p.checksumBad && servers.has(p.dst)).length,
    synsWithTimestamp: syns.filter((p) => p.tsval !== null).length,
    synTtls: [...new Set(syns.map((p) => p.ttl))].sort((x, y) => x - y),
    ackThenSynack,
    reusedTuples,
  };
}
