/**
 * net-tools `netstat -s` wording → MIB name in nstat spelling. `%` stands for the number.
 * Sources: net-tools 2.10 lines were produced on this machine by running the real netstat over a /proc/net
 * copy with a distinct value per counter (scripts/host-fixtures.ts keeps that file as a fixture, and a test
 * checks this table against it); 1.60-era wordings (RHEL/CentOS 6–7) from net-tools statistics.c history and
 * linux-syn-path.md §7. Lines that net-tools prints as `Name: value` need no entry (section + Name).
 * Keys are normalised by `normaliseWording` (lower case, single spaces, no trailing period).
 */
type Table = Readonly<Record<string, string>>;

const IP: Table = {
  "% total packets received": "InReceives",
  "% with invalid headers": "InHdrErrors",
  "% with invalid addresses": "InAddrErrors",
  "% forwarded": "ForwDatagrams",
  "% with unknown protocol": "InUnknownProtos",
  "% incoming packets discarded": "InDiscards",
  "% incoming packets delivered": "InDelivers",
  "% requests sent out": "OutRequests",
  "% outgoing packets dropped": "OutDiscards",
  "% dropped because of missing route": "OutNoRoutes",
  "% fragments dropped after timeout": "ReasmTimeout",
  "% reassemblies required": "ReasmReqds",
  "% packets reassembled ok": "ReasmOKs",
  "% packet reassemblies failed": "ReasmFails",
  "% packet reassembles failed": "ReasmFails", // 1.60
  "% outgoing packets fragmented ok": "FragOKs",
  "% fragments received ok": "FragOKs", // 1.60
  "% outgoing packets failed fragmentation": "FragFails",
  "% fragments failed": "FragFails", // 1.60
  "% fragments created": "FragCreates",
};

const ICMP: Table = {
  "% icmp messages received": "InMsgs",
  "% input icmp message failed": "InErrors",
  "% icmp messages sent": "OutMsgs",
  "% icmp messages failed": "OutErrors",
};

const ICMP_IN_HISTOGRAM: Table = {
  "destination unreachable: %": "InDestUnreachs",
  "timeout in transit: %": "InTimeExcds",
  "wrong parameters: %": "InParmProbs",
  "source quenches: %": "InSrcQuenchs",
  "source quenchs: %": "InSrcQuenchs", // 1.60
  "redirects: %": "InRedirects",
  "echo requests: %": "InEchos",
  "echo replies: %": "InEchoReps",
  "timestamp request: %": "InTimestamps",
  "timestamp reply: %": "InTimestampReps",
  "address mask request: %": "InAddrMasks",
  "address mask replies: %": "InAddrMaskReps",
};

const ICMP_OUT_HISTOGRAM: Table = {
  "destination unreachable: %": "OutDestUnreachs",
  "time exceeded: %": "OutTimeExcds",
  "wrong parameters: %": "OutParmProbs",
  "source quench: %": "OutSrcQuenchs",
  "redirect: %": "OutRedirects",
  "echo request: %": "OutEchos", // 1.60
  "echo requests: %": "OutEchos",
  "echo replies: %": "OutEchoReps",
  "timestamp requests: %": "OutTimestamps",
  "timestamp replies: %": "OutTimestampReps",
  "address mask requests: %": "OutAddrMasks",
  "address mask replies: %": "OutAddrMaskReps",
};

const TCP: Table = {
  "% active connection openings": "ActiveOpens",
  "% active connections openings": "ActiveOpens", // 1.60
  "% active opens": "ActiveOpens", // early 1.x
  "% passive connection openings": "PassiveOpens",
  "% passive opens": "PassiveOpens", // early 1.x
  "% failed connection attempts": "AttemptFails",
  "% connection resets received": "EstabResets",
  "% connections established": "CurrEstab",
  "% segments received": "InSegs",
  "% segments sent out": "OutSegs",
  "% segments send out": "OutSegs", // 1.60
  "% segments retransmitted": "RetransSegs",
  "% segments retransmited": "RetransSegs", // 1.60
  "% bad segments received": "InErrs",
  "% resets sent": "OutRsts",
};

const UDP: Table = {
  "% packets received": "InDatagrams",
  "% packets to unknown port received": "NoPorts",
  "% packet receive errors": "InErrors",
  "% packets sent": "OutDatagrams",
  "% packets send": "OutDatagrams", // early 1.x
  "% receive buffer errors": "RcvbufErrors",
  "% send buffer errors": "SndbufErrors",
};

const TCP_EXT: Table = {
  "% syn cookies sent": "SyncookiesSent",
  "% syn cookies received": "SyncookiesRecv",
  "% invalid syn cookies received": "SyncookiesFailed",
  "% resets received for embryonic syn_recv sockets": "EmbryonicRsts",
  "% packets pruned from receive queue because of socket buffer overrun": "PruneCalled",
  "% packets pruned from receive queue": "RcvPruned",
  "% packets dropped from out-of-order queue because of socket buffer overrun": "OfoPruned",
  "% icmp packets dropped because they were out-of-window": "OutOfWindowIcmps",
  "% icmp packets dropped because socket was locked": "LockDroppedIcmps",
  "% tcp sockets finished time wait in fast timer": "TW",
  "% tcp sockets finished time wait in slow timer": "TWKilled",
  "% time wait sockets recycled by time stamp": "TWRecycled",
  "% passive connections rejected because of time stamp": "PAWSPassive",
  "% active connections rejected because of time stamp": "PAWSActive",
  "% packets rejected in established connections because of timestamp": "PAWSEstab",
  "% packets rejects in established connections because of timestamp": "PAWSEstab", // 1.60
  "% packetes rejected in established connections because of timestamp": "PAWSEstab", // net-tools CVS ~2010
  "% delayed acks sent": "DelayedACKs",
  "% delayed acks further delayed because of locked socket": "DelayedACKLocked",
  "quick ack mode was activated % times": "DelayedACKLost",
  "% times the listen queue of a socket overflowed": "ListenOverflows",
  "% syns to listen sockets dropped": "ListenDrops",
  "% syns to listen sockets ignored": "ListenDrops", // 1.60
  "% packet headers predicted": "TCPHPHits",
  "% packets header predicted": "TCPHPHits", // 1.60
  "% packet headers predicted and directly queued to user": "TCPHPHitsToUser",
  "% packets header predicted and directly queued to user": "TCPHPHitsToUser", // 1.60
  "% packets directly queued to recvmsg prequeue": "TCPPrequeued",
  "% bytes directly in process context from backlog": "TCPDirectCopyFromBacklog",
  "% packets directly received from backlog": "TCPDirectCopyFromBacklog", // 1.60
  "% bytes directly received in process context from prequeue": "TCPDirectCopyFromPrequeue",
  "% packets directly received from prequeue": "TCPDirectCopyFromPrequeue", // 1.60
  "% packets dropped from prequeue": "TCPPrequeueDropped",
  "% acknowledgments not containing data payload received": "TCPPureAcks",
  "% acknowledgments not containing data received": "TCPPureAcks", // 1.60
  "% predicted acknowledgments": "TCPHPAcks",
  "% times recovered from packet loss due to fast retransmit": "TCPRenoRecovery",
  "% times recovered from packet loss by selective acknowledgements": "TCPSackRecovery",
  "% times recovered from packet loss due to sack data": "TCPSackRecovery", // 1.60
  "% bad sack blocks received": "TCPSACKReneging",
  "% bad sacks received": "TCPSACKReneging", // 1.60
  "detected reordering % times using fack": "TCPFACKReorder",
  "detected reordering % times using sack": "TCPSACKReorder",
  "detected reordering % times using reno fast retransmit": "TCPRenoReorder",
  "detected reordering % times using time stamp": "TCPTSReorder",
  "% congestion windows fully recovered without slow start": "TCPFullUndo",
  "% congestion windows fully recovered": "TCPFullUndo", // 1.60
  "% congestion windows partially recovered using hoe heuristic": "TCPPartialUndo",
  "% congestion window recovered without slow start using dsack": "TCPDSACKUndo",
  "% congestion windows recovered without slow start by dsack": "TCPDSACKUndo",
  "% congestion windows recovered after partial ack": "TCPLossUndo", // 1.60
  "% congestion windows recovered without slow start after partial ack": "TCPLossUndo",
  "% tcp data loss events": "TCPLoss",
  "% timeouts after reno fast retransmit": "TCPRenoFailures",
  "% timeouts after sack recovery": "TCPSackFailures",
  "% timeouts in loss state": "TCPLossFailures",
  "% fast retransmits": "TCPFastRetrans",
  "% forward retransmits": "TCPForwardRetrans",
  "% retransmits in slow start": "TCPSlowStartRetrans",
  "% other tcp timeouts": "TCPTimeouts",
  "% classic reno fast retransmits failed": "TCPRenoRecoveryFail",
  "% reno fast retransmits failed": "TCPRenoRecoveryFail",
  "% sack retransmits failed": "TCPSackRecoveryFail",
  "% retransmits lost": "TCPLostRetransmits",
  "% times receiver scheduled too late for direct processing": "TCPSchedulerFailed",
  "% packets collapsed in receive queue due to low socket buffer": "TCPRcvCollapsed",
  "% dsacks sent for old packets": "TCPDSACKOldSent",
  "% dsacks sent for out of order packets": "TCPDSACKOfoSent",
  "% dsacks received": "TCPDSACKRecv",
  "% dsacks for out of order packets received": "TCPDSACKOfoRecv",
  "% connections reset due to unexpected syn": "TCPAbortOnSyn",
  "% connections reset due to unexpected data": "TCPAbortOnData",
  "% connections reset due to early user close": "TCPAbortOnClose",
  "% connections aborted due to memory pressure": "TCPAbortOnMemory",
  "% connections aborted due to timeout": "TCPAbortOnTimeout",
  "% connections aborted after user close in linger timeout": "TCPAbortOnLinger",
  "% times unable to send rst due to no memory": "TCPAbortFailed",
  "tcp ran low on memory % times": "TCPMemoryPressures",
  "ran % times out of system memory during packet sending": "SockMallocOOM",
};

/** Section as netstat prints it → wording table. Sections without a table only have `Name: value` lines. */
export const WORDING: Readonly<Record<string, Table>> = {
  Ip: IP,
  Icmp: ICMP,
  Tcp: TCP,
  Udp: UDP,
  TcpExt: TCP_EXT,
};

export const ICMP_HISTOGRAMS: Readonly<Record<string, Table>> = {
  "icmp input histogram:": ICMP_IN_HISTOGRAM,
  "icmp output histogram:": ICMP_OUT_HISTOGRAM,
};

/**
 * Replaces the first number by `%` (returned as its text, checked by the caller), lower-cases, collapses spaces,
 * drops a trailing period (1.60 style).
 */
export function normaliseWording(line: string): { key: string; value: string } | null {
  const match = /-?\d+/.exec(line);
  if (!match) return null;
  const key = `${line.slice(0, match.index)}%${line.slice(match.index + match[0].length)}`
    .trim()
    .replace(/\s+/g, " ")
    .replace(/\.$/, "")
    .toLowerCase();
  return { key, value: match[0] };
}
