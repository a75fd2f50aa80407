// Tests for the accept queue: full at SYN (≥4.10) vs young > 1 (<4.10), overflow at the 3rd ACK (§2.12 G2, §3).
import { describe, expect, it } from "vitest";
import { ACK, RST } from "../../src/kernel/index.js";
import { PORT, SERVER, delta, establish, listenerWith, thirdAck } from "./factories.js";

describe("accept queue full at SYN time", () => {
  it("6.18: listen(2) queues 3 children, further SYNs count ListenOverflows and ListenDrops (exp2)", () => {
    const f = listenerWith({ kernel: "6.18.44", backlog: 2 });
    for (let i = 0; i < 3; i++) establish(f, 41000 + i, 0, {}, false);
    expect(f.host.listenerSnapshot(SERVER, PORT)).toMatchObject({ acceptQueue: 3, effectiveBacklog: 2 });
    const before = f.host.counters();
    for (let i = 0; i < 10; i++) {
      const r = f.host.receive(f.syn({ sport: 42000 + (i % 2), seq: 9 }), 1000 * i);
      expect(r).toMatchObject({ outcome: "dropped", reason: "accept-queue-full", replies: [] });
    }
    expect(delta(before, f.host.counters())).toEqual({ TcpInSegs: 10, TcpExtListenOverflows: 10, TcpExtListenDrops: 10 });
    expect(f.host.listenerSnapshot(SERVER, PORT)?.drops).toBe(10);
  });

  it("accept() makes room again", () => {
    const f = listenerWith({ kernel: "6.18.44", backlog: 1 });
    establish(f, 41000, 0, {}, false);
    establish(f, 41001, 0, {}, false);
    expect(f.host.receive(f.syn({ sport: 41002 }), 0).reason).toBe("accept-queue-full");
    expect(f.host.accept(SERVER, PORT)?.rport).toBe(41000);
    expect(f.host.receive(f.syn({ sport: 41002 }), 0).outcome).toBe("synack");
  });

  it("4.9: with at most one young request the SYN is answered and the 3rd ACK overflows instead", () => {
    const f = listenerWith({ kernel: "4.9", backlog: 2 });
    for (let i = 0; i < 3; i++) establish(f, 41010 + i, 0, {}, false);
    const first = f.host.receive(f.syn({ sport: 41002 }), 0);
    expect(first.outcome).toBe("synack");
    const second = f.host.receive(f.syn({ sport: 41003 }), 0);
    expect(second.outcome).toBe("synack"); // young was 1 when it arrived
    const third = f.host.receive(f.syn({ sport: 41004 }), 0);
    expect(third.reason).toBe("accept-queue-full"); // young 2 > 1 (after the cookie decision: qlen >= B)
    const sa = first.replies[0];
    if (!sa) throw new Error("no SYN-ACK");
    expect(f.host.receive(thirdAck(sa), 10).reason).toBe("request-accept-queue-full");
  });

  it("4.10 drops at SYN time even with no young requests", () => {
    const f = listenerWith({ kernel: "4.10", backlog: 1 });
    establish(f, 41000, 0, {}, false);
    establish(f, 41001, 0, {}, false);
    expect(f.host.receive(f.syn({ sport: 41002 }), 0).reason).toBe("accept-queue-full");
  });
});

describe("accept queue full at the 3rd ACK", () => {
  /** B=1: a victim's SYN-ACK, then two fillers complete and fill the queue (exp3). */
  function raced(abortOnOverflow: number) {
    const f = listenerWith({ kernel: "6.18.44", backlog: 1, sysctls: { "net.ipv4.tcp_abort_on_overflow": abortOnOverflow } });
    const victim = f.host.receive(f.syn({ sport: 43000 }), 0).replies[0];
    if (!victim) throw new Error("no SYN-ACK");
    establish(f, 43001, 100, {}, false);
    establish(f, 43002, 100, {}, false);
    return { f, victim };
  }

  it("abort_on_overflow=0: ACK ignored (ListenOverflows+ListenDrops), request kept and marked acked (exp3a)", () => {
    const { f, victim } = raced(0);
    const before = f.host.counters();
    const r = f.host.receive(thirdAck(victim), 500);
    expect(r).toMatchObject({ outcome: "dropped", reason: "request-accept-queue-full", replies: [] });
    expect(delta(before, f.host.counters())).toEqual({ TcpInSegs: 1, TcpExtListenOverflows: 1, TcpExtListenDrops: 1 });
    expect(f.host.findRequest(SERVER, PORT, victim.daddr, victim.dport)?.acked).toBe(true);
    // SYN-ACK retransmits continue; once room appears the next ACK completes the connection
    expect(f.host.advance(1000).map((x) => x.kind)).toEqual(["synack-retrans"]);
    f.host.accept(SERVER, PORT);
    expect(f.host.receive(thirdAck(victim), 1100).outcome).toBe("established");
  });

  it("abort_on_overflow=1: RST seq = ack, EmbryonicRsts and OutRsts, request removed (exp3b)", () => {
    const { f, victim } = raced(1);
    const before = f.host.counters();
    const r = f.host.receive(thirdAck(victim), 500);
    expect(r).toMatchObject({ outcome: "rst", reason: "request-abort-on-overflow" });
    expect(r.replies[0]).toMatchObject({ flags: RST, seq: victim.seq + 1 });
    expect(delta(before, f.host.counters())).toEqual({
      TcpInSegs: 1,
      TcpExtListenOverflows: 1,
      TcpExtListenDrops: 1,
      TcpOutRsts: 1,
      TcpOutSegs: 1,
      TcpExtEmbryonicRsts: 1,
    });
    expect(f.host.requestCount).toBe(0);
  });

  it("an ACK with a wrong ack number gets RST from the listener", () => {
    const f = listenerWith({});
    const sa = f.host.receive(f.syn(), 0).replies[0];
    if (!sa) throw new Error("no SYN-ACK");
    const r = f.host.receive(thirdAck(sa, { ack: sa.seq + 5 }), 1);
    expect(r).toMatchObject({ outcome: "rst", reason: "request-bad-ack" });
    expect(r.replies[0]?.flags).toBe(RST);
  });

  it("the child carries the handshake's sequence numbers and the client's TSval", () => {
    const f = listenerWith({});
    const sa = f.host.receive(f.syn({ seq: 10 }), 0).replies[0];
    if (!sa) throw new Error("no SYN-ACK");
    const r = f.host.receive(thirdAck(sa, { tsval: 100005, flags: ACK }), 2);
    expect(r.conn).toMatchObject({ state: "ESTAB", rcvNxt: 11, sndNxt: (sa.seq + 1) >>> 0, hasTs: true, tsRecent: 100005 });
    expect(r.moved).toEqual(["TcpInSegs", "TcpPassiveOpens"]);
  });
});
