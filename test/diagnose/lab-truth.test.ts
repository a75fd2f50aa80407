/**
 * Truth on real evidence: every namespace-lab bundle in fixtures/lab (made by the real kernel, label in its
 * manifest) is diagnosed whole, by its capture alone and by its host files alone.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assertTruth, bundlesUnder } from "./truth.js";

const ROOT = join(import.meta.dirname, "..", "..", "fixtures", "lab");
const bundles = bundlesUnder(ROOT);

describe("diagnose on lab bundles", () => {
  it("has lab bundles to check", () => {
    expect(bundles.length).toBeGreaterThan(0);
  });

  for (const bundle of bundles) {
    it(`${bundle.name} → ${bundle.label}`, async () => {
      await assertTruth(bundle);
    });
  }
});
