/**
 * Client hosts: addresses, TSval clocks, ephemeral ports and the SYN retransmission schedule of their kernel.
 * Facts: linux-syn-path.md §1 (TCP_SYN_RETRIES, tcp_syn_linear_timeouts, TCP_TIMEOUT_MIN), §5 (TSval clocks),
 * §9B step 5 (quick retry after a bogus ACK on ≥5.6).
 */
import { createFlowHash } from "../kernel/hash.js";
import { profileFor } from "../kernel/profile.js";
import { createTsClock, tsOffsetFor } from "../kernel/timestamps.js";
import type { TsClock } from "../kernel/types.js";
import { atLeast } from "../kernel/version.js";
import type { Rng } from "../util/rng.js";
import { ipv4ToNumber } from "./addr.js";
import { ClientPorts } from "./client-ports.js";
import type { Scenario } from "./scenario.js";

/** TCP_RTO_MAX: no SYN timeout exceeds 120 s. */
const RTO_MAX_MS = 120_000;

/** How one client kernel retries an unanswered SYN. */
export interface RetryPolicy {
  /** Waits in µs after each SYN (index 0 = after the first SYN); after the last wait the attempt fails. */
  readonly waitsUs: readonly number[];
  /** Delay of the quick retransmission after a bogus ACK (2 jiffies), or 0 when the kernel lacks it. */
  readonly quickRetryUs: number;
}

/**
 * SYN retransmission schedule (tcp_retransmit_timer on a SYN-SENT socket): `linear` waits of the initial RTO
 * beyond the first (≥6.5, tcp_syn_linear_timeouts), then doubling; the retry budget is syn_retries + linear.
 * Defaults: 6.5+ → SYNs at 0,1,2,3,4,5,7,11,19,35,67 s, failure at 131 s; older → 0,1,3,7,15,31,63, failure 127 s.
 */
export function retryWaitsMs(initialRtoMs: number, synRetries: number, linear: number): number[] {
  const waits: number[] = [];
  const total = synRetries + linear + 1;
  for (let i = 0; i < total; i++) {
    const exponent = i <= linear ? 0 : i - linear;
    waits.push(Math.min(initialRtoMs * 2 ** exponent, RTO_MAX_MS));
  }
  return waits;
}

export interface ClientHost {
  readonly index: number;
  readonly addr: number;
  readonly hz: number;
  readonly clock: TsClock;
  /** Whether SYNs carry a TS option (the host's tcp_timestamps != 0). */
  readonly timestamps: boolean;
  /** Ephemeral ports: the cursor and the ports not yet free again. */
  readonly ports: ClientPorts;
  /** Scripted start times (µs, ascending) of this host's connections, or null for random arrivals. */
  readonly scheduleUs: readonly number[] | null;
  connectionsStarted: number;
  // Outcome table (per host): JSON output.
  attempts: number;
  established: number;
  failed: number;
  refused: number;
  synRetransmits: number;
  bareAcks: number;
}

export interface ClientPopulation {
  readonly hosts: readonly ClientHost[];
  readonly retry: RetryPolicy;
  readonly rstOnBareAck: boolean;
}

export function createClients(scenario: Scenario, rng: Rng): ClientPopulation {
  const c = scenario.clients;
  const profile = profileFor(c.kernel);
  const v = profile.version;
  const hzRng = rng.stream("clients/hz");
  const uptimeRng = rng.stream("clients/uptime");
  const secretRng = rng.stream("clients/secret");
  const portRng = rng.stream("clients/port-start");
  const base = ipv4ToNumber(c.addressBase);
  const [upLo, upHi] = c.uptimeSeconds;
  const [portLow, portHigh] = c.ephemeralPorts;

  const hosts: ClientHost[] = [];
  for (let i = 0; i < c.count; i++) {
    const hz = hzRng.pick(c.hz);
    const uptimeMs = Math.floor((upLo + uptimeRng.float() * (upHi - upLo)) * 1000);
    const hash = createFlowHash(secretRng.u32());
    const measured = c.tsvalAtZero?.[i];
    const clock = measured === undefined ? clientClock(scenario, profile, hz, uptimeMs, hash) : measuredClock(measured, c.timestamps);
    const planned = c.schedule?.[i];
    hosts.push({
      index: i,
      addr: (base + i) >>> 0,
      hz,
      clock,
      timestamps: c.timestamps !== 0,
      ports: new ClientPorts(portLow, portHigh, portRng.int(portLow, portHigh + 1)),
      scheduleUs: planned === undefined ? null : planned.map((ms) => Math.round(ms * 1000)).sort((a, b) => a - b),
      connectionsStarted: 0,
      attempts: 0,
      established: 0,
      failed: 0,
      refused: 0,
      synRetransmits: 0,
      bareAcks: 0,
    });
  }

  const initialRto = c.initialRtoMs ?? profile.behaviour.initialRtoMs;
  const linear = c.linearTimeouts ?? profile.sysctls.get("net.ipv4.tcp_syn_linear_timeouts")?.defaultValue ?? 0;
  const quick = c.quickRetryAfterBareAck ?? atLeast(v, 5, 6);
  // Hosts may differ in HZ; the quick retry uses the most common (first) HZ — 2 jiffies, a few ms either way.
  const hz0 = c.hz[0] ?? 250;
  return {
    hosts,
    retry: {
      waitsUs: retryWaitsMs(initialRto, c.synRetries, linear).map((ms) => ms * 1000),
      quickRetryUs: quick ? Math.round((2 * 1_000_000) / hz0) : 0,
    },
    rstOnBareAck: c.rstOnBareAck,
  };
}

/** The kernel model's clock for this client, or one built from the scenario's overrides. */
function clientClock(
  scenario: Scenario,
  profile: ReturnType<typeof profileFor>,
  hz: number,
  uptimeMs: number,
  hash: ReturnType<typeof createFlowHash>,
): TsClock {
  const c = scenario.clients;
  if (c.tsRateHz === undefined && c.tsOffsets === undefined) {
    return createTsClock({ kernel: profile, tcpTimestamps: c.timestamps, hz, uptimeAtZeroMs: uptimeMs, hash, initialJiffies: true });
  }
  const rate = c.tsRateHz ?? (profile.behaviour.tsClock === "ms" ? 1000 : hz);
  const regime = c.timestamps === 1 ? (c.tsOffsets ?? profile.behaviour.tsOffsetRegime) : "none";
  return {
    tsval(nowMs, saddr, sport, daddr, dport) {
      const ticks = Math.floor(((uptimeMs + nowMs) * rate) / 1000);
      return (ticks + tsOffsetFor(regime, hash, saddr, sport, daddr, dport)) >>> 0;
    },
  };
}

/**
 * A clock read off a real host: TSval = the value seen at time 0 plus elapsed ms (6.18 counts in ms; a
 * measured value already contains whatever offset the host's kernel added), or no TS option at all.
 */
function measuredClock(tsvalAtZero: number, timestamps: number): TsClock {
  return { tsval: (nowMs) => (timestamps === 0 ? 0 : (tsvalAtZero + Math.floor(nowMs)) >>> 0) };
}
