import { describe, expect, it } from "vitest";
import { sizeNote } from "../../src/cli/commands/simulate.js";

describe("simulate's note before a long run", () => {
  it("says nothing for the usual runs and the time and capture size for large ones", () => {
    expect(sizeNote(1_999_999, 100, true)).toBeNull();
    expect(sizeNote(20_000_000, 2000, false)).toBe("about 20.0 M attempts: 1.1–3.3 min of CPU");
    expect(sizeNote(20_000_000, 2000, true)).toBe("about 20.0 M attempts: 1.1–3.3 min of CPU; the capture will take about 12.0 GB");
    // Past 20 000 hosts a run is up to five times slower.
    expect(sizeNote(20_000_000, 100_000, false)).toBe("about 20.0 M attempts: 1.1–17 min of CPU");
  });
});
