/**
 * The analyze summary: the `analyze --json` document of shared/spec/cli.md, plus detail fields the diagnosis
 * and the reports use. Contract field names are fixed; added fields are documented here.
 */

export type FirstReply = "synack" | "ack" | "rst" | "icmp" | "none";

export interface HandshakeTotals {
  attempts: number;
  answered: number;
  unanswered: number;
  answeredAfterRetransmit: number;
  firstReply: Record<FirstReply, number>;
  synRetransmits: number;
  synackRetransmits: number;
}

export interface ListenerSummary {
  addr: string;
  port: number;
  attempts: number;
  unanswered: number;
  /** attempts per first reply */
  firstReply: Record<FirstReply, number>;
  /**
   * SYN transmissions the server let pass without any reply: all SYNs of silent attempts, and those sent before
   * the first reply of the others (an accept-queue overflow drops SYNs that a later retry gets answered). What
   * the kernel's drop counters count, SYN by SYN.
   */
  synsWithoutReply: number;
  /**
   * Half-open attempts: the server answered and retransmitted its SYN-ACK, and the client sent its SYN once and never
   * completed the handshake (spoofed or flooding sources; a real client that lost the SYN-ACK retries its SYN).
   */
  halfOpen: number;
  /** lowest and highest IP TTL / hop limit of SYNs seen (IP_MINTTL evidence) */
  synTtlMin: number | null;
  synTtlMax: number | null;
}

/** How the timestamp offsets of one source address behave (shared/spec/causes.md, last section). */
export type TsRegime =
  /** every connection fits one clock: one host, or hosts with offsets per address pair */
  | "single-clock"
  /** several long-lived clocks: several hosts behind one address (NAT/LVS) with per-host offsets */
  | "per-host"
  /** nearly every connection has its own offset, but reconnects on the same 4-tuple stay on theirs */
  | "per-connection"
  /** no timestamps, or too few connections to tell */
  | "unknown";

export interface SourceSummary {
  addr: string;
  attempts: number;
  unanswered: number;
  /** SYNs older than the last TSval seen from this address on a connection the server closed < 60 s before */
  tsvalRegressions: number;
  /** distinct TSval clocks the first SYNs of this address fit */
  tsClocks: number;
  tsRegime: TsRegime;
  /** TSval rate (Hz) that explains the samples best; null without timestamps */
  tsRateHz: number | null;
  /** first SYNs carrying a timestamp */
  tsSamples: number;
}

/** One attempt, as kept for reports (all unanswered ones up to a limit, and a sample of the others). */
export interface AttemptRecord {
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  isn: number;
  /** microseconds since the epoch */
  firstSyn: number;
  lastSyn: number;
  syns: number;
  tsVal: number | null;
  ttl: number;
  firstReply: FirstReply;
  /** microseconds since the epoch; null when no reply */
  firstReplyAt: number | null;
  answeredAt: number | null;
  synacks: number;
  /** the bare ACK's TSecr, when the first reply was a bare ACK (it echoes the old connection's TSval) */
  replyTsEcr: number | null;
  /** the client reset the connection after the server's bare ACK (SYN-SENT seeing an unacceptable ACK) */
  clientRstAfterAck: boolean;
  badChecksum: boolean;
  md5Option: boolean;
  /** ICMP type/code when the first reply was an ICMP error */
  icmp: { type: number; code: number; from: string } | null;
  tsvalRegression: boolean;
}

/** Wire signals the diagnosis reads beside the handshake totals. */
export interface WireSignals {
  /** client SYNs whose TCP checksum is wrong (beware checksum offload on the sending host) */
  synBadChecksum: number;
  /** SYNs whose checksum could be verified */
  synChecksumChecked: number;
  /** SYNs carrying a TCP-MD5 option (kind 19) */
  synWithMd5: number;
  synWithTimestamps: number;
  /** SYNs with malformed TCP options */
  synMalformedOptions: number;
  /** RSTs the client sent right after a bare ACK from the server (SYN-SENT reaction) */
  clientRstAfterBareAck: number;
  /** ARP who-has requests per target address that got no reply in the capture */
  arpUnanswered: Array<{ target: string; requests: number }>;
  /** SYNs of this capture whose 4-tuple was closed first by the server less than 60 s before (NAT port reuse) */
  synOnServerClosedTuple: number;
  /** connections whose first FIN came from the server (its side then holds TIME_WAIT) */
  serverClosedConnections: number;
  clientClosedConnections: number;
}

export interface CaptureFileSummary {
  path: string;
  format: "pcap" | "pcapng";
  compressed: boolean;
  packets: number;
  snaplenTruncated: number;
  headerTruncated: number;
  fragments: number;
  malformed: number;
  linkTypes: Record<string, number>;
}

/** Handshake packets per interval (the report's timeline). Arrays are aligned: index i covers
 * [startSeconds + i·stepSeconds, … + stepSeconds). */
export interface Timeline {
  /** epoch seconds of the first bucket; null for an empty capture */
  startSeconds: number | null;
  stepSeconds: number;
  /** first SYNs of attempts */
  syn: number[];
  synRetransmits: number[];
  /** SYN-ACKs answering an attempt (repeats included) */
  synack: number[];
  /** bare ACKs the server sent as first reply to a SYN */
  bareAck: number[];
  /** RSTs the server sent as first reply to a SYN */
  rst: number[];
}

/** First-SYN timestamps of one source address, for the TSval-vs-time plot. */
export interface TsSeries {
  addr: string;
  tsClocks: number;
  tsvalRegressions: number;
  /** [microseconds since the epoch, TSval, source port] per first SYN, in capture order (bounded) */
  points: Array<[number, number, number]>;
}

export interface AnalyzeSummary {
  packets: number;
  tcpPackets: number;
  handshakes: HandshakeTotals;
  listeners: ListenerSummary[];
  sources: SourceSummary[];
  /**
   * Distinct source addresses of SYN attempts: exact while every one is followed in `sources`, estimated past their
   * limit (within about 2 %, util/distinct-count.ts), as in a flood from spoofed sources.
   */
  sourceAddresses: { count: number; estimated: boolean };
  /** first and last packet time, microseconds since the epoch */
  timeRange: { first: number | null; last: number | null };
  signals: WireSignals;
  timeline: Timeline;
  /** NAT-suspect sources (several clocks or TSval regressions), worst first, up to 10 */
  tsSeries: TsSeries[];
  /** unanswered attempts first, up to a limit */
  attempts: AttemptRecord[];
  /** attempts that did not fit the limit */
  attemptsOmitted: number;
  files: CaptureFileSummary[];
  warnings: Array<{ file: string; offset?: number; message: string }>;
}
