/**
 * `nosynack fleet`: many hosts through Prometheus. node_exporter's counters (and sysctls, kernel release and
 * conntrack usage) of every host over a window become host evidence, the diagnosis rules run on each, and the
 * hosts are ranked by what they show. No collector of our own: what node_exporter already exports.
 */
import { UsageError } from "../util/errors.js";
import { fleetEvidence } from "./host-evidence.js";
import { PrometheusClient } from "./prometheus.js";
import { rankFleet, type FleetReport } from "./rank.js";

export { alertRulesYaml, ALERTS, alertName } from "./alert-rules.js";
export { FLEET_COUNTERS, FLEET_SYSCTLS, netstatFieldsPattern, netstatMetric, nodeExporterFlags } from "./metrics.js";
export type { FleetHostReport, FleetReport } from "./rank.js";

/** A Prometheus duration: 90s, 15m, 1h, 1h30m (units ms, s, m, h, d, w, y); zero only where `allowZero`. */
export function parseDuration(text: string, flag: string, allowZero = false): string {
  const valid = /^(\d+(ms|s|m|h|d|w|y))+$/.test(text) && (allowZero || !/^(0+(ms|s|m|h|d|w|y))+$/.test(text));
  if (!valid) throw new UsageError(`${flag} ${text}: expected a Prometheus duration such as 15m, 1h or 90s`);
  return text;
}

/**
 * `--match job=node`, `env=~"prod|stage"`, `instance!=db1:9100` → one PromQL label matcher (the value is quoted
 * here, so a user's quotes are optional).
 */
export function parseMatcher(text: string): string {
  const m = /^([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)(.*)$/.exec(text);
  if (!m) throw new UsageError(`--match ${text}: expected LABEL=VALUE (or !=, =~, !~), e.g. job=node`);
  const raw = m[3] ?? "";
  const value = /^".*"$/.test(raw) ? raw.slice(1, -1) : raw;
  return `${m[1] ?? ""}${m[2] ?? ""}${JSON.stringify(value)}`;
}

/** `--at`: RFC 3339 (2026-01-01T03:00:00Z) or Unix seconds; the moment the window ends. */
export function parseInstant(text: string): Date {
  const date = /^\d+(\.\d+)?$/.test(text) ? new Date(Number(text) * 1000) : /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(text) ? new Date(text) : null;
  if (date === null || Number.isNaN(date.getTime())) throw new UsageError(`--at ${text}: expected a time such as 2026-01-01T03:00:00Z or Unix seconds`);
  return date;
}

export interface FleetOptions {
  /** a Prometheus duration */
  readonly window: string;
  /** PromQL label matchers (parseMatcher) every series must satisfy */
  readonly matchers?: readonly string[];
  /** when the window ends (default now) */
  readonly at?: Date;
}

export async function fleetReport(prometheusUrl: string, options: FleetOptions): Promise<FleetReport> {
  const at = options.at ?? new Date();
  const client = new PrometheusClient(prometheusUrl, at.getTime() / 1000);
  const matchers = options.matchers ?? [];
  const hosts = await fleetEvidence(client, options.window, matchers.length === 0 ? "" : `{${matchers.join(",")}}`);
  return rankFleet(hosts, { prometheus: client.displayUrl, window: options.window, matchers: [...matchers], evaluatedAt: at.toISOString() });
}
