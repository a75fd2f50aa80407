import { diff32 } from "../util/seq32.js";

/** TCP_PAWS_MSL: the per-peer timestamp cache entry is trusted for 60 s. */
const PAWS_MSL_MICROS = 60e6;
/** TCP_PAWS_WINDOW: one tick of slack in the tw_recycle comparison. */
const PAWS_WINDOW = 1;

interface Entry {
  tsVal: number;
  stampMicros: number;
}

/**
 * What a tw_recycle server (kernel ≤ 4.11) would remember per (server address, client address): the client's
 * last TSval on a connection the server closed first (tcp_remember_stamp() when the socket enters TIME_WAIT),
 * and the time it arrived. A later SYN from that address with a TSval more than one tick older, within 60 s, is
 * what tcp_peer_is_proven(…, paws_check) rejects. Entries older than 60 s are dropped by `expire`.
 */
export class RecycleCache {
  private readonly entries = new Map<string, Entry>();

  /** The server's socket entered TIME_WAIT: remember the client's TSval (if newer, or the entry is stale). */
  remember(key: string, tsVal: number, micros: number): void {
    const entry = this.entries.get(key);
    if (!entry) {
      this.entries.set(key, { tsVal, stampMicros: micros });
      return;
    }
    if (diff32(entry.tsVal, tsVal) <= 0 || micros - entry.stampMicros > PAWS_MSL_MICROS) {
      entry.tsVal = tsVal;
      entry.stampMicros = micros;
    }
  }

  /** Would the tw_recycle check reject a SYN with this TSval now? */
  rejects(key: string, tsVal: number, micros: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || micros - entry.stampMicros >= PAWS_MSL_MICROS) return false;
    return diff32(entry.tsVal, tsVal) > PAWS_WINDOW;
  }

  expire(nowMicros: number): void {
    for (const [key, entry] of this.entries) if (nowMicros - entry.stampMicros >= PAWS_MSL_MICROS) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
