import { describe, expect, it } from "vitest";
import type { SourceSummary } from "../../src/handshakes/analysis-types.js";
import { renderAnalyzeText } from "../../src/report/analyze-text.js";
import { silent, summary } from "../diagnose/builders.js";

function source(addr: string, attempts: number, unanswered: number): SourceSummary {
  return { addr, attempts, unanswered, tsvalRegressions: 0, tsClocks: attempts, tsRegime: "per-connection", tsRateHz: 1000, tsSamples: attempts };
}

describe("analyze summary text", () => {
  it("says a per-connection TSval regime may be a flood tool's random TSvals only for a source never answered", () => {
    const text = renderAnalyzeText(summary(silent(8), { sources: [source("10.1.2.3", 5, 5), source("198.18.1.254", 6, 2)] }));
    const line = (addr: string): string => text.split("\n").find((l) => l.startsWith(`  ${addr}: `)) ?? "";
    expect(line("10.1.2.3")).toContain("5 TSval clocks in 5 SYNs — a fresh offset per connection");
    expect(line("10.1.2.3")).toContain("or a flood tool's random TSvals (no attempt was answered)");
    expect(line("198.18.1.254")).toContain("a fresh offset per connection");
    expect(line("198.18.1.254")).not.toContain("flood tool");
  });

  it("names many per-connection sources in one line, and says how many were never answered", () => {
    const spoofed = Array.from({ length: 1200 }, (_, i) => source(`10.0.${i >> 8}.${i & 255}`, 4, 4));
    const flood = renderAnalyzeText(summary(silent(8), { sources: spoofed }));
    const section = flood.slice(flood.indexOf("Timestamps"));
    expect(section.split("\n").filter((l) => l.startsWith("  "))).toEqual([
      "  1,200 sources (10.0.0.0, 10.0.0.1, 10.0.0.2, …) — a fresh offset per connection (4.10, or 2026+ kernels), or a flood tool's random TSvals (none of them was answered)",
    ]);
    const mixed = renderAnalyzeText(summary(silent(8), { sources: [source("198.18.1.1", 6, 0), source("198.18.1.2", 6, 6), source("198.18.1.3", 6, 1)] }));
    expect(mixed).toContain("  3 sources (198.18.1.1, 198.18.1.2, 198.18.1.3) — a fresh offset per connection (4.10, or 2026+ kernels); 1 of them was never answered (a flood tool's random TSvals look the same)");
  });

  it("says how many source addresses there were in all when only the first ones were followed", () => {
    const sources = [source("10.1.2.3", 5, 5), source("10.1.2.4", 5, 5)];
    const exact = renderAnalyzeText(summary(silent(8), { sources, sourceAddresses: { count: 2, estimated: false } }));
    expect(exact).toMatch(/^Sources$/m);
    const estimated = renderAnalyzeText(summary(silent(8), { sources, sourceAddresses: { count: 3_609_365, estimated: true } }));
    expect(estimated).toContain("Sources (worst 5 of the first 2; about 3,609,365 addresses in all)");
  });
});
