/**
 * `ip route` and `ip neigh` outputs (the lab and collect bundles carry them): HostEvidence.net, which the
 * neighbour and return-route rules read. Text parsers never throw.
 */

export interface Route {
  /** "default" or "a.b.c.d/len" (a host route gets /32). */
  readonly dest: string;
  readonly via: string | null;
  readonly dev: string | null;
  /** "unicast" unless the line starts with local/broadcast/unreachable/blackhole/prohibit/… */
  readonly type: string;
  readonly table: string | null;
  readonly line: string;
}

export interface Neighbour {
  readonly addr: string;
  readonly dev: string | null;
  /** REACHABLE, STALE, DELAY, PROBE, INCOMPLETE, FAILED, PERMANENT, NOARP … (the last state word) */
  readonly state: string;
  readonly line: string;
}

export interface NetState {
  readonly routes: readonly Route[] | null;
  readonly neighbours: readonly Neighbour[] | null;
  readonly routeFile: string | null;
  readonly neighFile: string | null;
}

const ROUTE_TYPES = new Set(["local", "broadcast", "unreachable", "blackhole", "prohibit", "throw", "multicast", "anycast", "nat", "unicast"]);
const NEIGH_STATES = new Set(["PERMANENT", "NOARP", "REACHABLE", "STALE", "NONE", "INCOMPLETE", "DELAY", "PROBE", "FAILED"]);
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV4_NET = /^\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?$/;

/** True when every non-empty line looks like `ip route` output (at least one IPv4 route or default). */
export function looksLikeIpRoute(text: string): boolean {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  if (lines.length === 0 || looksLikeIpNeigh(text)) return false;
  return lines.every((l) => routeOf(l) !== null || /^[0-9a-f:]+(?:\/\d+)?\s/i.test(l) || /^(?:local|multicast|anycast|broadcast)\s+[0-9a-f:]+/i.test(l));
}

export function looksLikeIpNeigh(text: string): boolean {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return lines.length > 0 && lines.every((l) => neighbourOf(l) !== null || /^[0-9a-f:]+\s+dev\s/i.test(l));
}

export function parseIpRoute(text: string): Route[] {
  return text.split("\n").flatMap((l) => {
    const route = routeOf(l.trim());
    return route ? [route] : [];
  });
}

export function parseIpNeigh(text: string): Neighbour[] {
  return text.split("\n").flatMap((l) => {
    const n = neighbourOf(l.trim());
    return n ? [n] : [];
  });
}

function routeOf(line: string): Route | null {
  const words = line.split(/\s+/);
  let type = "unicast";
  if (words[0] !== undefined && ROUTE_TYPES.has(words[0])) type = words.shift() ?? type;
  const dest = words[0];
  if (dest === undefined || (dest !== "default" && !IPV4_NET.test(dest))) return null;
  const after = (key: string): string | null => {
    const i = words.indexOf(key);
    return i >= 0 ? (words[i + 1] ?? null) : null;
  };
  return { dest: dest === "default" || dest.includes("/") ? dest : `${dest}/32`, via: after("via"), dev: after("dev"), type, table: after("table"), line };
}

function neighbourOf(line: string): Neighbour | null {
  const words = line.split(/\s+/);
  const addr = words[0];
  const state = words[words.length - 1];
  if (addr === undefined || state === undefined || !IPV4.test(addr) || !NEIGH_STATES.has(state)) return null;
  const dev = words.indexOf("dev") >= 0 ? (words[words.indexOf("dev") + 1] ?? null) : null;
  return { addr, dev, state, line };
}

function ipToNumber(addr: string): number | null {
  if (!IPV4.test(addr)) return null;
  return addr.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

/** The unicast route of the main table that a reply to `addr` would take (longest prefix); null if none. */
export function routeTo(routes: readonly Route[], addr: string): Route | null {
  const target = ipToNumber(addr);
  if (target === null) return null;
  let best: { route: Route; len: number } | null = null;
  for (const route of routes) {
    if (route.type !== "unicast" || (route.table !== null && route.table !== "main")) continue;
    let len: number;
    let net: number;
    if (route.dest === "default") {
      len = 0;
      net = 0;
    } else {
      const [base, bits] = route.dest.split("/");
      const n = ipToNumber(base ?? "");
      if (n === null) continue;
      len = Number(bits ?? 32);
      net = n;
    }
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    if (((target & mask) >>> 0) !== ((net & mask) >>> 0)) continue;
    if (!best || len > best.len) best = { route, len };
  }
  return best?.route ?? null;
}

/** Neighbours whose resolution failed or never completed. */
export function unresolvedNeighbours(neighbours: readonly Neighbour[]): Neighbour[] {
  return neighbours.filter((n) => n.state === "FAILED" || n.state === "INCOMPLETE");
}
