import { ipv4FromKey } from "../util/ipv4-key.js";
import type { AttemptRecord, FirstReply } from "./analysis-types.js";
import type { ListenerState, SourceState } from "./tallies.js";

/**
 * Live state of one connection attempt (4-tuple + ISN) while the capture is read. Addresses are kept as keys
 * (IPv4: the address itself) and turned into text only for reports; IPv6 attempts carry their text from the start.
 */
export class Attempt {
  firstReply: FirstReply = "none";
  firstReplyAt = -1;
  answeredAt = -1;
  /** SYNs seen when the SYN-ACK came (more than one: answered after a retransmission) */
  synsAtAnswer = 0;
  synacks = 0;
  syns = 1;
  lastSyn: number;
  replyTsEcr = -1;
  clientRstAfterAck = false;
  badChecksum = false;
  md5Option = false;
  tsvalRegression = false;
  icmpType = -1;
  icmpCode = -1;
  icmpFrom = "";
  /** finalised (counted); it may still sit in the expiry queue */
  done = false;
  /** next attempt whose 4-tuple digest is the same (hash chain) */
  next: Attempt | null = null;
  /** the tallies this attempt counts into (no lookup when it is finalised) */
  listener: ListenerState | null = null;
  source: SourceState | null = null;

  constructor(
    readonly clientKey: number,
    readonly serverKey: number,
    readonly clientPort: number,
    readonly serverPort: number,
    /** IPv6 only: the addresses' text; empty for IPv4 */
    readonly clientText: string,
    readonly serverText: string,
    readonly isn: number,
    readonly firstSyn: number,
    /** TSval of the first SYN, -1 without timestamps */
    readonly tsVal: number,
    readonly ttl: number,
    /** digest of the 4-tuple, client → server */
    readonly hash: number,
    /** digest of the reply direction, server → client */
    readonly replyHash: number,
  ) {
    this.lastSyn = firstSyn;
  }

  get answered(): boolean {
    return this.answeredAt >= 0;
  }

  get v6(): boolean {
    return this.clientText !== "";
  }

  client(): string {
    return this.clientText || ipv4FromKey(this.clientKey);
  }

  server(): string {
    return this.serverText || ipv4FromKey(this.serverKey);
  }

  /** Same 4-tuple as the packet's client → server direction? */
  matches(clientKey: number, serverKey: number, clientPort: number, serverPort: number, clientText: string, serverText: string): boolean {
    return (
      this.clientKey === clientKey &&
      this.serverKey === serverKey &&
      this.clientPort === clientPort &&
      this.serverPort === serverPort &&
      this.clientText === clientText &&
      this.serverText === serverText
    );
  }

  toRecord(): AttemptRecord {
    return {
      client: this.client(),
      clientPort: this.clientPort,
      server: this.server(),
      serverPort: this.serverPort,
      isn: this.isn,
      firstSyn: this.firstSyn,
      lastSyn: this.lastSyn,
      syns: this.syns,
      tsVal: this.tsVal < 0 ? null : this.tsVal,
      ttl: this.ttl,
      firstReply: this.firstReply,
      firstReplyAt: this.firstReplyAt < 0 ? null : this.firstReplyAt,
      answeredAt: this.answeredAt < 0 ? null : this.answeredAt,
      synacks: this.synacks,
      replyTsEcr: this.replyTsEcr < 0 ? null : this.replyTsEcr,
      clientRstAfterAck: this.clientRstAfterAck,
      badChecksum: this.badChecksum,
      md5Option: this.md5Option,
      icmp: this.icmpType < 0 ? null : { type: this.icmpType, code: this.icmpCode, from: this.icmpFrom },
      tsvalRegression: this.tsvalRegression,
    };
  }
}
