/**
 * Text a real server of a given kernel era would print: `nstat -asz`, `netstat -s` (net-tools 1.60-era or 2.10),
 * `sysctl -a` (net.*), `ss -ltn`, `ss -tan`, `uname -r`. Pure functions of counter values and socket lists, so
 * a simulated bundle reads like one collected on a host. Formats: iproute2 nstat.c, net-tools statistics.c and
 * the lab's own captures on 6.18.44 (linux-syn-path.md §7, §10).
 */
import { atLeast, type KernelVersion } from "../kernel/version.js";

/** Counter values by nstat name; names not present are zero. */
export type CounterValues = ReadonlyMap<string, number>;

// /proc/net/snmp and /proc/net/netstat field orders. 6.18 lists as read on 6.18.44 [EXP]; the older TcpExt list
// is the 3.10-era order (RHEL 7) [MEM]: only its shape matters, the SYN-path counters come from the kernel model.
const IP_FIELDS = ["Forwarding", "DefaultTTL", "InReceives", "InHdrErrors", "InAddrErrors", "ForwDatagrams", "InUnknownProtos", "InDiscards", "InDelivers", "OutRequests", "OutDiscards", "OutNoRoutes", "ReasmTimeout", "ReasmReqds", "ReasmOKs", "ReasmFails", "FragOKs", "FragFails", "FragCreates"];
const ICMP_FIELDS = ["InMsgs", "InErrors", "InCsumErrors", "InDestUnreachs", "InTimeExcds", "InParmProbs", "InSrcQuenchs", "InRedirects", "InEchos", "InEchoReps", "InTimestamps", "InTimestampReps", "InAddrMasks", "InAddrMaskReps", "OutMsgs", "OutErrors", "OutDestUnreachs", "OutTimeExcds", "OutParmProbs", "OutSrcQuenchs", "OutRedirects", "OutEchos", "OutEchoReps", "OutTimestamps", "OutTimestampReps", "OutAddrMasks", "OutAddrMaskReps"];
const TCP_FIELDS = ["RtoAlgorithm", "RtoMin", "RtoMax", "MaxConn", "ActiveOpens", "PassiveOpens", "AttemptFails", "EstabResets", "CurrEstab", "InSegs", "OutSegs", "RetransSegs", "InErrs", "OutRsts", "InCsumErrors"];
const UDP_FIELDS = ["InDatagrams", "NoPorts", "InErrors", "OutDatagrams", "RcvbufErrors", "SndbufErrors", "InCsumErrors", "IgnoredMulti"];
const TCPEXT_OLD = "SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled RcvPruned OfoPruned OutOfWindowIcmps LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSPassive PAWSActive PAWSEstab DelayedACKs DelayedACKLocked DelayedACKLost ListenOverflows ListenDrops TCPPrequeued TCPDirectCopyFromBacklog TCPDirectCopyFromPrequeue TCPPrequeueDropped TCPHPHits TCPHPHitsToUser TCPPureAcks TCPHPAcks TCPRenoRecovery TCPSackRecovery TCPSACKReneging TCPFACKReorder TCPSACKReorder TCPRenoReorder TCPTSReorder TCPFullUndo TCPPartialUndo TCPDSACKUndo TCPLossUndo TCPLostRetransmit TCPRenoFailures TCPSackFailures TCPLossFailures TCPFastRetrans TCPForwardRetrans TCPSlowStartRetrans TCPTimeouts TCPLossProbes TCPLossProbeRecovery TCPRenoRecoveryFail TCPSackRecoveryFail TCPSchedulerFailed TCPRcvCollapsed TCPDSACKOldSent TCPDSACKOfoSent TCPDSACKRecv TCPDSACKOfoRecv TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory TCPAbortOnTimeout TCPAbortOnLinger TCPAbortFailed TCPMemoryPressures TCPSACKDiscard TCPDSACKIgnoredOld TCPDSACKIgnoredNoUndo TCPSpuriousRTOs TCPMD5NotFound TCPMD5Unexpected TCPSackShifted TCPSackMerged TCPSackShiftFallback TCPBacklogDrop TCPMinTTLDrop TCPDeferAcceptDrop IPReversePathFilter TCPTimeWaitOverflow TCPReqQFullDoCookies TCPReqQFullDrop TCPRetransFail TCPRcvCoalesce TCPOFOQueue TCPOFODrop TCPOFOMerge TCPChallengeACK TCPSYNChallenge TCPFastOpenActive TCPFastOpenActiveFail TCPFastOpenPassive TCPFastOpenPassiveFail TCPFastOpenListenOverflow TCPFastOpenCookieReqd TCPSpuriousRtxHostQueues BusyPollRxPackets TCPAutoCorking TCPFromZeroWindowAdv TCPToZeroWindowAdv TCPWantZeroWindowAdv TCPSynRetrans TCPOrigDataSent TCPHystartTrainDetect TCPHystartTrainCwnd TCPHystartDelayDetect TCPHystartDelayCwnd TCPACKSkippedSynRecv TCPACKSkippedPAWS TCPACKSkippedSeq TCPACKSkippedFinWait2 TCPACKSkippedTimeWait TCPACKSkippedChallenge".split(" ");
const TCPEXT_618 = "SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled RcvPruned OfoPruned OutOfWindowIcmps LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSActive PAWSEstab BeyondWindow TSEcrRejected PAWSOldAck PAWSTimewait DelayedACKs DelayedACKLocked DelayedACKLost ListenOverflows ListenDrops TCPHPHits TCPPureAcks TCPHPAcks TCPRenoRecovery TCPSackRecovery TCPSACKReneging TCPSACKReorder TCPRenoReorder TCPTSReorder TCPFullUndo TCPPartialUndo TCPDSACKUndo TCPLossUndo TCPLostRetransmit TCPRenoFailures TCPSackFailures TCPLossFailures TCPFastRetrans TCPSlowStartRetrans TCPTimeouts TCPLossProbes TCPLossProbeRecovery TCPRenoRecoveryFail TCPSackRecoveryFail TCPRcvCollapsed TCPBacklogCoalesce TCPDSACKOldSent TCPDSACKOfoSent TCPDSACKRecv TCPDSACKOfoRecv TCPAbortOnData TCPAbortOnClose TCPAbortOnMemory TCPAbortOnTimeout TCPAbortOnLinger TCPAbortFailed TCPMemoryPressures TCPMemoryPressuresChrono TCPSACKDiscard TCPDSACKIgnoredOld TCPDSACKIgnoredNoUndo TCPSpuriousRTOs TCPMD5NotFound TCPMD5Unexpected TCPMD5Failure TCPSackShifted TCPSackMerged TCPSackShiftFallback TCPBacklogDrop PFMemallocDrop TCPMinTTLDrop TCPDeferAcceptDrop IPReversePathFilter TCPTimeWaitOverflow TCPReqQFullDoCookies TCPReqQFullDrop TCPRetransFail TCPRcvCoalesce TCPOFOQueue TCPOFODrop TCPOFOMerge TCPChallengeACK TCPSYNChallenge TCPFastOpenActive TCPFastOpenActiveFail TCPFastOpenPassive TCPFastOpenPassiveFail TCPFastOpenListenOverflow TCPFastOpenCookieReqd TCPFastOpenBlackhole TCPSpuriousRtxHostQueues BusyPollRxPackets TCPAutoCorking TCPFromZeroWindowAdv TCPToZeroWindowAdv TCPWantZeroWindowAdv TCPSynRetrans TCPOrigDataSent TCPHystartTrainDetect TCPHystartTrainCwnd TCPHystartDelayDetect TCPHystartDelayCwnd TCPACKSkippedSynRecv TCPACKSkippedPAWS TCPACKSkippedSeq TCPACKSkippedFinWait2 TCPACKSkippedTimeWait TCPACKSkippedChallenge TCPWinProbe TCPKeepAlive TCPMTUPFail TCPMTUPSuccess TCPDelivered TCPDeliveredCE TCPAckCompressed TCPZeroWindowDrop TCPRcvQDrop TCPWqueueTooBig TCPFastOpenPassiveAltKey TcpTimeoutRehash TcpDuplicateDataRehash TCPDSACKRecvSegs TCPDSACKIgnoredDubious TCPMigrateReqSuccess TCPMigrateReqFailure TCPPLBRehash TCPAORequired TCPAOBad TCPAOKeyNotFound TCPAOGood TCPAODroppedIcmps".split(" ");
const IPEXT_FIELDS = ["InNoRoutes", "InTruncatedPkts", "InMcastPkts", "OutMcastPkts", "InBcastPkts", "OutBcastPkts", "InOctets", "OutOctets", "InMcastOctets", "OutMcastOctets", "InBcastOctets", "OutBcastOctets", "InCsumErrors", "InNoECTPkts", "InECT1Pkts", "InECT0Pkts", "InCEPkts"];

/**
 * TcpExt fields of this kernel. `hasCounter` is the kernel model's knowledge of the SYN-path counters (it wins
 * for the names it knows: PAWSPassive ≤4.11, PAWSTimewait ≥6.16, …); other names follow the era's list.
 */
function tcpExtFields(version: KernelVersion, modelled: ReadonlySet<string>, hasCounter: (name: string) => boolean): string[] {
  const base = atLeast(version, 5, 0) ? TCPEXT_618 : TCPEXT_OLD;
  const out = base.filter((f) => (modelled.has(`TcpExt${f}`) ? hasCounter(`TcpExt${f}`) : true));
  // A modelled counter missing from the era list still shows (e.g. PAWSPassive on 4.x lists).
  for (const name of modelled) {
    const field = name.slice("TcpExt".length);
    if (name.startsWith("TcpExt") && hasCounter(name) && !out.includes(field)) out.push(field);
  }
  return out;
}

export interface CounterLayout {
  readonly sections: readonly { readonly prefix: string; readonly fields: readonly string[] }[];
}

/** Which counters this kernel prints, in /proc order (Ip, Icmp, Tcp, Udp, TcpExt, IpExt). */
export function counterLayout(version: KernelVersion, modelled: readonly string[], hasCounter: (name: string) => boolean): CounterLayout {
  const set = new Set(modelled);
  const ipFields = atLeast(version, 6, 3) ? [...IP_FIELDS, "OutTransmits"] : IP_FIELDS;
  const tcpFields = TCP_FIELDS.filter((f) => f !== "InCsumErrors" || hasCounter("TcpInCsumErrors"));
  return {
    sections: [
      { prefix: "Ip", fields: ipFields },
      { prefix: "Icmp", fields: ICMP_FIELDS },
      { prefix: "Tcp", fields: tcpFields },
      { prefix: "Udp", fields: UDP_FIELDS },
      { prefix: "TcpExt", fields: tcpExtFields(version, set, hasCounter) },
      { prefix: "IpExt", fields: IPEXT_FIELDS },
    ],
  };
}

/** Constant /proc values that are not counters (Tcp RtoMin etc.); what a Linux host shows. */
const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ["IpForwarding", 2],
  ["IpDefaultTTL", 64],
  ["TcpRtoAlgorithm", 1],
  ["TcpRtoMin", 200],
  ["TcpRtoMax", 120000],
  ["TcpMaxConn", -1],
]);

function valueOf(values: CounterValues, name: string): number {
  return CONSTANTS.get(name) ?? values.get(name) ?? 0;
}

/** `nstat -asz`: every counter, absolute, zeros included (iproute2 prints "%-32s%-16llu%6.1f"). */
export function formatNstat(layout: CounterLayout, values: CounterValues): string {
  const lines = ["#kernel"];
  for (const section of layout.sections) {
    for (const field of section.fields) {
      const name = `${section.prefix}${field}`;
      // nstat skips the non-counter constants of /proc/net/snmp.
      if (CONSTANTS.has(name)) continue;
      lines.push(`${name.padEnd(32)}${String(valueOf(values, name)).padEnd(16)}${"0.0".padStart(6)}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** net-tools generation: 1.60-era (RHEL/CentOS 7 and older) or 2.10 (current distributions). */
export type NetToolsEra = "1.60" | "2.10";

export function netToolsEraFor(version: KernelVersion): NetToolsEra {
  // Distributions that shipped ≤4.x kernels mostly shipped the 1.60-era net-tools.
  return atLeast(version, 5, 0) ? "2.10" : "1.60";
}

type Texts = Readonly<Record<string, readonly [modern: string, old: string]>>;

// "%n" stands for the value. Unlisted counters print as "Name: value" when non-zero [CODE statistics.c printval].
const TCP_TEXT: Texts = {
  ActiveOpens: ["%n active connection openings", "%n active connections openings"],
  PassiveOpens: ["%n passive connection openings", "%n passive connection openings"],
  AttemptFails: ["%n failed connection attempts", "%n failed connection attempts"],
  EstabResets: ["%n connection resets received", "%n connection resets received"],
  CurrEstab: ["%n connections established", "%n connections established"],
  InSegs: ["%n segments received", "%n segments received"],
  OutSegs: ["%n segments sent out", "%n segments send out"],
  RetransSegs: ["%n segments retransmitted", "%n segments retransmited"],
  InErrs: ["%n bad segments received", "%n bad segments received."],
  OutRsts: ["%n resets sent", "%n resets sent"],
};
const TCPEXT_TEXT: Texts = {
  SyncookiesSent: ["%n SYN cookies sent", "%n SYN cookies sent"],
  SyncookiesRecv: ["%n SYN cookies received", "%n SYN cookies received"],
  SyncookiesFailed: ["%n invalid SYN cookies received", "%n invalid SYN cookies received"],
  EmbryonicRsts: ["%n resets received for embryonic SYN_RECV sockets", "%n resets received for embryonic SYN_RECV sockets"],
  TW: ["%n TCP sockets finished time wait in fast timer", "%n TCP sockets finished time wait in fast timer"],
  TWRecycled: ["%n time wait sockets recycled by time stamp", "%n time wait sockets recycled by time stamp"],
  TWKilled: ["%n TCP sockets finished time wait in slow timer", "%n TCP sockets finished time wait in slow timer"],
  PAWSPassive: ["%n passive connections rejected because of time stamp", "%n passive connections rejected because of time stamp"],
  PAWSActive: ["%n active connections rejected because of time stamp", "%n active connections rejected because of time stamp"],
  PAWSEstab: ["%n packets rejected in established connections because of timestamp", "%n packets rejects in established connections because of timestamp"],
  DelayedACKs: ["%n delayed acks sent", "%n delayed acks sent"],
  ListenOverflows: ["%n times the listen queue of a socket overflowed", "%n times the listen queue of a socket overflowed"],
  ListenDrops: ["%n SYNs to LISTEN sockets dropped", "%n SYNs to LISTEN sockets dropped"],
  TCPPureAcks: ["%n acknowledgments not containing data payload received", "%n acknowledgments not containing data payload received"],
  TCPTimeouts: ["%n other TCP timeouts", "%n other TCP timeouts"],
};

function text(table: Texts, field: string, value: number, era: NetToolsEra): string {
  const entry = table[field];
  if (!entry) return `${field}: ${value}`;
  return (era === "2.10" ? entry[0] : entry[1]).replace("%n", String(value));
}

/** `netstat -s` (IPv4 part) as net-tools of that era prints it. */
export function formatNetstatS(layout: CounterLayout, values: CounterValues, era: NetToolsEra): string {
  const v = (name: string): number => valueOf(values, name);
  const out: string[] = [];
  const line = (s: string): void => {
    out.push(`    ${s}`);
  };
  const fields = (prefix: string): readonly string[] => layout.sections.find((s) => s.prefix === prefix)?.fields ?? [];

  out.push("Ip:");
  if (era === "2.10") line(`Forwarding: ${v("IpForwarding")}`);
  line(`${v("IpInReceives")} total packets received`);
  line(`${v("IpForwDatagrams")} forwarded`);
  line(`${v("IpInDiscards")} incoming packets discarded`);
  line(`${v("IpInDelivers")} incoming packets delivered`);
  line(`${v("IpOutRequests")} requests sent out`);
  if (fields("Ip").includes("OutTransmits") && v("IpOutTransmits") !== 0) line(`OutTransmits: ${v("IpOutTransmits")}`);

  out.push("Icmp:");
  line(`${v("IcmpInMsgs")} ICMP messages received`);
  line(`${v("IcmpInErrors")} input ICMP message failed${era === "1.60" ? "." : ""}`);
  line("ICMP input histogram:");
  line(`${v("IcmpOutMsgs")} ICMP messages sent`);
  line(`${v("IcmpOutErrors")} ICMP messages failed`);
  line("ICMP output histogram:");

  out.push("Tcp:");
  for (const field of fields("Tcp")) {
    const value = v(`Tcp${field}`);
    if (field in TCP_TEXT) line(text(TCP_TEXT, field, value, era));
    else if (field === "InCsumErrors" && value !== 0) line(`InCsumErrors: ${value}`);
  }

  out.push("Udp:");
  line(`${v("UdpInDatagrams")} packets received`);
  line(`${v("UdpNoPorts")} packets to unknown port received${era === "1.60" ? "." : ""}`);
  line(`${v("UdpInErrors")} packet receive errors`);
  line(`${v("UdpOutDatagrams")} packets sent`);
  line(`${v("UdpRcvbufErrors")} receive buffer errors`);
  line(`${v("UdpSndbufErrors")} send buffer errors`);
  out.push("UdpLite:");

  // TcpExt and IpExt lines appear only for non-zero values.
  out.push("TcpExt:");
  for (const field of fields("TcpExt")) {
    const value = v(`TcpExt${field}`);
    if (value !== 0) line(text(TCPEXT_TEXT, field, value, era));
  }
  out.push("IpExt:");
  for (const field of fields("IpExt")) {
    const value = v(`IpExt${field}`);
    if (value !== 0) line(`${field}: ${value}`);
  }
  return `${out.join("\n")}\n`;
}

/** `sysctl -a` lines for the given settings, sorted by name as sysctl prints them. */
export function formatSysctl(settings: ReadonlyMap<string, string | number>): string {
  const names = [...settings.keys()].sort();
  return names.map((name) => `${name} = ${settings.get(name)}\n`).join("");
}

export interface SocketLine {
  readonly state: "LISTEN" | "ESTAB" | "SYN-RECV" | "TIME-WAIT" | "CLOSE-WAIT" | "LAST-ACK" | "FIN-WAIT-1" | "FIN-WAIT-2";
  readonly recvQ: number;
  readonly sendQ: number;
  readonly local: string;
  readonly peer: string;
}

/**
 * `ss` table. Current iproute2 sizes columns to the content and ends the header with "Process"; the iproute2
 * of the 3.10/4.x era used fixed widths. Both keep one socket per line, fields separated by spaces.
 */
export function formatSs(sockets: readonly SocketLine[], version: KernelVersion): string {
  const modern = atLeast(version, 5, 0);
  if (!modern) {
    const header = `${"State".padEnd(10)} ${"Recv-Q".padEnd(6)} ${"Send-Q".padEnd(6)} ${"Local Address:Port".padStart(25)}${" ".repeat(15)}${"Peer Address:Port".padEnd(20)}\n`;
    return (
      header +
      sockets
        .map((s) => `${s.state.padEnd(10)} ${String(s.recvQ).padEnd(6)} ${String(s.sendQ).padEnd(6)} ${s.local.padStart(25)}${" ".repeat(15)}${s.peer.padEnd(20)}\n`)
        .join("")
    );
  }
  const rows = [["State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port"], ...sockets.map((s) => [s.state, String(s.recvQ), String(s.sendQ), s.local, s.peer])];
  const width = (i: number): number => Math.max(...rows.map((r) => (r[i] ?? "").length));
  const [w0, w1, w2, w3, w4] = [width(0), width(1), width(2), width(3), width(4)];
  return rows
    .map((r, index) => {
      const [state = "", recvQ = "", sendQ = "", local = "", peer = ""] = r;
      const tail = index === 0 ? "Process" : "";
      return `${state.padEnd(w0)} ${recvQ.padEnd(w1)} ${sendQ.padEnd(w2)} ${local.padStart(w3)} ${peer.padStart(w4)}${tail}\n`;
    })
    .join("");
}

/** `uname -r` of a simulated host: the version as given, completed to X.Y.Z. */
export function formatUname(version: KernelVersion): string {
  const t = version.text.trim();
  return `${/^\d+\.\d+$/.test(t) ? `${t}.0` : t}\n`;
}
