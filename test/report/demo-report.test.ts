import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnoseDemoBundle } from "../../src/cli/commands/demo.js";

describe("demo, step 5: the simulated textbook bundle diagnosed end to end", () => {
  it("writes the HTML report of the tw-recycle-paws verdict and prints its path", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nosynack-demo-test-"));
    try {
      const text = await diagnoseDemoBundle(false, dir);
      const report = join(dir, "report.html");
      expect(text).toContain(`HTML report: ${report}`);
      expect(text).toContain("verdict tw-recycle-paws");
      expect(existsSync(join(dir, "bundle", "manifest.json"))).toBe(true);
      const html = readFileSync(report, "utf8");
      expect(html).toContain("<title>nosynack: tw-recycle-paws");
      expect(html).toContain('id="chart-ts-0"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
