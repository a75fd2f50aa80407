/** `nosynack diagnose`: contract JSON, exit codes, the terminal report's layout. */
import { spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const LAB = join(ROOT, "fixtures", "lab");
const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "diagnose", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
const work = mkdtempSync(join(tmpdir(), "nosynack-diag-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("nosynack diagnose", () => {
  it("prints one JSON document with the contract's fields and exits 1 for a cause", () => {
    const result = run("--json", join(LAB, "accept-queue-overflow"));
    expect(result.status).toBe(1);
    const doc = JSON.parse(result.stdout) as Record<string, unknown> & { findings: Array<Record<string, unknown>>; inputs: Array<Record<string, unknown>> };
    expect(doc.verdict).toBe("accept-queue-overflow");
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(["verdict", "findings", "capture", "inputs"]));
    const first = doc.findings[0] ?? {};
    expect(Object.keys(first)).toEqual(expect.arrayContaining(["code", "kind", "confidence", "summary", "evidence", "fix"]));
    expect((first.evidence as Array<Record<string, unknown>>).every((e) => typeof e.source === "string" && typeof e.detail === "string")).toBe(true);
    expect((first.fix as Array<Record<string, unknown>>).every((f) => "command" in f && "persist" in f && "note" in f)).toBe(true);
    expect(doc.inputs.some((i) => i.kind === "pcap")).toBe(true);
    expect((doc.capture as { handshakes: unknown } | null)?.handshakes).toBeDefined();
  });

  it("says so and exits 2 when stdout cannot be written (a full disk behind `>`), without a stack trace", () => {
    const full = openSync("/dev/full", "w");
    try {
      const result = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "diagnose", join(LAB, "nat-timewait")], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", full, "pipe"] });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain("nosynack: cannot write stdout (ENOSPC)");
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      closeSync(full);
    }
  });

  it("exits 0 for healthy", () => {
    expect(run(join(LAB, "healthy")).status).toBe(0);
  });

  it("exits 1 for unknown and prints the commands to collect what is missing", () => {
    const result = run(join(LAB, "firewall-drop-nft", "server.pcap"));
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^Verdict: unknown/);
    expect(result.stdout).toContain("nosynack collect");
  });

  it("exits 3 for an unreadable path and for a damaged capture", () => {
    expect(run("/nonexistent/nosynack-diag").status).toBe(3);
    const bad = join(work, "bad.pcap");
    // pcap magic with an impossible major version (99)
    writeFileSync(bad, Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 99, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]));
    const result = run(bad);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain("bad.pcap");
  });

  it("exits 2 for a bad --kernel", () => {
    expect(run("--kernel", "banana", join(LAB, "healthy")).status).toBe(2);
  });

  it("refuses a report path that is an input or the other report, before writing anything", () => {
    const capture = join(work, "server.pcap");
    writeFileSync(capture, readFileSync(join(LAB, "healthy", "server.pcap")));
    const overInput = run(capture, "--html", capture);
    expect(overInput.status).toBe(2);
    expect(overInput.stderr).toContain(`--html ${capture}: the same file as the input ${capture}`);
    expect(readFileSync(capture).equals(readFileSync(join(LAB, "healthy", "server.pcap")))).toBe(true);
    const report = join(work, "report.out");
    const twice = run(capture, "--html", report, "--markdown", report);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toContain(`--markdown ${report}: the same file as --html ${report}`);
    expect(existsSync(report)).toBe(false);
  });

  it("puts the verdict first, then evidence, then fix; 80 columns; no colour without a TTY", () => {
    const result = run(join(LAB, "nat-timewait"));
    const out = result.stdout;
    expect(out.split("\n")[0]).toMatch(/^Verdict: timewait-paws \(\d+%\)/);
    const order = ["Verdict:", "Evidence", "Fix"].map((h) => out.indexOf(h));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(out.split("\n").filter((l) => l.length > 80)).toEqual([]);
    expect(out).not.toContain("\u001b[");
  });
});
