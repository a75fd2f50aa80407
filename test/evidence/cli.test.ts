import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
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

  it("reads a lab bundle's ip route and ip neigh: every file recognised, the unresolved next hop named", () => {
    const result = run("fixtures/lab/neighbour-unreachable");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Files: \d+ read, 0 not recognised/);
    expect(result.stdout).toMatch(/ip-route\.txt: ip-route/);
    expect(result.stdout).toMatch(/ip-neigh\.txt: ip-neigh/);
    // The lab's neighbour-unreachable host routes its clients via a next hop that never answers ARP.
    expect(result.stdout).toMatch(/Routes: \d+ routes \(default via [\d.]+ dev \w+\); \d+ neighbours, unresolved: [\d.]+ (INCOMPLETE|FAILED)/);
    const json = JSON.parse(run("--json", "fixtures/lab/neighbour-unreachable").stdout) as { net: { routes: unknown[]; neighbours: { state: string }[] } };
    expect(json.net.routes.length).toBeGreaterThan(0);
    expect(json.net.neighbours.some((n) => n.state === "INCOMPLETE" || n.state === "FAILED")).toBe(true);
  });

  it("exits 3 when no path is readable or nothing read is recognised, naming the file and why", () => {
    expect(run("/nonexistent/nskev").status).toBe(3);
    expect(run("/nonexistent/nskev", "fixtures/host/historic/uname-r-3.10.txt").status).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "nskev-cli-"));
    try {
      const empty = run(dir);
      expect([empty.status, empty.stderr]).toEqual([3, expect.stringContaining(`${dir}: no files in it; expected host files`)]);
      // A gzip stream whose first block is broken: said with its byte offset, as analyze says it of a capture.
      const good = gzipSync(Buffer.from("#kernel\nTcpExtListenDrops 3 0.0\n".repeat(50)));
      const broken = Buffer.from(good);
      broken.fill(0xff, 10, 30);
      writeFileSync(join(dir, "nstat.txt.gz"), broken);
      const corrupt = run(join(dir, "nstat.txt.gz"));
      expect(corrupt.status).toBe(3);
      expect(corrupt.stderr).toMatch(/nstat\.txt\.gz: byte offset 0: gzip data is corrupt at or within 64 KiB after this offset \(zlib: [^)]+\); expected host files/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
