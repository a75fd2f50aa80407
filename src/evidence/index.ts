/** Host evidence: parsers (one per file kind), kind detection, and the merged HostEvidence. */
export type {
  ConntrackUsage,
  CounterSet,
  CounterValue,
  EvidenceFile,
  EvidenceIssue,
  EvidenceKind,
  FirewallRule,
  FirewallVerdict,
  HostEvidence,
  KernelLogEvent,
  KernelLogKind,
  KernelVersion,
  LineIssue,
  Listener,
  Parsed,
  PortMatch,
  SocketSummary,
} from "./types.js";
export { EVIDENCE_KINDS } from "./types.js";
export { captureKind, detectKind } from "./detect.js";
export { buildEvidence, kernelFileOf, loadEvidence, readEvidenceInputs, readManifestFile, unusedFiles } from "./load.js";
export type { EvidenceInputs, InputFile, UnusedFile } from "./load.js";
export { decodeHostText } from "./text.js";
export { BUNDLE_FORMAT, bundleManifestSchema, parseManifest } from "./manifest.js";
export type { BundleManifest, BundleManifestFile } from "./manifest.js";
export { parsePortList, portMatches, rulesMatchingPort } from "./firewall.js";
export type { PortRuleMatch } from "./firewall.js";
export { parseNstat, parseNstatJson } from "./nstat.js";
export { parseNetstatS } from "./netstat-s.js";
export { parseProcMib } from "./proc-mib.js";
export { parseSysctl } from "./sysctl.js";
export { listenersOf, parseSsSockets, parseSsSummary, SS_STATES } from "./ss.js";
export type { SocketListing, SsSocket } from "./ss.js";
export { parseProcNetTcp } from "./proc-net-tcp.js";
export { kernelVersionOf, parseKernelRelease } from "./uname.js";
export { parseConntrackStats, parseNfConntrackStat } from "./conntrack.js";
export type { ConntrackStats } from "./conntrack.js";
export { iptablesBackend, parseIptablesSave } from "./iptables.js";
export { parseNftRuleset } from "./nft.js";
export { parseNftJson } from "./nft-json.js";
export { parseKernelLog } from "./kernel-log.js";
export { looksLikeIpNeigh, looksLikeIpRoute, parseIpNeigh, parseIpRoute, routeTo, unresolvedNeighbours, type NetState, type Neighbour, type Route } from "./ip-route-neigh.js";
export { SYN_PATH_COUNTERS } from "./syn-path-counters.js";
