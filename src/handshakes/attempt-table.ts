import { ipv4FromKey } from "../util/ipv4-key.js";
import { grownColumn } from "../util/columns.js";
import { KeyedSlots, NO_SLOT } from "../util/keyed-slots.js";
import type { AttemptRecord, FirstReply } from "./analysis-types.js";

/** First replies as small numbers in the table; FIRST_REPLY[code] is the contract's name. */
export const REPLY = { none: 0, synack: 1, ack: 2, rst: 3, icmp: 4 } as const;
export const FIRST_REPLY: readonly FirstReply[] = ["none", "synack", "ack", "rst", "icmp"];

/**
 * Adds one to the count of a first reply given by its code. A switch of named fields, where counts[name] with
 * five different names per site is a megamorphic keyed access, a stub-cache lookup per finalised attempt.
 */
export function countReply(counts: Record<FirstReply, number>, reply: number): void {
  switch (reply) {
    case REPLY.none:
      counts.none++;
      break;
    case REPLY.synack:
      counts.synack++;
      break;
    case REPLY.ack:
      counts.ack++;
      break;
    case REPLY.rst:
      counts.rst++;
      break;
    default:
      counts.icmp++;
  }
}

/** Bits of AttemptTable.marks. */
export const MARK = {
  /** finalised (counted); the slot may still wait in the expiry queue */
  done: 1,
  clientRstAfterAck: 2,
  badChecksum: 4,
  md5Option: 8,
  tsvalRegression: 16,
} as const;

/** Ports of a 4-tuple in one int32 key column. */
export function portPair(clientPort: number, serverPort: number): number {
  return (clientPort << 16) | serverPort;
}

/**
 * Live connection attempts (4-tuple + ISN) while a capture is read, one slot each. Keys: a = client address key,
 * b = server address key, c = the port pair; text holds "client server" for IPv6 (whose keys are digests).
 */
export class AttemptTable extends KeyedSlots {
  isn = new Int32Array(0);
  firstSyn = new Float64Array(0);
  /** packet index of the first SYN: the attempt's place in the capture, which orders attempts across partitions */
  created = new Float64Array(0);
  lastSyn = new Float64Array(0);
  /** TSval of the first SYN, -1 without timestamps */
  tsVal = new Float64Array(0);
  ttl = new Uint8Array(0);
  syns = new Int32Array(0);
  /** SYNs seen when the SYN-ACK came (more than one: answered after a retransmission) */
  synsAtAnswer = new Int32Array(0);
  /** SYNs seen when the first reply of any kind came */
  synsAtReply = new Int32Array(0);
  synacks = new Int32Array(0);
  firstReply = new Uint8Array(0);
  firstReplyAt = new Float64Array(0);
  answeredAt = new Float64Array(0);
  replyTsEcr = new Float64Array(0);
  marks = new Uint8Array(0);
  icmpType = new Int16Array(0);
  icmpCode = new Int16Array(0);
  /** indexes of the listener and source tallies this attempt counts into (-1: none) */
  listener = new Int32Array(0);
  source = new Int32Array(0);
  /** who sent the ICMP error, by slot (rare) */
  readonly icmpFrom = new Map<number, string>();

  constructor(initialCapacity?: number) {
    super(initialCapacity);
    // The columns above start empty: sized here, they are stored twice (see util/columns.ts).
    this.growColumns(this.capacity);
  }

  /** Creates the attempt for a first SYN. */
  open(digest: number, clientKey: number, serverKey: number, ports: number, text: string, isn: number, at: number, packetIndex: number, tsVal: number, ttl: number): number {
    const s = this.insert(digest, clientKey, serverKey, ports, text);
    this.isn[s] = isn;
    this.firstSyn[s] = at;
    this.created[s] = packetIndex;
    this.lastSyn[s] = at;
    this.tsVal[s] = tsVal;
    this.ttl[s] = ttl;
    this.syns[s] = 1;
    this.synsAtAnswer[s] = 0;
    this.synsAtReply[s] = 0;
    this.synacks[s] = 0;
    this.firstReply[s] = REPLY.none;
    this.firstReplyAt[s] = -1;
    this.answeredAt[s] = -1;
    this.replyTsEcr[s] = -1;
    this.marks[s] = 0;
    this.icmpType[s] = -1;
    this.icmpCode[s] = -1;
    this.listener[s] = -1;
    this.source[s] = -1;
    return s;
  }

  /**
   * Whether a linked attempt with this key waits for its first reply. The text is not compared: for IPv6 (whose a
   * and b are digests) a true answer may be a collision, so it only means "look closer".
   */
  awaits(digest: number, a: number, b: number, c: number): boolean {
    for (let s = this.chainHead(digest); s !== NO_SLOT; s = this.nextInChain(s)) {
      if (this.hasKey(s, a, b, c) && this.firstReply[s] === REPLY.none) return true;
    }
    return false;
  }

  /** Frees the slot; `created` becomes -1, so that no queue entry of the attempt is taken for current any more. */
  release(s: number): void {
    if (this.icmpFrom.size !== 0) this.icmpFrom.delete(s); // nearly always empty: skip the builtin call
    this.created[s] = -1;
    this.free(s);
  }

  /** Whether a queue entry (slot, packet index of the first SYN) still stands for the attempt in the slot. */
  current(s: number, createdAt: number): boolean {
    return this.created[s] === createdAt;
  }

  answered(s: number): boolean {
    return (this.answeredAt[s] as number) >= 0;
  }

  toRecord(s: number): AttemptRecord {
    const [client, server] = this.addresses(s);
    const ports = this.keyC(s);
    const marks = this.marks[s] as number;
    const icmpType = this.icmpType[s] as number;
    const optional = (value: number): number | null => (value < 0 ? null : value);
    return {
      client,
      clientPort: ports >>> 16,
      server,
      serverPort: ports & 0xffff,
      isn: (this.isn[s] as number) >>> 0,
      firstSyn: this.firstSyn[s] as number,
      lastSyn: this.lastSyn[s] as number,
      syns: this.syns[s] as number,
      tsVal: optional(this.tsVal[s] as number),
      ttl: this.ttl[s] as number,
      firstReply: FIRST_REPLY[this.firstReply[s] as number] as FirstReply,
      firstReplyAt: optional(this.firstReplyAt[s] as number),
      answeredAt: optional(this.answeredAt[s] as number),
      synacks: this.synacks[s] as number,
      replyTsEcr: optional(this.replyTsEcr[s] as number),
      clientRstAfterAck: (marks & MARK.clientRstAfterAck) !== 0,
      badChecksum: (marks & MARK.badChecksum) !== 0,
      md5Option: (marks & MARK.md5Option) !== 0,
      icmp: icmpType < 0 ? null : { type: icmpType, code: this.icmpCode[s] as number, from: this.icmpFrom.get(s) ?? "" },
      tsvalRegression: (marks & MARK.tsvalRegression) !== 0,
    };
  }

  private addresses(s: number): [string, string] {
    const text = this.text[s] as string;
    if (text === "") return [ipv4FromKey(this.keyA(s) >>> 0), ipv4FromKey(this.keyB(s) >>> 0)];
    const space = text.indexOf(" ");
    return [text.slice(0, space), text.slice(space + 1)];
  }

  protected override growColumns(capacity: number): void {
    this.isn = grownColumn(this.isn, capacity);
    this.firstSyn = grownColumn(this.firstSyn, capacity);
    this.created = grownColumn(this.created, capacity);
    this.lastSyn = grownColumn(this.lastSyn, capacity);
    this.tsVal = grownColumn(this.tsVal, capacity);
    this.ttl = grownColumn(this.ttl, capacity);
    this.syns = grownColumn(this.syns, capacity);
    this.synsAtAnswer = grownColumn(this.synsAtAnswer, capacity);
    this.synsAtReply = grownColumn(this.synsAtReply, capacity);
    this.synacks = grownColumn(this.synacks, capacity);
    this.firstReply = grownColumn(this.firstReply, capacity);
    this.firstReplyAt = grownColumn(this.firstReplyAt, capacity);
    this.answeredAt = grownColumn(this.answeredAt, capacity);
    this.replyTsEcr = grownColumn(this.replyTsEcr, capacity);
    this.marks = grownColumn(this.marks, capacity);
    this.icmpType = grownColumn(this.icmpType, capacity);
    this.icmpCode = grownColumn(this.icmpCode, capacity);
    this.listener = grownColumn(this.listener, capacity);
    this.source = grownColumn(this.source, capacity);
  }
}
