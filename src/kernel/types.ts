/**
 * Public data types of the kernel model. Addresses are IPv4 as unsigned 32-bit numbers (198.18.0.1 =
 * 0xc6120001), ports 16-bit numbers, sequence numbers and TSvals unsigned 32-bit numbers, times in ms.
 */
import type { CounterName } from "./counters.js";

/** TCP flag bits as on the wire. */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

/**
 * One TCP segment (IPv4). Every field is always present so that objects keep one shape (fast property
 * access in the hot path); "absent" options are `hasTs: false`, `mss: 0`, `wscale: -1`.
 */
export interface Segment {
  saddr: number;
  daddr: number;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  /** FIN | SYN | RST | PSH | ACK bits. */
  flags: number;
  /** Payload length in bytes. */
  len: number;
  window: number;
  hasTs: boolean;
  tsval: number;
  tsecr: number;
  /** MSS option value, 0 = no option. */
  mss: number;
  /** Window-scale option shift, -1 = no option. */
  wscale: number;
  sackOk: boolean;
  /** IP TTL, for IP_MINTTL listeners. */
  ttl: number;
  /** Carries a TCP-MD5 signature option (kind 19); the model does not check the digest itself. */
  md5: boolean;
  /** false = the TCP checksum is wrong. */
  csumOk: boolean;
}

export type ReplyKind =
  | "synack" // SYN-ACK of a new request (also through TIME_WAIT)
  | "synack-retrans" // SYN-ACK retransmitted by the timer or for a retransmitted SYN
  | "cookie-synack" // SYN-ACK whose ISN is a SYN cookie (no request kept)
  | "ack" // bare ACK (TIME_WAIT, data, FIN, challenge ACK)
  | "fin" // FIN of an active close
  | "rst" // RST sent by TCP (counted in TcpOutRsts)
  | "nf-rst" // RST sent by a netfilter REJECT (not counted by TCP)
  | "icmp-unreach"; // ICMP port unreachable from a netfilter REJECT (no TCP fields meaningful)

/** A segment this host sends; `atMs` is when it leaves (the receive time, or the timer's due time). */
export interface Reply extends Segment {
  kind: ReplyKind;
  atMs: number;
}

export type Outcome =
  | "synack" // SYN answered with a SYN-ACK (request queued)
  | "cookie" // SYN answered with a cookie SYN-ACK
  | "ack" // answered with a bare ACK only (TIME_WAIT, challenge ACK, data/FIN ACK)
  | "rst" // answered with an RST (by TCP or by a netfilter REJECT)
  | "icmp" // answered with an ICMP unreachable by a netfilter REJECT
  | "dropped" // no answer at all
  | "established" // 3rd ACK (or cookie ACK) created a child in the accept queue
  | "consumed"; // segment accepted without answer (ACK of our FIN, RST that killed a socket, …)

/** Stable reason codes; tests and the diagnosis key on these, never on messages. */
export type Reason =
  // before TCP
  | "firewall-drop"
  | "firewall-reject"
  | "conntrack-full"
  | "rp-filter"
  | "bad-checksum"
  | "bad-header"
  // socket lookup
  | "no-listener"
  | "min-ttl"
  | "md5"
  // LISTEN / tcp_conn_request
  | "new-request"
  | "syn-queue-full" // syncookies=0: TCPReqQFullDrop
  | "syn-queue-full-cookie" // syncookies=1 and queue full
  | "syncookies-always" // syncookies=2
  | "accept-queue-full"
  | "tw-recycle-paws"
  | "max-syn-backlog-unproven" // the ¾ rule
  | "no-return-route"
  | "syn-fin"
  | "ack-to-listener"
  | "rst-to-listener"
  // request sock (SYN_RECV)
  | "request-syn-retrans"
  | "request-ack-ratelimited"
  | "request-paws"
  | "request-out-of-window"
  | "request-established"
  | "request-accept-queue-full"
  | "request-abort-on-overflow"
  | "request-bad-ack"
  | "request-rst"
  | "cookie-valid"
  | "cookie-invalid"
  // TIME_WAIT
  | "timewait-accepted" // SYN accepted through TIME_WAIT (TCP_TW_SYN)
  | "timewait-paws"
  | "timewait-ack" // not acceptable, not PAWS: bare ACK (e.g. SYN without TS, seq not after rcv_nxt)
  | "timewait-ack-ratelimited"
  | "timewait-rst-kill" // RST killed the TIME_WAIT (assassination)
  | "timewait-rst-ignored" // rfc1337=1
  | "timewait-fin-ack"
  | "finwait2-syn-rst"
  | "finwait2-fin" // FIN moved FIN_WAIT2 into TIME_WAIT
  // established and closing
  | "established-data"
  | "established-fin"
  | "established-rst"
  | "challenge-ack"
  | "fin-acked"
  | "last-ack-done"
  | "ignored";

/** What one received segment did. `moved` lists counters in the order they moved (a name may repeat). */
export interface SegmentResult {
  outcome: Outcome;
  reason: Reason;
  replies: readonly Reply[];
  moved: readonly CounterName[];
  /** The connection a 3rd ACK / cookie ACK put into the accept queue, or the socket the segment hit. */
  conn: Connection | undefined;
}

/** A netfilter verdict for an incoming segment (PREROUTING + INPUT together). */
export type FirewallVerdict = "accept" | "drop" | "reject-rst" | "reject-icmp";

/**
 * Verdicts of the layers before TCP, set by the caller (the model has no routing table or ruleset).
 * Functions are called once per incoming segment; leave them undefined for "always passes".
 */
export interface PathPolicy {
  firewall?: (seg: Segment) => FirewallVerdict;
  /** conntrack table full: new flows (SYNs without an entry) are dropped before TCP. */
  conntrackFull?: boolean;
  /** Strict rp_filter would drop packets from this source (TcpExtIPReversePathFilter). */
  rpFilterDrops?: (saddr: number) => boolean;
  /** No route back to this source: the SYN-ACK cannot be routed (ListenDrops, IpOutNoRoutes). */
  noRouteTo?: (saddr: number) => boolean;
}

export interface ListenerOptions {
  /** IP_MINTTL: SYNs with a lower TTL are dropped (TCPMinTTLDrop). */
  minTtl?: number;
  /** TCP-MD5 keys: peers listed must sign (TCPMD5NotFound), others must not (TCPMD5Unexpected). */
  md5Peers?: readonly number[];
  /** TCP_SYNCNT-like per-listener SYN-ACK retry override. */
  synackRetries?: number;
}

export type ConnState = "SYN-RECV" | "ESTAB" | "CLOSE-WAIT" | "LAST-ACK" | "FIN-WAIT-1" | "CLOSED";

/**
 * A full socket of this host (child of a listener). Mutable; fields mirror tcp_sock. The caller gets it
 * from `accept()` or a result's `conn` and passes it back to `close()`.
 */
export interface Connection {
  readonly laddr: number;
  readonly lport: number;
  readonly raddr: number;
  readonly rport: number;
  state: ConnState;
  /** In the accept queue, not yet accepted by the application. */
  queued: boolean;
  sndNxt: number;
  rcvNxt: number;
  /** Timestamps negotiated on this connection. */
  hasTs: boolean;
  /** Last TSval accepted from the peer and the second it arrived (tp->rx_opt.ts_recent[_stamp]; seconds
   *  of the model's clock, `secondsAt(nowMs)`; 0 = never). */
  tsRecent: number;
  tsRecentStamp: number;
  /** Smoothed RTO in ms (for tw_recycle's 3.5×RTO TIME_WAIT). */
  rtoMs: number;
  readonly openedMs: number;
}

export type TimeWaitSubstate = "TIME-WAIT" | "FIN-WAIT-2";

/** A TIME_WAIT socket (inet_timewait_sock + tcp_timewait_sock). */
export interface TimeWait {
  readonly laddr: number;
  readonly lport: number;
  readonly raddr: number;
  readonly rport: number;
  substate: TimeWaitSubstate;
  rcvNxt: number;
  sndNxt: number;
  /** tw_ts_recent and tw_ts_recent_stamp (`secondsAt(nowMs)`; 0 = connection had no timestamps). */
  tsRecent: number;
  tsRecentStamp: number;
  /** Receive window last advertised (tw_rcv_wnd), for the FIN_WAIT2 window check. */
  rcvWnd: number;
  /** When the TW timer fires (ms). */
  expiresMs: number;
  /** Last out-of-window ACK sent (ms), for tcp_invalid_ratelimit; -Infinity = never. */
  lastOowAckMs: number;
  readonly enteredMs: number;
}

/** A request socket (SYN_RECV, NEW_SYN_RECV in ehash). */
export interface RequestSock {
  readonly laddr: number;
  readonly lport: number;
  readonly raddr: number;
  readonly rport: number;
  /** The client's ISN (rcv_isn) and ours (snt_isn). */
  readonly rcvIsn: number;
  readonly sntIsn: number;
  readonly hasTs: boolean;
  tsRecent: number;
  readonly mss: number;
  readonly wscale: number;
  readonly sackOk: boolean;
  /** SYN-ACK retransmissions done (num_timeout). */
  retrans: number;
  /** A 3rd ACK arrived while the accept queue was full (inet_rsk(req)->acked). */
  acked: boolean;
  nextTimerMs: number;
  lastOowAckMs: number;
  readonly createdMs: number;
}

/** One listener as `ss -ltn` and the diagnosis see it. */
export interface ListenerSnapshot {
  readonly addr: number;
  readonly port: number;
  /** listen() backlog as asked and effective B = min(backlog, somaxconn) (ss Send-Q). */
  readonly backlog: number;
  readonly effectiveBacklog: number;
  /** Children waiting for accept() (ss Recv-Q). */
  readonly acceptQueue: number;
  /** Requests in SYN-RECV and how many have not yet had a SYN-ACK timeout. */
  readonly synQueue: number;
  readonly young: number;
  /** Per-listener sk_drops (ss -m "d"). */
  readonly drops: number;
  readonly floodWarned: boolean;
}

/** Per-peer tcp_metrics entry (key: local address, peer address). */
export interface PeerMetrics {
  /** An RTT sample is stored: the peer is "proven" for the ¾ rule. */
  hasRtt: boolean;
  /** tw_recycle timestamp cache (≤4.11): last TSval and its second (`secondsAt`); stamp 0 = none. */
  tsRecent: number;
  tsStamp: number;
}

/** A TSval clock of one host: sender address/port first. */
export interface TsClock {
  tsval(nowMs: number, saddr: number, sport: number, daddr: number, dport: number): number;
  /**
   * Present when tsval = (floor((uptimeAtZeroMs + nowMs) · rate / 1000) + base + offset(4-tuple)) >>> 0: a
   * caller that sends many segments of one flow computes the offset once (it is a keyed hash per flow).
   */
  readonly linear?: LinearTsClock;
}

export interface LinearTsClock {
  readonly rate: number;
  readonly uptimeAtZeroMs: number;
  readonly base: number;
  offset(saddr: number, sport: number, daddr: number, dport: number): number;
}

/** Keyed 32-bit hash supplied by the caller (stands for the kernel's siphash with a boot secret). */
export type FlowHash = (a: number, b: number, c: number, d: number) => number;
