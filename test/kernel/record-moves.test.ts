// recordMoves: false changes nothing but the move lists: same outcomes, replies and counters.
import { describe, expect, it } from "vitest";
import { ACK, FIN, type SegmentResult } from "../../src/kernel/index.js";
import { PORT, SERVER, finAck, listenerWith, thirdAck } from "./factories.js";

function handshakes(recordMoves: boolean): { results: SegmentResult[]; counters: Record<string, number> } {
  const f = listenerWith({ kernel: "3.10", backlog: 2, sysctls: { "net.ipv4.tcp_tw_recycle": 1 }, host: { recordMoves } });
  const results: SegmentResult[] = [];
  for (let i = 0; i < 6; i++) {
    const r = f.host.receive(f.syn({ sport: 40000 + i, seq: 1000 * i, tsval: 5000 - 700 * i }), i * 10);
    results.push(r);
    const sa = r.replies[0];
    if (sa !== undefined) results.push(f.host.receive(thirdAck(sa), i * 10 + 1));
    const child = f.host.accept(SERVER, PORT);
    if (child !== undefined) {
      const [fin] = f.host.close(child, i * 10 + 2);
      if (fin !== undefined) {
        results.push(f.host.receive(finAck({ sport: child.rport, seq: fin.ack, ack: fin.seq + 1, flags: FIN | ACK, hasTs: true, tsval: 6000 - 700 * i, tsecr: fin.tsval }), i * 10 + 3));
      }
    }
  }
  f.host.advance(120_000);
  return { results, counters: f.host.counters() };
}

describe("recordMoves", () => {
  it("off: identical outcomes, reasons, replies and counters; no move lists", () => {
    const on = handshakes(true);
    const off = handshakes(false);
    const strip = (r: SegmentResult) => ({ outcome: r.outcome, reason: r.reason, replies: r.replies });
    expect(off.results.map(strip)).toEqual(on.results.map(strip));
    expect(off.counters).toEqual(on.counters);
    expect(on.results.some((r) => r.moved.length > 0)).toBe(true);
    expect(off.results.every((r) => r.moved.length === 0)).toBe(true);
    expect(on.counters.TcpExtPAWSPassive).toBeGreaterThan(0);
  });
});
