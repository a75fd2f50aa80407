import { execFileSync } from "node:child_process";

/**
 * Why namespace-lab tests cannot run here, or null when they can (root, `ip netns` works).
 * Tests call `it.skipIf(labUnavailable())` and print the reason once.
 */
let cached: string | null | undefined;

export function labUnavailable(): string | null {
  if (cached !== undefined) return cached;
  cached = probe();
  if (cached) process.stderr.write(`lab tests skipped: ${cached}\n`);
  return cached;
}

function probe(): string | null {
  if (process.platform !== "linux") return "not Linux";
  if (typeof process.getuid === "function" && process.getuid() !== 0) return "not root";
  try {
    execFileSync("ip", ["netns", "list"], { stdio: "ignore" });
  } catch {
    return "iproute2 'ip netns' unavailable";
  }
  return null;
}
