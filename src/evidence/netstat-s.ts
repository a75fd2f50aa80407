import { ICMP_HISTOGRAMS, normaliseWording, WORDING } from "./netstat-s-wording.js";
import { forEachLine, IssueList, quote, setCounter, splitLines } from "./text.js";
import type { CounterSet, Parsed } from "./types.js";

const SECTION = /^([A-Za-z][A-Za-z0-9]*):\s*$/;
const NAMED = /^([A-Za-z][A-Za-z0-9_]*):\s+(-?\d+)$/;

/** netstat -s: unindented `Tcp:` section headers followed by indented lines. */
export function looksLikeNetstatS(text: string): boolean {
  const lines = splitLines(text);
  const sections = lines.filter((line) => SECTION.test(line)).length;
  const indented = lines.filter((line) => /^\s{2,}\S/.test(line)).length;
  return sections >= 1 && indented >= 1 && lines.some((line) => /^(Ip|Tcp|TcpExt|Icmp|Udp):\s*$/.test(line));
}

/**
 * netstat -s (net-tools 1.60 and 2.10, LC_ALL=C): every line mapped to its counter in nstat spelling.
 * `Name: n` lines become section + Name; worded lines go through WORDING. Static lines
 * ("Forwarding is enabled", "RTO algorithm is …") and unknown wordings become issues, never errors.
 * net-tools omits many counters while they are zero, so an absent counter means "0 or not printed".
 */
export function parseNetstatS(text: string): Parsed<CounterSet> {
  const counters: Record<string, number> = {};
  const issues = new IssueList();
  let section: string | null = null;
  let histogram: Readonly<Record<string, string>> | null = null;
  forEachLine(text, (raw, index) => {
    const lineNo = index + 1;
    if (raw.trim() === "") return;
    const header = SECTION.exec(raw);
    if (header && !/^\s/.test(raw)) {
      section = header[1] ?? null;
      histogram = null;
      return;
    }
    if (section === null) {
      issues.add(lineNo, `line before any section header: ${quote(raw)}`);
      return;
    }
    const line = raw.trim();
    const histogramTitle = ICMP_HISTOGRAMS[line.toLowerCase()];
    if (histogramTitle) {
      histogram = histogramTitle;
      return;
    }
    // Histogram entries are indented deeper (8 spaces) than the section's own lines (4).
    const deep = /^\s{6,}/.test(raw);
    if (!deep) histogram = null;
    const wording = normaliseWording(line);
    const table = deep && histogram ? histogram : WORDING[section];
    const known = wording && table ? table[wording.key] : undefined;
    if (known !== undefined && wording) {
      setCounter(counters, issues, lineNo, `${section}${known}`, wording.value);
      return;
    }
    const named = NAMED.exec(line);
    if (named) {
      setCounter(counters, issues, lineNo, `${section}${named[1] ?? ""}`, named[2] ?? "");
      return;
    }
    if (/^(Forwarding is|Default TTL is|RTO algorithm is)/i.test(line)) return; // static settings, not counters
    issues.add(lineNo, `unknown netstat -s line in ${section}: ${quote(raw)}`);
  });
  return { value: counters, issues: issues.items };
}
