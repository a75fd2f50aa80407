/**
 * Data shared by extraction (capture → events) and the replay engine (events → kernel model). Addresses are
 * IPv4 as unsigned 32-bit numbers (the kernel model's convention); times are milliseconds from the capture's
 * first packet.
 */
import type { ReplayEventList } from "./event-list.js";

/** What the server sent first for an attempt, as `analyze` classifies it (cli.md `firstReply`). */
export type FirstReply = "synack" | "ack" | "rst" | "icmp" | "none";

/** One client connection attempt seen in the capture: 4-tuple + ISN (cli.md "attempt"). */
export interface ReplayAttempt {
  readonly id: number;
  readonly client: number;
  readonly clientPort: number;
  readonly server: number;
  readonly serverPort: number;
  readonly isn: number;
  readonly firstSynMs: number;
  /** SYNs with this ISN in the capture (first + retransmissions). */
  syns: number;
  /** TSval of the first SYN, null without the option. */
  readonly tsVal: number | null;
  observed: FirstReply;
  /** A SYN-ACK acknowledging ISN+1 was seen. */
  observedAnswered: boolean;
  /** When the first such SYN-ACK was seen, null if none. */
  answeredMs: number | null;
  /** Client's 3rd ACK time minus the SYN-ACK time (the RTT seen at the server), null if not completed. */
  rttMs: number | null;
  /** First server payload or FIN minus completion: how long the application took to accept(), null if never. */
  acceptDelayMs: number | null;
  closedFirstBy: "server" | "client" | null;
}

export type ReplayEventKind =
  /** a client SYN (first or retransmitted) */
  | "syn"
  /** the client's 3rd ACK (first segment acknowledging the server's SYN-ACK) */
  | "complete"
  /** more client segments while the server has said nothing but SYN-ACKs (3rd-ACK overflow retries) */
  | "client-seg"
  /** the application holds the socket: first server payload or FIN */
  | "app-accept"
  /** the application closed: the server's FIN */
  | "server-fin"
  /** the client's FIN */
  | "client-fin"
  /** the client's ACK of the server's FIN after the client closed first */
  | "client-final-ack"
  /** a client RST: after a bare ACK to its SYN (TIME_WAIT answer), or on an established connection */
  | "client-rst";

/**
 * One event for the model. Every field is always present (one object shape); fields a kind does not use are 0
 * or false. `seq` is in the client's sequence space, which the model shares with the capture.
 */
export interface ReplayEvent {
  readonly kind: ReplayEventKind;
  readonly atMs: number;
  readonly attempt: number;
  readonly seq: number;
  readonly len: number;
  readonly hasTs: boolean;
  readonly tsval: number;
  /** syn: options and IP fields the kernel looks at */
  readonly mss: number;
  readonly wscale: number;
  readonly sackOk: boolean;
  readonly ttl: number;
  readonly csumOk: boolean;
  readonly md5: boolean;
  /** syn: 0 for the first SYN of the attempt, 1… for retransmissions */
  readonly index: number;
  /** client-fin: it acknowledges the server's FIN; client-rst: it followed a bare ACK to the SYN */
  readonly flag: boolean;
}

/** A server endpoint that received SYNs, with what it answered. */
export interface ServerEndpoint {
  readonly addr: number;
  readonly port: number;
  attempts: number;
  synacks: number;
  rsts: number;
}

export interface Extraction {
  readonly attempts: ReplayAttempt[];
  /** Sorted by time (stable: capture order for equal times). */
  readonly events: ReplayEventList;
  readonly endpoints: ServerEndpoint[];
  /** Epoch microseconds of the first packet (time 0 of events). */
  readonly startMicros: number;
  /** Time of the last packet, ms from the start. */
  readonly endMs: number;
  readonly packets: number;
  /** IPv6 SYNs skipped (the kernel model is IPv4). */
  readonly ipv6Syns: number;
  readonly warnings: string[];
}
