import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inspectBundle } from "../../lab/inspect.js";
import { listScenarios } from "../../lab/run.js";
import { EXPECTATIONS } from "./expectations.js";

/**
 * The committed lab bundles (fixtures/lab, written by `npm run fixtures:lab`) still show what the kernel
 * showed when they were made. No root needed; the captures are read with tshark.
 */
const ROOT = join(import.meta.dirname, "..", "..", "fixtures", "lab");

function tsharkMissing(): string | null {
  try {
    execFileSync("tshark", ["--version"], { stdio: "ignore" });
    return null;
  } catch {
    return "tshark not installed";
  }
}
const noTshark = tsharkMissing();

describe("committed lab fixtures", () => {
  for (const scenario of listScenarios()) {
    const dir = join(ROOT, scenario.name);
    it.skipIf(!existsSync(dir))(`${scenario.name}: manifest, small capture`, () => {
      const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
        format: string; producer: string; label: string; files: Array<{ path: string; kind: string }>;
      };
      expect(manifest.format).toBe("nosynack-bundle/1");
      expect(manifest.producer).toBe("lab");
      expect(manifest.label).toBe(EXPECTATIONS[scenario.name]?.label);
      for (const file of manifest.files) {
        expect(existsSync(join(dir, file.path)), file.path).toBe(true);
        if (file.kind === "pcap") expect(statSync(join(dir, file.path)).size).toBeLessThan(1024 * 1024);
      }
    });
    it.skipIf(!existsSync(dir) || noTshark !== null)(`${scenario.name}: wire signature and counters`, async () => {
      EXPECTATIONS[scenario.name]?.check(await inspectBundle(dir), dir);
    });
  }
});
