import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadEvidence } from "../../src/evidence/index.js";

/**
 * Golden JSON of `nosynack evidence --json` over the committed fixtures (the JSON is HostEvidence as is).
 * Rewrite with UPDATE_GOLDEN=1 after regenerating fixtures (npm run fixtures:host).
 */
const ROOT = join(import.meta.dirname, "..", "..");
const GOLDEN = join(ROOT, "fixtures", "host", "golden");
const CASES: Record<string, string[]> = {
  "6.18-bundle": ["fixtures/host/6.18/bundle"],
  "6.18-single": ["fixtures/host/6.18/single"],
  historic: ["fixtures/host/historic"],
};

describe("evidence golden JSON", () => {
  for (const [name, paths] of Object.entries(CASES)) {
    it(name, async () => {
      const cwd = process.cwd();
      process.chdir(ROOT); // paths in the JSON are relative to the repository
      let json: string;
      try {
        json = `${JSON.stringify(await loadEvidence(paths), null, 2)}\n`;
      } finally {
        process.chdir(cwd);
      }
      const file = join(GOLDEN, `${name}.json`);
      if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) {
        if (process.env.UPDATE_GOLDEN !== "1") throw new Error(`missing golden ${file}; run with UPDATE_GOLDEN=1`);
        mkdirSync(GOLDEN, { recursive: true });
        writeFileSync(file, json);
      }
      expect(json).toBe(readFileSync(file, "utf8"));
    });
  }
});
