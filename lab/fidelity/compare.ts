/**
 * Lab against simulator for one workload: attempt by attempt (i-th with i-th, by the time of the first SYN at
 * the server) and the SYN-path counter deltas. Pure: no I/O.
 */
import type { Attempt, FirstReply } from "./attempts.js";

/** SYN-path counters compared (nstat names). Timer-driven ones (TCPSynRetrans, TW) depend on the window length and are left out. */
export const COMPARED_COUNTERS = [
  "TcpPassiveOpens",
  "TcpOutRsts",
  "TcpExtListenOverflows",
  "TcpExtListenDrops",
  "TcpExtTCPReqQFullDrop",
  "TcpExtTCPReqQFullDoCookies",
  "TcpExtSyncookiesSent",
  "TcpExtSyncookiesRecv",
  "TcpExtSyncookiesFailed",
  "TcpExtPAWSTimewait",
  "TcpExtEmbryonicRsts",
] as const;

export interface AttemptPair {
  readonly index: number;
  readonly lab: FirstReply | "missing";
  readonly sim: FirstReply | "missing";
}

export interface CounterPair {
  readonly counter: string;
  readonly lab: number;
  readonly sim: number;
}

export interface Comparison {
  readonly workload: string;
  /** max(lab attempts, simulator attempts): an attempt only one side made counts as a disagreement. */
  readonly attempts: number;
  readonly matching: number;
  readonly agreement: number;
  readonly mismatches: readonly AttemptPair[];
  readonly counters: readonly CounterPair[];
  readonly counterMismatches: readonly CounterPair[];
  readonly labReplies: Record<FirstReply, number>;
  readonly simReplies: Record<FirstReply, number>;
}

export function compareRuns(
  workload: string,
  lab: { readonly attempts: readonly Attempt[]; readonly deltas: Readonly<Record<string, number>> },
  sim: { readonly attempts: readonly Attempt[]; readonly counters: Readonly<Record<string, number>> },
): Comparison {
  const n = Math.max(lab.attempts.length, sim.attempts.length);
  const mismatches: AttemptPair[] = [];
  let matching = 0;
  for (let i = 0; i < n; i++) {
    const l = lab.attempts[i]?.reply ?? "missing";
    const s = sim.attempts[i]?.reply ?? "missing";
    if (l === s) matching++;
    else mismatches.push({ index: i, lab: l, sim: s });
  }
  const counters = COMPARED_COUNTERS.map((counter) => ({ counter, lab: lab.deltas[counter] ?? 0, sim: sim.counters[counter] ?? 0 }));
  return {
    workload,
    attempts: n,
    matching,
    agreement: n === 0 ? 1 : matching / n,
    mismatches,
    counters,
    counterMismatches: counters.filter((c) => c.lab !== c.sim),
    labReplies: tally(lab.attempts),
    simReplies: tally(sim.attempts),
  };
}

function tally(attempts: readonly Attempt[]): Record<FirstReply, number> {
  const t: Record<FirstReply, number> = { synack: 0, ack: 0, rst: 0, none: 0 };
  for (const a of attempts) t[a.reply]++;
  return t;
}

/** The per-scenario table (`npm run fidelity`, README). */
export function formatTable(rows: readonly Comparison[]): string {
  const head = "| scenario | attempts | lab first replies | sim first replies | agreement | SYN-path counters (lab = sim) |";
  const sep = "|---|---:|---|---|---:|---|";
  const replies = (r: Record<FirstReply, number>): string =>
    (Object.entries(r) as Array<[FirstReply, number]>).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(", ");
  const counters = (c: Comparison): string => {
    const moved = c.counters.filter((x) => x.lab !== 0 || x.sim !== 0);
    const text = moved.map((x) => (x.lab === x.sim ? `${short(x.counter)} ${x.lab}` : `${short(x.counter)} **${x.lab} ≠ ${x.sim}**`)).join(", ");
    return text || "none moved";
  };
  const lines = rows.map((c) => `| ${c.workload} | ${c.attempts} | ${replies(c.labReplies)} | ${replies(c.simReplies)} | ${pct(c.agreement)} | ${counters(c)} |`);
  const total = rows.reduce((s, c) => s + c.attempts, 0);
  const matching = rows.reduce((s, c) => s + c.matching, 0);
  const countersEqual = rows.filter((c) => c.counterMismatches.length === 0).length;
  lines.push(`| **all** | ${total} | | | **${pct(total === 0 ? 1 : matching / total)}** | equal in ${countersEqual} of ${rows.length} scenarios |`);
  return [head, sep, ...lines].join("\n");
}

function short(counter: string): string {
  return counter.replace(/^TcpExt/, "").replace(/^Tcp/, "");
}

function pct(x: number): string {
  return `${(Math.floor(x * 1000) / 10).toFixed(1)} %`;
}
