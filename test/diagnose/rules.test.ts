/** Rule unit tests on hand-built capture summaries and host evidence, including kernel-version boundaries. */
import { describe, expect, it } from "vitest";
import { runEngine } from "../../src/diagnose/engine.js";
import { parseIpNeigh, parseIpRoute } from "../../src/evidence/ip-route-neigh.js";
import { RULES, CAUSE_RULES, RISK_RULES } from "../../src/diagnose/rules/index.js";
import { CAUSE_CODES, RISK_CODES, type Finding } from "../../src/diagnose/types.js";
import type { RuleContext } from "../../src/diagnose/context.js";
import { answered, attempt, ctx, host, silent, summary } from "./builders.js";

function find(c: RuleContext, code: string): Finding | undefined {
  return runEngine(c).findings.find((f) => f.code === code);
}

describe("rule list", () => {
  it("has exactly one rule per cause and per risk code of causes.md", () => {
    expect(CAUSE_RULES.map((r) => r.code).sort()).toEqual([...CAUSE_CODES].sort());
    expect(RISK_RULES.map((r) => r.code).sort()).toEqual([...RISK_CODES].sort());
    expect(new Set(RULES.map((r) => r.code)).size).toBe(RULES.length);
  });

  it("finds nothing in no evidence and answers unknown with collect commands", () => {
    const r = runEngine(ctx({ host: host() }));
    expect(r.verdict).toBe("unknown");
    expect(r.findings[0]?.code).toBe("unknown");
    expect(r.findings[0]?.fix.some((f) => f.command.startsWith("sudo nosynack collect"))).toBe(true);
  });
});

describe("tw-recycle-paws: only on kernels ≤ 4.11", () => {
  const counters = { TcpExtPAWSPassive: 40, TcpExtListenDrops: 40 };
  const sysctl = { "net.ipv4.tcp_tw_recycle": "1", "net.ipv4.tcp_timestamps": "1" };

  it("is the verdict on 4.11 with PAWSPassive rising and tw_recycle=1", () => {
    const r = runEngine(ctx({ host: host({ counters, sysctl }), kernel: "4.11" }));
    expect(r.verdict).toBe("tw-recycle-paws");
    expect(r.confidence).toBeGreaterThanOrEqual(0.9);
    expect(r.findings.some((f) => f.code === "tw-recycle-enabled" && f.kind === "risk")).toBe(true);
  });

  it("is never a cause on 4.12, where the feature and its counter are gone", () => {
    const r = runEngine(ctx({ host: host({ counters, sysctl }), kernel: "4.12" }));
    expect(r.findings.find((f) => f.code === "tw-recycle-paws")).toBeUndefined();
    expect(r.findings.find((f) => f.code === "tw-recycle-enabled")).toBeUndefined();
  });

  it("loses confidence when tw_recycle is 0 in the evidence (conflict, said so)", () => {
    const f = find(ctx({ host: host({ counters, sysctl: { "net.ipv4.tcp_tw_recycle": "0" } }), kernel: "3.10" }), "tw-recycle-paws");
    expect(f?.confidence).toBeLessThan(0.7);
    expect(f?.conflicts.length).toBeGreaterThan(0);
  });

  it("reads the capture alone: unanswered SYNs that are TSval regressions", () => {
    const regressed = silent(4).map((a) => ({ ...a, tsvalRegression: true }));
    const f = find(ctx({ capture: summary([...regressed, ...answered(6)]) }), "tw-recycle-paws");
    expect(f).toBeDefined();
    expect(f?.confidence).toBeLessThan(0.7); // kernel unknown: no proof tw_recycle exists there
    expect(f?.evidence.some((e) => e.source === "packet")).toBe(true);
  });

  it("counts a since-boot value lower than a delta", () => {
    const once = find(ctx({ host: host({ counters: { TcpExtPAWSPassive: [900, null] }, sysctl }), kernel: "3.10" }), "tw-recycle-paws");
    const window = find(ctx({ host: host({ counters: { TcpExtPAWSPassive: 900 }, sysctl }), kernel: "3.10" }), "tw-recycle-paws");
    expect(once?.confidence).toBeLessThan(window?.confidence ?? 0);
  });
});

describe("timewait-paws: PAWSTimewait on ≥ 6.16, PAWSEstab before", () => {
  it("trusts PAWSTimewait alone on 6.16", () => {
    const r = runEngine(ctx({ host: host({ counters: { TcpExtPAWSTimewait: 5, TcpExtPAWSEstab: 0 } }), kernel: "6.16" }));
    expect(r.verdict).toBe("timewait-paws");
  });

  it("does not expect PAWSTimewait on 6.15: PAWSEstab with TIME-WAIT sockets is the sign there", () => {
    const withTw = find(ctx({ host: host({ counters: { TcpExtPAWSTimewait: 5, TcpExtPAWSEstab: 5 }, states: { "TIME-WAIT": 12 } }), kernel: "6.15" }), "timewait-paws");
    expect(withTw?.evidence.some((e) => e.source === "counter" && e.counter === "TcpExtPAWSEstab")).toBe(true);
    expect(withTw?.evidence.some((e) => e.source === "counter" && e.counter === "TcpExtPAWSTimewait")).toBe(false);
    const without = find(ctx({ host: host({ counters: { TcpExtPAWSEstab: 5 } }), kernel: "6.15" }), "timewait-paws");
    expect(without?.confidence ?? 0).toBeLessThan(withTw?.confidence ?? 0);
    expect(without?.confidence ?? 0).toBeLessThan(0.5); // PAWSEstab alone is ambiguous on < 6.16
  });

  it("reads the wire signature alone (no counter moves without timestamps)", () => {
    const acks = Array.from({ length: 3 }, (_, i) => attempt({ clientPort: 40000 + i, firstReply: "ack", replyTsEcr: 777, clientRstAfterAck: true }));
    const cap = summary([...acks, ...answered(3)]);
    const withSignals = { ...cap, signals: { ...cap.signals, synOnServerClosedTuple: 3 } };
    const r = runEngine(ctx({ capture: withSignals }));
    expect(r.verdict).toBe("timewait-paws");
  });
});

describe("accept-queue-overflow", () => {
  it("is certain with ListenOverflows = ListenDrops and Recv-Q > Send-Q", () => {
    const r = runEngine(ctx({ host: host({ counters: { TcpExtListenOverflows: 10, TcpExtListenDrops: 10 }, listeners: [{ local: "0.0.0.0:8080", recvQ: 3, sendQ: 2 }] }), kernel: "6.18" }));
    expect(r.verdict).toBe("accept-queue-overflow");
    expect(r.confidence).toBeGreaterThanOrEqual(0.95);
    expect(r.findings.find((f) => f.code === "backlog-small")).toBeDefined();
  });

  it("says conflicting evidence and lowers confidence when the capture shows every SYN answered", () => {
    const hostOnly = find(ctx({ host: host({ counters: { TcpExtListenOverflows: 10, TcpExtListenDrops: 10 } }) }), "accept-queue-overflow");
    const both = find(ctx({ host: host({ counters: { TcpExtListenOverflows: 10, TcpExtListenDrops: 10 } }), capture: summary(answered(20)) }), "accept-queue-overflow");
    expect(both?.conflicts.length).toBeGreaterThan(0);
    expect(both?.confidence ?? 1).toBeLessThan(hostOnly?.confidence ?? 0);
  });

  it("names abort_on_overflow without expecting a TCPAbortOnOverflow counter", () => {
    const f = find(ctx({ host: host({ counters: { TcpExtListenOverflows: 1, TcpExtListenDrops: 1, TcpExtEmbryonicRsts: 1, TcpOutRsts: 1 }, sysctl: { "net.ipv4.tcp_abort_on_overflow": "1" } }) }), "accept-queue-overflow");
    expect(f?.evidence.map((e) => (e.source === "counter" ? e.counter : "")).filter((c) => c.includes("Abort"))).toEqual([]);
    expect(f?.fix.some((x) => x.command.includes("tcp_abort_on_overflow=0"))).toBe(true);
  });
});

describe("syn queue", () => {
  it("TCPReqQFullDrop with syncookies=0 is syn-queue-overflow", () => {
    const r = runEngine(ctx({ host: host({ counters: { TcpExtTCPReqQFullDrop: 7, TcpExtListenDrops: 7 }, sysctl: { "net.ipv4.tcp_syncookies": "0" }, states: { "SYN-RECV": 5 } }) }));
    expect(r.verdict).toBe("syn-queue-overflow");
  });

  it("the ¾ rule moves ListenDrops alone, only with syncookies=0", () => {
    const off = runEngine(ctx({ host: host({ counters: { TcpExtListenDrops: 5 }, sysctl: { "net.ipv4.tcp_syncookies": "0" } }) }));
    expect(off.findings.find((f) => f.code === "syn-queue-overflow")).toBeDefined();
    const on = runEngine(ctx({ host: host({ counters: { TcpExtListenDrops: 5 }, sysctl: { "net.ipv4.tcp_syncookies": "1" } }) }));
    expect(on.findings.find((f) => f.code === "syn-queue-overflow")).toBeUndefined();
  });

  it("cookies: a flood that is still answered", () => {
    const r = runEngine(ctx({ host: host({ counters: { TcpExtTCPReqQFullDoCookies: 8, TcpExtSyncookiesSent: 8 }, sysctl: { "net.ipv4.tcp_syncookies": "1" } }) }));
    expect(r.verdict).toBe("syn-flood-cookies");
  });

  it("half-open attempts alone look like a flood, but not while the accept queue overflows", () => {
    // The server repeated its SYN-ACK and the client never retried its SYN: spoofed sources, or a full accept
    // queue that dropped the client's final ACK (ListenOverflows says which).
    const halfOpen = Array.from({ length: 4 }, (_, i) => attempt({ clientPort: 51000 + i, synacks: 3 }));
    const capture = summary([...answered(6), ...halfOpen]);
    expect(find(ctx({ capture, host: host({ counters: {} }) }), "syn-flood-cookies")?.confidence).toBeCloseTo(0.45);
    const overflow = runEngine(ctx({ capture, host: host({ counters: { TcpExtListenOverflows: 12, TcpExtListenDrops: 12 } }) }));
    expect(overflow.findings.find((f) => f.code === "syn-flood-cookies")).toBeUndefined();
    expect(overflow.verdict).toBe("accept-queue-overflow");
  });

  it("the half-open count is the capture's, not the number of attempts kept as records", () => {
    const halfOpen = Array.from({ length: 3 }, (_, i) => attempt({ clientPort: 51000 + i, synacks: 3 }));
    const capture = summary([...halfOpen, ...silent(2)]);
    (capture.listeners[0] as { halfOpen: number }).halfOpen = 80_000;
    const f = find(ctx({ capture, host: host({ counters: {} }) }), "syn-queue-overflow");
    expect(f?.evidence.map((e) => e.detail)).toContain("80,000 half-open attempts: SYN-ACK retransmitted, never acknowledged, SYN never retried (flood-like)");
  });

  it("cites spoofed-looking sources (nearly an address per attempt) beside the half-open attempts, and not otherwise", () => {
    const halfOpen = Array.from({ length: 3 }, (_, i) => attempt({ clientPort: 51000 + i, synacks: 3 }));
    const details = (sourceAddresses: { count: number; estimated: boolean }, attempts: number): string[] => {
      const capture = summary([...halfOpen, ...silent(2)], { sourceAddresses });
      capture.handshakes.attempts = attempts;
      return find(ctx({ capture, host: host({ counters: {} }) }), "syn-queue-overflow")?.evidence.map((e) => e.detail) ?? [];
    };
    expect(details({ count: 3_609_365, estimated: true }, 4_000_000)).toContain("4,000,000 SYN attempts came from about 3,609,365 distinct addresses: spoofed sources look like this");
    expect(details({ count: 1200, estimated: false }, 2000)).toContain("2,000 SYN attempts came from 1,200 distinct addresses: spoofed sources look like this");
    expect(details({ count: 1200, estimated: false }, 5000).some((d) => d.includes("distinct addresses"))).toBe(false);
    expect(details({ count: 5, estimated: false }, 5).some((d) => d.includes("distinct addresses"))).toBe(false);
  });

  it("cookies with tcp_syncookies=2 are not a flood", () => {
    const f = find(ctx({ host: host({ counters: { TcpExtTCPReqQFullDoCookies: 8, TcpExtSyncookiesSent: 8 }, sysctl: { "net.ipv4.tcp_syncookies": "2" } }) }), "syn-flood-cookies");
    expect(f?.confidence ?? 0).toBeLessThan(0.5);
  });
});

describe("drops before TCP", () => {
  const dropRule = {
    source: "iptables" as const, family: "ip", table: "filter", chain: "INPUT", hook: "input", policy: false, packets: 3, bytes: 180,
    verdict: "drop" as const, verdictArg: null, protocol: "tcp", dport: { ranges: [[8080, 8080] as const], negated: false, unresolved: false },
    sport: null, otherConditions: false, text: "-A INPUT -p tcp --dport 8080 -j DROP", path: "iptables-save-after.txt", line: 7, packetsDelta: 3,
  };

  it("firewall-drop: a DROP rule on the port counted the SYNs, TCP saw none", () => {
    const r = runEngine(ctx({ host: host({ counters: { TcpInSegs: 0 }, firewall: [dropRule] }), capture: summary(silent(1)) }));
    expect(r.verdict).toBe("firewall-drop");
    expect(r.crossCheck?.agreement).toBe("counters-lower");
  });

  it("firewall-drop: a rule on another port is not evidence", () => {
    const other = { ...dropRule, dport: { ranges: [[22, 22] as const], negated: false, unresolved: false } };
    expect(find(ctx({ host: host({ firewall: [other] }) }), "firewall-drop")).toBeUndefined();
  });

  it("rp-filter: IPReversePathFilter rising with rp_filter=1", () => {
    const r = runEngine(ctx({ host: host({ counters: { TcpExtIPReversePathFilter: 3 }, sysctl: { "net.ipv4.conf.eth0.rp_filter": "1" } }) }));
    expect(r.verdict).toBe("rp-filter");
    expect(r.findings[0]?.fix[0]?.command).toContain("net.ipv4.conf.eth0.rp_filter=2");
  });

  it("conntrack-full: table at max with drops rising", () => {
    const conntrack = { count: 65536, max: 65536, drops: 9, insertFailed: 0, earlyDrop: 40, dropsDelta: 9, insertFailedDelta: 0, earlyDropDelta: 40 };
    expect(runEngine(ctx({ host: host({ conntrack }) })).verdict).toBe("conntrack-full");
  });

  it("bad-checksum: the capture alone is weaker than with TcpInCsumErrors, and offload (no counter rise) is a conflict", () => {
    const bad = silent(4).map((a) => ({ ...a, badChecksum: true }));
    const alone = find(ctx({ capture: summary(bad) }), "bad-checksum");
    const both = find(ctx({ capture: summary(bad), host: host({ counters: { TcpInCsumErrors: 4 } }) }), "bad-checksum");
    const offload = find(ctx({ capture: summary(bad), host: host({ counters: { TcpInCsumErrors: 0, TcpInSegs: 12 } }) }), "bad-checksum");
    expect(alone?.confidence ?? 0).toBeLessThan(both?.confidence ?? 0);
    expect(offload?.conflicts.length).toBeGreaterThan(0);
    expect(offload?.confidence ?? 1).toBeLessThan(0.5);
  });
});

describe("listener-level filters and replies", () => {
  it("min-ttl: TCPMinTTLDrop", () => {
    expect(runEngine(ctx({ host: host({ counters: { TcpExtTCPMinTTLDrop: 3 } }), kernel: "6.18" })).verdict).toBe("min-ttl");
  });

  it("min-ttl is not expected on a kernel without the counter", () => {
    expect(find(ctx({ host: host({ counters: { TcpExtTCPMinTTLDrop: 3 } }), kernel: "5.10" }), "min-ttl")).toBeUndefined();
  });

  it("tcp-md5: MD5NotFound", () => {
    expect(runEngine(ctx({ host: host({ counters: { TcpExtTCPMD5NotFound: 3 } }) })).verdict).toBe("tcp-md5");
  });

  it("no-listener: RSTs on the wire and no LISTEN socket on the port", () => {
    const rsts = Array.from({ length: 3 }, (_, i) => attempt({ clientPort: 40000 + i, firstReply: "rst", answeredAt: null }));
    const r = runEngine(ctx({ capture: summary(rsts), host: host({ counters: { TcpOutRsts: 3 }, listeners: [{ local: "127.0.0.1:8080" }] }) }));
    expect(r.verdict).toBe("no-listener");
    expect(r.confidence).toBeGreaterThanOrEqual(0.9);
  });

  it("no-listener: RSTs alone stay below the verdict threshold (a REJECT rule sends the same)", () => {
    const rsts = Array.from({ length: 3 }, (_, i) => attempt({ clientPort: 40000 + i, firstReply: "rst", answeredAt: null }));
    const r = runEngine(ctx({ capture: summary(rsts) }));
    expect(r.verdict).toBe("unknown");
    expect(r.findings.find((f) => f.code === "no-listener")?.conflicts.length).toBeGreaterThan(0);
  });
});

describe("return path", () => {
  const routes = parseIpRoute("198.18.1.0/24 dev eth0 proto kernel scope link src 198.18.1.1\n");
  const routesWithGw = parseIpRoute("default via 198.18.1.254 dev eth0\n198.18.1.0/24 dev eth0 proto kernel scope link src 198.18.1.1\n198.18.10.0/24 via 198.18.1.253 dev eth0\n");

  it("no-return-route: residual ListenDrops and no route to the client", () => {
    const r = runEngine(ctx({ capture: summary(silent(1)), host: host({ counters: { TcpExtListenDrops: 3, TcpExtListenOverflows: 0 }, sysctl: { "net.ipv4.tcp_syncookies": "1" } }), net: { routes, neighbours: null, routeFile: "ip-route.txt", neighFile: null } }));
    expect(r.verdict).toBe("no-return-route");
  });

  it("neighbour-unreachable: INCOMPLETE gateway with SYN-ACK retransmissions", () => {
    const neighbours = parseIpNeigh("198.18.1.254 dev eth0 lladdr 52:67:39:ef:6c:da STALE\n198.18.1.253 dev eth0 INCOMPLETE\n");
    const r = runEngine(ctx({ host: host({ counters: { TcpExtTCPSynRetrans: 4, TcpExtListenDrops: 1 }, states: { "SYN-RECV": 1 }, sysctl: { "net.ipv4.tcp_syncookies": "1" } }), net: { routes: routesWithGw, neighbours, routeFile: "r", neighFile: "n" } }));
    expect(r.verdict).toBe("neighbour-unreachable");
    expect(r.findings.find((f) => f.code === "no-return-route")?.confidence ?? 0).toBeLessThan(0.5);
  });

  it("synack-lost: SYN-ACK retransmitted while the client retries its SYN; the client capture confirms", () => {
    const server = summary([attempt({ syns: 3, lastSyn: 1_700_000_003_000_000, synacks: 4 })]);
    const client = summary([attempt({ syns: 3, firstReply: "none", firstReplyAt: null, answeredAt: null, synacks: 0 })]);
    const alone = find(ctx({ capture: server }), "synack-lost");
    const both = find(ctx({ capture: server, clientCapture: client }), "synack-lost");
    expect(alone?.confidence ?? 0).toBeGreaterThanOrEqual(0.7);
    expect(both?.confidence ?? 0).toBeGreaterThan(alone?.confidence ?? 1);
  });

  it("synack-lost: SYN retransmitted only before the first SYN-ACK is a drop, not a lost SYN-ACK", () => {
    const cap = summary([attempt({ syns: 3, firstSyn: 1_700_000_000_000_000, lastSyn: 1_700_000_002_000_000, firstReplyAt: 1_700_000_002_000_100, synacks: 3 })]);
    expect(find(ctx({ capture: cap }), "synack-lost")).toBeUndefined();
  });
});

describe("verdict rules", () => {
  it("healthy needs a capture with every SYN answered", () => {
    expect(runEngine(ctx({ capture: summary(answered(10)) })).verdict).toBe("healthy");
    expect(runEngine(ctx({ host: host({ counters: { TcpPassiveOpens: 10, TcpExtListenDrops: 0 } }) })).verdict).toBe("unknown");
  });

  it("is not healthy when SYN-ACKs had to be retransmitted", () => {
    const cap = summary([...answered(3), attempt({ clientPort: 1, synacks: 3 })]);
    expect(runEngine(ctx({ capture: cap })).verdict).toBe("unknown");
  });

  it("unanswered SYNs with nothing to explain them give unknown and the commands for what is missing", () => {
    const r = runEngine(ctx({ capture: summary(silent(5)) }));
    expect(r.verdict).toBe("unknown");
    const commands = r.findings[0]?.fix.map((f) => f.command).join("\n") ?? "";
    expect(commands).toContain("nosynack collect");
    expect(commands).toContain("nstat -asz");
    expect(commands).not.toContain("tcpdump -i any -w server.pcap"); // the capture is already there
  });

  it("cross-checks unanswered SYN transmissions against the drop counters", () => {
    const r = runEngine(ctx({ capture: summary(silent(2, 5)), host: host({ counters: { TcpExtListenOverflows: 10, TcpExtListenDrops: 10 } }) }));
    expect(r.crossCheck?.unansweredSyns).toBe(10);
    expect(r.crossCheck?.agreement).toBe("match");
  });

  it("orders findings: verdict first, then causes, risks, info", () => {
    const r = runEngine(ctx({ capture: summary(silent(2, 5)), host: host({ counters: { TcpExtListenOverflows: 10, TcpExtListenDrops: 10 }, listeners: [{ local: "0.0.0.0:8080", recvQ: 3, sendQ: 2 }] }) }));
    const kinds = r.findings.map((f) => f.kind);
    expect(r.findings[0]?.code).toBe(r.verdict);
    expect(kinds).toEqual([...kinds].sort((a, b) => ["cause", "risk", "info"].indexOf(a) - ["cause", "risk", "info"].indexOf(b)));
  });
});

describe("risks", () => {
  it("nat-detected from several per-host clocks under one address", () => {
    const cap = summary(answered(4), { sources: [{ addr: "198.18.8.1", attempts: 40, unanswered: 0, tsvalRegressions: 6, tsClocks: 5, tsRegime: "per-host", tsRateHz: 1000, tsSamples: 40 }] });
    const f = find(ctx({ capture: cap }), "nat-detected");
    expect(f?.kind).toBe("risk");
    expect(f?.confidence).toBeGreaterThanOrEqual(0.7);
  });

  it("timestamps-disabled and tw-bucket-overflow", () => {
    const r = runEngine(ctx({ host: host({ counters: { TcpExtTCPTimeWaitOverflow: 3 }, sysctl: { "net.ipv4.tcp_timestamps": "0" } }) }));
    expect(r.findings.map((f) => f.code)).toEqual(expect.arrayContaining(["timestamps-disabled", "tw-bucket-overflow"]));
    expect(r.verdict).toBe("unknown"); // risks are never the verdict
  });

  it("counters-not-exported: a filtered export that lists zeros but lacks ListenDrops", () => {
    const f = find(ctx({ host: host({ counters: { TcpInSegs: [0, null], TcpOutSegs: [0, null] } }), kernel: "6.18" }), "counters-not-exported");
    expect(f?.summary).toContain("TcpExtListenDrops");
  });
});
