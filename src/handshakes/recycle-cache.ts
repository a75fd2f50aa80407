import { grownColumn } from "../util/columns.js";
import { KeyedSlots, NO_SLOT } from "../util/keyed-slots.js";
import { diff32 } from "../util/seq32.js";
import { SlotQueue } from "../util/slot-queue.js";
import { tupleHash } from "./endpoint-key.js";

/** TCP_PAWS_MSL: the per-peer timestamp cache entry is trusted for 60 s. */
const PAWS_MSL_MICROS = 60e6;
/** TCP_PAWS_WINDOW: one tick of slack in the tw_recycle comparison. */
const PAWS_WINDOW = 1;

class Entries extends KeyedSlots {
  tsVal = new Float64Array(this.capacity);
  stamp = new Float64Array(this.capacity);
  protected override growColumns(capacity: number): void {
    this.tsVal = grownColumn(this.tsVal, capacity);
    this.stamp = grownColumn(this.stamp, capacity);
  }
}

/**
 * What a tw_recycle server (kernel ≤ 4.11) would remember per (server address, client address): the client's
 * last TSval on a connection the server closed first (tcp_remember_stamp() when the socket enters TIME_WAIT),
 * and when it arrived. A later SYN from that address with a TSval more than one tick older, within 60 s, is what
 * tcp_peer_is_proven(…, paws_check) rejects. Addresses are keys as in the tracker (text only for IPv6); entries
 * leave 60 s after their last update (`expire`, in update order).
 */
export class RecycleCache {
  private readonly entries = new Entries(256);
  private readonly updates = new SlotQueue();

  /** The server's socket entered TIME_WAIT: remember the client's TSval (if newer, or the entry is stale). */
  remember(serverKey: number, clientKey: number, text: string, tsVal: number, micros: number): void {
    const entries = this.entries;
    const digest = tupleHash(serverKey, clientKey, 0, 0);
    let s = entries.find(digest, serverKey | 0, clientKey | 0, 0, text);
    if (s === NO_SLOT) {
      s = entries.insert(digest, serverKey | 0, clientKey | 0, 0, text);
    } else if (!(diff32(entries.tsVal[s] as number, tsVal) <= 0 || micros - (entries.stamp[s] as number) > PAWS_MSL_MICROS)) {
      return;
    }
    entries.tsVal[s] = tsVal;
    entries.stamp[s] = micros;
    this.updates.push(s, micros);
  }

  /** Would the tw_recycle check reject a SYN with this TSval now? */
  rejects(serverKey: number, clientKey: number, text: string, tsVal: number, micros: number): boolean {
    const entries = this.entries;
    if (entries.used === 0) return false;
    const s = entries.find(tupleHash(serverKey, clientKey, 0, 0), serverKey | 0, clientKey | 0, 0, text);
    if (s === NO_SLOT) return false;
    return micros - (entries.stamp[s] as number) < PAWS_MSL_MICROS && diff32(entries.tsVal[s] as number, tsVal) > PAWS_WINDOW;
  }

  expire(nowMicros: number): void {
    const updates = this.updates;
    while (nowMicros - updates.frontKey() >= PAWS_MSL_MICROS) {
      const s = updates.frontSlot();
      // Only the entry's latest update frees it; earlier queue entries of a refreshed slot are stale.
      if (this.entries.linked[s] === 1 && this.entries.stamp[s] === updates.frontKey()) this.entries.free(s);
      updates.shift();
    }
  }
}
