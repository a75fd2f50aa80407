/**
 * The bookkeeping skeleton of a full-connection simulation, for bench:sim to set beside the real simulator: the same
 * workload (client hosts, Poisson arrivals, round trip, service time, client-first close) through the same event heap
 * and flow tables the simulator and the kernel model use, with every rule taken out. Per connection it does only
 * what any simulation of it must: five events, a client record and its flow-table entry, a port taken from the
 * host's ring and held for the client's 60 s TIME_WAIT, a keyed hash for the TS offset, a request and then a full
 * socket in the server's established hash, and the SYN-ACK and FIN as reply records. No counters, no checks, no
 * timers, no capture. Its rate bounds what the faithful model can reach on the machine at hand.
 */
import { hash4 } from "../src/kernel/hash.js";
import { FlowTable } from "../src/util/flow-table.js";
import { Rng } from "../src/util/rng.js";
import { SlotHeap } from "../src/util/slot-heap.js";

export interface SkeletonWorkload {
  readonly hosts: number;
  readonly connectionsPerSecond: number;
  readonly durationSeconds: number;
  readonly rttMs: number;
  readonly serviceTimeMs: number;
}

export interface SkeletonRun {
  readonly connections: number;
  readonly events: number;
}

const ARRIVAL = 0;
const ACK_AT_SERVER = 1;
const APP_DONE = 2;
const FIN_AT_SERVER = 3;
const LAST_ACK_AT_SERVER = 4;

const SERVER_ADDR = 0xc6120001; // 198.18.0.1
const SERVER_PORT = 80;
const CLIENT_BASE = 0xc6130000; // 198.19.0.0
const PORT_LOW = 32768;
/** Port ring per host: 60 s of TIME_WAIT at the bench's 50 connections per second per host fit in it. */
const RING = 4096;
const TIME_WAIT_US = 60_000_000;

interface ClientConn {
  readonly host: number;
  readonly addr: number;
  readonly port: number;
  readonly isn: number;
  readonly tsOffset: number;
  readonly startUs: number;
  established: boolean;
  server: ServerSock | null;
}

interface ServerSock {
  readonly raddr: number;
  readonly rport: number;
  readonly isn: number;
  rcvNxt: number;
  closing: boolean;
}

interface ReplyRecord {
  readonly daddr: number;
  readonly dport: number;
  readonly seq: number;
  readonly ack: number;
  readonly flags: number;
  readonly atUs: number;
}

export function runSkeleton(w: SkeletonWorkload, seed = 1): SkeletonRun {
  const rng = new Rng(seed, "skeleton");
  const heap = new SlotHeap();
  let capacity = 1 << 16;
  let kind = new Uint8Array(capacity);
  let hostOf = new Int32Array(capacity);
  const connOf: (ClientConn | null)[] = new Array<ClientConn | null>(capacity).fill(null);
  const free: number[] = [];
  for (let s = capacity - 1; s >= 0; s--) free.push(s);
  const flows = new FlowTable<ClientConn>();
  const ehash = new FlowTable<ServerSock>();
  const rings = Array.from({ length: w.hosts }, () => new Float64Array(RING));
  const taken = new Int32Array(w.hosts);
  const owdUs = Math.round((w.rttMs * 1000) / 2);
  const rttUs = 2 * owdUs;
  const serviceUs = Math.round(w.serviceTimeMs * 1000);
  const durationUs = w.durationSeconds * 1e6;
  const meanGapUs = 1e6 / w.connectionsPerSecond;
  let connections = 0;
  let events = 0;
  let replies = 0;

  const schedule = (at: number, k: number, host: number, conn: ClientConn | null): void => {
    if (free.length === 0) {
      const grown = capacity * 2;
      const k2 = new Uint8Array(grown);
      k2.set(kind);
      kind = k2;
      const h2 = new Int32Array(grown);
      h2.set(hostOf);
      hostOf = h2;
      for (let s = grown - 1; s >= capacity; s--) free.push(s);
      connOf.length = grown;
      connOf.fill(null, capacity);
      capacity = grown;
    }
    const slot = free.pop() as number;
    kind[slot] = k;
    hostOf[slot] = host;
    connOf[slot] = conn;
    heap.push(at, slot);
  };
  const reply = (daddr: number, dport: number, seq: number, ack: number, flags: number, atUs: number): ReplyRecord => {
    replies++;
    return { daddr, dport, seq: seq >>> 0, ack: ack >>> 0, flags, atUs };
  };
  const ports = (c: ClientConn): number => (SERVER_PORT << 16) | c.port;

  for (let h = 0; h < w.hosts; h++) schedule(Math.round(rng.float() * meanGapUs), ARRIVAL, h, null);

  while (heap.size > 0) {
    const now = heap.peekTime();
    const slot = heap.pop();
    const k = kind[slot] as number;
    const h = hostOf[slot] as number;
    const conn = connOf[slot] as ClientConn;
    connOf[slot] = null;
    free.push(slot);
    events++;
    switch (k) {
      case ARRIVAL: {
        const ring = rings[h] as Float64Array;
        const n = taken[h] as number;
        if ((ring[n & (RING - 1)] as number) > now) break; // port still in TIME_WAIT: the bench never gets here
        ring[n & (RING - 1)] = Number.POSITIVE_INFINITY;
        taken[h] = n + 1;
        const addr = CLIENT_BASE + h;
        const port = PORT_LOW + (n & (RING - 1));
        const c: ClientConn = {
          host: h,
          addr,
          port,
          isn: rng.u32(),
          tsOffset: hash4(seed, addr, SERVER_ADDR, (port << 16) | SERVER_PORT, 1),
          startUs: now,
          established: false,
          server: null,
        };
        flows.set(addr, port, 0, c);
        connections++;
        // The server: a request socket answers with a SYN-ACK; the client's ACK comes one round trip later.
        const req: ServerSock = { raddr: addr, rport: port, isn: hash4(seed ^ 1, SERVER_ADDR, addr, ports(c), 0), rcvNxt: (c.isn + 1) >>> 0, closing: false };
        ehash.set(SERVER_ADDR, addr, ports(c), req);
        const synAck = reply(addr, port, req.isn, req.rcvNxt, 0x12, now);
        (flows.get(synAck.daddr, synAck.dport, 0) as ClientConn).established = true;
        schedule(now + rttUs, ACK_AT_SERVER, h, c);
        const next = now + Math.max(1, Math.round(rng.exponential(meanGapUs)));
        if (next <= durationUs) schedule(next, ARRIVAL, h, null);
        break;
      }
      case ACK_AT_SERVER: {
        // The request becomes a full socket, queued and accepted at once; the application serves it.
        const req = ehash.get(SERVER_ADDR, conn.addr, ports(conn)) as ServerSock;
        const child: ServerSock = { raddr: req.raddr, rport: req.rport, isn: req.isn, rcvNxt: req.rcvNxt, closing: false };
        ehash.set(SERVER_ADDR, conn.addr, ports(conn), child);
        conn.server = child;
        schedule(now + serviceUs, APP_DONE, h, conn);
        break;
      }
      case APP_DONE:
        // The response reaches the client, which closes first: its FIN arrives one round trip later.
        schedule(now + rttUs, FIN_AT_SERVER, h, conn);
        break;
      case FIN_AT_SERVER: {
        const s = ehash.get(SERVER_ADDR, conn.addr, ports(conn)) as ServerSock;
        s.rcvNxt = (s.rcvNxt + 1) >>> 0;
        s.closing = true;
        reply(conn.addr, conn.port, s.isn + 1, s.rcvNxt, 0x11, now);
        schedule(now + rttUs, LAST_ACK_AT_SERVER, h, conn);
        break;
      }
      case LAST_ACK_AT_SERVER: {
        ehash.delete(SERVER_ADDR, conn.addr, ports(conn));
        flows.delete(conn.addr, conn.port, 0);
        const ring = rings[conn.host] as Float64Array;
        ring[(conn.port - PORT_LOW) & (RING - 1)] = now + TIME_WAIT_US;
        break;
      }
    }
  }
  if (replies !== 2 * connections) throw new Error(`skeleton: ${replies} replies for ${connections} connections`);
  return { connections, events };
}
