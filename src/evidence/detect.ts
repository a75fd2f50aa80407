import { looksLikeConntrackStats, looksLikeNfConntrackStat } from "./conntrack.js";
import { looksLikeIpNeigh, looksLikeIpRoute } from "./ip-route-neigh.js";
import { looksLikeIptablesSave } from "./iptables.js";
import { looksLikeKernelLog } from "./kernel-log.js";
import { looksLikeManifest } from "./manifest.js";
import { looksLikeNetstatS } from "./netstat-s.js";
import { looksLikeNftJson } from "./nft-json.js";
import { looksLikeNftRuleset } from "./nft.js";
import { looksLikeNstat, looksLikeNstatJson } from "./nstat.js";
import { looksLikeProcNetTcp } from "./proc-net-tcp.js";
import { procMibKind } from "./proc-mib.js";
import { listsNonListeningSockets, looksLikeSsSockets, looksLikeSsSummary, parseSsSockets } from "./ss.js";
import { looksLikeSysctl } from "./sysctl.js";
import type { EvidenceKind } from "./types.js";
import { looksLikeProcVersion, looksLikeUname } from "./uname.js";

/** Capture magics (pcap both byte orders and nanosecond variants, pcapng section header). */
export function captureKind(head: Uint8Array): "pcap" | "pcapng" | null {
  if (head.length < 4) return null;
  const word = ((head[0] ?? 0) << 24) | ((head[1] ?? 0) << 16) | ((head[2] ?? 0) << 8) | (head[3] ?? 0);
  const magic = word >>> 0;
  if (magic === 0xa1b2c3d4 || magic === 0xd4c3b2a1 || magic === 0xa1b23c4d || magic === 0x4d3cb2a1) return "pcap";
  if (magic === 0x0a0d0d0a) return "pcapng";
  return null;
}

/**
 * The kind of a text file, from its content. `nameHint` (the file name) only breaks ties that content cannot:
 * an `ss` listing with no rows at all is `ss-tan` when the name says so, else `ss-ltn`.
 * Order matters: specific shapes before generic ones (sysctl's key = value last).
 */
export function detectKind(text: string, nameHint = ""): EvidenceKind | null {
  if (text.length <= DETECT_CHARS) return kindOf(text, text, nameHint);
  // A kind shows in a file's first megabytes; the tests below split and scan what they are given several times over,
  // which on a 250 MB ss listing took longer than parsing it. The whole text is looked at only when its head says
  // nothing, and for ss listings (whose first non-listening row may come late).
  const head = text.slice(0, text.lastIndexOf("\n", DETECT_CHARS) + 1 || DETECT_CHARS);
  return kindOf(head, text, nameHint) ?? kindOf(text, text, nameHint);
}

/** Characters of a large text that detection looks at first. */
const DETECT_CHARS = 4 << 20;

/** detectKind on `text` (the head of `whole`, or all of it). */
function kindOf(text: string, whole: string, nameHint: string): EvidenceKind | null {
  if (text.trim() === "") return null;
  if (looksLikeManifest(text)) return "manifest";
  if (looksLikeNstatJson(text)) return "nstat-json";
  if (looksLikeNftJson(text)) return "nft-json";
  const mib = procMibKind(text);
  if (mib) return mib;
  if (looksLikeNetstatS(text)) return "netstat-s";
  if (looksLikeNstat(text)) return "nstat";
  if (looksLikeSsSummary(text)) return "ss-s";
  if (looksLikeSsSockets(text)) return ssKind(whole, nameHint);
  if (looksLikeProcNetTcp(text)) return "proc-net-tcp";
  if (looksLikeIptablesSave(text)) return "iptables-save";
  if (looksLikeNftRuleset(text)) return "nft-ruleset";
  if (looksLikeNfConntrackStat(text)) return "nf-conntrack-stat";
  if (looksLikeConntrackStats(text)) return "conntrack-stats";
  if (looksLikeProcVersion(text)) return "proc-version";
  if (looksLikeUname(text)) return "uname";
  if (looksLikeKernelLog(text)) return "kernel-log";
  if (looksLikeSysctl(text)) return "sysctl";
  if (looksLikeIpNeigh(text)) return "ip-neigh";
  if (looksLikeIpRoute(text)) return "ip-route";
  return null;
}

function ssKind(text: string, nameHint: string): "ss-ltn" | "ss-tan" {
  if (listsNonListeningSockets(text)) return "ss-tan";
  if (Object.keys(parseSsSockets(text).value.states).length > 0) return "ss-ltn";
  return /tan|state|all/i.test(nameHint) ? "ss-tan" : "ss-ltn";
}
