import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { simulateBundle } from "./sim-capture.js";

const ROOT = join(import.meta.dirname, "..", "..");
const run = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "replay", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

describe("nosynack replay", () => {
  it("exits 2 naming the sysctl when the kernel does not have it (tw_recycle on 6.18)", () => {
    const result = run("fixtures/lab/nat-timewait/server.pcap", "--kernel", "6.18", "--sysctl", "net.ipv4.tcp_tw_recycle=1");
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("net.ipv4.tcp_tw_recycle");
  });

  it("exits 2 for a malformed --sysctl and 3 for an unreadable capture", () => {
    expect(run("fixtures/lab/healthy/server.pcap", "--sysctl", "tcp_tw_recycle").status).toBe(2);
    const set = run("fixtures/lab/healthy/server.pcap", "--set", "tcp_tw_recycle");
    expect([set.status, set.stderr]).toEqual([2, expect.stringContaining("--set tcp_tw_recycle: expected KEY=VALUE")]);
    expect(run("/nonexistent/replay.pcap").status).toBe(3);
    const backlog = run("fixtures/lab/healthy/server.pcap", "--backlog", "4294967296");
    expect([backlog.status, backlog.stderr]).toEqual([2, expect.stringContaining("--backlog 4294967296: expected an integer from 0 to 2147483647")]);
    // Replay skips IPv6 SYNs, so an IPv6 --server would have filtered nothing out.
    const v6 = run("fixtures/lab/healthy/server.pcap", "--server", "::1");
    expect([v6.status, v6.stderr]).toEqual([2, expect.stringContaining("--server ::1: expected an IPv4 address")]);
  });

  it("reads a simulated bundle (kernel, sysctls, listeners) and answers the what-if in --json", () => {
    const sim = simulateBundle("seed-lvs-tw-recycle", 3);
    const result = run(sim.bundle, "--sysctl", "net.ipv4.tcp_tw_recycle=0", "--json", "--rows", "5");
    expect(result.status).toBe(0);
    const doc = JSON.parse(result.stdout) as {
      kernel: string;
      observed: { unanswered: number };
      predicted: { unanswered: number; agreement: number; fixed: number };
      baseline: { unanswered: number; agreement: number; label: string };
      attempts: unknown[];
      answer: string;
    };
    expect(doc.kernel.startsWith("3.10")).toBe(true);
    expect(doc.observed.unanswered).toBe(sim.run.summary.unanswered);
    expect(doc.predicted.unanswered).toBe(0);
    expect(doc.predicted.fixed).toBe(doc.observed.unanswered);
    // The host files say tw_recycle=1: that baseline reproduces the capture.
    expect(doc.baseline.label).toBe("host settings");
    expect(doc.baseline.agreement).toBeGreaterThanOrEqual(0.98);
    expect(doc.attempts).toHaveLength(5);
    expect(doc.answer.length).toBeGreaterThan(0);
    // --set, as simulate spells it, is the same setting.
    const set = run(sim.bundle, "--set", "net.ipv4.tcp_tw_recycle=0", "--json", "--rows", "5");
    expect(set.stdout).toBe(result.stdout);
  });

  it("gives each differing attempt the reason of the run that reproduces it (why the capture shows it)", () => {
    const sim = simulateBundle("seed-lvs-tw-recycle", 3);
    const result = run(sim.bundle, "--sysctl", "net.ipv4.tcp_tw_recycle=0");
    expect(result.status).toBe(0);
    const lines = result.stdout.split("\n");
    const header = lines.findIndex((l) => l.includes("observed") && l.includes("reason"));
    const rows = lines.slice(header + 1).filter((l) => /^\s+\d+\.\d{3} /.test(l));
    expect(rows.length).toBeGreaterThan(0);
    // tw_recycle=0 answers them (predicted synack); the host's tw_recycle=1 reproduces the silence, and says why.
    for (const row of rows) expect(row.split(/\s+/).slice(3)).toEqual(["none", "synack", "none", "tw-recycle-paws"]);
  });

  it("prints the human report in 80 columns", () => {
    const result = run("fixtures/lab/accept-queue-overflow", "--backlog", "64");
    expect(result.status).toBe(0);
    const lines = result.stdout.split("\n");
    // The answer comes first, before the table.
    const answerAt = lines.findIndex((l) => l.startsWith("answer:"));
    expect(answerAt).toBeGreaterThan(0);
    expect(answerAt).toBeLessThan(lines.findIndex((l) => l.includes("observed")));
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
  });
});
