import { parsePortList, verdictOf, type ParsedRule } from "./firewall.js";
import { IssueList, quote, splitLines } from "./text.js";
import type { FirewallVerdict, Parsed, PortMatch } from "./types.js";

export function looksLikeIptablesSave(text: string): boolean {
  const lines = splitLines(text);
  return lines.some((line) => /^\*(filter|nat|mangle|raw|security)\s*$/.test(line)) && lines.some((line) => line.trim() === "COMMIT");
}

const BUILTIN: Readonly<Record<string, string>> = {
  INPUT: "input",
  OUTPUT: "output",
  FORWARD: "forward",
  PREROUTING: "prerouting",
  POSTROUTING: "postrouting",
};

/**
 * iptables-save [-c] (legacy or nft backend; also ip6tables-save). `-c` puts `[packets:bytes]` before each
 * rule and after each chain policy. Rules in user chains have hook null (they run wherever they are jumped to).
 */
export function parseIptablesSave(text: string): Parsed<ParsedRule[]> {
  const rules: ParsedRule[] = [];
  const issues = new IssueList();
  let table: string | null = null;
  const family = /ip6tables-save/.test(text) ? "ip6" : "ip";
  splitLines(text).forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line === "COMMIT") return;
    const tableMatch = /^\*(\S+)$/.exec(line);
    if (tableMatch) {
      table = tableMatch[1] ?? null;
      return;
    }
    if (table === null) {
      issues.add(lineNo, `line outside a *table block: ${quote(raw)}`);
      return;
    }
    const chain = /^:(\S+)\s+(\S+)(?:\s+\[(\d+):(\d+)\])?$/.exec(line);
    if (chain) {
      const name = chain[1] ?? "";
      const policy = chain[2] ?? "-";
      if (policy !== "-") {
        rules.push({
          source: "iptables",
          family,
          table,
          chain: name,
          hook: BUILTIN[name] ?? null,
          policy: true,
          packets: chain[3] === undefined ? null : Number(chain[3]),
          bytes: chain[4] === undefined ? null : Number(chain[4]),
          verdict: verdictOf(policy),
          verdictArg: null,
          protocol: null,
          dport: null,
          sport: null,
          otherConditions: false,
          text: line,
          line: lineNo,
        });
      }
      return;
    }
    const rule = /^(?:\[(\d+):(\d+)\]\s+)?-A\s+(\S+)\s*(.*)$/.exec(line);
    if (!rule) {
      issues.add(lineNo, `not an iptables-save line: ${quote(raw)}`);
      return;
    }
    const chainName = rule[3] ?? "";
    const parsed = parseRuleSpec(tokenize(rule[4] ?? ""));
    rules.push({
      source: "iptables",
      family,
      table,
      chain: chainName,
      hook: BUILTIN[chainName] ?? null,
      policy: false,
      packets: rule[1] === undefined ? null : Number(rule[1]),
      bytes: rule[2] === undefined ? null : Number(rule[2]),
      ...parsed,
      text: line,
      line: lineNo,
    });
  });
  return { value: rules, issues: issues.items };
}

/** Splits a rule like a shell would for iptables-save output (double-quoted comments). */
function tokenize(spec: string): string[] {
  return [...spec.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");
}

interface RuleSpec {
  verdict: FirewallVerdict;
  verdictArg: string | null;
  protocol: string | null;
  dport: PortMatch | null;
  sport: PortMatch | null;
  otherConditions: boolean;
}

const IGNORED_MATCH_OPTIONS = new Set(["-m", "--comment"]);

function parseRuleSpec(tokens: readonly string[]): RuleSpec {
  const spec: RuleSpec = { verdict: "none", verdictArg: null, protocol: null, dport: null, sport: null, otherConditions: false };
  let negate = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    const next = tokens[i + 1];
    if (token === "!") {
      negate = true;
      continue;
    }
    if ((token === "-p" || token === "--protocol") && next !== undefined) {
      spec.protocol = negate ? null : next.toLowerCase();
      if (negate) spec.otherConditions = true;
      i++;
    } else if ((token === "--dport" || token === "--destination-port" || token === "--dports" || token === "--destination-ports") && next !== undefined) {
      spec.dport = portMatch(next, negate);
      i++;
    } else if ((token === "--sport" || token === "--source-port" || token === "--sports" || token === "--source-ports") && next !== undefined) {
      spec.sport = portMatch(next, negate);
      i++;
    } else if ((token === "-j" || token === "-g") && next !== undefined) {
      const target = next;
      const verdict = verdictOf(target);
      spec.verdict = verdict === "other" ? (token === "-g" ? "goto" : EXTENSION_TARGETS.has(target) ? "other" : "jump") : verdict;
      if (target === "NFQUEUE") spec.verdict = "queue";
      spec.verdictArg = verdict === "other" ? target : null;
      const rest = tokens.slice(i + 2).join(" ");
      if (verdict === "reject" && rest) spec.verdictArg = rest;
      break; // target options follow; they are not match conditions
    } else if (token === "--comment" && next !== undefined) {
      i++;
    } else if (IGNORED_MATCH_OPTIONS.has(token) && next !== undefined) {
      i++; // -m tcp / -m multiport: the module name itself is no condition
    } else if (token.startsWith("-")) {
      spec.otherConditions = true;
      if (next !== undefined && !next.startsWith("-")) i++;
    }
    negate = false;
  }
  return spec;
}

/** Target extensions that are not verdicts; any other unknown target is a user chain (DOCKER-USER, f2b-sshd). */
const EXTENSION_TARGETS: ReadonlySet<string> = new Set(
  "DNAT SNAT MASQUERADE REDIRECT TPROXY MARK CONNMARK LOG NFLOG ULOG TCPMSS CT NOTRACK TRACE AUDIT CHECKSUM CLASSIFY DSCP TOS TTL HL SET NFQUEUE".split(" "),
);

function portMatch(text: string, negated: boolean): PortMatch {
  const ranges = parsePortList(text);
  return { ranges: ranges ?? [], negated, unresolved: ranges === null };
}
