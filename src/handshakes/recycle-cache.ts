import { diff32 } from "../util/seq32.js";

/** TCP_PAWS_MSL: the per-peer timestamp cache entry is trusted for 60 s. */
const PAWS_MSL_MICROS = 60e6;
/** TCP_PAWS_WINDOW: one tick of slack in the tw_recycle comparison. */
const PAWS_WINDOW = 1;

interface Entry {
  serverKey: number;
  tsVal: number;
  stampMicros: number;
}

/**
 * What a tw_recycle server (kernel ≤ 4.11) would remember per (server address, client address): the client's
 * last TSval on a connection the server closed first (tcp_remember_stamp() when the socket enters TIME_WAIT),
 * and when it arrived. A later SYN from that address with a TSval more than one tick older, within 60 s, is what
 * tcp_peer_is_proven(…, paws_check) rejects. Keys are address keys (see endpoint-key.ts); entries older than
 * 60 s are dropped by `expire`.
 */
export class RecycleCache {
  /** client address key → entries, one per server address (usually one) */
  private readonly entries = new Map<number, Entry[]>();

  /** The server's socket entered TIME_WAIT: remember the client's TSval (if newer, or the entry is stale). */
  remember(serverKey: number, clientKey: number, tsVal: number, micros: number): void {
    let list = this.entries.get(clientKey);
    if (!list) {
      list = [];
      this.entries.set(clientKey, list);
    }
    const entry = list.find((e) => e.serverKey === serverKey);
    if (!entry) {
      list.push({ serverKey, tsVal, stampMicros: micros });
    } else if (diff32(entry.tsVal, tsVal) <= 0 || micros - entry.stampMicros > PAWS_MSL_MICROS) {
      entry.tsVal = tsVal;
      entry.stampMicros = micros;
    }
  }

  /** Would the tw_recycle check reject a SYN with this TSval now? */
  rejects(serverKey: number, clientKey: number, tsVal: number, micros: number): boolean {
    const list = this.entries.get(clientKey);
    if (!list) return false;
    for (const entry of list) {
      if (entry.serverKey !== serverKey) continue;
      return micros - entry.stampMicros < PAWS_MSL_MICROS && diff32(entry.tsVal, tsVal) > PAWS_WINDOW;
    }
    return false;
  }

  expire(nowMicros: number): void {
    for (const [key, list] of this.entries) {
      if (list.every((e) => nowMicros - e.stampMicros < PAWS_MSL_MICROS)) continue;
      const live = list.filter((e) => nowMicros - e.stampMicros < PAWS_MSL_MICROS);
      if (live.length === 0) this.entries.delete(key);
      else this.entries.set(key, live);
    }
  }
}
