/**
 * The what-if: the capture replayed under the given settings and under a baseline (the same kernel with its
 * defaults, or the settings the host files show), each compared attempt by attempt with what the capture shows,
 * and a one-sentence answer to "would these settings have fixed it?".
 */
import { KernelConfigError, profileFor, validateSysctl, type KernelProfile } from "../kernel/index.js";
import { replay, type PredictedAttempt, type ReplayListener, type ReplayRun, type ReplaySettings } from "./engine.js";
import { ipv4Text } from "./extract.js";
import type { Extraction, FirstReply, ReplayAttempt } from "./types.js";

export interface WhatIfOptions {
  /** Kernel version of the model ("6.18", "3.10.0-1160.el7"). */
  readonly kernel: string;
  /** The baseline's sysctls (from host files); not given = the kernel's defaults. */
  readonly hostSysctls?: Readonly<Record<string, string | number>>;
  /** The host files those sysctls were read from, to name them in warnings. */
  readonly hostSysctlFiles?: readonly string[];
  /** Listeners from host files (ss -ltn); not given = inferred from the capture. */
  readonly hostListeners?: readonly ReplayListener[];
  /** --sysctl KEY=VALUE: the settings to try (strictly validated: KernelConfigError). */
  readonly overrides?: Readonly<Record<string, string | number>>;
  /** --backlog N for every listener. */
  readonly backlog?: number;
  /** Per-attempt rows kept in the report (default 50). */
  readonly rows?: number;
}

export type FirstReplyCounts = Record<FirstReply, number>;

export interface RunSummary {
  readonly kernel: string;
  /** Sysctls of this run that differ from the kernel's defaults. */
  readonly sysctls: Readonly<Record<string, number>>;
  readonly listeners: readonly { addr: string; port: number; backlog: number; effectiveBacklog: number }[];
  readonly attempts: number;
  readonly answered: number;
  readonly unanswered: number;
  readonly firstReply: FirstReplyCounts;
  /** Share of attempts whose predicted first reply and answered/unanswered both equal the observed ones. */
  readonly agreement: number | null;
  readonly agreeing: number;
  /** Attempts unanswered in the capture that this run answers, and the reverse. */
  readonly fixed: number;
  readonly broken: number;
  readonly counters: Readonly<Record<string, number>>;
  readonly reasons: Readonly<Record<string, number>>;
  readonly synthesised: ReplayRun["synthesised"];
  readonly skippedEvents: number;
}

export interface AttemptRow {
  readonly client: string;
  readonly clientPort: number;
  readonly server: string;
  readonly serverPort: number;
  readonly isn: number;
  /** Seconds from the capture's first packet. */
  readonly firstSyn: number;
  readonly syns: number;
  readonly tsVal: number | null;
  readonly observed: { first: FirstReply; answered: boolean };
  readonly predicted: PredictedAttempt;
  readonly baseline: PredictedAttempt | null;
  readonly agree: boolean;
}

export interface SourceRow {
  readonly addr: string;
  readonly attempts: number;
  readonly observedUnanswered: number;
  readonly predictedUnanswered: number;
  readonly baselineUnanswered: number | null;
}

export interface ReplayReport {
  readonly kernel: string;
  /** What was asked: the sysctl overrides and backlog of the "predicted" run. */
  readonly settings: { readonly sysctls: Readonly<Record<string, number>>; readonly backlog: number | null };
  readonly observed: { attempts: number; answered: number; unanswered: number; firstReply: FirstReplyCounts };
  readonly predicted: RunSummary;
  readonly baseline: (RunSummary & { readonly label: string }) | null;
  /** The what-if answered in one sentence. */
  readonly answer: string;
  readonly sources: readonly SourceRow[];
  readonly attempts: readonly AttemptRow[];
  readonly attemptsOmitted: number;
  readonly assumptions: readonly string[];
  readonly warnings: readonly string[];
}

const MAX_SOURCES = 20;

/** Validates the overrides against the kernel up front (a missing sysctl → KernelConfigError, exit 2). */
function validatedOverrides(profile: KernelProfile, overrides: Readonly<Record<string, string | number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(overrides)) {
    const ok = validateSysctl(profile.sysctls, profile.version, name, value);
    out[ok.name] = ok.value;
  }
  return out;
}

/** Host-file sysctls the model knows and accepts; the rest are reported, not fatal (a host shows hundreds). */
function usableHostSysctls(profile: KernelProfile, host: Readonly<Record<string, string | number>>, source: string, warnings: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  const known = new Set<string>(profile.sysctls.keys());
  for (const [name, value] of Object.entries(host)) {
    if (!known.has(name)) continue;
    try {
      const ok = validateSysctl(profile.sysctls, profile.version, name, value);
      out[ok.name] = ok.value;
    } catch (error) {
      if (!(error instanceof KernelConfigError)) throw error;
      warnings.push(`${source}: ${error.message}; the kernel default is used`);
    }
  }
  return out;
}

function emptyCounts(): FirstReplyCounts {
  return { synack: 0, ack: 0, rst: 0, icmp: 0, none: 0 };
}

function agrees(a: ReplayAttempt, p: PredictedAttempt): boolean {
  return a.observed === p.first && a.observedAnswered === p.answered;
}

function summarise(run: ReplayRun, attempts: readonly ReplayAttempt[]): RunSummary {
  const firstReply = emptyCounts();
  let answered = 0;
  let agreeing = 0;
  let fixed = 0;
  let broken = 0;
  run.predicted.forEach((p, i) => {
    const a = attempts[i] as ReplayAttempt;
    firstReply[p.first]++;
    if (p.answered) answered++;
    if (agrees(a, p)) agreeing++;
    if (p.answered && !a.observedAnswered) fixed++;
    if (!p.answered && a.observedAnswered) broken++;
  });
  const n = attempts.length;
  return {
    kernel: run.kernel,
    sysctls: run.changedSysctls,
    listeners: run.listeners.map((l) => ({ ...l, addr: ipv4Text(l.addr) })),
    attempts: n,
    answered,
    unanswered: n - answered,
    firstReply,
    agreement: n === 0 ? null : agreeing / n,
    agreeing,
    fixed,
    broken,
    counters: run.counters,
    reasons: run.synReasons,
    synthesised: run.synthesised,
    skippedEvents: run.skippedEvents,
  };
}

/** "tcp_tw_recycle=0" from "net.ipv4.tcp_tw_recycle" and 0. */
function shortSetting(name: string, value: number): string {
  return `${name.replace(/^net\.(ipv4|core)\./, "")}=${value}`;
}

function percent(x: number | null): string {
  return x === null ? "n/a" : `${(x * 100).toFixed(1)}%`;
}

/** Checks the kernel and the overrides without replaying anything (KernelConfigError → the CLI's exit 2). */
export function checkWhatIf(options: Pick<WhatIfOptions, "kernel" | "overrides">): void {
  validatedOverrides(profileFor(options.kernel), options.overrides ?? {});
}

/** Runs the given settings (and a baseline when they differ from it) and builds the report. */
export function whatIf(extraction: Extraction, options: WhatIfOptions): ReplayReport {
  const profile = profileFor(options.kernel);
  const warnings = [...extraction.warnings];
  const overrides = validatedOverrides(profile, options.overrides ?? {});
  const sysctlSource = options.hostSysctlFiles !== undefined && options.hostSysctlFiles.length > 0 ? options.hostSysctlFiles.join(", ") : "host files";
  const hostSysctls = usableHostSysctls(profile, options.hostSysctls ?? {}, sysctlSource, warnings);
  const fromHost = options.hostSysctls !== undefined;
  const base: ReplaySettings = {
    kernel: options.kernel,
    sysctls: hostSysctls,
    ...(options.hostListeners !== undefined ? { listeners: options.hostListeners } : {}),
  };
  const given: ReplaySettings = { ...base, sysctls: { ...hostSysctls, ...overrides }, ...(options.backlog !== undefined ? { backlog: options.backlog } : {}) };
  const attempts = extraction.attempts;
  const predictedRun = replay(extraction, given);
  const compare = Object.keys(overrides).length > 0 || options.backlog !== undefined;
  const baselineRun = compare ? replay(extraction, base) : null;
  const predicted = summarise(predictedRun, attempts);
  const baselineLabel = fromHost ? "host settings" : "kernel defaults";
  const baseline = baselineRun !== null ? { ...summarise(baselineRun, attempts), label: baselineLabel } : null;

  const observedCounts = emptyCounts();
  let observedAnswered = 0;
  for (const a of attempts) {
    observedCounts[a.observed]++;
    if (a.observedAnswered) observedAnswered++;
  }
  const observed = { attempts: attempts.length, answered: observedAnswered, unanswered: attempts.length - observedAnswered, firstReply: observedCounts };

  // Descriptions of both runs for the sentence: the settings in which they differ.
  const profileDefaults = new Map([...profile.sysctls].map(([name, spec]) => [name as string, spec.defaultValue]));
  const givenDesc: string[] = Object.entries(overrides).map(([k, v]) => shortSetting(k, v));
  const baseDesc: string[] = Object.keys(overrides).map((k) => shortSetting(k, hostSysctls[k] ?? profileDefaults.get(k) ?? 0));
  if (options.backlog !== undefined) {
    givenDesc.push(`backlog ${options.backlog}`);
    const hostBacklog = options.hostListeners?.find((l) => l.backlog !== null)?.backlog;
    baseDesc.push(hostBacklog !== undefined && hostBacklog !== null ? `backlog ${hostBacklog}` : "backlog somaxconn");
  }
  const givenText = givenDesc.length > 0 ? givenDesc.join(", ") : fromHost ? "the host's settings" : "its default settings";
  const baseText = `${baseDesc.join(", ")} (${fromHost ? "as on the host" : "the default"})`;

  const answer = sentence(profile.version.text, observed.unanswered, predicted, baseline, givenText, baseText, attempts, predictedRun, baselineRun);

  // Per-attempt table: disagreements first, then what went unanswered, then the rest; bounded.
  const rowsWanted = options.rows ?? 50;
  const order = attempts.map((a, i) => i);
  const rank = (i: number): number => {
    const a = attempts[i] as ReplayAttempt;
    if (!agrees(a, predictedRun.predicted[i] as PredictedAttempt)) return 0;
    if (baselineRun !== null && !agrees(a, baselineRun.predicted[i] as PredictedAttempt)) return 1;
    return a.observedAnswered ? 3 : 2;
  };
  order.sort((x, y) => rank(x) - rank(y) || x - y);
  const rows: AttemptRow[] = order.slice(0, rowsWanted).map((i) => {
    const a = attempts[i] as ReplayAttempt;
    const p = predictedRun.predicted[i] as PredictedAttempt;
    return {
      client: ipv4Text(a.client),
      clientPort: a.clientPort,
      server: ipv4Text(a.server),
      serverPort: a.serverPort,
      isn: a.isn,
      firstSyn: Math.round(a.firstSynMs) / 1000,
      syns: a.syns,
      tsVal: a.tsVal,
      observed: { first: a.observed, answered: a.observedAnswered },
      predicted: p,
      baseline: baselineRun !== null ? (baselineRun.predicted[i] as PredictedAttempt) : null,
      agree: agrees(a, p),
    };
  });

  return {
    kernel: profile.version.text,
    settings: { sysctls: overrides, backlog: options.backlog ?? null },
    observed,
    predicted,
    baseline,
    answer,
    sources: sourceRows(attempts, predictedRun, baselineRun),
    attempts: rows,
    attemptsOmitted: attempts.length - rows.length,
    assumptions: assumptions(extraction, options),
    warnings,
  };
}

function sourceRows(attempts: readonly ReplayAttempt[], run: ReplayRun, base: ReplayRun | null): SourceRow[] {
  const rows = new Map<number, { attempts: number; o: number; p: number; b: number }>();
  attempts.forEach((a, i) => {
    let r = rows.get(a.client);
    if (r === undefined) rows.set(a.client, (r = { attempts: 0, o: 0, p: 0, b: 0 }));
    r.attempts++;
    if (!a.observedAnswered) r.o++;
    if (!(run.predicted[i] as PredictedAttempt).answered) r.p++;
    if (base !== null && !(base.predicted[i] as PredictedAttempt).answered) r.b++;
  });
  return [...rows.entries()]
    .map(([addr, r]) => ({ addr: ipv4Text(addr), attempts: r.attempts, observedUnanswered: r.o, predictedUnanswered: r.p, baselineUnanswered: base !== null ? r.b : null }))
    .sort((x, y) => y.observedUnanswered - x.observedUnanswered || y.attempts - x.attempts || (x.addr < y.addr ? -1 : 1))
    .slice(0, MAX_SOURCES);
}

/** "412 unanswered SYN attempts of 198.18.100.1" when one source holds most of them, else a plain count. */
function whose(count: number, total: number, fixedIdx: readonly number[], attempts: readonly ReplayAttempt[]): string {
  const bySource = new Map<number, number>();
  for (const i of fixedIdx) {
    const c = (attempts[i] as ReplayAttempt).client;
    bySource.set(c, (bySource.get(c) ?? 0) + 1);
  }
  const sources = bySource.size;
  const head = count === total ? `the ${total}` : `${count} of the ${total}`;
  if (sources === 1) {
    const [addr] = [...bySource.keys()];
    return `${head} unanswered SYN attempts of ${ipv4Text(addr as number)}`;
  }
  return `${head} unanswered SYN attempts (from ${sources} sources)`;
}

function fixedIndexes(attempts: readonly ReplayAttempt[], run: ReplayRun): number[] {
  const out: number[] = [];
  run.predicted.forEach((p, i) => {
    if (p.answered && !(attempts[i] as ReplayAttempt).observedAnswered) out.push(i);
  });
  return out;
}

function sentence(
  kernel: string,
  observedUnanswered: number,
  predicted: RunSummary,
  baseline: (RunSummary & { label: string }) | null,
  givenText: string,
  baseText: string,
  attempts: readonly ReplayAttempt[],
  predictedRun: ReplayRun,
  baselineRun: ReplayRun | null,
): string {
  if (attempts.length === 0) return "The capture holds no SYN attempt to replay.";
  if (baseline === null || baselineRun === null) {
    return (
      `With ${givenText} on ${kernel} the model leaves ${predicted.unanswered} of ${predicted.attempts} SYN attempts unanswered ` +
      `where the capture shows ${observedUnanswered} (agreement ${percent(predicted.agreement)}).`
    );
  }
  if (observedUnanswered === 0) {
    const worse = predicted.broken > 0 ? `${predicted.broken} of them would have gone unanswered` : "all would still have been answered";
    return `Every SYN attempt in the capture was answered; with ${givenText} on ${kernel} ${worse} (with ${baseText}: ${baseline.broken}).`;
  }
  if (predicted.fixed === 0 && baseline.fixed === 0) {
    return (
      `Neither ${givenText} nor ${baseText} on ${kernel} would have answered any of the ${observedUnanswered} unanswered SYN attempts ` +
      `(agreement ${percent(predicted.agreement)} / ${percent(baseline.agreement)}): the cause lies outside these settings.`
    );
  }
  const givenFixes = predicted.fixed >= baseline.fixed;
  const [winner, winnerText, other, otherText, run] = givenFixes
    ? [predicted, givenText, baseline, baseText, predictedRun]
    : [baseline, baseText, predicted, givenText, baselineRun];
  let text = `With ${winnerText} on ${kernel} ${whose(winner.fixed, observedUnanswered, fixedIndexes(attempts, run), attempts)} would have been answered`;
  if (winner.broken > 0) text += `, but ${winner.broken} answered ones would not`;
  if (other.agreement !== null && other.agreement >= 0.8) text += `; ${otherText} reproduces the capture (agreement ${percent(other.agreement)})`;
  return `${text}.`;
}

function assumptions(extraction: Extraction, options: WhatIfOptions): string[] {
  const out: string[] = [];
  out.push(
    options.hostListeners !== undefined
      ? "listeners and their backlog come from the host files (ss -ltn Send-Q = effective backlog)"
      : "listeners are inferred from the capture: every server port that sent a SYN-ACK or never refused a SYN",
  );
  if (options.backlog === undefined && options.hostListeners === undefined) {
    out.push("the listen() backlog is not on the wire: listen(fd, somaxconn) is assumed; give --backlog or host files");
  }
  const accepts = extraction.attempts.filter((a) => a.acceptDelayMs !== null).length;
  out.push(
    accepts > 0
      ? "accept() is read from the wire (the server's first payload or FIN); connections only the model completes are accepted after the median delay the application showed"
      : "the application accepted no connection visibly (no server payload or FIN): connections only the model completes are never accepted",
  );
  out.push("state from before the capture (TIME_WAIT sockets, the tw_recycle timestamp cache, queued connections) is unknown and starts empty");
  out.push(
    "where the model answers differently, the client's reaction is synthesised as a Linux client's: 3rd ACK one RTT after a SYN-ACK, RST after a bare ACK, SYN retries at 1, 3, 7, 15, 31, 63 s (not beyond the capture's end)",
  );
  out.push("firewall, rp_filter, routes and listener options (IP_MINTTL, TCP-MD5) are not visible in a capture and pass everything here");
  return out;
}
