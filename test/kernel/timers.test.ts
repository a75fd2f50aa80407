// Tests for timers: SYN-ACK retransmission, request expiry, pruning, TIME_WAIT expiry (§2.14, §6).
import { describe, expect, it } from "vitest";
import { PORT, SERVER, listenerWith } from "./factories.js";

/** Runs every timer up to `untilMs`, returning the send times of retransmitted SYN-ACKs. */
function drain(f: ReturnType<typeof listenerWith>, untilMs: number): number[] {
  const times: number[] = [];
  for (let t = f.host.nextTimerMs(); t <= untilMs; t = f.host.nextTimerMs()) {
    for (const r of f.host.advance(t)) if (r.kind === "synack-retrans") times.push(r.atMs);
  }
  return times;
}

describe("SYN-ACK retransmission and request expiry", () => {
  it("retransmits at +1, +3, +7, +15, +31 s and drops the request at +63 s (synack_retries=5)", () => {
    const f = listenerWith({});
    f.host.receive(f.syn(), 0);
    expect(drain(f, 62_999)).toEqual([1000, 3000, 7000, 15000, 31000]);
    expect(f.host.requestCount).toBe(1);
    drain(f, 63_000);
    expect(f.host.requestCount).toBe(0);
    expect(f.host.counter("TcpExtTCPSynRetrans")).toBe(5);
    expect(f.host.counter("TcpRetransSegs")).toBe(5);
  });

  it("tcp_synack_retries=2: +1, +3, gone at +7 s", () => {
    const f = listenerWith({ sysctls: { "net.ipv4.tcp_synack_retries": 2 } });
    f.host.receive(f.syn(), 0);
    expect(drain(f, 7000)).toEqual([1000, 3000]);
    expect(f.host.requestCount).toBe(0);
  });

  it("a per-listener retry count overrides the sysctl", () => {
    const f = listenerWith({});
    f.host.unlisten(SERVER, PORT);
    f.host.listen(SERVER, PORT, 128, { synackRetries: 1 });
    f.host.receive(f.syn(), 0);
    expect(drain(f, 10_000)).toEqual([1000]);
  });

  it("retransmitted SYN-ACKs carry the same ISN and a fresh TSval echoing the SYN's", () => {
    const f = listenerWith({});
    const first = f.host.receive(f.syn({ tsval: 777 }), 0).replies[0];
    const again = f.host.advance(1000)[0];
    expect(again).toMatchObject({ seq: first?.seq, tsecr: 777, atMs: 1000 });
    expect(again?.tsval).toBe(((first?.tsval ?? 0) + 1000) >>> 0);
  });

  it("a retransmitted SYN gets an immediate SYN-ACK and restarts the timer; a second within 500 ms is skipped", () => {
    const f = listenerWith({});
    f.host.receive(f.syn(), 0);
    const r = f.host.receive(f.syn(), 900);
    expect(r).toMatchObject({ outcome: "synack", reason: "request-syn-retrans" });
    expect(r.moved).toEqual(["TcpInSegs", "TcpOutSegs", "TcpRetransSegs", "TcpExtTCPSynRetrans"]);
    expect(f.host.nextTimerMs()).toBe(1900);
    const skipped = f.host.receive(f.syn(), 1000);
    expect(skipped).toMatchObject({ outcome: "dropped", reason: "request-ack-ratelimited" });
    expect(skipped.moved).toContain("TcpExtTCPACKSkippedSynRecv");
  });

  it("under load (2·qlen > B, few young requests) retries are pruned towards 2", () => {
    const pruned = listenerWith({ backlog: 8 });
    const roomy = listenerWith({ backlog: 100 });
    for (const f of [pruned, roomy]) for (let i = 0; i < 8; i++) f.host.receive(f.syn({ sport: 100 + i }), 0);
    drain(pruned, 7000);
    drain(roomy, 7000);
    // pruning stops once 2·qlen ≤ max(8, B): half of them expire at +7 s instead of +63 s
    expect(pruned.host.requestCount).toBe(4);
    expect(roomy.host.requestCount).toBe(8);
  });
});

describe("TIME_WAIT expiry", () => {
  it("a TIME_WAIT socket disappears after 60 s", () => {
    const f = listenerWith({});
    f.host.addTimeWait({ laddr: SERVER, lport: PORT, raddr: 1, rport: 2, rcvNxt: 1, sndNxt: 1, tsRecent: 5 }, 1000);
    f.host.advance(60_999);
    expect(f.host.timeWaitCount).toBe(1);
    f.host.advance(61_000);
    expect(f.host.timeWaitCount).toBe(0);
  });

  it("receive() fires due timers first, so an expired TIME_WAIT no longer answers", () => {
    const f = listenerWith({});
    f.host.addTimeWait({ laddr: SERVER, lport: PORT, raddr: f.syn().saddr, rport: 40000, rcvNxt: 1, sndNxt: 1, tsRecent: 900_000 }, 0);
    expect(f.host.receive(f.syn({ tsval: 5 }), 60_000).outcome).toBe("synack");
  });
});
