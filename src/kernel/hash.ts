/**
 * A deterministic keyed 32-bit hash standing in for the kernel's siphash with a boot secret (ISNs, SYN
 * cookies, TS offsets). Not cryptographic; what matters to the model is "unrelated values per key, the same
 * value for the same key and seed".
 */
import { fmix32 } from "../util/rng.js";
import type { FlowHash } from "./types.js";

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3-style hash of four 32-bit words under a seed. */
export function hash4(seed: number, a: number, b: number, c: number, d: number): number {
  let h = seed | 0;
  h = mix(h, a | 0);
  h = mix(h, b | 0);
  h = mix(h, c | 0);
  h = mix(h, d | 0);
  return fmix32(h ^ 16);
}

/** A FlowHash bound to one seed (one "boot secret"). */
export function createFlowHash(seed: number): FlowHash {
  const s = seed | 0;
  return (a, b, c, d) => hash4(s, a, b, c, d);
}
