/**
 * The reading thread of a parallel analysis drops plain ACKs that cannot be a first reply (pending-syns.ts). It must
 * never drop one a tracker would look at: checked here against a tracker in the same thread, packet by packet.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCapture } from "../../src/capture/reader.js";
import { PacketRecord, RECORD_KIND, RecordBuffer } from "../../src/handshakes/packet-record.js";
import { PacketRouter } from "../../src/handshakes/packet-router.js";
import { PendingSyns } from "../../src/handshakes/parallel/pending-syns.js";
import { HandshakeTracker } from "../../src/handshakes/tracker.js";
import { TCP_FLAG } from "../../src/wire/tcp.js";
import { CaptureBuilder } from "../helpers/capture-builder.js";

/**
 * Plain ACKs the tracker acted on as possible first replies (awaitsReply when it reads the record, after the sweep
 * that precedes it), and how many of them the pending SYNs would have held back.
 */
async function audit(path: string, pending = new PendingSyns()): Promise<{ wanted: number; dropped: number }> {
  const output = RecordBuffer.ofWords(2 * PacketRouter.MAX_WORDS_PER_PACKET);
  const router = new PacketRouter([output]);
  const tracker = new HandshakeTracker();
  const record = new PacketRecord();
  const counts = { wanted: 0, dropped: 0 };
  let passed = true;
  // Every plain ACK is routed; the pending SYNs' verdict is noted when it is routed, as in the reading thread.
  router.plainAckWanted = (_p, src, dst, sport, dport) => {
    passed = pending.mayAwait(src, dst, sport, dport);
    return true;
  };
  await readCapture(path, (view) => {
    pending.observe(view);
    router.route(view);
    for (let at = 0; at < (router.positions[0] as number); ) {
      at = record.load(output, at);
      const plainAck = record.kind === RECORD_KIND.tcp && (record.flags & (TCP_FLAG.SYN | TCP_FLAG.FIN | TCP_FLAG.RST)) === 0;
      if (plainAck && tracker.awaitsReply(record.srcKey, record.dstKey, record.sport, record.dport)) {
        counts.wanted++;
        if (!passed) counts.dropped++;
      }
      tracker.observe(record);
    }
    router.positions[0] = 0;
  });
  return counts;
}

const server = { addr: "198.18.0.10", port: 443 };
const client = { addr: "198.18.1.1", port: 40000 };

describe("pending SYNs: what the reading thread may hold back", () => {
  it("keeps a tuple through a SYN-ACK that acknowledges another ISN", async () => {
    const b = new CaptureBuilder();
    b.syn(1, client, server, 1000);
    b.synAck(1.1, server, client, 77, 1005);
    b.ack(1.2, server, client, 77, 1001);
    expect(await audit(b.write())).toEqual({ wanted: 1, dropped: 0 });
  });

  it("follows a new ISN on the same tuple from its own SYN, not the first one's", async () => {
    const b = new CaptureBuilder();
    b.syn(0, client, server, 1000);
    b.syn(100, client, server, 2000); // a new attempt: the first one's 180 s no longer count
    b.ack(183, server, client, 77, 2001);
    expect(await audit(b.write())).toEqual({ wanted: 1, dropped: 0 });
  });

  it("lets the tuple go once the SYN-ACK for the latest ISN passed, or the attempt expired", async () => {
    const b = new CaptureBuilder();
    b.syn(0, client, server, 1000);
    b.synAck(0.1, server, client, 77, 1000);
    b.ack(0.2, server, client, 77, 1001);
    b.syn(1, { ...client, port: 40001 }, server, 3000);
    b.ack(200, server, { ...client, port: 40001 }, 77, 3001);
    const path = b.write();
    expect(await audit(path)).toEqual({ wanted: 0, dropped: 0 });
  });

  it("gives up past its limit of tuples: from then on every plain ACK may await (bounded memory in a flood)", async () => {
    const b = new CaptureBuilder();
    for (let i = 0; i < 3; i++) b.syn(i, { ...client, port: 40000 + i }, server, 1000 + i);
    b.ack(5, server, { ...client, port: 40000 }, 77, 1001);
    const path = b.write();
    const roomy = new PendingSyns(10);
    expect(await audit(path, roomy)).toEqual({ wanted: 1, dropped: 0 });
    expect([roomy.givenUp, roomy.mayAwait(1, 2, 3, 4)]).toEqual([false, false]);
    const small = new PendingSyns(2);
    expect(await audit(path, small)).toEqual({ wanted: 1, dropped: 0 });
    expect([small.givenUp, small.mayAwait(1, 2, 3, 4)]).toEqual([true, true]);
  });

  it("never drops a plain ACK the tracker wants, whatever the order of SYNs, replies and gaps (property)", async () => {
    const step = fc.record({
      kind: fc.constantFrom("syn", "synack", "synack-wrong", "server-ack", "client-ack", "rst", "fin"),
      client: fc.integer({ min: 0, max: 1 }),
      isn: fc.integer({ min: 0, max: 1 }),
      gap: fc.constantFrom(0.001, 0.001, 0.001, 3, 90, 179.5, 200),
    });
    let wantedInAll = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
        const b = new CaptureBuilder();
        let at = 0;
        for (const { kind, client: c, isn, gap } of steps) {
          at += gap;
          const from = { addr: client.addr, port: 40000 + c };
          const clientIsn = 1000 * (isn + 1);
          if (kind === "syn") b.syn(at, from, server, clientIsn);
          else if (kind === "synack") b.synAck(at, server, from, 77, clientIsn);
          else if (kind === "synack-wrong") b.synAck(at, server, from, 77, clientIsn + 5);
          else if (kind === "server-ack") b.ack(at, server, from, 77, clientIsn + 1);
          else if (kind === "client-ack") b.ack(at, from, server, clientIsn + 1, 78);
          else if (kind === "rst") b.rst(at, server, from, 0, clientIsn + 1);
          else b.fin(at, server, from, 78, clientIsn + 1);
        }
        const { wanted, dropped } = await audit(b.write());
        wantedInAll += wanted;
        expect(dropped).toBe(0);
      }),
      { seed: 4, numRuns: 400 },
    );
    expect(wantedInAll, "the generated sequences do reach bare ACKs the tracker wants").toBeGreaterThan(20);
  });
});
