import { forEachLine, IssueList, parseInteger, quote, splitLines } from "./text.js";
import type { Listener, Parsed, SocketSummary } from "./types.js";

/** ss state spellings (ss -tan); "UNCONN" is ss's name for CLOSE. */
export const SS_STATES = [
  "ESTAB",
  "SYN-SENT",
  "SYN-RECV",
  "FIN-WAIT-1",
  "FIN-WAIT-2",
  "TIME-WAIT",
  "UNCONN",
  "CLOSE-WAIT",
  "LAST-ACK",
  "LISTEN",
  "CLOSING",
  "NEW-SYN-RECV",
] as const;
const STATE_SET: ReadonlySet<string> = new Set(SS_STATES);

export interface SsSocket {
  readonly state: string;
  readonly recvQ: number;
  readonly sendQ: number;
  readonly local: string;
  readonly localAddr: string;
  readonly localPort: number | null;
  readonly peer: string;
  readonly process: string | null;
  readonly drops: number | null;
}

/**
 * What a socket listing (ss, /proc/net/tcp) says: its listening sockets in full, and every socket counted by state
 * and by local port. A busy server lists millions of sockets; only the listeners are kept as records.
 */
export interface SocketListing {
  readonly listening: readonly SsSocket[];
  readonly states: Record<string, number>;
  /** Local port → state → sockets. */
  readonly statesByPort: Record<string, Record<string, number>>;
  /** True when the output had the State column (ss -t…); false for `ss -lt state listening`-like output without it. */
  readonly hasStateColumn: boolean;
}

/** Builds a SocketListing row by row. */
export class SocketListingBuilder {
  readonly listening: SsSocket[] = [];
  readonly states: Record<string, number> = {};
  readonly statesByPort: Record<string, Record<string, number>> = {};

  count(state: string, localPort: number | null): void {
    this.states[state] = (this.states[state] ?? 0) + 1;
    if (localPort === null) return;
    const byState = (this.statesByPort[String(localPort)] ??= {});
    byState[state] = (byState[state] ?? 0) + 1;
  }

  listing(hasStateColumn: boolean): SocketListing {
    return { listening: this.listening, states: this.states, statesByPort: this.statesByPort, hasStateColumn };
  }
}

/** A socket row in some state other than LISTEN, with or without the Netid column: an ss -tan listing. */
const NON_LISTEN_ROW = /^\s*(?:\S+\s+)?(?:ESTAB|SYN-SENT|SYN-RECV|FIN-WAIT-1|FIN-WAIT-2|TIME-WAIT|UNCONN|CLOSE-WAIT|LAST-ACK|CLOSING|NEW-SYN-RECV)\s+\d+\s+\d+\s/m;

/** Whether an ss listing shows sockets other than listeners (found at the first such row, not by parsing all). */
export function listsNonListeningSockets(text: string): boolean {
  return NON_LISTEN_ROW.test(text);
}

const HEADER = /^(?:Netid\s+)?(?:State\s+)?Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port/;
/** HEADER on any line of a text, found without splitting it into lines. */
const HEADER_ANYWHERE = /^[ \t]*(?:Netid\s+)?(?:State\s+)?Recv-Q\s+Send-Q\s+Local Address:Port\s+Peer Address:Port/m;

export function looksLikeSsSockets(text: string): boolean {
  return HEADER_ANYWHERE.test(text);
}

/** Splits "addr:port" the way ss prints it: IPv6 in brackets, `*` wildcard, `%iface` scope suffix. */
export function splitEndpoint(endpoint: string): { addr: string; port: number | null } {
  const colon = endpoint.lastIndexOf(":");
  if (colon < 0) return { addr: endpoint, port: null };
  let addr = endpoint.slice(0, colon);
  const portText = endpoint.slice(colon + 1);
  if (addr.startsWith("[") && addr.includes("]")) addr = addr.slice(1, addr.indexOf("]"));
  const port = parseInteger(portText);
  return { addr: addr.replace(/%.*$/, ""), port: port !== null && port >= 0 && port <= 65535 ? port : null };
}

/**
 * ss -ltn / -ltnp / -ltnm / -tan. Rows: `[Netid] State Recv-Q Send-Q Local Peer [Process]`; with -m the skmem
 * line follows its socket (d<N> = drops). For LISTEN rows Recv-Q is the accept queue and Send-Q the backlog.
 */
export function parseSsSockets(text: string): Parsed<SocketListing> {
  const out = new SocketListingBuilder();
  const sockets = out.listening;
  const issues = new IssueList();
  let hasStateColumn = true;
  let hasNetid = false;
  let last: { index: number } | null = null;
  forEachLine(text, (raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    if (HEADER.test(line)) {
      hasNetid = line.startsWith("Netid");
      hasStateColumn = /(^|\s)State\s/.test(line);
      return;
    }
    if (line.startsWith("skmem:") || line.startsWith("users:") || /^(cubic|bbr|reno|ts |sack|wscale|rto:)/.test(line)) {
      const drops = /skmem:\([^)]*\bd(\d+)\)/.exec(line);
      if (drops && last) {
        const previous = sockets[last.index];
        if (previous) sockets[last.index] = { ...previous, drops: Number(drops[1]) };
      }
      return;
    }
    let fields = line.split(/\s+/);
    if (hasNetid) fields = fields.slice(1);
    const state = hasStateColumn ? (fields.shift() ?? "") : "LISTEN";
    const [recvQText, sendQText, local, peer, ...rest] = fields;
    const recvQ = parseInteger(recvQText ?? "");
    const sendQ = parseInteger(sendQText ?? "");
    if (!STATE_SET.has(state) || recvQ === null || sendQ === null || local === undefined || peer === undefined) {
      issues.add(index + 1, `not an ss socket line: ${quote(raw)}`);
      return;
    }
    const endpoint = splitEndpoint(local);
    out.count(state, endpoint.port);
    if (state !== "LISTEN") {
      last = null;
      return;
    }
    const users = /users:\(\((.*)\)\)/.exec(rest.join(" "));
    const process = users ? (users[1] ?? "").replace(/"/g, "") : null;
    const skmem = /skmem:\([^)]*\bd(\d+)\)/.exec(rest.join(" "));
    sockets.push({
      state,
      recvQ,
      sendQ,
      local,
      localAddr: endpoint.addr,
      localPort: endpoint.port,
      peer,
      process,
      drops: skmem ? Number(skmem[1]) : null,
    });
    last = { index: sockets.length - 1 };
  });
  return { value: out.listing(hasStateColumn), issues: issues.items };
}

export function listenersOf(sockets: readonly SsSocket[]): Listener[] {
  return sockets
    .filter((socket) => socket.state === "LISTEN" && socket.localPort !== null)
    .map((socket) => ({
      local: socket.local,
      addr: socket.localAddr,
      port: socket.localPort ?? 0,
      recvQ: socket.recvQ,
      sendQ: socket.sendQ,
      process: socket.process,
      drops: socket.drops,
    }));
}

/** ss -s: `Total: N` then `TCP:   N (estab N, closed N, orphaned N, [synrecv N,] timewait N[/N]), ports N`. */
export function looksLikeSsSummary(text: string): boolean {
  return /^Total:\s+\d+/m.test(text) && /^TCP:\s+\d+\s+\(/m.test(text);
}

export function parseSsSummary(text: string): Parsed<SocketSummary> {
  const issues = new IssueList();
  const summary: { -readonly [K in keyof SocketSummary]: number | null } = {
    total: null,
    estab: null,
    closed: null,
    orphaned: null,
    synrecv: null,
    timewait: null,
  };
  let sawTcp = false;
  splitLines(text).forEach((raw, index) => {
    const tcp = /^TCP:\s+(\d+)\s+\((.*)\)/.exec(raw.trim());
    if (!tcp) return; // the other lines (Total, RAW, UDP, INET, FRAG table) carry no TCP facts we use
    sawTcp = true;
    summary.total = Number(tcp[1]);
    for (const part of (tcp[2] ?? "").split(",")) {
      const kv = /^\s*([a-z]+)\s+(\d+)/.exec(part);
      if (!kv) continue;
      const key = kv[1] ?? "";
      if (key === "estab" || key === "closed" || key === "orphaned" || key === "synrecv" || key === "timewait") {
        summary[key] = Number(kv[2]);
      } else {
        issues.add(index + 1, `unknown ss -s TCP field "${key}"`);
      }
    }
  });
  if (!sawTcp) issues.add(null, "ss -s output without a TCP line");
  return { value: summary, issues: issues.items };
}
