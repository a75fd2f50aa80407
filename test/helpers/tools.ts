import { execFileSync, spawnSync } from "node:child_process";

/** Why an external tool cannot be used here (one line), or null when it can. */
export function toolMissing(tool: string): string | null {
  const probe = spawnSync(tool, ["--version"], { stdio: "ignore" });
  return probe.error ? `${tool} not installed` : null;
}

/** tshark -T fields over a capture: one array of strings per packet. */
export function tsharkFields(file: string, filter: string, fields: readonly string[]): string[][] {
  const args = ["-n", "-r", file, "-o", "tcp.relative_sequence_numbers:FALSE", "-Y", filter, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"];
  for (const field of fields) args.push("-e", field);
  const out = execFileSync("tshark", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 28 });
  return out
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => line.split("\t"));
}

export const CLI = new URL("../../dist/src/cli/main.js", import.meta.url).pathname;

/** Runs the built CLI; returns exit code, stdout and stderr. Requires `npm run build` (npm test does it). */
export function runCli(args: readonly string[], input?: Buffer): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { input, encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, NO_COLOR: "1" } });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
