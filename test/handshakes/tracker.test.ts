import { describe, expect, it } from "vitest";
import { analyzeCaptures } from "../../src/handshakes/analyze.js";
import { CaptureBuilder, type Endpoint } from "../helpers/capture-builder.js";

const SERVER: Endpoint = { addr: "198.18.0.10", port: 8080 };
const client = (port: number, addr = "198.18.1.1"): Endpoint => ({ addr, port });

async function analyze(build: (c: CaptureBuilder) => void, options = {}) {
  const capture = new CaptureBuilder();
  build(capture);
  return analyzeCaptures([capture.write()], options);
}

describe("attempts and first replies", () => {
  it("counts an attempt answered at once", async () => {
    const s = await analyze((c) => c.connection(0, client(40000), SERVER, 1000, { closer: "client" }));
    expect(s.handshakes).toMatchObject({ attempts: 1, answered: 1, unanswered: 0, answeredAfterRetransmit: 0, synRetransmits: 0 });
    expect(s.handshakes.firstReply).toEqual({ synack: 1, ack: 0, rst: 0, icmp: 0, none: 0 });
    expect(s.listeners).toMatchObject([{ addr: "198.18.0.10", port: 8080, attempts: 1, unanswered: 0 }]);
    expect(s.sources).toMatchObject([{ addr: "198.18.1.1", attempts: 1, unanswered: 0 }]);
  });

  it("groups SYN retransmissions with the same ISN into one unanswered attempt", async () => {
    const s = await analyze((c) => {
      for (const t of [0, 1, 3, 7]) c.syn(t, client(40000), SERVER, 5555);
    });
    expect(s.handshakes).toMatchObject({ attempts: 1, answered: 0, unanswered: 1, synRetransmits: 3 });
    expect(s.handshakes.firstReply.none).toBe(1);
    expect(s.attempts[0]).toMatchObject({ syns: 4, firstReply: "none", answeredAt: null });
  });

  it("starts a new attempt when the same 4-tuple sends a new ISN", async () => {
    const s = await analyze((c) => {
      c.syn(0, client(40000), SERVER, 100);
      c.syn(1, client(40000), SERVER, 200);
      c.synAck(1.001, SERVER, client(40000), 9, 200);
    });
    expect(s.handshakes).toMatchObject({ attempts: 2, answered: 1, unanswered: 1, synRetransmits: 0 });
  });

  it("marks answers that needed a SYN retry, and counts SYN-ACK repeats", async () => {
    const s = await analyze((c) => {
      c.syn(0, client(40000), SERVER, 100);
      c.syn(1, client(40000), SERVER, 100);
      c.synAck(1.001, SERVER, client(40000), 9, 100);
      c.synAck(2.001, SERVER, client(40000), 9, 100);
    });
    expect(s.handshakes).toMatchObject({ attempts: 1, answered: 1, answeredAfterRetransmit: 1, synRetransmits: 1, synackRetransmits: 1 });
  });

  it("counts per listener the SYNs let pass without a reply, retries answered later included", async () => {
    const s = await analyze((c) => {
      // Answered on the third SYN (an accept-queue overflow drops the first two), silent with two SYNs,
      // answered at once, and a SYN-ACK lost on the way (the client's retry is answered again: not a drop).
      for (const t of [0, 1, 3]) c.syn(t, client(40000), SERVER, 100);
      c.synAck(3.001, SERVER, client(40000), 9, 100);
      for (const t of [0, 1]) c.syn(t, client(40001), SERVER, 200);
      c.syn(0, client(40002), SERVER, 300);
      c.synAck(0.001, SERVER, client(40002), 9, 300);
      c.syn(0, client(40003), SERVER, 400);
      c.synAck(0.001, SERVER, client(40003), 9, 400);
      c.syn(1, client(40003), SERVER, 400);
      c.synAck(1.001, SERVER, client(40003), 9, 400);
    });
    expect(s.listeners).toMatchObject([{ attempts: 4, unanswered: 1, synsWithoutReply: 2 + 2 + 0 + 0 }]);
  });

  it("counts half-open attempts per listener over every attempt, not only the ones kept as records", async () => {
    const s = await analyze(
      (c) => {
        // Half-open: one SYN, its SYN-ACK repeated, no retry (a spoofed source).
        for (let i = 0; i < 5; i++) {
          c.syn(0, client(41000 + i), SERVER, 100 + i);
          for (const t of [0.001, 1.001, 3.001]) c.synAck(t, SERVER, client(41000 + i), 9, 100 + i);
        }
        // Not half-open: the client retried its SYN (a lost SYN-ACK), or the SYN-ACK came once (completed).
        c.syn(0, client(42000), SERVER, 200);
        c.synAck(0.001, SERVER, client(42000), 9, 200);
        c.syn(1, client(42000), SERVER, 200);
        c.synAck(1.001, SERVER, client(42000), 9, 200);
        c.syn(0, client(42001), SERVER, 300);
        c.synAck(0.001, SERVER, client(42001), 9, 300);
      },
      { keepAttempts: 1 },
    );
    expect(s.attempts.length).toBe(1);
    expect(s.listeners).toMatchObject([{ attempts: 7, halfOpen: 5 }]);
  });

  it("finalises the oldest attempts without a reply early past the limit of open attempts, and says what that changes", async () => {
    const build = (c: CaptureBuilder): void => {
      c.syn(0, client(43000), SERVER, 100);
      c.synAck(0.001, SERVER, client(43000), 9, 100); // answered: it stays open
      c.syn(0.1, client(43001), SERVER, 101);
      c.syn(0.2, client(43002), SERVER, 102);
      c.syn(0.3, client(43003), SERVER, 103); // over the limit of 3: 43001, the oldest without a reply, goes
      c.synAck(1, SERVER, client(43000), 9, 100); // the answered attempt's SYN-ACK retransmission still counts
      c.syn(1.1, client(43004), SERVER, 104); // 43002 goes
      c.syn(1.2, client(43001), SERVER, 101); // a retry of 43001: now a new attempt (43003 goes)
    };
    expect((await analyze(build)).handshakes).toMatchObject({ attempts: 5, answered: 1, synRetransmits: 1, synackRetransmits: 1 });
    const capped = await analyze(build, { maxLiveAttempts: 3 });
    expect(capped.handshakes).toMatchObject({ attempts: 6, answered: 1, synRetransmits: 0, synackRetransmits: 1 });
    expect(capped.listeners).toMatchObject([{ halfOpen: 1 }]);
    expect(capped.warnings.map((w) => w.message)).toContain(
      "over 3 attempts open at once: the oldest still without a reply were closed early (a later SYN of theirs counts as a new attempt, a later reply to them is not counted)",
    );
    // When every open attempt has its reply, the oldest goes: its SYN-ACK retransmission is then not counted.
    const answered = await analyze(
      (c) => {
        c.syn(0, client(44000), SERVER, 100);
        c.synAck(0.001, SERVER, client(44000), 9, 100);
        c.syn(0.1, client(44001), SERVER, 101);
        c.synAck(0.101, SERVER, client(44001), 9, 101);
        c.syn(0.2, client(44002), SERVER, 102);
        c.synAck(1, SERVER, client(44000), 9, 100);
        c.synAck(1.1, SERVER, client(44001), 9, 101);
      },
      { maxLiveAttempts: 2 },
    );
    expect(answered.handshakes).toMatchObject({ attempts: 3, answered: 2, synackRetransmits: 1 });
    // Thousands of evictions behind the answered attempt (its queue entries compacted away on the way).
    const flood = await analyze(
      (c) => {
        c.syn(0, client(45000), SERVER, 100);
        c.synAck(0.001, SERVER, client(45000), 9, 100);
        const spoofed = (i: number): Endpoint => client(2000 + i, `10.9.${i >> 8}.${i & 255}`);
        for (let i = 0; i < 3000; i++) c.syn(0.01 + i * 1e-4, spoofed(i), SERVER, 1000 + i);
        c.synAck(1, SERVER, client(45000), 9, 100);
        c.synAck(1.001, SERVER, spoofed(2999), 9, 1000 + 2999); // the newest spoofed SYN is still open
      },
      { maxLiveAttempts: 3 },
    );
    expect(flood.handshakes).toMatchObject({ attempts: 3001, answered: 2, unanswered: 2999, synackRetransmits: 1 });
    expect(flood.listeners).toMatchObject([{ halfOpen: 1 }]);
  });

  it("ignores a SYN-ACK that does not acknowledge ISN+1", async () => {
    const s = await analyze((c) => {
      c.syn(0, client(40000), SERVER, 100);
      c.synAck(0.001, SERVER, client(40000), 9, 555);
    });
    expect(s.handshakes).toMatchObject({ answered: 0, unanswered: 1 });
  });

  it("classifies a RST answer (no listener)", async () => {
    const s = await analyze((c) => {
      c.syn(0, client(40000), SERVER, 100);
      c.rst(0.001, SERVER, client(40000), 0, 101);
    });
    expect(s.handshakes.firstReply).toMatchObject({ rst: 1, none: 0 });
    expect(s.handshakes.unanswered).toBe(1);
  });

  it("classifies an ICMP unreachable that quotes the SYN", async () => {
    const s = await analyze((c) => {
      const syn = c.syn(0, client(40000), SERVER, 100);
      c.icmpUnreachable(0.001, "198.18.0.254", syn, "198.18.1.1");
    });
    expect(s.handshakes.firstReply).toMatchObject({ icmp: 1, none: 0 });
    expect(s.attempts[0]?.icmp).toEqual({ type: 3, code: 13, from: "198.18.0.254" });
  });

  it("recognises the TIME_WAIT answer: SYN → bare ACK → client RST → retried SYN → SYN-ACK", async () => {
    const s = await analyze((c) => {
      c.syn(0, client(40000), SERVER, 100, 5000);
      c.ack(0.0001, SERVER, client(40000), 777, 888, { val: 9, ecr: 7000 });
      c.rst(0.0002, client(40000), SERVER, 888);
      c.syn(0.01, client(40000), SERVER, 100, 5010);
      c.synAck(0.0101, SERVER, client(40000), 9, 100);
    });
    expect(s.handshakes).toMatchObject({ attempts: 1, answered: 1, answeredAfterRetransmit: 1 });
    expect(s.handshakes.firstReply).toMatchObject({ ack: 1, synack: 0 });
    expect(s.signals.clientRstAfterBareAck).toBe(1);
    expect(s.attempts[0]).toMatchObject({ firstReply: "ack", replyTsEcr: 7000, clientRstAfterAck: true });
  });

  it("does not take data packets of other connections for replies", async () => {
    const s = await analyze((c) => {
      c.connection(0, client(40001), SERVER, 1, { closer: "client" });
      c.syn(0.0005, client(40000), SERVER, 100);
      c.data(0.002, SERVER, client(40001), 5, 6, 10);
    });
    expect(s.handshakes.firstReply).toMatchObject({ synack: 1, ack: 0, none: 1 });
  });

  it("applies --port and --server", async () => {
    const build = (c: CaptureBuilder) => {
      c.syn(0, client(40000), SERVER, 100);
      c.syn(0, client(40001), { addr: SERVER.addr, port: 9090 }, 100);
      c.syn(0, client(40002), { addr: "198.18.0.11", port: 8080 }, 100);
    };
    expect((await analyze(build, { port: 8080 })).handshakes.attempts).toBe(2);
    expect((await analyze(build, { server: "198.18.0.10" })).handshakes.attempts).toBe(2);
    expect((await analyze(build, { server: "198.18.0.10", port: 9090 })).handshakes.attempts).toBe(1);
  });

  it("sorts listeners and sources worst first", async () => {
    const s = await analyze((c) => {
      c.connection(0, client(40000, "198.18.1.1"), SERVER, 1, { closer: "client" });
      c.syn(0.1, client(40001, "198.18.1.2"), { addr: SERVER.addr, port: 9090 }, 2);
    });
    expect(s.listeners.map((l) => l.port)).toEqual([9090, 8080]);
    expect(s.sources.map((l) => l.addr)).toEqual(["198.18.1.2", "198.18.1.1"]);
  });
});

describe("tsvalRegressions: what a tw_recycle server would reject", () => {
  // The server closes first; the client's FIN carries TSval 5000 + 10 = 5010 (see CaptureBuilder.connection).
  const closedByServer = (c: CaptureBuilder) => c.connection(0, client(40000), SERVER, 1, { closer: "server", clientTs: 5000 });

  it("counts every SYN (retransmissions too) older than the remembered TSval within 60 s", async () => {
    const s = await analyze((c) => {
      closedByServer(c);
      c.syn(5, client(40001), SERVER, 50, 4000);
      c.syn(6, client(40001), SERVER, 50, 4001);
    });
    expect(s.sources[0]?.tsvalRegressions).toBe(2);
    expect(s.attempts.find((a) => a.clientPort === 40001)?.tsvalRegression).toBe(true);
  });

  it("does not count a newer TSval, nor one inside the one-tick PAWS window", async () => {
    const s = await analyze((c) => {
      closedByServer(c);
      c.syn(5, client(40001), SERVER, 50, 6000);
      c.syn(6, client(40002), SERVER, 60, 5009);
    });
    expect(s.sources[0]?.tsvalRegressions).toBe(0);
  });

  it("forgets after 60 s", async () => {
    const s = await analyze((c) => {
      closedByServer(c);
      c.syn(61, client(40001), SERVER, 50, 4000);
    });
    expect(s.sources[0]?.tsvalRegressions).toBe(0);
  });

  it("ignores connections the client closed first (no TIME_WAIT on the server)", async () => {
    const s = await analyze((c) => {
      c.connection(0, client(40000), SERVER, 1, { closer: "client", clientTs: 5000 });
      c.syn(5, client(40001), SERVER, 50, 4000);
    });
    expect(s.sources[0]?.tsvalRegressions).toBe(0);
  });

  it("keeps the memory per server address", async () => {
    const s = await analyze((c) => {
      closedByServer(c);
      c.syn(5, client(40001), { addr: "198.18.0.11", port: 8080 }, 50, 4000);
    });
    expect(s.sources[0]?.tsvalRegressions).toBe(0);
  });

  it("compares across 32-bit wrap-around", async () => {
    const s = await analyze((c) => {
      c.connection(0, client(40000), SERVER, 1, { closer: "server", clientTs: 0xfffffff0 });
      c.syn(5, client(40001), SERVER, 50, 100); // after the wrap: newer
      c.syn(6, client(40002), SERVER, 60, 0xffffff00); // older
    });
    expect(s.sources[0]?.tsvalRegressions).toBe(1);
  });

  it("flags SYNs that reuse a 4-tuple the server closed less than 60 s before", async () => {
    const s = await analyze((c) => {
      closedByServer(c);
      c.syn(10, client(40000), SERVER, 99, 9000);
    });
    expect(s.signals.synOnServerClosedTuple).toBe(1);
    expect(s.signals.serverClosedConnections).toBe(1);
  });
});

describe("bounded state", () => {
  it("finalises attempts by capture time and gives the same totals as at the end", async () => {
    const s = await analyze((c) => {
      for (let i = 0; i < 400; i++) {
        const t = i * 2;
        c.syn(t, client(10000 + i), SERVER, i + 1);
        if (i % 2 === 0) c.synAck(t + 0.001, SERVER, client(10000 + i), 7, i + 1);
      }
    });
    expect(s.handshakes).toMatchObject({ attempts: 400, answered: 200, unanswered: 200 });
    expect(s.listeners[0]).toMatchObject({ attempts: 400, unanswered: 200 });
  });
});
