import { describe, expect, it } from "vitest";
import { KernelConfigError } from "../../src/kernel/index.js";
import { extractCapture, whatIf, type Extraction } from "../../src/replay/index.js";
import { CaptureBuilder, type Endpoint } from "../helpers/capture-builder.js";

const server: Endpoint = { addr: "198.18.0.2", port: 8080 };

/**
 * A whole connection with timestamps on every client segment (as Linux sends them): handshake, a 100-byte
 * response, close by `closer`. The server's ISN is 900000.
 */
function tsConnection(b: CaptureBuilder, at: number, client: Endpoint, isn: number, ts: number, closer: "server" | "client"): void {
  b.syn(at, client, server, isn, ts);
  b.synAck(at + 0.001, server, client, 900000, isn, 1);
  b.ack(at + 0.002, client, server, isn + 1, 900001, { val: ts, ecr: 1 });
  b.data(at + 0.003, server, client, 900001, isn + 1, 100);
  if (closer === "server") {
    b.fin(at + 0.004, server, client, 900101, isn + 1);
    b.fin(at + 0.005, client, server, isn + 1, 900102, ts + 10);
  } else {
    b.fin(at + 0.004, client, server, isn + 1, 900101, ts + 10);
    b.fin(at + 0.005, server, client, 900101, isn + 2);
    b.ack(at + 0.006, client, server, isn + 2, 900102, { val: ts + 11, ecr: 2 });
  }
}

async function extract(b: CaptureBuilder): Promise<Extraction> {
  return (await extractCapture([b.write()])).extraction;
}

/**
 * A server-closed connection from client:port (timestamps on), then a new SYN on the same 4-tuple 2 s later
 * whose TSval is older: the real 6.18 server answered it with the TIME_WAIT ACK, the client reset, and its
 * retry 10 ms later got a SYN-ACK (linux-syn-path.md §9B).
 */
function timeWaitCollision(): CaptureBuilder {
  const b = new CaptureBuilder();
  const client: Endpoint = { addr: "198.18.100.1", port: 40000 };
  tsConnection(b, 0, client, 1000, 5_000_000, "server");
  b.syn(2, client, server, 777_000, 4_000_000);
  b.ack(2.0001, server, client, 900102, 1002, { val: 1, ecr: 5_000_010 });
  b.rst(2.0002, client, server, 1002);
  b.syn(2.01, client, server, 777_000, 4_000_010);
  b.synAck(2.0101, server, client, 123_000, 777_000, 2);
  b.ack(2.0102, client, server, 777_001, 123_001);
  return b;
}

/**
 * tw_recycle on 3.10: a connection the server closed leaves the client address's TSval (5 000 000) in the
 * per-peer cache; a SYN from the same address with TSval 100 (another host behind the NAT) within 60 s is
 * dropped, and so are its retransmissions (§9A).
 */
function recycleDrop(): CaptureBuilder {
  const b = new CaptureBuilder();
  tsConnection(b, 0, { addr: "198.18.100.1", port: 1000 }, 1000, 5_000_000, "server");
  const other: Endpoint = { addr: "198.18.100.1", port: 1001 };
  b.syn(1, other, server, 2000, 100);
  b.syn(2, other, server, 2000, 1100);
  b.syn(4, other, server, 2000, 3100);
  return b;
}

describe("extraction", () => {
  it("turns a client-closed connection into its events in time order, with observed answer, RTT and accept", async () => {
    const b = new CaptureBuilder();
    tsConnection(b, 0, { addr: "198.18.100.1", port: 1000 }, 1000, 10, "client");
    const x = await extract(b);
    const events = [...x.events];
    expect(events.map((e) => e.kind)).toEqual(["syn", "complete", "app-accept", "client-fin", "server-fin", "client-final-ack"]);
    expect(x.attempts).toHaveLength(1);
    const a = x.attempts[0];
    expect(a?.observed).toBe("synack");
    expect(a?.observedAnswered).toBe(true);
    expect(a?.closedFirstBy).toBe("client");
    expect(a?.rttMs).toBeCloseTo(1, 3);
    expect(a?.acceptDelayMs).toBeCloseTo(1, 3);
    expect(events.every((e, i) => i === 0 || (events[i - 1]?.atMs ?? 0) <= e.atMs)).toBe(true);
  });

  it("sorts packets that ran back in time, keeping capture order at equal times, every field with its event", async () => {
    const b = new CaptureBuilder();
    b.syn(1.0, { addr: "198.18.100.1", port: 1000 }, server, 111, 1_000);
    b.syn(0.5, { addr: "198.18.100.2", port: 2000 }, server, 222, 2_000);
    b.syn(1.0, { addr: "198.18.100.3", port: 3000 }, server, 333, 3_000);
    const x = (await extractCapture([b.write("unsorted.pcap", "as-added")])).extraction;
    const events = [...x.events];
    expect(events.map((e) => e.attempt)).toEqual([1, 0, 2]);
    expect(events.map((e) => [e.seq, e.tsval])).toEqual([[222, 2_000], [111, 1_000], [333, 3_000]]);
    expect(events.map((e) => e.atMs)).toEqual([-500, 0, 0].map((ms) => expect.closeTo(ms, 6)));
    expect(x.warnings).toContain("1 packets were out of time order; events were sorted by time");
  });

  it("keeps the client RST that follows a bare ACK and the retry of the same ISN in one attempt", async () => {
    const x = await extract(timeWaitCollision());
    expect(x.attempts).toHaveLength(2);
    const second = x.attempts[1];
    expect(second?.syns).toBe(2);
    expect(second?.observed).toBe("ack");
    expect(second?.observedAnswered).toBe(true);
    const rst = [...x.events].find((e) => e.kind === "client-rst");
    expect(rst?.flag).toBe(true);
    expect(rst?.attempt).toBe(1);
  });
});

describe("replay of hand-built captures", () => {
  it("predicts the TIME_WAIT PAWS answer of 6.18 and moves PAWSTimewait (PAWSEstab before 6.16)", async () => {
    const x = await extract(timeWaitCollision());
    const r618 = whatIf(x, { kernel: "6.18" });
    expect(r618.predicted.agreement).toBe(1);
    expect(r618.attempts.find((a) => a.clientPort === 40000 && a.isn === 777_000)?.predicted.reason).toBe("timewait-paws");
    expect(r618.predicted.counters.TcpExtPAWSTimewait).toBe(1);
    const r612 = whatIf(x, { kernel: "6.12" });
    expect(r612.predicted.agreement).toBe(1);
    expect(r612.predicted.counters.TcpExtPAWSEstab).toBe(1);
    expect(r612.predicted.counters.TcpExtPAWSTimewait).toBeUndefined();
  });

  it("with rfc1337=1 the client's RST no longer clears the TIME_WAIT: the retry is rejected too", async () => {
    const x = await extract(timeWaitCollision());
    const r = whatIf(x, { kernel: "6.18", overrides: { "net.ipv4.tcp_rfc1337": 1 } });
    expect(r.predicted.broken).toBe(1);
    expect(r.baseline?.broken).toBe(0);
    expect(r.predicted.counters.TcpExtPAWSTimewait).toBeGreaterThanOrEqual(2);
  });

  it("reproduces tw_recycle drops on 3.10 and answers them with tcp_tw_recycle=0", async () => {
    const x = await extract(recycleDrop());
    const on = whatIf(x, { kernel: "3.10", overrides: { "net.ipv4.tcp_tw_recycle": 1 } });
    expect(on.observed.unanswered).toBe(1);
    expect(on.predicted.unanswered).toBe(1);
    expect(on.predicted.agreement).toBe(1);
    expect(on.predicted.counters.TcpExtPAWSPassive).toBe(3);
    expect(on.predicted.counters.TcpExtListenDrops).toBe(3);
    expect(on.baseline?.unanswered).toBe(0);
    expect(on.baseline?.fixed).toBe(1);
    const off = whatIf(x, { kernel: "3.10", overrides: { "net.ipv4.tcp_tw_recycle": 0 } });
    expect(off.predicted.unanswered).toBe(0);
    expect(off.predicted.counters.TcpExtPAWSPassive ?? 0).toBe(0);
  });

  it("a server port that only refused is not a listener: its SYNs are predicted RST", async () => {
    const b = new CaptureBuilder();
    const client: Endpoint = { addr: "198.18.100.7", port: 5555 };
    b.syn(0, client, { addr: "198.18.0.2", port: 9999 }, 42);
    b.rst(0.0001, { addr: "198.18.0.2", port: 9999 }, client, 0, 43);
    const r = whatIf(await extract(b), { kernel: "6.18" });
    expect(r.predicted.firstReply.rst).toBe(1);
    expect(r.predicted.agreement).toBe(1);
    expect(r.predicted.counters.TcpOutRsts).toBe(1);
  });

  it("an accept queue the application never drains: backlog 2 reproduces the drops, a larger backlog answers them", async () => {
    const b = new CaptureBuilder();
    // Three connections complete and are never accepted (no server payload or FIN), two more SYNs go unanswered.
    for (let i = 0; i < 3; i++) {
      const c: Endpoint = { addr: "198.18.100.9", port: 2000 + i };
      b.syn(i * 0.01, c, server, 10 + i, 100 + i);
      b.synAck(i * 0.01 + 0.0001, server, c, 5000 + i, 10 + i, 7);
      b.ack(i * 0.01 + 0.0002, c, server, 11 + i, 5001 + i, { val: 100 + i, ecr: 7 });
    }
    for (let i = 0; i < 2; i++) {
      const c: Endpoint = { addr: "198.18.100.9", port: 3000 + i };
      for (const t of [0.1, 1.1, 3.1]) b.syn(t + i * 0.001, c, server, 20 + i, 200 + i + Math.round(t * 1000));
    }
    const x = await extract(b);
    const small = whatIf(x, { kernel: "6.18", backlog: 2 });
    expect(small.predicted.agreement).toBe(1);
    expect(small.predicted.counters.TcpExtListenOverflows).toBe(6);
    expect(small.baseline?.unanswered).toBe(0);
    const listeners = [{ addr: 0, port: 8080, backlog: 2 }];
    const larger = whatIf(x, { kernel: "6.18", hostListeners: listeners, backlog: 8 });
    expect(larger.predicted.unanswered).toBe(0);
    expect(larger.predicted.fixed).toBe(2);
    expect(larger.baseline?.agreement).toBe(1);
  });

  it("refuses a sysctl the kernel does not have before replaying anything", async () => {
    const x = await extract(recycleDrop());
    expect(() => whatIf(x, { kernel: "6.18", overrides: { "net.ipv4.tcp_tw_recycle": 1 } })).toThrow(KernelConfigError);
    try {
      whatIf(x, { kernel: "6.18", overrides: { "net.ipv4.tcp_tw_recycle": 1 } });
    } catch (error) {
      expect((error as KernelConfigError).code).toBe("sysctl-not-in-kernel");
    }
  });
});
