import type { AttemptRecord, FirstReply } from "./analysis-types.js";

/** Live state of one connection attempt (4-tuple + ISN) while the capture is read. */
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

  constructor(
    readonly client: string,
    readonly clientPort: number,
    readonly server: string,
    readonly serverPort: number,
    readonly isn: number,
    readonly firstSyn: number,
    /** TSval of the first SYN, -1 without timestamps */
    readonly tsVal: number,
    readonly ttl: number,
    /** key of the reply direction in the tracker's awaiting-reply table */
    readonly replyHash: number,
  ) {
    this.lastSyn = firstSyn;
  }

  get answered(): boolean {
    return this.answeredAt >= 0;
  }

  toRecord(): AttemptRecord {
    return {
      client: this.client,
      clientPort: this.clientPort,
      server: this.server,
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
