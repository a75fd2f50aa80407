/**
 * Per-attempt first replies from a server-side capture, read the same way (tshark) for the lab's capture and
 * the simulator's, so both sides are classified by one piece of code that is not the product's own reader.
 *
 * An attempt is a distinct (4-tuple, ISN); its first reply is the first segment the server sent to that
 * 4-tuple after the attempt's first SYN: SYN-ACK, RST, another ACK (TIME_WAIT), or none. Attempts are ordered
 * by the time of their first SYN; the comparison matches the lab's i-th attempt with the simulator's i-th
 * (4-tuples cannot match: ephemeral ports and ISNs are random on both sides).
 */
import { run } from "../exec.js";

export type FirstReply = "synack" | "ack" | "rst" | "none";

export interface Attempt {
  /** Epoch seconds (lab) or simulated seconds (simulator) of the first SYN. */
  readonly time: number;
  readonly src: string;
  readonly sport: number;
  readonly isn: number;
  /** TSval of the first SYN, or null without a TS option. */
  readonly tsval: number | null;
  readonly syns: number;
  readonly reply: FirstReply;
}

interface Packet {
  readonly time: number;
  readonly src: string;
  readonly dst: string;
  readonly sport: number;
  readonly dport: number;
  readonly flags: number;
  readonly seq: number;
  readonly tsval: number | null;
}

const SYN = 0x02;
const RST = 0x04;
const ACK = 0x10;
const FIELDS = ["frame.time_epoch", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.options.timestamp.tsval"];

export async function readPackets(pcap: string): Promise<Packet[]> {
  const args = ["-r", pcap, "-n", "-Y", "tcp", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=f"];
  for (const f of FIELDS) args.push("-e", f);
  const result = await run("tshark", args, { timeoutMs: 60_000 });
  const packets: Packet[] = [];
  for (const line of result.stdout.split("\n")) {
    const c = line.split("\t");
    if (c.length < FIELDS.length || c[3] === "") continue;
    packets.push({
      time: Number(c[0]),
      src: c[1] ?? "",
      dst: c[2] ?? "",
      sport: Number(c[3]),
      dport: Number(c[4]),
      flags: Number.parseInt(c[5] || "0", 16),
      seq: Number(c[6]),
      tsval: c[7] ? Number(c[7]) : null,
    });
  }
  // The simulator writes a timer's reply when it is computed; order by time (stable) as a capture would.
  return packets.map((p, i) => ({ p, i })).sort((a, b) => a.p.time - b.p.time || a.i - b.i).map(({ p }) => p);
}

/** Attempts towards `port`, in order of their first SYN. */
export function attemptsOf(packets: readonly Packet[], port: number): Attempt[] {
  interface Open {
    time: number;
    src: string;
    sport: number;
    isn: number;
    tsval: number | null;
    syns: number;
    reply: FirstReply;
  }
  const byKey = new Map<string, Open>();
  const order: Open[] = [];
  /** The newest attempt per 4-tuple: a server segment to that tuple answers it. */
  const current = new Map<string, Open>();
  for (const p of packets) {
    if (p.dport === port && (p.flags & (SYN | ACK)) === SYN) {
      const tuple = `${p.src}:${p.sport}`;
      const key = `${tuple}#${p.seq}`;
      const seen = byKey.get(key);
      if (seen) {
        seen.syns++;
        continue;
      }
      const a: Open = { time: p.time, src: p.src, sport: p.sport, isn: p.seq, tsval: p.tsval, syns: 1, reply: "none" };
      byKey.set(key, a);
      order.push(a);
      current.set(tuple, a);
      continue;
    }
    if (p.sport !== port) continue;
    const a = current.get(`${p.dst}:${p.dport}`);
    if (!a || a.reply !== "none") continue;
    a.reply = (p.flags & (SYN | ACK)) === (SYN | ACK) ? "synack" : p.flags & RST ? "rst" : "ack";
  }
  return order;
}

export async function readAttempts(pcap: string, port: number): Promise<Attempt[]> {
  return attemptsOf(await readPackets(pcap), port);
}
