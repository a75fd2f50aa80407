import { forEachLine, IssueList, quote } from "./text.js";
import type { Parsed } from "./types.js";
import { SocketListingBuilder, type SocketListing } from "./ss.js";

/** /proc/net/tcp `st` hex → ss state spelling (include/net/tcp_states.h order). */
const STATES: Readonly<Record<number, string>> = {
  1: "ESTAB",
  2: "SYN-SENT",
  3: "SYN-RECV",
  4: "FIN-WAIT-1",
  5: "FIN-WAIT-2",
  6: "TIME-WAIT",
  7: "UNCONN",
  8: "CLOSE-WAIT",
  9: "LAST-ACK",
  10: "LISTEN",
  11: "CLOSING",
  12: "NEW-SYN-RECV",
};

export function looksLikeProcNetTcp(text: string): boolean {
  return /^\s*sl\s+local_address\s+rem(?:ote)?_address\s+st\s+tx_queue/.test(text);
}

/**
 * /proc/net/tcp and /proc/net/tcp6. Addresses are the kernel's network-order words printed as host integers,
 * so on little-endian machines (x86, arm64: all we expect) each 32-bit word is byte-reversed.
 * For listeners rx_queue is the accept-queue length; tx_queue is 0 (the backlog is not shown), hence sendQ 0.
 */
export function parseProcNetTcp(text: string): Parsed<SocketListing> {
  const out = new SocketListingBuilder();
  const issues = new IssueList();
  forEachLine(text, (raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("sl ")) return;
    const fields = line.split(/\s+/);
    const [, local, remote, st, queues] = fields;
    const localEp = local ? decodeEndpoint(local) : null;
    const remoteEp = remote ? decodeEndpoint(remote) : null;
    const queueMatch = /^([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8})$/.exec(queues ?? "");
    const state = st ? STATES[Number.parseInt(st, 16)] : undefined;
    if (!/^\d+:$/.test(fields[0] ?? "") || !localEp || !remoteEp || !queueMatch || !state) {
      issues.add(index + 1, `not a /proc/net/tcp socket line: ${quote(raw)}`);
      return;
    }
    out.count(state, localEp.port);
    if (state !== "LISTEN") return;
    out.listening.push({
      state,
      recvQ: Number.parseInt(queueMatch[2] ?? "0", 16),
      sendQ: Number.parseInt(queueMatch[1] ?? "0", 16),
      local: formatEndpoint(localEp.addr, localEp.port),
      localAddr: localEp.addr,
      localPort: localEp.port,
      peer: formatEndpoint(remoteEp.addr, remoteEp.port),
      process: null,
      drops: null,
    });
  });
  return { value: out.listing(true), issues: issues.items };
}

function decodeEndpoint(text: string): { addr: string; port: number } | null {
  const match = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(text);
  if (!match) return null;
  const hex = match[1] ?? "";
  const port = Number.parseInt(match[2] ?? "0", 16);
  if (hex.length === 8) return { addr: wordBytes(hex).join("."), port };
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) bytes.push(...wordBytes(hex.slice(w * 8, w * 8 + 8)));
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) groups.push((((bytes[g * 2] ?? 0) << 8) | (bytes[g * 2 + 1] ?? 0)).toString(16));
  return { addr: compressV6(groups), port };
}

/** One little-endian 32-bit word → its 4 bytes in network order. */
function wordBytes(word: string): number[] {
  const bytes: number[] = [];
  for (let i = 6; i >= 0; i -= 2) bytes.push(Number.parseInt(word.slice(i, i + 2), 16));
  return bytes;
}

function compressV6(groups: string[]): string {
  const text = groups.join(":");
  // Longest run of zero groups → "::" (RFC 5952 style, good enough for display and matching).
  const runs = [...`:${text}:`.matchAll(/:(0(?::0)+):/g)];
  if (runs.length === 0) return text;
  const longest = runs.reduce((a, b) => ((b[1] ?? "").length > (a[1] ?? "").length ? b : a));
  const replaced = `:${text}:`.replace(`:${longest[1] ?? ""}:`, "::");
  return replaced.replace(/^:(?!:)/, "").replace(/(?<!:):$/, "");
}

function formatEndpoint(addr: string, port: number): string {
  return addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`;
}
