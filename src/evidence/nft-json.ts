import { verdictOf, type ParsedRule } from "./firewall.js";
import { IssueList } from "./text.js";
import type { FirewallVerdict, Parsed, PortMatch } from "./types.js";

export function looksLikeNftJson(text: string): boolean {
  return /^\s*\{\s*"nftables"\s*:/.test(text);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `nft -j list ruleset`: chains (hook, policy) and rules with their expression lists. */
export function parseNftJson(text: string): Parsed<ParsedRule[]> {
  const rules: ParsedRule[] = [];
  const issues = new IssueList();
  let doc: Json;
  try {
    doc = JSON.parse(text) as Json;
  } catch (error) {
    issues.add(null, `nft JSON does not parse: ${(error as Error).message}`);
    return { value: rules, issues: issues.items };
  }
  const items = isObject(doc) && Array.isArray(doc.nftables) ? doc.nftables : null;
  if (!items) {
    issues.add(null, 'nft JSON without an "nftables" array');
    return { value: rules, issues: issues.items };
  }
  const hooks = new Map<string, string>();
  for (const item of items) {
    if (!isObject(item)) continue;
    const chain = item.chain;
    if (isObject(chain)) {
      const key = `${String(chain.family)}/${String(chain.table)}/${String(chain.name)}`;
      if (typeof chain.hook === "string") hooks.set(key, chain.hook);
      if (typeof chain.policy === "string") {
        rules.push({
          ...emptyRule(chain, String(chain.name), typeof chain.hook === "string" ? chain.hook : null),
          policy: true,
          verdict: verdictOf(chain.policy),
          text: `chain ${String(chain.name)}: policy ${chain.policy}`,
        });
      }
      continue;
    }
    const rule = item.rule;
    if (!isObject(rule)) continue;
    const chainName = String(rule.chain);
    const hook = hooks.get(`${String(rule.family)}/${String(rule.table)}/${chainName}`) ?? null;
    const parsed = { ...emptyRule(rule, chainName, hook) };
    const expressions = Array.isArray(rule.expr) ? rule.expr : [];
    let other = false;
    for (const expression of expressions) {
      if (!isObject(expression)) continue;
      const [name] = Object.keys(expression);
      const body = name === undefined ? undefined : expression[name];
      if (name === "counter" && isObject(body)) {
        parsed.packets = typeof body.packets === "number" ? body.packets : null;
        parsed.bytes = typeof body.bytes === "number" ? body.bytes : null;
      } else if (name === "match" && isObject(body)) {
        if (!applyMatch(parsed, body)) other = true;
      } else if (name !== undefined && isVerdictName(name)) {
        parsed.verdict = verdictOf(name);
        if (isObject(body) && typeof body.target === "string") parsed.verdictArg = body.target;
        else if (isObject(body) && typeof body.type === "string") parsed.verdictArg = body.type;
      } else if (name === "log") {
        if (parsed.verdict === "none") parsed.verdict = "log";
      } else if (name !== "comment") {
        other = true;
      }
    }
    parsed.otherConditions = other;
    parsed.text = typeof rule.comment === "string" ? `${describe(parsed)} # ${rule.comment}` : describe(parsed);
    parsed.line = null;
    rules.push(parsed);
  }
  return { value: rules, issues: issues.items };
}

type MutableRule = { -readonly [K in keyof ParsedRule]: ParsedRule[K] };

function emptyRule(source: { [key: string]: Json }, chain: string, hook: string | null): MutableRule {
  return {
    source: "nft",
    family: String(source.family),
    table: String(source.table),
    chain,
    hook,
    policy: false,
    packets: null,
    bytes: null,
    verdict: "none",
    verdictArg: null,
    protocol: null,
    dport: null,
    sport: null,
    otherConditions: false,
    text: "",
    line: null,
  };
}

function isVerdictName(name: string): boolean {
  return ["accept", "drop", "reject", "queue", "return", "jump", "goto", "continue"].includes(name);
}

/** Handles protocol and port matches; returns false for any other condition. */
function applyMatch(rule: MutableRule, match: { [key: string]: Json }): boolean {
  const left = match.left;
  const op = typeof match.op === "string" ? match.op : "==";
  if (!isObject(left)) return false;
  const payload = left.payload;
  if (isObject(payload) && (payload.field === "dport" || payload.field === "sport")) {
    if (typeof payload.protocol === "string" && payload.protocol !== "th") rule.protocol = payload.protocol;
    const ports = portsOf(match.right, op === "!=");
    if (payload.field === "dport") rule.dport = ports;
    else rule.sport = ports;
    return true;
  }
  const meta = left.meta;
  if (isObject(meta) && meta.key === "l4proto" && typeof match.right === "string" && op === "==") {
    rule.protocol = match.right;
    return true;
  }
  if (isObject(payload) && payload.protocol === "ip" && payload.field === "protocol" && typeof match.right === "string" && op === "==") {
    rule.protocol = match.right;
    return true;
  }
  return false;
}

function portsOf(right: Json | undefined, negated: boolean): PortMatch {
  const ranges: (readonly [number, number])[] = [];
  let unresolved = false;
  const add = (value: Json | undefined): void => {
    if (typeof value === "number") ranges.push([value, value]);
    else if (isObject(value) && Array.isArray(value.range) && typeof value.range[0] === "number" && typeof value.range[1] === "number") {
      ranges.push([value.range[0], value.range[1]]);
    } else if (isObject(value) && Array.isArray(value.set)) value.set.forEach(add);
    else unresolved = true; // "@named_set", maps, expressions
  };
  add(right);
  return { ranges, negated, unresolved };
}

function describe(rule: MutableRule): string {
  const parts: string[] = [];
  const ports = (match: PortMatch): string =>
    match.unresolved ? "@set" : match.ranges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(",");
  if (rule.dport) parts.push(`${rule.protocol ?? "th"} dport ${rule.dport.negated ? "!= " : ""}${ports(rule.dport)}`);
  if (rule.sport) parts.push(`${rule.protocol ?? "th"} sport ${rule.sport.negated ? "!= " : ""}${ports(rule.sport)}`);
  if (!rule.dport && !rule.sport && rule.protocol) parts.push(`meta l4proto ${rule.protocol}`);
  if (rule.otherConditions) parts.push("…");
  if (rule.packets !== null) parts.push(`counter packets ${rule.packets} bytes ${rule.bytes ?? 0}`);
  const verdict: FirewallVerdict = rule.verdict;
  if (verdict !== "none") parts.push(rule.verdictArg ? `${verdict} ${rule.verdictArg}` : verdict);
  return parts.join(" ");
}
