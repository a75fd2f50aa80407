import type { PacketView } from "../../capture/packet-view.js";
import { grownColumn } from "../../util/columns.js";
import { KeyedSlots, NO_SLOT } from "../../util/keyed-slots.js";
import { SlotQueue } from "../../util/slot-queue.js";
import { portPair } from "../attempt-table.js";
import { tupleHash } from "../endpoint-key.js";
import { SweepClock } from "../packet-router.js";
import { TCP_FLAG } from "../../wire/tcp.js";

/**
 * Kept a little longer than the tracker keeps an attempt (180 s, expired at its once-a-second sweep), so that no
 * entry leaves before the attempt it stands for.
 */
const KEEP_MICROS = 182e6;

/**
 * Entries (tuples and their queue places) beyond which the filter gives up: in a long SYN flood the table would hold
 * every SYN of the last 182 s. Past it every plain ACK goes to the workers, as without the filter, so the results
 * stay the same and memory stays bounded (about 60 bytes an entry).
 */
const DEFAULT_MAX_ENTRIES = 1_000_000;

/**
 * The reading thread's view of which IPv4 4-tuples may still await their first reply: a plain ACK from the server
 * on any other tuple cannot be a bare-ACK reply, and need not be sent to the tracking workers (which cannot be asked
 * at once). It must never miss a tuple the tracker awaits on, so it errs the other way: a tuple stays from its SYN
 * until a SYN-ACK acknowledges the latest ISN seen on it (as the tracker's release), or until the tracker would
 * have expired the attempt; an RST, an ICMP error or a bare ACK leave it in place. A SYN with a new ISN starts a
 * new entry, as it starts a new attempt. IPv6 tuples (whose keys are digests) are not followed: their plain ACKs
 * all go to the workers.
 */
export class PendingSyns {
  private table = new PendingTable(1 << 12);
  private queue = new SlotQueue();
  /** expires entries on the tracker's schedule (its own clock: the router's drives the ticks) */
  private readonly sweep = new SweepClock();
  /** the table outgrew maxEntries and was dropped: every plain ACK may await */
  private saturated = false;

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {}

  /** Follows every packet, in capture order, before it is routed. */
  observe(view: PacketView): void {
    if (this.saturated) return;
    if (this.sweep.due(view.timestampMicros)) this.expire(view.timestampMicros);
    if (!view.isTcp || view.ipVersion !== 4 || (view.flags & TCP_FLAG.SYN) === 0) return;
    if ((view.flags & TCP_FLAG.ACK) === 0) this.syn(view);
    else this.synAck(view);
  }

  /** Whether a plain ACK from src to dst (IPv4) may be the first reply to a SYN from dst to src. */
  mayAwait(srcKey: number, dstKey: number, sport: number, dport: number): boolean {
    return this.saturated || this.find(srcKey, dstKey, sport, dport) !== NO_SLOT;
  }

  /** Whether the filter gave up (more than maxEntries tuples at once). */
  get givenUp(): boolean {
    return this.saturated;
  }

  /** A client's SYN (no ACK flag). */
  private syn(view: PacketView): void {
    const ports = portPair(view.sport, view.dport);
    const digest = tupleHash(view.srcKey, view.dstKey, view.sport, view.dport);
    const table = this.table;
    const found = table.find(digest, view.srcKey | 0, view.dstKey | 0, ports, "");
    if (found !== NO_SLOT) {
      if (table.isn[found] === (view.seq | 0)) return;
      table.unlink(found); // freed when it leaves the queue
    }
    const s = table.insert(digest, view.srcKey | 0, view.dstKey | 0, ports, "");
    table.isn[s] = view.seq | 0;
    this.queue.push(s, view.timestampMicros);
    if (table.used > this.maxEntries) this.giveUp();
  }

  /** A SYN-ACK: the tuple is answered when it acknowledges the latest ISN. */
  private synAck(view: PacketView): void {
    const s = this.find(view.srcKey, view.dstKey, view.sport, view.dport);
    if (s !== NO_SLOT && (view.ack | 0) === (((this.table.isn[s] as number) + 1) | 0)) this.table.unlink(s);
  }

  private giveUp(): void {
    this.saturated = true;
    this.table = new PendingTable(16);
    this.queue = new SlotQueue();
  }

  /** Drops what the tracker would have expired by capture time `now` (µs). */
  private expire(now: number): void {
    const queue = this.queue;
    while (now - queue.frontKey() >= KEEP_MICROS) {
      this.table.free(queue.frontSlot());
      queue.shift();
    }
  }

  /** The entry of the tuple whose client is the packet's destination (the packet comes from the server). */
  private find(serverKey: number, clientKey: number, serverPort: number, clientPort: number): number {
    return this.table.find(tupleHash(clientKey, serverKey, clientPort, serverPort), clientKey | 0, serverKey | 0, portPair(clientPort, serverPort), "");
  }
}

class PendingTable extends KeyedSlots {
  isn = new Int32Array(0);

  constructor(initialCapacity: number) {
    super(initialCapacity);
    // Sized here as well, so that the column is stored twice (see util/columns.ts).
    this.growColumns(this.capacity);
  }

  protected override growColumns(capacity: number): void {
    this.isn = grownColumn(this.isn, capacity);
  }
}
