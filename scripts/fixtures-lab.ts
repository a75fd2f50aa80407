/**
 * Regenerates fixtures/lab/<scenario>/ — one small bundle per lab scenario, made by the real kernel in
 * network namespaces (CI-sized counts, snaplen 128). Needs root. `npm run fixtures:lab [-- NAME…]`.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { listScenarios, runScenario } from "../lab/run.js";

const ROOT = join(import.meta.dirname, "..", "fixtures", "lab");

async function main(names: string[]): Promise<number> {
  const all = listScenarios().map((s) => s.name);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown scenario(s): ${unknown.join(", ")}\n`);
    return 2;
  }
  let failed = 0;
  for (const name of names.length > 0 ? names : all) {
    const dir = join(ROOT, name);
    await rm(dir, { recursive: true, force: true });
    try {
      await runScenario(name, dir, {}, { ci: true, log: (l) => process.stderr.write(`${l}\n`) });
      process.stdout.write(`${name}: written\n`);
    } catch (error) {
      failed++;
      process.stdout.write(`${name}: FAILED ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exitCode = 1;
  },
);
