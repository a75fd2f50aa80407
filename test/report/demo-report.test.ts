import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnoseDemoBundle, diagnoseLabFixture } from "../../src/cli/commands/demo.js";

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

describe("demo, step 6: a bundle the real kernel produced in the lab", () => {
  it("analyzes and diagnoses the committed NAT TIME_WAIT bundle", async () => {
    const text = await diagnoseLabFixture(false);
    expect(text).toMatch(/\d+ SYN attempts: [1-9]\d* first answered by a bare ACK/);
    expect(text).toContain("verdict timewait-paws");
    expect(text).toContain("TcpExtPAWSTimewait");
  });
});
