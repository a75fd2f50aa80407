// Tests for the per-peer timestamp cache of tcp_tw_recycle (≤4.11) and tcp_metrics (§2.13, §9A).
import { describe, expect, it } from "vitest";
import { KernelConfigError, secondsAt } from "../../src/kernel/index.js";
import { CLIENT, SERVER, delta, establish, listenerWith } from "./factories.js";

const recycling = (kernel = "3.10.0-1160.el7") => listenerWith({ kernel, sysctls: { "net.ipv4.tcp_tw_recycle": 1 } });

/** Client A (behind the NAT address CLIENT) connects from 41000 and the server closes first at `atMs`. */
function serverClosed(f: ReturnType<typeof recycling>, lastTsval: number, atMs: number) {
  const c = establish(f, 41000, atMs, { tsval: lastTsval - 5 });
  if (!c) throw new Error("no connection");
  return f.host.closeServerFirst(c, atMs, lastTsval);
}

describe("tcp_remember_stamp and the short TIME_WAIT", () => {
  it("a server-side close stores the peer's last TSval and the second it arrived", () => {
    const f = recycling();
    serverClosed(f, 900_000, 5000);
    expect(f.host.peerMetrics(SERVER, CLIENT)).toMatchObject({ tsRecent: 900_000, tsStamp: secondsAt(5000), hasRtt: true });
  });

  it("TIME_WAIT lasts 3.5 × RTO instead of 60 s (TWKilled when it ends)", () => {
    const f = listenerWith({ kernel: "3.10", sysctls: { "net.ipv4.tcp_tw_recycle": 1 }, host: { rtoMs: 200 } });
    const tw = serverClosed(f, 900_000, 5000);
    expect(tw?.expiresMs).toBe(5700);
    f.host.advance(5700);
    expect(f.host.counter("TcpExtTWKilled")).toBe(1);
  });

  it("an older TSval does not overwrite a fresh entry; a newer one does", () => {
    for (const [last, kept] of [[800_000, 900_000], [950_000, 950_000]] as const) {
      const f = recycling();
      const c = establish(f, 41000, 0);
      if (!c) throw new Error("no connection");
      f.host.setPeerTimestamp(SERVER, CLIENT, 900_000, 0);
      f.host.closeServerFirst(c, 1000, last);
      expect(f.host.peerMetrics(SERVER, CLIENT)?.tsRecent).toBe(kept);
    }
  });

  it("a stale entry (> 60 s) is replaced even by an older TSval", () => {
    const f = recycling();
    const c = establish(f, 41000, 0);
    if (!c) throw new Error("no connection");
    f.host.setPeerTimestamp(SERVER, CLIENT, 900_000, 0);
    f.host.closeServerFirst(c, 61_500, 800_000);
    expect(f.host.peerMetrics(SERVER, CLIENT)?.tsRecent).toBe(800_000);
  });

  it("a connection the client closed first does not feed the cache", () => {
    const f = recycling();
    const c = establish(f, 41000, 0);
    if (!c) throw new Error("no connection");
    f.host.closeClientFirst(c, 10);
    expect(f.host.peerMetrics(SERVER, CLIENT)?.tsStamp ?? 0).toBe(0);
  });

  it("without tw_recycle nothing is remembered and TIME_WAIT lasts 60 s", () => {
    const f = listenerWith({ kernel: "3.10" });
    const tw = serverClosed(f, 900_000, 0);
    expect(tw?.expiresMs).toBe(60_000);
    expect(f.host.peerMetrics(SERVER, CLIENT)?.tsStamp).toBe(0);
  });
});

describe("tw_recycle per-peer PAWS check at SYN time", () => {
  it("another host behind the same address with an older clock is dropped silently: PAWSPassive + ListenDrops", () => {
    const f = recycling();
    serverClosed(f, 900_000, 0);
    f.host.advance(1000);
    const before = f.host.counters();
    const r = f.host.receive(f.syn({ sport: 52000, tsval: 400_000 }), 1000);
    expect(r).toMatchObject({ outcome: "dropped", reason: "tw-recycle-paws", replies: [] });
    expect(delta(before, f.host.counters())).toEqual({ TcpInSegs: 1, TcpExtPAWSPassive: 1, TcpExtListenDrops: 1 });
  });

  it("TCP_PAWS_WINDOW: a TSval 1 behind passes, 2 behind is rejected", () => {
    const f = recycling();
    f.host.setPeerTimestamp(SERVER, CLIENT, 1000, 0);
    expect(f.host.receive(f.syn({ sport: 1, tsval: 999 }), 10).outcome).toBe("synack");
    expect(f.host.receive(f.syn({ sport: 2, tsval: 998 }), 10).reason).toBe("tw-recycle-paws");
  });

  it("the entry is trusted for 60 s only", () => {
    const f = recycling();
    f.host.setPeerTimestamp(SERVER, CLIENT, 900_000, 0);
    expect(f.host.receive(f.syn({ sport: 1, tsval: 5 }), 59_999).reason).toBe("tw-recycle-paws");
    expect(f.host.receive(f.syn({ sport: 2, tsval: 5 }), 60_000).outcome).toBe("synack");
  });

  it("3.10: a SYN without TS is not checked; 3.17+ (4.9 here): it is rejected while the entry is fresh", () => {
    const old = recycling("3.10");
    old.host.setPeerTimestamp(SERVER, CLIENT, 900_000, 0);
    expect(old.host.receive(old.syn({ hasTs: false }), 10).outcome).toBe("synack");
    const mid = recycling("4.9");
    mid.host.setPeerTimestamp(SERVER, CLIENT, 900_000, 0);
    expect(mid.host.receive(mid.syn({ hasTs: false }), 10).reason).toBe("tw-recycle-paws");
  });

  it("tw_recycle=0 on the same kernel: the same SYN is answered", () => {
    const f = listenerWith({ kernel: "3.10" });
    f.host.setPeerTimestamp(SERVER, CLIENT, 900_000, 0);
    expect(f.host.receive(f.syn({ tsval: 5 }), 10).outcome).toBe("synack");
  });

  it("cookie SYNs are not checked", () => {
    const f = listenerWith({ kernel: "4.9", sysctls: { "net.ipv4.tcp_tw_recycle": 1, "net.ipv4.tcp_syncookies": 2 } });
    f.host.setPeerTimestamp(SERVER, CLIENT, 900_000, 0);
    expect(f.host.receive(f.syn({ tsval: 5 }), 10).outcome).toBe("cookie");
  });

  it("with tw_recycle=1 on 4.x the ¾ rule is skipped", () => {
    const f = listenerWith({
      kernel: "4.9",
      backlog: 100,
      sysctls: { "net.ipv4.tcp_tw_recycle": 1, "net.ipv4.tcp_syncookies": 0, "net.ipv4.tcp_max_syn_backlog": 8 },
    });
    const rs = Array.from({ length: 12 }, (_, i) => f.host.receive(f.syn({ sport: 100 + i }), 0));
    expect(rs.every((r) => r.outcome === "synack")).toBe(true);
  });

  it("4.12 has no tw_recycle: setting it is an error", () => {
    expect(() => recycling("4.12")).toThrow(KernelConfigError);
  });
});
