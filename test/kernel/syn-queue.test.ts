// Tests for the SYN queue: queue-full predicates per version, syncookie modes, the ¾ rule (§2.12 G1/G7, §4).
import { describe, expect, it } from "vitest";
import { ACK, ipv4, segment } from "../../src/kernel/index.js";
import { CLIENT, PORT, SERVER, delta, listenerWith, thirdAck, type ListenerFixture } from "./factories.js";

/** `n` SYNs from distinct ports (like hping3 -S -c n: no TS option), never completed. */
function flood(f: ListenerFixture, n: number, nowMs = 0) {
  return Array.from({ length: n }, (_, i) => f.host.receive(f.syn({ sport: 2000 + i, hasTs: false, seq: 7 * i }), nowMs));
}

describe("SYN queue full predicate", () => {
  it("6.18: listen(4) holds 5 requests (qlen > B), syncookies=0 drops the rest (exp4a)", () => {
    const f = listenerWith({ kernel: "6.18.44", backlog: 4, sysctls: { "net.ipv4.tcp_syncookies": 0 } });
    const before = f.host.counters();
    const rs = flood(f, 12);
    expect(rs.filter((r) => r.outcome === "synack")).toHaveLength(5);
    expect(rs.slice(5).every((r) => r.reason === "syn-queue-full")).toBe(true);
    expect(f.host.listenerSnapshot(SERVER, PORT)?.synQueue).toBe(5);
    expect(delta(before, f.host.counters())).toMatchObject({ TcpExtTCPReqQFullDrop: 7, TcpExtListenDrops: 7 });
    expect(f.host.counter("TcpExtListenOverflows")).toBe(0);
    expect(f.host.log.map((l) => l.text)).toEqual([
      "TCP: request_sock_TCP: Possible SYN flooding on port 198.18.0.1:8080. Dropping request.",
    ]);
  });

  it("4.9: qlen >= B holds exactly B", () => {
    const f = listenerWith({ kernel: "4.9", backlog: 4, sysctls: { "net.ipv4.tcp_syncookies": 0 } });
    expect(flood(f, 12).filter((r) => r.outcome === "synack")).toHaveLength(4);
    expect(f.host.log[0]?.text).toBe("TCP: request_sock_TCP: Possible SYN flooding on port 8080. Dropping request.  Check SNMP counters.");
  });

  it("4.9 with listen(0) and no cookies accepts nothing; 6.18 accepts one", () => {
    const old = listenerWith({ kernel: "4.9", backlog: 0, sysctls: { "net.ipv4.tcp_syncookies": 0 } });
    expect(flood(old, 3).filter((r) => r.outcome === "synack")).toHaveLength(0);
    const cur = listenerWith({ kernel: "6.18", backlog: 0, sysctls: { "net.ipv4.tcp_syncookies": 0 } });
    expect(flood(cur, 3).filter((r) => r.outcome === "synack")).toHaveLength(1);
  });

  it("3.10: power-of-two table from min(B, max_syn_backlog) (B=128 → 256; B=4 → 16)", () => {
    const big = listenerWith({ kernel: "3.10", backlog: 128, sysctls: { "net.ipv4.tcp_syncookies": 0, "net.ipv4.tcp_max_syn_backlog": 1024 } });
    // (the ¾ rule would only cut in past 768 requests)
    expect(flood(big, 300).filter((r) => r.outcome === "synack")).toHaveLength(256);
    const small = listenerWith({ kernel: "3.10", backlog: 4, sysctls: { "net.ipv4.tcp_syncookies": 0 } });
    expect(flood(small, 20).filter((r) => r.outcome === "synack")).toHaveLength(16);
    expect(small.host.log[0]?.text).toBe("TCP: TCP: Possible SYN flooding on port 8080. Dropping request.  Check SNMP counters.");
  });
});

describe("syncookies", () => {
  it("mode 1: cookies once the queue is full, log once per listener (exp4b)", () => {
    const f = listenerWith({ kernel: "6.18.44", backlog: 4 });
    const before = f.host.counters();
    const rs = flood(f, 12);
    expect(rs.filter((r) => r.outcome === "synack")).toHaveLength(5);
    expect(rs.filter((r) => r.outcome === "cookie")).toHaveLength(7);
    expect(rs[11]?.reason).toBe("syn-queue-full-cookie");
    expect(delta(before, f.host.counters())).toMatchObject({ TcpExtTCPReqQFullDoCookies: 7, TcpExtSyncookiesSent: 7 });
    expect(f.host.counter("TcpExtListenDrops")).toBe(0);
    expect(f.host.log.map((l) => l.text)).toEqual(["TCP: request_sock_TCP: Possible SYN flooding on port 198.18.0.1:8080. Sending cookies."]);
  });

  it("mode 2: every SYN gets a cookie, nothing queued, no log (exp4c)", () => {
    const f = listenerWith({ kernel: "6.18.44", backlog: 4, sysctls: { "net.ipv4.tcp_syncookies": 2 } });
    const rs = flood(f, 12);
    expect(rs.every((r) => r.outcome === "cookie" && r.reason === "syncookies-always")).toBe(true);
    expect(f.host.counter("TcpExtTCPReqQFullDoCookies")).toBe(12);
    expect(f.host.listenerSnapshot(SERVER, PORT)?.synQueue).toBe(0);
    expect(f.host.log).toEqual([]);
  });

  it("a cookie SYN-ACK without client TS carries only the MSS", () => {
    const f = listenerWith({ sysctls: { "net.ipv4.tcp_syncookies": 2 } });
    const r = f.host.receive(f.syn({ hasTs: false }), 0);
    expect(r.replies[0]).toMatchObject({ kind: "cookie-synack", mss: 1460, wscale: -1, sackOk: false, hasTs: false });
  });

  it("a valid cookie ACK creates a child (SyncookiesRecv, PassiveOpens); a forged one gets RST (SyncookiesFailed)", () => {
    const f = listenerWith({ sysctls: { "net.ipv4.tcp_syncookies": 2 } });
    const sa = f.host.receive(f.syn({ seq: 500 }), 1000).replies[0];
    if (!sa) throw new Error("no cookie SYN-ACK");
    const ok = f.host.receive(thirdAck(sa), 1500);
    expect(ok).toMatchObject({ outcome: "established", reason: "cookie-valid" });
    expect(ok.moved).toEqual(["TcpInSegs", "TcpExtSyncookiesRecv", "TcpPassiveOpens"]);
    const bad = f.host.receive(thirdAck(sa, { sport: 40001, ack: sa.seq + 99 }), 1600);
    expect(bad.outcome).toBe("rst");
    expect(bad.moved).toContain("TcpExtSyncookiesFailed");
  });

  it("a cookie ACK is valid for about 2 minutes only", () => {
    const f = listenerWith({ sysctls: { "net.ipv4.tcp_syncookies": 2 } });
    const sa = f.host.receive(f.syn(), 0).replies[0];
    if (!sa) throw new Error("no cookie SYN-ACK");
    expect(f.host.receive(thirdAck(sa), 200_000).outcome).toBe("rst");
  });

  it("an ACK to a listener that never sent cookies is not checked as a cookie", () => {
    const f = listenerWith({});
    const r = f.host.receive(segment({ saddr: CLIENT, sport: 9, daddr: SERVER, dport: PORT, flags: ACK, seq: 1, ack: 2 }), 0);
    expect(r.moved).not.toContain("TcpExtSyncookiesFailed");
  });
});

describe("the ¾ rule (syncookies=0, tcp_max_syn_backlog)", () => {
  const setup = (kernel: string) =>
    listenerWith({ kernel, backlog: 100, sysctls: { "net.ipv4.tcp_syncookies": 0, "net.ipv4.tcp_max_syn_backlog": 8 } });

  it("unproven peer: 7 accepted, 5 dropped with ListenDrops only (exp4d)", () => {
    const f = setup("6.18.44");
    const before = f.host.counters();
    const rs = flood(f, 12);
    expect(rs.filter((r) => r.outcome === "synack")).toHaveLength(7);
    expect(rs.slice(7).every((r) => r.reason === "max-syn-backlog-unproven")).toBe(true);
    expect(delta(before, f.host.counters())).toEqual({ TcpInSegs: 12, TcpOutSegs: 7, TcpExtListenDrops: 5 });
  });

  it("a peer with a tcp_metrics RTT is spared (exp4d with cached metrics)", () => {
    const f = setup("6.18.44");
    f.host.setPeerRtt(SERVER, CLIENT, true);
    expect(flood(f, 12).every((r) => r.outcome === "synack")).toBe(true);
    f.host.flushMetrics();
    expect(f.host.receive(f.syn({ sport: 9999, hasTs: false }), 0).reason).toBe("max-syn-backlog-unproven");
  });

  it("≤4.11: an RTT alone does not prove the peer, a tw_recycle stamp is needed too", () => {
    const f = setup("4.9");
    f.host.setPeerRtt(SERVER, CLIENT, true);
    expect(flood(f, 12).filter((r) => r.outcome === "synack")).toHaveLength(7);
    const g = setup("4.9");
    g.host.setPeerRtt(SERVER, CLIENT, true);
    g.host.setPeerTimestamp(SERVER, CLIENT, 5, 0);
    expect(flood(g, 12).every((r) => r.outcome === "synack")).toBe(true);
  });

  it("is skipped for other addresses' metrics", () => {
    const f = setup("6.18");
    f.host.setPeerRtt(SERVER, ipv4("198.18.7.7"), true);
    expect(flood(f, 12).filter((r) => r.outcome === "synack")).toHaveLength(7);
  });
});
