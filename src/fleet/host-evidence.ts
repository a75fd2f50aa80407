import type { ConntrackUsage, CounterValue, HostEvidence } from "../evidence/types.js";
import { kernelVersionOf } from "../evidence/uname.js";
import { counterExists, isCounterName } from "../kernel/index.js";
import { FLEET_COUNTERS, FLEET_SYSCTLS, netstatMetric, sysctlMetric, TW_RECYCLE_SYSCTL } from "./metrics.js";
import type { PrometheusClient, Sample } from "./prometheus.js";

/** What Prometheus knows of one node_exporter target over the window. */
export interface FleetHost {
  /** node_exporter's `instance` label */
  readonly instance: string;
  /** the target answered its last scrape (`up`); false: its figures end where it stopped answering */
  readonly up: boolean;
  readonly evidence: HostEvidence;
  /** fleet counters this host's node_exporter does not export (its netstat field filter) */
  readonly missingCounters: readonly string[];
}

/** Queries in flight at once: enough to hide the round trips, few enough for a busy Prometheus. */
const CONCURRENCY = 8;

/**
 * Every host that node_exporter reported during the window (by `node_uname_info`, or by its counters now), with its
 * counters as value at the end and rise over the window, its sysctls and conntrack usage: the same HostEvidence the
 * files of a bundle give, so the diagnosis rules read it unchanged.
 *
 * A counter's rise is its last value minus its lowest in the window (exact while it did not reset); after a reset
 * (a reboot) Prometheus' increase(), rounded, which extrapolates a little.
 */
export async function fleetEvidence(client: PrometheusClient, window: string, matchers = ""): Promise<FleetHost[]> {
  // Every selector carries the user's label matchers ({job="node"}), so all figures come from the same targets.
  const m = (metric: string): string => metric + matchers;
  const uname = await client.query(`max_over_time(${m("node_uname_info")}[${window}])`);
  const releases = new Map<string, string>();
  for (const s of uname) {
    const instance = s.labels["instance"];
    if (instance !== undefined && !releases.has(instance)) releases.set(instance, s.labels["release"] ?? "");
  }
  const up = byInstance(await client.query(m("up")));

  const counterQueries = FLEET_COUNTERS.map((name) => async (): Promise<[string, CounterReadings]> => [name, await counterReadings(client, m(netstatMetric(name)), window)]);
  const sysctlQueries = [...FLEET_SYSCTLS, TW_RECYCLE_SYSCTL].map((key) => async (): Promise<[string, Map<string, number>]> => [key, byInstance(await client.query(m(sysctlMetric(key))))]);
  const conntrackQueries = CONNTRACK_QUERIES.map(([field, expr]) => async (): Promise<[keyof ConntrackFigures, Map<string, number>]> => [field, byInstance(await client.query(expr(window, m)))]);
  const counters = await inBatches(counterQueries);
  const sysctls = await inBatches(sysctlQueries);
  const conntrack = await inBatches(conntrackQueries);

  // A target without the uname collector still counts, by its counters (Tcp_InSegs is among the default fields).
  for (const [, readings] of counters) for (const instance of readings.value.keys()) if (!releases.has(instance)) releases.set(instance, "");
  const hosts: FleetHost[] = [];
  for (const [instance, release] of releases) {
    const isUp = up.get(instance) === 1;
    const values: Record<string, CounterValue> = {};
    const missingCounters: string[] = [];
    const version = release === "" ? null : kernelVersionOf(release);
    for (const [name, readings] of counters) {
      const value = readings.value.get(instance);
      if (value === undefined) {
        // Missing from the export only if this kernel has it (PAWSPassive went with tw_recycle in 4.12), and only
        // while the target answers: a target that is down has no current value of anything.
        if (isUp && (version === null || !isCounterName(name) || counterExists(name, { ...version, text: release }))) missingCounters.push(name);
        continue;
      }
      const reset = readings.resetIncrease.get(instance);
      values[name] = { value, delta: reset ?? readings.rise.get(instance) ?? 0 };
    }
    const sysctl: Record<string, string> = {};
    for (const [key, values] of sysctls) {
      const value = values.get(instance);
      if (value !== undefined) sysctl[key] = String(value);
    }
    const figures: ConntrackFigures = { count: null, max: null, drops: null, dropsDelta: null, insertFailed: null, insertFailedDelta: null, earlyDrop: null, earlyDropDelta: null };
    for (const [field, values] of conntrack) figures[field] = values.get(instance) ?? null;
    hosts.push({
      instance,
      up: isUp,
      missingCounters,
      evidence: {
        kernel: release === "" ? null : release,
        kernelVersion: version,
        counters: values,
        sysctl,
        listeners: [],
        socketStates: {},
        socketStatesByPort: {},
        socketSummary: null,
        conntrack: conntrackUsage(figures),
        firewall: [],
        logEvents: [],
        net: null,
        files: [],
        issues: [],
      },
    });
  }
  return hosts.sort((a, b) => (a.instance < b.instance ? -1 : a.instance > b.instance ? 1 : 0));
}

interface CounterReadings {
  /** value at the evaluation time */
  readonly value: Map<string, number>;
  /** last − lowest in the window */
  readonly rise: Map<string, number>;
  /** rounded increase() of the series that reset in the window */
  readonly resetIncrease: Map<string, number>;
}

async function counterReadings(client: PrometheusClient, selector: string, window: string): Promise<CounterReadings> {
  const [value, rose, resets] = await Promise.all([client.query(selector), client.query(rise(selector, window)), client.query(`resets(${selector}[${window}]) > 0`)]);
  const resetIncrease = resets.length === 0 ? new Map<string, number>() : byInstance(await client.query(`round(increase(${selector}[${window}]))`));
  return { value: byInstance(value), rise: byInstance(rose), resetIncrease };
}

interface ConntrackFigures {
  count: number | null;
  max: number | null;
  drops: number | null;
  dropsDelta: number | null;
  insertFailed: number | null;
  insertFailedDelta: number | null;
  earlyDrop: number | null;
  earlyDropDelta: number | null;
}

/** node_exporter's conntrack collector: usage, and the statistics that rise when the table is full. */
const CONNTRACK_QUERIES: readonly (readonly [keyof ConntrackFigures, (window: string, m: (metric: string) => string) => string])[] = [
  ["count", (_w, m) => m("node_nf_conntrack_entries")],
  ["max", (_w, m) => m("node_nf_conntrack_entries_limit")],
  ["drops", (_w, m) => m("node_nf_conntrack_stat_drop")],
  ["dropsDelta", (w, m) => rise(m("node_nf_conntrack_stat_drop"), w)],
  ["insertFailed", (_w, m) => m("node_nf_conntrack_stat_insert_failed")],
  ["insertFailedDelta", (w, m) => rise(m("node_nf_conntrack_stat_insert_failed"), w)],
  ["earlyDrop", (_w, m) => m("node_nf_conntrack_stat_early_drop")],
  ["earlyDropDelta", (w, m) => rise(m("node_nf_conntrack_stat_early_drop"), w)],
];

/** A counter's last value minus its lowest in the window: its rise, exact while it did not reset. */
function rise(selector: string, window: string): string {
  return `${selector} - min_over_time(${selector}[${window}])`;
}

function conntrackUsage(f: ConntrackFigures): ConntrackUsage | null {
  if (f.count === null && f.max === null) return null;
  return { ...f };
}

/** One value per `instance` (the first series of each, should a target export a metric twice). */
function byInstance(samples: readonly Sample[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    const instance = s.labels["instance"];
    if (instance !== undefined && !out.has(instance) && Number.isFinite(s.value)) out.set(instance, s.value);
  }
  return out;
}

/** Runs the tasks CONCURRENCY at a time and returns their results in order. */
async function inBatches<T>(tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += CONCURRENCY) results.push(...(await Promise.all(tasks.slice(i, i + CONCURRENCY).map((task) => task()))));
  return results;
}
