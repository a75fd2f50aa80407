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

  it("says how many source addresses there were in all when only the first ones were followed", () => {
    const sources = [source("10.1.2.3", 5, 5), source("10.1.2.4", 5, 5)];
    const exact = renderAnalyzeText(summary(silent(8), { sources, sourceAddresses: { count: 2, estimated: false } }));
    expect(exact).toMatch(/^Sources$/m);
    const estimated = renderAnalyzeText(summary(silent(8), { sources, sourceAddresses: { count: 3_609_365, estimated: true } }));
    expect(estimated).toContain("Sources (worst 5 of the first 2; about 3,609,365 addresses in all)");
  });
});
