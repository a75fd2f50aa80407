/**
 * npm run fidelity [-- NAME…] [--out DIR]
 * Runs the fidelity workloads (all, or the named ones) in the namespace lab and in the simulator and prints
 * the per-scenario agreement table (Markdown). Needs root and `ip netns`; captures stay in DIR.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FIDELITY_WORKLOADS, findWorkload, formatTable, runFidelity, type Comparison } from "./index.js";

async function main(argv: string[]): Promise<number> {
  const outAt = argv.indexOf("--out");
  const out = outAt >= 0 ? argv[outAt + 1] : undefined;
  const names = argv.filter((a, i) => !a.startsWith("--") && (outAt < 0 || i !== outAt + 1));
  const workloads = names.length > 0 ? names.map(findWorkload) : FIDELITY_WORKLOADS;
  const dir = out ?? (await mkdtemp(join(tmpdir(), "nosynack-fidelity-")));
  const rows: Comparison[] = [];
  let kernel = "";
  for (const w of workloads) {
    const result = await runFidelity(w, dir, (line) => process.stderr.write(`${line}\n`));
    kernel = result.lab.kernel;
    rows.push(result.comparison);
    for (const m of result.comparison.mismatches) process.stderr.write(`  ${w.name} attempt ${m.index}: lab ${m.lab}, sim ${m.sim}\n`);
    for (const c of result.comparison.counterMismatches) process.stderr.write(`  ${w.name} ${c.counter}: lab ${c.lab}, sim ${c.sim}\n`);
  }
  process.stdout.write(`Lab kernel ${kernel} vs simulator profile 6.18 (captures in ${dir})\n\n${formatTable(rows)}\n`);
  const ok = rows.every((r) => r.agreement >= 0.99 && r.counterMismatches.length === 0);
  return ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`fidelity: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(4);
  },
);
