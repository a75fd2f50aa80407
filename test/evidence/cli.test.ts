import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "evidence", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

describe("nosynack evidence", () => {
  it("prints exactly the golden JSON document with --json", () => {
    const result = run("--json", "fixtures/host/historic");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(ROOT, "fixtures/host/golden/historic.json"), "utf8"));
  });

  it("summarises what moved and lists unrecognised files", () => {
    const result = run("fixtures/host/6.18/bundle", "fixtures/host/historic/README.md");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/TcpExtListenOverflows\s+\d+\s+\(\+\d+\)/);
    expect(result.stdout).toMatch(/README\.md: NOT RECOGNISED/);
  });

  it("exits 3 only when no path is readable", () => {
    expect(run("/nonexistent/nskev").status).toBe(3);
    expect(run("/nonexistent/nskev", "fixtures/host/historic/uname-r-3.10.txt").status).toBe(0);
  });
});
