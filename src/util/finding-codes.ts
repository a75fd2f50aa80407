/**
 * Finding codes of shared/spec/causes.md. Causes can be a verdict; risks are reported beside it; `healthy` and
 * `unknown` are the other verdicts. Reports, JSON, bundle labels and tests key on these, never on message text.
 */
export const CAUSE_CODES = [
  "tw-recycle-paws",
  "timewait-paws",
  "accept-queue-overflow",
  "syn-queue-overflow",
  "syn-flood-cookies",
  "firewall-drop",
  "rp-filter",
  "conntrack-full",
  "no-listener",
  "synack-lost",
  "bad-checksum",
  "tcp-md5",
  "min-ttl",
  "no-return-route",
  "neighbour-unreachable",
] as const;

export const VERDICT_CODES = [...CAUSE_CODES, "healthy", "unknown"] as const;

export type CauseCode = (typeof CAUSE_CODES)[number];
export type VerdictCode = (typeof VERDICT_CODES)[number];
