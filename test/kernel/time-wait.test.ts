// Tests for the TIME_WAIT state: tcp_timewait_state_process() (§2.8, §6, §9B).
import { describe, expect, it } from "vitest";
import { ACK, SYN, createHost } from "../../src/kernel/index.js";
import { CLIENT, PORT, SERVER, SYN_TEMPL, delta, establish, finAck, listenerWith, rstSegment, timeWaitFor } from "./factories.js";

const OLD_TS = 100_000; // the TIME_WAIT's ts_recent (timeWaitFor default)

describe("PAWS on a SYN hitting TIME_WAIT", () => {
  it("6.18: older TSval → PAWSTimewait, bare ACK with the old connection's numbers and TSecr (exp5)", () => {
    const f = listenerWith({ kernel: "6.18.44" });
    timeWaitFor(f.host);
    const before = f.host.counters();
    const r = f.host.receive(f.syn({ tsval: OLD_TS - 10, seq: 999_999 }), 1141);
    expect(r).toMatchObject({ outcome: "ack", reason: "timewait-paws" });
    expect(r.replies[0]).toMatchObject({ kind: "ack", flags: ACK, seq: 90_000, ack: 50_000, hasTs: true, tsecr: OLD_TS });
    expect(delta(before, f.host.counters())).toEqual({ TcpInSegs: 1, TcpExtPAWSTimewait: 1, TcpOutSegs: 1 });
  });

  it("6.15 and 3.10 count PAWSEstab instead", () => {
    for (const kernel of ["6.15", "3.10"]) {
      const f = listenerWith({ kernel });
      timeWaitFor(f.host);
      expect(f.host.receive(f.syn({ tsval: OLD_TS - 10 }), 10).moved).toContain("TcpExtPAWSEstab");
    }
  });

  it("re-arms the TIME_WAIT timer to a full 60 s", () => {
    const f = listenerWith({});
    const tw = timeWaitFor(f.host, {}, 0);
    f.host.receive(f.syn({ tsval: OLD_TS - 10 }), 30_000);
    expect(tw.expiresMs).toBe(90_000);
  });

  it("a TSval equal to ts_recent is not rejected (window 0) and, seq not newer, only ACKed", () => {
    const f = listenerWith({});
    timeWaitFor(f.host);
    const r = f.host.receive(f.syn({ tsval: OLD_TS, seq: 10 }), 10);
    expect(r).toMatchObject({ outcome: "ack", reason: "timewait-ack" });
    expect(r.moved).not.toContain("TcpExtPAWSTimewait");
  });
});

describe("new connection through TIME_WAIT (TCP_TW_SYN)", () => {
  it("newer TSval: TW killed, SYN-ACK with ISN = tw_snd_nxt + 65537", () => {
    const f = listenerWith({});
    timeWaitFor(f.host);
    const r = f.host.receive(f.syn({ tsval: OLD_TS + 10, seq: 10 }), 10);
    expect(r).toMatchObject({ outcome: "synack", reason: "timewait-accepted" });
    expect(r.replies[0]?.seq).toBe(90_000 + 65537);
    expect(f.host.timeWaitCount).toBe(0);
  });

  it("SYN without TS: accepted iff seq is after rcv_nxt, else ACK with no PAWS counter (exp5c)", () => {
    const f = listenerWith({});
    timeWaitFor(f.host);
    const low = f.host.receive(f.syn({ hasTs: false, seq: 49_000 }), 10);
    expect(low).toMatchObject({ outcome: "ack", reason: "timewait-ack", moved: ["TcpInSegs", "TcpOutSegs"] });
    const high = f.host.receive(f.syn({ hasTs: false, seq: 51_000 }), 600);
    expect(high.outcome).toBe("synack");
  });

  it("without a listener the acceptable SYN gets the ACK instead", () => {
    const host = createHost({ kernel: "6.18" });
    timeWaitFor(host);
    expect(host.receive(SYN_TEMPL({ tsval: OLD_TS + 10 }), 10).outcome).toBe("ack");
  });

  it("the SYN through TIME_WAIT skips the SYN-queue gate but not the accept-queue gate", () => {
    const f = listenerWith({ backlog: 0 });
    establish(f, 41000, 0, {}, false);
    timeWaitFor(f.host);
    const r = f.host.receive(f.syn({ tsval: OLD_TS + 10 }), 10);
    expect(r.reason).toBe("accept-queue-full");
    expect(f.host.timeWaitCount).toBe(0); // descheduled before the listener decided
  });
});

describe("TIME_WAIT ACK rate limit (≥4.0)", () => {
  it("a second rejected SYN within 500 ms is not answered (TCPACKSkippedTimeWait); later it is", () => {
    const f = listenerWith({});
    timeWaitFor(f.host);
    expect(f.host.receive(f.syn({ tsval: 1 }), 1000).outcome).toBe("ack");
    const skipped = f.host.receive(f.syn({ tsval: 2 }), 1010);
    expect(skipped.outcome).toBe("dropped");
    expect(skipped.moved).toEqual(["TcpInSegs", "TcpExtPAWSTimewait", "TcpExtTCPACKSkippedTimeWait"]);
    expect(f.host.receive(f.syn({ tsval: 3 }), 1500).outcome).toBe("ack");
  });

  it("3.10 always ACKs", () => {
    const f = listenerWith({ kernel: "3.10" });
    timeWaitFor(f.host);
    expect(f.host.receive(f.syn({ tsval: 1 }), 1000).outcome).toBe("ack");
    expect(f.host.receive(f.syn({ tsval: 2 }), 1010).outcome).toBe("ack");
  });
});

describe("RST in TIME_WAIT", () => {
  it("rfc1337=0: an RST with seq = rcv_nxt kills the TIME_WAIT and the retried SYN succeeds (exp5)", () => {
    const f = listenerWith({});
    timeWaitFor(f.host);
    const ack = f.host.receive(f.syn({ tsval: 1 }), 1141).replies[0];
    expect(f.host.receive(rstSegment({ seq: ack?.ack ?? 0 }), 1141).reason).toBe("timewait-rst-kill");
    expect(f.host.receive(f.syn({ tsval: 11 }), 1151).outcome).toBe("synack");
  });

  it("rfc1337=1: the RST is ignored; 6.18 does not re-arm, 3.10 re-arms (exp5b)", () => {
    for (const [kernel, expiry] of [["6.18", 60_000], ["3.10", 70_000]] as const) {
      const f = listenerWith({ kernel, sysctls: { "net.ipv4.tcp_rfc1337": 1 } });
      const tw = timeWaitFor(f.host, {}, 0);
      expect(f.host.receive(rstSegment({ seq: 50_000 }), 10_000).reason).toBe("timewait-rst-ignored");
      expect(f.host.timeWaitCount).toBe(1);
      expect(tw.expiresMs).toBe(expiry);
    }
  });

  it("an RST with another seq is ignored", () => {
    const f = listenerWith({});
    timeWaitFor(f.host);
    f.host.receive(rstSegment({ seq: 12 }), 10);
    expect(f.host.timeWaitCount).toBe(1);
  });
});

describe("FIN_WAIT2 substate", () => {
  it("an in-window SYN at or after rcv_nxt gets RST and kills the socket", () => {
    const f = listenerWith({});
    timeWaitFor(f.host, { substate: "FIN-WAIT-2" });
    const r = f.host.receive(f.syn({ seq: 50_100, tsval: OLD_TS + 1 }), 10);
    expect(r).toMatchObject({ outcome: "rst", reason: "finwait2-syn-rst" });
    expect(f.host.timeWaitCount).toBe(0);
  });

  it("the peer's FIN moves it into TIME_WAIT for 60 s and is ACKed", () => {
    const f = listenerWith({});
    const tw = timeWaitFor(f.host, { substate: "FIN-WAIT-2" });
    const r = f.host.receive(finAck({ seq: 50_000, ack: 90_000, tsval: OLD_TS + 5 }), 5000);
    expect(r).toMatchObject({ outcome: "ack", reason: "finwait2-fin" });
    expect(tw).toMatchObject({ substate: "TIME-WAIT", rcvNxt: 50_001, tsRecent: OLD_TS + 5, expiresMs: 65_000 });
  });
});

describe("entering TIME_WAIT from a connection", () => {
  it("server-first close: TIME_WAIT with the connection's numbers and the peer's last TSval", () => {
    const f = listenerWith({});
    const c = establish(f, 41000, 0);
    if (!c) throw new Error("no connection");
    const tw = f.host.closeServerFirst(c, 2000, 123_456);
    expect(tw).toMatchObject({ substate: "TIME-WAIT", rcvNxt: (c.rcvNxt) >>> 0, tsRecent: 123_456, expiresMs: 62_000 });
    expect(f.host.counter("TcpExtTW")).toBe(1); // ≥5.18: counted on entry
  });

  it("segment-driven close: FIN, then the peer's FIN+ACK → TIME_WAIT", () => {
    const f = listenerWith({});
    const c = establish(f, 41000, 0);
    if (!c) throw new Error("no connection");
    const fin = f.host.close(c, 100)[0];
    expect(fin?.flags).toBe(0x11);
    const r = f.host.receive(finAck({ sport: 41000, seq: c.rcvNxt, ack: c.sndNxt, tsval: 200_000 }), 110);
    expect(r.reason).toBe("finwait2-fin");
    expect(f.host.findTimeWait(SERVER, PORT, CLIENT, 41000)).toMatchObject({ tsRecent: 200_000, substate: "TIME-WAIT" });
  });

  it("client-first close leaves no TIME_WAIT on the server", () => {
    const f = listenerWith({});
    const c = establish(f, 41000, 0);
    if (!c) throw new Error("no connection");
    f.host.closeClientFirst(c, 100);
    expect(f.host.timeWaitCount).toBe(0);
  });

  it("tcp_max_tw_buckets=2: 5 server closes → 2 TIME_WAIT, TCPTimeWaitOverflow +3 (exp9)", () => {
    const f = listenerWith({ sysctls: { "net.ipv4.tcp_max_tw_buckets": 2 } });
    for (let i = 0; i < 5; i++) {
      const c = establish(f, 41000 + i, 0);
      if (c) f.host.closeServerFirst(c, 10, 1);
    }
    expect(f.host.timeWaitCount).toBe(2);
    expect(f.host.counter("TcpExtTCPTimeWaitOverflow")).toBe(3);
    expect(f.host.counter("TcpExtTW")).toBe(2);
  });

  it("<5.18 counts TcpExtTW when TIME_WAIT ends, not when it starts", () => {
    const f = listenerWith({ kernel: "5.15" });
    const c = establish(f, 41000, 0);
    if (!c) throw new Error("no connection");
    f.host.closeServerFirst(c, 0, 1);
    expect(f.host.counter("TcpExtTW")).toBe(0);
    f.host.advance(60_000);
    expect(f.host.counter("TcpExtTW")).toBe(1);
    expect(f.host.timeWaitCount).toBe(0);
  });

  it("an established socket answers a SYN with a challenge ACK", () => {
    const f = listenerWith({});
    establish(f, 41000, 0);
    const r = f.host.receive(f.syn({ sport: 41000, flags: SYN }), 10);
    expect(r).toMatchObject({ outcome: "ack", reason: "challenge-ack" });
    expect(r.moved).toContain("TcpExtTCPChallengeACK");
  });
});
