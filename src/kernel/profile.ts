/** A kernel profile: version, behaviour switches, sysctl set with defaults, counters present. */
import { countersForVersion, type CounterName } from "./counters.js";
import { KernelConfigError } from "./errors.js";
import { sysctlsFor, type SysctlName, type SysctlSpec } from "./sysctl.js";
import {
  behaviourFor,
  nearestProfile,
  parseKernelVersion,
  type Backports,
  type KernelBehaviour,
  type KernelVersion,
  type ProfileName,
} from "./version.js";

export interface KernelProfile {
  /** The version asked for (e.g. "3.10.0-1160.el7"). */
  readonly version: KernelVersion;
  /** The nearest named profile at or below it, for display ("3.10"). */
  readonly name: ProfileName;
  readonly behaviour: KernelBehaviour;
  readonly sysctls: ReadonlyMap<SysctlName, SysctlSpec>;
  /** Counters this kernel has, in /proc order. */
  readonly counters: readonly CounterName[];
}

const cache = new Map<string, KernelProfile>();

/** The profile for any "X.Y[.Z…]" version string; behaviour follows the version itself, not only the name. */
export function profileFor(version: string | KernelVersion, backports: Backports = {}): KernelProfile {
  const v = typeof version === "string" ? parseKernelVersion(version) : version;
  if (v.major < 3 || (v.major === 3 && v.minor < 10)) {
    throw new KernelConfigError("bad-version", `kernel ${v.text} is older than the model's floor (3.10)`);
  }
  const key = `${v.text}|${backports.synqGt}|${backports.acceptqSyn}|${backports.tsoffPorts}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const behaviour = behaviourFor(v, backports);
  const profile: KernelProfile = {
    version: v,
    name: nearestProfile(v),
    behaviour,
    sysctls: sysctlsFor(v, behaviour),
    counters: countersForVersion(v),
  };
  cache.set(key, profile);
  return profile;
}

/** Counters the profile's kernel has; a counter not listed is never moved by the model. */
export function countersOf(profile: KernelProfile): readonly CounterName[] {
  return profile.counters;
}

/** Defaults of every sysctl the kernel has. */
export function defaultSysctls(profile: KernelProfile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, spec] of profile.sysctls) out[name] = spec.defaultValue;
  return out;
}
