/**
 * MIB counters the SYN path moves, in nstat spelling, with the kernel versions that have them (§7).
 * A counter the profile's kernel lacks is never moved and is absent from `countersOf(profile)`.
 */
import { atLeast, type KernelVersion } from "./version.js";

interface CounterSpec {
  readonly name: string;
  /** First version that has it ("major.minor"), [MEM] where the spec says so. */
  readonly since?: readonly [number, number];
  /** First version that no longer has it. */
  readonly until?: readonly [number, number];
}

const SPECS = [
  { name: "TcpActiveOpens" },
  { name: "TcpPassiveOpens" },
  { name: "TcpAttemptFails" },
  { name: "TcpEstabResets" },
  { name: "TcpInSegs" },
  { name: "TcpOutSegs" },
  { name: "TcpRetransSegs" },
  { name: "TcpInErrs" },
  { name: "TcpOutRsts" },
  { name: "TcpInCsumErrors", since: [3, 10] },
  { name: "IpOutNoRoutes" },
  { name: "TcpExtSyncookiesSent" },
  { name: "TcpExtSyncookiesRecv" },
  { name: "TcpExtSyncookiesFailed" },
  { name: "TcpExtEmbryonicRsts" },
  { name: "TcpExtTW" },
  { name: "TcpExtTWRecycled" },
  { name: "TcpExtTWKilled" },
  { name: "TcpExtPAWSPassive", until: [4, 12] }, // removed with tw_recycle [SEC inference, §2.13]
  { name: "TcpExtPAWSActive" },
  { name: "TcpExtPAWSEstab" },
  { name: "TcpExtListenOverflows" },
  { name: "TcpExtListenDrops" },
  { name: "TcpExtTCPTimeWaitOverflow" },
  { name: "TcpExtTCPReqQFullDoCookies", since: [3, 1] }, // [MEM]
  { name: "TcpExtTCPReqQFullDrop", since: [3, 1] }, // [MEM]
  { name: "TcpExtTCPSynRetrans" },
  { name: "TcpExtTCPChallengeACK" },
  { name: "TcpExtIPReversePathFilter" },
  { name: "TcpExtTCPMD5NotFound" },
  { name: "TcpExtTCPMD5Unexpected" },
  { name: "TcpExtTCPMD5Failure", since: [5, 13] }, // [MEM]
  { name: "TcpExtTCPMinTTLDrop", since: [5, 16] }, // [MEM]
  { name: "TcpExtTCPACKSkippedSynRecv", since: [4, 0] },
  { name: "TcpExtTCPACKSkippedTimeWait", since: [4, 0] },
  { name: "TcpExtTCPACKSkippedFinWait2", since: [4, 0] },
  { name: "TcpExtPAWSTimewait", since: [6, 16] },
] as const satisfies readonly CounterSpec[];

export type CounterName = (typeof SPECS)[number]["name"];

/** All counter names the model knows, in /proc order (Tcp, Ip, TcpExt). */
export const COUNTER_NAMES: readonly CounterName[] = SPECS.map((s) => s.name);

/** Dense numeric ids for the hot path (index into a Float64Array). */
export const C = Object.fromEntries(COUNTER_NAMES.map((n, i) => [n, i])) as { readonly [K in CounterName]: number };

export function counterExists(name: CounterName, version: KernelVersion): boolean {
  const spec: CounterSpec | undefined = SPECS.find((s) => s.name === name);
  if (!spec) return false;
  if (spec.since && !atLeast(version, spec.since[0], spec.since[1])) return false;
  if (spec.until && atLeast(version, spec.until[0], spec.until[1])) return false;
  return true;
}

/** Counters present in a kernel of this version. */
export function countersForVersion(version: KernelVersion): readonly CounterName[] {
  return COUNTER_NAMES.filter((n) => counterExists(n, version));
}

export function isCounterName(name: string): name is CounterName {
  return (COUNTER_NAMES as readonly string[]).includes(name);
}
