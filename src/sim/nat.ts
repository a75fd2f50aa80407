/**
 * The address translator in front of the server (linux-syn-path.md §9): SNAT (one sticky translated address
 * per client, as a hash-based nf_nat range does) or LVS FULLNAT (local addresses used round robin). It owns the
 * choice of translated source port and keeps a closed flow's port out of use for its own TIME_WAIT hold; when
 * that hold is shorter than the server's 60 s TIME_WAIT, ports are reused into server TIME_WAIT sockets (§9B).
 */
import type { Rng } from "../util/rng.js";
import { ipv4ToNumber } from "./addr.js";
import type { Scenario } from "./scenario.js";

export interface Translation {
  readonly addr: number;
  readonly port: number;
  /** Index of the translated address (for releasing). */
  readonly slot: number;
}

export interface Translator {
  readonly kind: Scenario["nat"]["type"];
  /** Maps a new flow; null when no port is free (the SYN goes nowhere and the client retries). */
  map(clientIndex: number, clientAddr: number, clientPort: number, nowUs: number): Translation | null;
  /** The flow ended at `nowUs`: its port is free again after the hold time. */
  release(t: Translation, nowUs: number): void;
  /** Flows refused for lack of ports. */
  exhausted: number;
}

/** No translation: the server sees the clients' own addresses and ports. */
function identity(): Translator {
  return {
    kind: "none",
    exhausted: 0,
    map: (_i, addr, port) => ({ addr, port, slot: -1 }),
    release: () => undefined,
  };
}

export function createTranslator(scenario: Scenario, rng: Rng): Translator {
  const nat = scenario.nat;
  if (nat.type === "none") return identity();
  const addrs = nat.addresses.map(ipv4ToNumber);
  const [lo, hi] = nat.portRange;
  const span = hi - lo + 1;
  const holdUs = Math.round(nat.timeWaitHoldSeconds * 1e6);
  // busyUntil[slot][port]: µs when the port is free again; Infinity while the flow is open.
  const busy = addrs.map(() => new Float64Array(65536));
  const cursor = addrs.map(() => lo);
  // After a full scan found no free port: no port of that address frees before this time (a fast "exhausted").
  const exhaustedUntil = addrs.map(() => -Infinity);
  const portRng = rng.stream("nat/ports");
  let roundRobin = 0;

  const free = (slot: number, port: number, nowUs: number): boolean => (busy[slot] as Float64Array)[port] as number <= nowUs;

  const sequentialFrom = (slot: number, start: number, nowUs: number): number => {
    if (nowUs < (exhaustedUntil[slot] as number)) return -1;
    const table = busy[slot] as Float64Array;
    let earliest = Infinity;
    let port = start;
    for (let i = 0; i < span; i++) {
      const until = table[port] as number;
      if (until <= nowUs) return port;
      if (until < earliest) earliest = until;
      port = port >= hi ? lo : port + 1;
    }
    exhaustedUntil[slot] = earliest;
    return -1;
  };

  const translator: Translator = {
    kind: nat.type,
    exhausted: 0,
    map(clientIndex, _clientAddr, clientPort, nowUs) {
      const slot = nat.type === "snat" ? clientIndex % addrs.length : roundRobin++ % addrs.length;
      let port = -1;
      switch (nat.portAllocation) {
        case "preserve":
          // nf_nat keeps the source port when the resulting tuple is unique, else searches the range.
          port = clientPort >= lo && clientPort <= hi && free(slot, clientPort, nowUs) ? clientPort : sequentialFrom(slot, clientPort >= lo && clientPort <= hi ? clientPort : lo, nowUs);
          break;
        case "sequential":
          port = sequentialFrom(slot, cursor[slot] as number, nowUs);
          if (port >= 0) cursor[slot] = port >= hi ? lo : port + 1;
          break;
        case "random":
          for (let i = 0; i < 16 && port < 0; i++) {
            const candidate = portRng.int(lo, hi + 1);
            if (free(slot, candidate, nowUs)) port = candidate;
          }
          if (port < 0) port = sequentialFrom(slot, portRng.int(lo, hi + 1), nowUs);
          break;
      }
      if (port < 0) {
        translator.exhausted++;
        return null;
      }
      (busy[slot] as Float64Array)[port] = Infinity;
      return { addr: addrs[slot] as number, port, slot };
    },
    release(t, nowUs) {
      if (t.slot < 0) return;
      (busy[t.slot] as Float64Array)[t.port] = nowUs + holdUs;
      if (nowUs + holdUs < (exhaustedUntil[t.slot] as number)) exhaustedUntil[t.slot] = nowUs + holdUs;
    },
  };
  return translator;
}
