import { parsePortList, verdictOf, type ParsedRule } from "./firewall.js";
import { IssueList, quote, splitLines } from "./text.js";
import type { FirewallVerdict, Parsed, PortMatch } from "./types.js";

export function looksLikeNftRuleset(text: string): boolean {
  return /^table\s+(ip|ip6|inet|arp|bridge|netdev)\s+\S+\s*\{/m.test(text);
}

interface Block {
  readonly kind: "table" | "chain" | "other";
  readonly family: string;
  readonly table: string;
  readonly chain: string;
  hook: string | null;
}

/**
 * `nft list ruleset` text. Tracks table/chain blocks by braces; each line inside a chain is a rule, except the
 * base-chain line (`type filter hook input priority 0; policy drop;`), which yields the policy as a rule.
 * Lines with unbalanced braces (long anonymous sets) are joined with the following ones.
 */
export function parseNftRuleset(text: string): Parsed<ParsedRule[]> {
  const rules: ParsedRule[] = [];
  const issues = new IssueList();
  const stack: Block[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = (lines[i] ?? "").trim();
    if (line === "" || line.startsWith("#")) continue;
    // Join continuation lines of an element list until its braces balance.
    while (depthChange(line) > 0 && !/\{\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      line = `${line} ${(lines[i] ?? "").trim()}`;
    }
    const top = stack.at(-1);
    const table = /^table\s+(\S+)\s+(\S+)\s*\{$/.exec(line);
    if (table) {
      stack.push({ kind: "table", family: table[1] ?? "", table: table[2] ?? "", chain: "", hook: null });
      continue;
    }
    const chain = /^chain\s+(\S+)\s*\{$/.exec(line);
    if (chain && top?.kind === "table") {
      stack.push({ kind: "chain", family: top.family, table: top.table, chain: chain[1] ?? "", hook: null });
      continue;
    }
    if (line === "}") {
      if (stack.length === 0) issues.add(lineNo, "unbalanced closing brace");
      stack.pop();
      continue;
    }
    if (/\{$/.test(line)) {
      // set, map, flowtable, counter, quota, ct helper … blocks: their content is not rules.
      stack.push({ kind: "other", family: top?.family ?? "", table: top?.table ?? "", chain: "", hook: null });
      continue;
    }
    if (!top) {
      issues.add(lineNo, `line outside any table: ${quote(line)}`);
      continue;
    }
    if (top.kind !== "chain") continue;
    const base = /^type\s+\S+\s+hook\s+(\S+)\s+(?:device\s+\S+\s+)?priority\s+[^;]+;(?:\s*policy\s+(\S+);)?/.exec(line);
    if (base) {
      top.hook = base[1] ?? null;
      const policy = base[2];
      if (policy) {
        rules.push(baseRule(top, { policy: true, verdict: verdictOf(policy), text: line, line: lineNo }));
      }
      continue;
    }
    rules.push(parseNftRule(top, line, lineNo));
  }
  return { value: rules, issues: issues.items };
}

function depthChange(line: string): number {
  let depth = 0;
  for (const ch of line) {
    if (ch === "{") depth++;
    else if (ch === "}") depth--;
  }
  return depth;
}

function baseRule(block: Block, extra: { policy: boolean; verdict: FirewallVerdict; text: string; line: number }): ParsedRule {
  return {
    source: "nft",
    family: block.family,
    table: block.table,
    chain: block.chain,
    hook: block.hook,
    policy: extra.policy,
    packets: null,
    bytes: null,
    verdict: extra.verdict,
    verdictArg: null,
    protocol: null,
    dport: null,
    sport: null,
    otherConditions: false,
    text: extra.text,
    line: extra.line,
  };
}

const PORT_EXPR = /\b(tcp|udp|th|sctp|dccp|udplite)\s+(dport|sport)\s+(!=\s+)?(\{[^}]*\}|@\S+|\S+)/g;
const VERDICT = /\b(accept|drop|reject(?:\s+with\s+\S+(?:\s+\S+)?)?|queue(?:\s+\S+)*|return|continue|(?:jump|goto)\s+\S+)\s*(?:comment\s+"[^"]*"\s*)?$/;

function parseNftRule(block: Block, line: string, lineNo: number): ParsedRule {
  let rest = line;
  const counter = /\bcounter\s+packets\s+(\d+)\s+bytes\s+(\d+)/.exec(rest);
  rest = rest.replace(/\bcounter\s+packets\s+\d+\s+bytes\s+\d+/, " ").replace(/\bcomment\s+"[^"]*"/, " ");
  let protocol: string | null = null;
  let dport: PortMatch | null = null;
  let sport: PortMatch | null = null;
  for (const match of rest.matchAll(PORT_EXPR)) {
    const proto = match[1] ?? "";
    if (proto !== "th") protocol = proto;
    const ports = portMatch(match[4] ?? "", match[3] !== undefined);
    if (match[2] === "dport") dport = ports;
    else sport = ports;
  }
  rest = rest.replace(PORT_EXPR, " ");
  const l4 = /\b(?:meta\s+l4proto|ip\s+protocol|ip6\s+nexthdr)\s+(\w+)/.exec(rest);
  if (l4 && protocol === null) protocol = l4[1] ?? null;
  rest = rest.replace(/\b(?:meta\s+l4proto|ip\s+protocol|ip6\s+nexthdr)\s+\w+/, " ");
  const verdictMatch = VERDICT.exec(rest.trim());
  let verdict: FirewallVerdict = "none";
  let verdictArg: string | null = null;
  if (verdictMatch) {
    const words = (verdictMatch[1] ?? "").split(/\s+/);
    verdict = verdictOf(words[0] ?? "");
    verdictArg = words.length > 1 ? words.slice(1).join(" ").replace(/^with\s+/, "") : null;
    rest = rest.trim().slice(0, verdictMatch.index);
  } else if (/\blog\b/.test(rest)) {
    verdict = "log";
  }
  const otherConditions = rest.replace(/\blog\b(\s+prefix\s+"[^"]*")?(\s+level\s+\S+)?/, " ").trim() !== "";
  return {
    ...baseRule(block, { policy: false, verdict, text: line, line: lineNo }),
    packets: counter ? Number(counter[1]) : null,
    bytes: counter ? Number(counter[2]) : null,
    verdictArg,
    protocol,
    dport,
    sport,
    otherConditions,
  };
}

function portMatch(text: string, negated: boolean): PortMatch {
  if (text.startsWith("@")) return { ranges: [], negated, unresolved: true };
  const inner = text.replace(/^\{|\}$/g, "").trim();
  const ranges = parsePortList(inner);
  return { ranges: ranges ?? [], negated, unresolved: ranges === null };
}
