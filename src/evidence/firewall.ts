import type { FirewallRule, FirewallVerdict, HostEvidence, PortMatch } from "./types.js";

/** A rule as a parser sees it; loadEvidence adds the file path and the delta between snapshots. */
export type ParsedRule = Omit<FirewallRule, "path" | "packetsDelta">;

/** "8080", "8000:8100" (iptables), "8000-8100" (nft), "80,443" (multiport) → ranges; null if unreadable. */
export function parsePortList(text: string): (readonly [number, number])[] | null {
  const ranges: (readonly [number, number])[] = [];
  for (const part of text.split(",")) {
    const match = /^\s*(\d+)\s*(?:[:-]\s*(\d+))?\s*$/.exec(part);
    if (!match) return null;
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (low > 65535 || high > 65535) return null;
    ranges.push(low <= high ? [low, high] : [high, low]);
  }
  return ranges.length > 0 ? ranges : null;
}

export function portMatches(match: PortMatch | null, port: number): boolean {
  if (match === null || match.unresolved) return true;
  const inside = match.ranges.some(([low, high]) => port >= low && port <= high);
  return match.negated ? !inside : inside;
}

/** Hooks a SYN to a local listener passes (prerouting, input; forward for DNAT-ed/container traffic). */
const INBOUND_HOOKS: ReadonlySet<string> = new Set(["prerouting", "input", "forward"]);
/** The SYN-ACK leaves through these. */
const OUTBOUND_HOOKS: ReadonlySet<string> = new Set(["output", "postrouting", "forward"]);

export interface PortRuleMatch {
  readonly rule: FirewallRule;
  /** "dport": the rule matches SYNs to the port; "sport": replies from it; "any": no port condition. */
  readonly by: "dport" | "sport" | "any";
}

/**
 * Rules that could match TCP traffic of a server port: inbound SYNs (dport = port) in prerouting/input/forward or
 * user chains, outbound replies (sport = port) in output/postrouting/forward or user chains, and rules without a
 * port condition. "Could": conditions we do not model (addresses, interfaces, ct state) are ignored, so the
 * caller decides with the rule's verdict and packet counter. Chain policies are included (they match anything
 * that reaches the end of their chain).
 */
export function rulesMatchingPort(evidence: Pick<HostEvidence, "firewall">, port: number): PortRuleMatch[] {
  const matches: PortRuleMatch[] = [];
  for (const rule of evidence.firewall) {
    if (rule.protocol !== null && rule.protocol !== "tcp") continue;
    const inbound = rule.hook === null || INBOUND_HOOKS.has(rule.hook);
    const outbound = rule.hook === null || OUTBOUND_HOOKS.has(rule.hook);
    if (rule.dport === null && rule.sport === null) {
      matches.push({ rule, by: "any" });
    } else if (inbound && rule.dport !== null && portMatches(rule.dport, port)) {
      matches.push({ rule, by: "dport" });
    } else if (outbound && rule.sport !== null && portMatches(rule.sport, port) && (rule.dport === null || portMatches(rule.dport, port))) {
      matches.push({ rule, by: "sport" });
    }
  }
  return matches;
}

export function verdictOf(word: string): FirewallVerdict {
  switch (word.toLowerCase()) {
    case "accept":
    case "drop":
    case "reject":
    case "queue":
    case "return":
    case "jump":
    case "goto":
    case "continue":
    case "log":
      return word.toLowerCase() as FirewallVerdict;
    case "tarpit":
    case "reject-with":
      return "reject";
    default:
      return "other";
  }
}
