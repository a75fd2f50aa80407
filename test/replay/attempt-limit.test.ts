import { describe, expect, it } from "vitest";
import { extractCapture } from "../../src/replay/index.js";
import { runCli } from "../helpers/tools.js";
import { simulateBundle } from "./sim-capture.js";

describe("replay's attempt limit (bounded memory on large captures)", () => {
  const sim = simulateBundle("healthy", 3);

  it("cuts the capture before the SYN of the attempt past the limit, as if the capture ended there", async () => {
    const full = (await extractCapture([sim.pcap])).extraction;
    expect(full.attempts.length).toBeGreaterThan(20);
    expect(full.warnings.join("\n")).not.toContain("replay stopped");
    const limit = Math.floor(full.attempts.length / 2);
    const cut = (await extractCapture([sim.pcap], { maxAttempts: limit })).extraction;
    expect(cut.attempts.length).toBe(limit);
    expect(cut.attempts.map((a) => a.isn)).toEqual(full.attempts.slice(0, limit).map((a) => a.isn));
    const cutMs = (full.attempts[limit] as { firstSynMs: number }).firstSynMs;
    expect(cut.endMs).toBeCloseTo(cutMs, 6);
    expect([...cut.events].every((ev) => ev.atMs < cutMs)).toBe(true);
    // Every event before the cut is kept.
    expect(cut.events.length).toBe([...full.events].filter((ev) => ev.atMs < cutMs).length);
    expect(cut.packets).toBe(full.packets);
    expect(cut.warnings.join("\n")).toMatch(new RegExp(`replay stopped at ${limit} attempts: the capture was replayed up to packet \\d+ \\([\\d.]+ s in\\)`));
  });
});

describe("replay --max-attempts", () => {
  it("says in the report where the capture was cut, and refuses a limit below 1", () => {
    const sim = simulateBundle("healthy", 4);
    const r = runCli(["replay", sim.pcap, "--max-attempts", "5", "--json"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { observed: { attempts: number }; warnings: string[] };
    expect(report.observed.attempts).toBe(5);
    expect(report.warnings.join("\n")).toContain("replay stopped at 5 attempts");
    const bad = runCli(["replay", sim.pcap, "--max-attempts", "0"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max-attempts 0: expected an integer ≥ 1");
  });
});
