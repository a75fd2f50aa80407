/**
 * Regenerates the simulator's golden summaries (test/sim/golden/*.json). Writes only with UPDATE_GOLDEN=1;
 * otherwise it lists the scenarios whose summary changed and exits 1 if any did.
 *   UPDATE_GOLDEN=1 npm run golden:sim
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { goldenNames, goldenPath, goldenText } from "../test/sim/golden/summaries.js";

const update = process.env.UPDATE_GOLDEN === "1";
let changed = 0;
for (const name of goldenNames()) {
  const text = goldenText(name);
  const path = goldenPath(name);
  const same = existsSync(path) && readFileSync(path, "utf8") === text;
  if (same) continue;
  changed++;
  if (update) {
    writeFileSync(path, text);
    process.stdout.write(`wrote ${path}\n`);
  } else {
    process.stdout.write(`differs: ${path}\n`);
  }
}
if (!update && changed > 0) {
  process.stdout.write(`${changed} golden summaries differ; rerun with UPDATE_GOLDEN=1 to rewrite them after checking why\n`);
  process.exitCode = 1;
}
