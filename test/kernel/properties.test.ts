// Property tests over random operation sequences on random kernels and sysctls.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ACK, RST, createHost, type Reply, type SegmentResult, type ServerHost } from "../../src/kernel/index.js";
import { CLIENT, CLIENT2, PORT, SERVER, SYN_TEMPL, thirdAck, rstSegment } from "./factories.js";

type Op =
  | { op: "syn"; client: 0 | 1; port: number; seq: number; tsval: number; hasTs: boolean }
  | { op: "ack"; which: number }
  | { op: "rst"; which: number }
  | { op: "accept" }
  | { op: "closeServer"; tsval: number }
  | { op: "closeClient" }
  | { op: "wait"; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant("syn" as const),
    client: fc.constantFrom(0 as const, 1 as const),
    port: fc.integer({ min: 40000, max: 40005 }),
    seq: fc.nat(),
    tsval: fc.nat(),
    hasTs: fc.boolean(),
  }),
  fc.record({ op: fc.constant("ack" as const), which: fc.nat(20) }),
  fc.record({ op: fc.constant("rst" as const), which: fc.nat(20) }),
  fc.record({ op: fc.constant("accept" as const) }),
  fc.record({ op: fc.constant("closeServer" as const), tsval: fc.nat() }),
  fc.record({ op: fc.constant("closeClient" as const) }),
  fc.record({ op: fc.constant("wait" as const), ms: fc.integer({ min: 0, max: 70_000 }) }),
);

const setupArb = fc.record({
  kernel: fc.constantFrom("3.10", "4.4", "4.9", "4.10", "4.11", "4.14", "5.4", "6.1", "6.12", "6.15", "6.18.44"),
  backlog: fc.integer({ min: 0, max: 4 }),
  syncookies: fc.constantFrom(0, 1, 2),
  recycle: fc.boolean(),
  abort: fc.constantFrom(0, 1),
  rfc1337: fc.constantFrom(0, 1),
  maxSynBacklog: fc.constantFrom(8, 2048),
});

type Setup = typeof setupArb extends fc.Arbitrary<infer T> ? T : never;

function makeHost(s: Setup): ServerHost {
  const sysctls: Record<string, number> = {
    "net.ipv4.tcp_syncookies": s.kernel === "3.10" ? Math.min(s.syncookies, 1) : s.syncookies,
    "net.ipv4.tcp_abort_on_overflow": s.abort,
    "net.ipv4.tcp_rfc1337": s.rfc1337,
    "net.ipv4.tcp_max_syn_backlog": s.maxSynBacklog,
  };
  const old = ["3.10", "4.4", "4.9", "4.10", "4.11"].includes(s.kernel);
  if (old && s.recycle) sysctls["net.ipv4.tcp_tw_recycle"] = 1;
  const host = createHost({ kernel: s.kernel, sysctls, seed: 3 });
  host.listen(SERVER, PORT, s.backlog);
  return host;
}

/** Runs ops; calls `check` after each receive with the counters before and after it. */
function run(
  s: Setup,
  ops: readonly Op[],
  check: (r: SegmentResult, before: Record<string, number>, after: Record<string, number>, host: ServerHost) => void,
): unknown[] {
  const host = makeHost(s);
  const trace: unknown[] = [];
  const synacks: Reply[] = [];
  let now = 0;
  const receive = (seg: Parameters<ServerHost["receive"]>[0]) => {
    trace.push(host.advance(now));
    const before = host.counters();
    const r = host.receive(seg, now);
    check(r, before, host.counters(), host);
    for (const x of r.replies) if (x.kind === "synack" || x.kind === "cookie-synack") synacks.push(x);
    trace.push(r);
  };
  for (const o of ops) {
    now += 10;
    switch (o.op) {
      case "syn":
        receive(SYN_TEMPL({ saddr: o.client === 0 ? CLIENT : CLIENT2, sport: o.port, seq: o.seq, tsval: o.tsval, hasTs: o.hasTs }));
        break;
      case "ack": {
        const sa = synacks[o.which % Math.max(1, synacks.length)];
        if (sa) receive(thirdAck(sa, { tsval: (sa.tsecr + 1) >>> 0, flags: ACK }));
        break;
      }
      case "rst": {
        const sa = synacks[o.which % Math.max(1, synacks.length)];
        if (sa) receive(rstSegment({ saddr: sa.daddr, sport: sa.dport, seq: sa.ack, flags: RST }));
        break;
      }
      case "accept":
        trace.push(host.accept(SERVER, PORT)?.rport ?? null);
        break;
      case "closeServer": {
        const c = host.accept(SERVER, PORT);
        if (c) trace.push(host.closeServerFirst(c, now, o.tsval)?.expiresMs ?? null);
        break;
      }
      case "closeClient": {
        const c = host.accept(SERVER, PORT);
        if (c) host.closeClientFirst(c, now);
        break;
      }
      case "wait":
        now += o.ms;
        break;
    }
  }
  trace.push(host.counters(), host.listenerSnapshots(), host.log);
  return trace;
}

const opsArb = fc.array(opArb, { maxLength: 60 });

describe("properties", () => {
  it("every counter change of a receive() is listed in `moved`, and nothing moves without a listed counter", () => {
    fc.assert(
      fc.property(setupArb, opsArb, (s, ops) => {
        run(s, ops, (r, before, after) => {
          const listed: Record<string, number> = {};
          for (const name of r.moved) listed[name] = (listed[name] ?? 0) + 1;
          const changed: Record<string, number> = {};
          for (const [k, v] of Object.entries(after)) if (v !== before[k]) changed[k] = v - (before[k] ?? 0);
          expect(changed).toEqual(listed);
          expect(r.outcome).toBeTypeOf("string");
        });
      }),
      { numRuns: 300 },
    );
  });

  it("ListenDrops ≥ ListenOverflows + TCPReqQFullDrop + PAWSPassive at all times", () => {
    fc.assert(
      fc.property(setupArb, opsArb, (s, ops) => {
        run(s, ops, (_r, _b, a) => {
          const sum = (a.TcpExtListenOverflows ?? 0) + (a.TcpExtTCPReqQFullDrop ?? 0) + (a.TcpExtPAWSPassive ?? 0);
          expect(a.TcpExtListenDrops ?? 0).toBeGreaterThanOrEqual(sum);
        });
      }),
      { numRuns: 300 },
    );
  });

  it("replies answer the segment's sender and a drop has no reply", () => {
    fc.assert(
      fc.property(setupArb, opsArb, (s, ops) => {
        run(s, ops, (r) => {
          if (r.outcome === "dropped" || r.outcome === "established" || r.outcome === "consumed") expect(r.replies).toEqual([]);
          else expect(r.replies.length).toBe(1);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("the same inputs give the same outputs", () => {
    fc.assert(
      fc.property(setupArb, opsArb, (s, ops) => {
        // sockets point back to their listener (cycles): compare them by their public fields
        const plain = (_k: string, v: unknown) =>
          v !== null && typeof v === "object" && "listener" in v ? { ...(v as object), listener: undefined } : v;
        const a = JSON.stringify(run(s, ops, () => {}), plain);
        const b = JSON.stringify(run(s, ops, () => {}), plain);
        expect(a).toBe(b);
      }),
      { numRuns: 100 },
    );
  });
});
