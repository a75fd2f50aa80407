/** Factories and segment templates for kernel-model tests (smoltcp style: one place builds the state). */
import {
  ACK,
  FIN,
  RST,
  createHost,
  ipv4,
  segment,
  synSegment,
  type Segment,
  type ServerHost,
  type TimeWait,
  type TimeWaitInit,
} from "../../src/kernel/index.js";

export const SERVER = ipv4("198.18.0.1");
export const CLIENT = ipv4("198.18.1.2");
export const CLIENT2 = ipv4("198.18.1.3");
export const PORT = 8080;

export interface ListenerFixture {
  host: ServerHost;
  /** A SYN from CLIENT (or `saddr`) to the listener; `sport` varies per attempt. */
  syn: (fields?: Partial<Segment>) => Segment;
}

/** A host of `kernel` listening on SERVER:PORT with `backlog`. */
export function listenerWith(opts: {
  kernel?: string;
  backlog?: number;
  sysctls?: Record<string, number>;
  seed?: number;
  host?: Partial<Parameters<typeof createHost>[0]>;
}): ListenerFixture {
  const host = createHost({ kernel: opts.kernel ?? "6.18.44", sysctls: opts.sysctls ?? {}, seed: opts.seed ?? 1, ...opts.host });
  host.listen(SERVER, PORT, opts.backlog ?? 128);
  return { host, syn: (fields = {}) => SYN_TEMPL(fields) };
}

/** SYN template: CLIENT:40000 → SERVER:PORT, seq 1000, TSval 100000. */
export function SYN_TEMPL(fields: Partial<Segment> = {}): Segment {
  return synSegment({ saddr: CLIENT, sport: 40000, daddr: SERVER, dport: PORT, seq: 1000, tsval: 100000, ...fields });
}

/** The client's third ACK for a SYN-ACK. */
export function thirdAck(synack: Segment, fields: Partial<Segment> = {}): Segment {
  return segment({
    saddr: synack.daddr,
    sport: synack.dport,
    daddr: synack.saddr,
    dport: synack.sport,
    seq: synack.ack,
    ack: synack.seq + 1,
    flags: ACK,
    hasTs: synack.hasTs,
    tsval: synack.tsecr + 1,
    tsecr: synack.tsval,
    ...fields,
  });
}

export function rstSegment(fields: Partial<Segment>): Segment {
  return segment({ saddr: CLIENT, sport: 40000, daddr: SERVER, dport: PORT, flags: RST, ...fields });
}

export function finAck(fields: Partial<Segment>): Segment {
  return segment({ saddr: CLIENT, sport: 40000, daddr: SERVER, dport: PORT, flags: FIN | ACK, ...fields });
}

/** A TIME_WAIT on SERVER:PORT ← CLIENT:sport, as left by a connection the server closed at `atMs`. */
export function timeWaitFor(host: ServerHost, fields: Partial<TimeWaitInit> = {}, atMs = 0): TimeWait {
  return host.addTimeWait(
    { laddr: SERVER, lport: PORT, raddr: CLIENT, rport: 40000, rcvNxt: 50_000, sndNxt: 90_000, tsRecent: 100_000, ...fields },
    atMs,
  );
}

/** Completes one handshake from `sport` and returns the child (accepted unless `accept` is false). */
export function establish(f: ListenerFixture, sport: number, nowMs: number, fields: Partial<Segment> = {}, accept = true) {
  const r = f.host.receive(f.syn({ sport, ...fields }), nowMs);
  const sa = r.replies[0];
  if (r.outcome !== "synack" || sa === undefined) throw new Error(`handshake from ${sport}: ${r.outcome} ${r.reason}`);
  const e = f.host.receive(thirdAck(sa), nowMs);
  if (e.outcome !== "established") throw new Error(`third ACK from ${sport}: ${e.outcome} ${e.reason}`);
  return accept ? f.host.accept(SERVER, PORT) : e.conn;
}

/** Counter deltas between two `counters()` snapshots, non-zero only. */
export function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) if (v !== (before[k] ?? 0)) out[k] = v - (before[k] ?? 0);
  return out;
}
