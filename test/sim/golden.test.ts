import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { goldenNames, goldenPath, goldenSummary } from "./golden/summaries.js";

describe("golden summaries of the built-in scenarios (seed 1)", () => {
  for (const name of goldenNames()) {
    it(name, () => {
      const path = goldenPath(name);
      expect(existsSync(path), `${path} missing: run UPDATE_GOLDEN=1 npm run golden:sim`).toBe(true);
      const golden = JSON.parse(readFileSync(path, "utf8")) as unknown;
      // On purpose a whole-document comparison: any change in the model or the engine shows here first.
      expect(goldenSummary(name), "summary changed: check why, then UPDATE_GOLDEN=1 npm run golden:sim").toEqual(golden);
    });
  }
});
