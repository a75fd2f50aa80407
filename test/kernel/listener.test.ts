// Tests for the LISTEN state and everything before it (§2.2–§2.7, §2.10).
import { describe, expect, it } from "vitest";
import { ACK, RST, SYN, createHost, ipv4, segment } from "../../src/kernel/index.js";
import { CLIENT, PORT, SERVER, SYN_TEMPL, delta, listenerWith } from "./factories.js";

describe("no listener", () => {
  it("answers a SYN with RST/ACK seq 0, ack ISN+1, counting OutRsts and OutSegs (exp1)", () => {
    const host = createHost({ kernel: "6.18.44" });
    const r = host.receive(SYN_TEMPL({ seq: 1322161339 }), 0);
    expect(r.outcome).toBe("rst");
    expect(r.reason).toBe("no-listener");
    expect(r.replies[0]).toMatchObject({ kind: "rst", seq: 0, ack: 1322161340, flags: RST | ACK, hasTs: false });
    expect(r.moved).toEqual(["TcpInSegs", "TcpOutRsts", "TcpOutSegs"]);
  });

  it("does not answer an RST", () => {
    const host = createHost({ kernel: "6.18.44" });
    const r = host.receive(segment({ saddr: CLIENT, daddr: SERVER, dport: PORT, flags: RST }), 0);
    expect(r.outcome).toBe("dropped");
    expect(r.replies).toEqual([]);
  });

  it("a listener bound to another address does not match; 0.0.0.0 does", () => {
    const host = createHost({ kernel: "6.18.44" });
    host.listen(ipv4("127.0.0.1"), PORT, 10);
    expect(host.receive(SYN_TEMPL(), 0).reason).toBe("no-listener");
    host.listen(0, PORT, 10);
    expect(host.receive(SYN_TEMPL(), 0).outcome).toBe("synack");
  });
});

describe("before TCP: netfilter, rp_filter, checksum", () => {
  it("a firewall DROP moves no TCP counter (exp8)", () => {
    const f = listenerWith({ host: { policy: { firewall: () => "drop" } } });
    const before = f.host.counters();
    const r = f.host.receive(f.syn(), 0);
    expect(r).toMatchObject({ outcome: "dropped", reason: "firewall-drop", moved: [] });
    expect(delta(before, f.host.counters())).toEqual({});
  });

  it("a REJECT with tcp-reset answers RST but TcpOutRsts does not move (exp8)", () => {
    const f = listenerWith({ host: { policy: { firewall: (s) => (s.dport === PORT ? "reject-rst" : "accept") } } });
    const r = f.host.receive(f.syn(), 0);
    expect(r.outcome).toBe("rst");
    expect(r.replies[0]?.kind).toBe("nf-rst");
    expect(f.host.counter("TcpOutRsts")).toBe(0);
  });

  it("conntrack full drops new flows without TCP counters", () => {
    const f = listenerWith({ host: { policy: { conntrackFull: true } } });
    expect(f.host.receive(f.syn(), 0)).toMatchObject({ outcome: "dropped", reason: "conntrack-full", moved: [] });
    f.host.receive(f.syn({ sport: 2 }), 10);
    expect(f.host.log.map((l) => l.text)).toEqual(["nf_conntrack: nf_conntrack: table full, dropping packet"]);
  });

  it("strict rp_filter counts IPReversePathFilter and not TcpInSegs (exp7)", () => {
    const f = listenerWith({ host: { policy: { rpFilterDrops: (a) => a === CLIENT } } });
    const r = f.host.receive(f.syn(), 0);
    expect(r).toMatchObject({ outcome: "dropped", reason: "rp-filter", moved: ["TcpExtIPReversePathFilter"] });
    expect(f.host.counter("TcpInSegs")).toBe(0);
  });

  it("a bad checksum counts InSegs, InCsumErrors and InErrs", () => {
    const f = listenerWith({});
    const r = f.host.receive(f.syn({ csumOk: false }), 0);
    expect(r.moved).toEqual(["TcpInSegs", "TcpInCsumErrors", "TcpInErrs"]);
    expect(r.outcome).toBe("dropped");
  });
});

describe("listener-level filters", () => {
  it("IP_MINTTL drops low-TTL SYNs with TCPMinTTLDrop (a counter 3.10 lacks)", () => {
    for (const [kernel, moved] of [["6.18", ["TcpInSegs", "TcpExtTCPMinTTLDrop"]], ["3.10", ["TcpInSegs"]]] as const) {
      const host = createHost({ kernel });
      host.listen(SERVER, PORT, 10, { minTtl: 255 });
      const r = host.receive(SYN_TEMPL({ ttl: 63 }), 0);
      expect(r.reason).toBe("min-ttl");
      expect(r.moved).toEqual(moved);
    }
  });

  it("MD5: a keyed peer without signature is dropped (TCPMD5NotFound), an unkeyed signed one too", () => {
    const host = createHost({ kernel: "6.18" });
    host.listen(SERVER, PORT, 10, { md5Peers: [CLIENT] });
    expect(host.receive(SYN_TEMPL(), 0).moved).toContain("TcpExtTCPMD5NotFound");
    expect(host.receive(SYN_TEMPL({ md5: true }), 0).outcome).toBe("synack");
    expect(host.receive(SYN_TEMPL({ saddr: ipv4("198.18.9.9"), md5: true }), 0).moved).toContain("TcpExtTCPMD5Unexpected");
  });

  it("no route back: ListenDrops and IpOutNoRoutes, no SYN-ACK", () => {
    const f = listenerWith({ host: { policy: { noRouteTo: () => true } } });
    const r = f.host.receive(f.syn(), 0);
    expect(r).toMatchObject({ outcome: "dropped", reason: "no-return-route" });
    expect(r.moved).toEqual(["TcpInSegs", "IpOutNoRoutes", "TcpExtListenDrops"]);
  });

  it("an ACK to a listener (no cookie pending) gets RST seq = its ack", () => {
    const f = listenerWith({});
    const r = f.host.receive(segment({ saddr: CLIENT, sport: 4, daddr: SERVER, dport: PORT, flags: ACK, seq: 5, ack: 777 }), 0);
    expect(r).toMatchObject({ outcome: "rst", reason: "ack-to-listener" });
    expect(r.replies[0]).toMatchObject({ seq: 777, flags: RST });
  });

  it("SYN+FIN is dropped without ListenDrops", () => {
    const f = listenerWith({});
    const r = f.host.receive(f.syn({ flags: SYN | 0x01 }), 0);
    expect(r).toMatchObject({ outcome: "dropped", reason: "syn-fin", moved: ["TcpInSegs"] });
  });
});

describe("SYN-ACK contents", () => {
  it("echoes the SYN's TSval, acks ISN+1, MSS and window 65160 with timestamps", () => {
    const f = listenerWith({});
    const r = f.host.receive(f.syn({ seq: 41, tsval: 123456 }), 5);
    expect(r.replies[0]).toMatchObject({ kind: "synack", ack: 42, flags: SYN | ACK, hasTs: true, tsecr: 123456, mss: 1460, window: 65160, wscale: 7, sackOk: true });
  });

  it("no TS option with tcp_timestamps=0 (window 64240)", () => {
    const f = listenerWith({ sysctls: { "net.ipv4.tcp_timestamps": 0 } });
    expect(f.host.receive(f.syn(), 0).replies[0]).toMatchObject({ hasTs: false, window: 64240 });
  });

  it("uses the caller's ISN and clock", () => {
    const f = listenerWith({ host: { isn: () => 4242, tsClock: { tsval: (now) => now * 2 } } });
    expect(f.host.receive(f.syn(), 21).replies[0]).toMatchObject({ seq: 4242, tsval: 42 });
  });

  it("effective backlog B = min(backlog, somaxconn); negative → somaxconn", () => {
    const host = createHost({ kernel: "4.9" });
    expect(host.listen(SERVER, 1, 1000).effectiveBacklog).toBe(128);
    expect(host.listen(SERVER, 2, -1).effectiveBacklog).toBe(128);
    expect(host.listen(SERVER, 3, 5).effectiveBacklog).toBe(5);
  });
});
