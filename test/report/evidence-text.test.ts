import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildEvidence, readEvidenceInputs, SYN_PATH_COUNTERS } from "../../src/evidence/index.js";
import { renderEvidenceText } from "../../src/report/evidence-text.js";
import { grouped } from "../../src/util/number-text.js";

/** A bundle the namespace lab recorded on the real kernel (fixtures/lab, `npm run fixtures:lab`). */
const BUNDLE = join(import.meta.dirname, "..", "..", "fixtures", "lab", "accept-queue-overflow");

describe("evidence text", () => {
  it("lists the SYN-path counters that moved first, with value and delta as the evidence has them", async () => {
    const evidence = buildEvidence(await readEvidenceInputs([BUNDLE]));
    const text = renderEvidenceText(evidence);
    const lines = text.split("\n");
    const moved = Object.entries(evidence.counters).filter(([, c]) => c.delta !== null && c.delta !== 0);
    expect(lines).toContain(`Counters that moved (after − before): ${moved.length}`);
    const synPath = moved.filter(([name]) => SYN_PATH_COUNTERS.includes(name));
    expect(synPath.map(([name]) => name)).toContain("TcpExtListenOverflows");
    for (const [name, c] of synPath) {
      const line = lines.find((l) => l.trimStart().startsWith(`${name} `));
      expect(line, name).toMatch(new RegExp(`^ {2}${name} +${grouped(c.value)} {2}\\(\\+${grouped(c.delta ?? 0)}\\) {2}SYN path$`));
    }
    // SYN-path lines come before the others.
    const first = lines.findIndex((l) => l.startsWith("Counters that moved"));
    expect(lines.slice(first + 1, first + 1 + synPath.length).every((l) => l.endsWith("SYN path"))).toBe(true);
    // Thousands are grouped: some counter of this bundle passed 1,000.
    const large = moved.find(([, c]) => c.value >= 1000);
    if (!large) throw new Error("the bundle has no counter at 1,000 or more");
    expect(text).toContain(grouped(large[1].value));
    expect(grouped(large[1].value)).toContain(",");

    const full = evidence.listeners.filter((l) => l.sendQ !== null && l.recvQ > l.sendQ);
    expect(full.length).toBeGreaterThan(0);
    for (const l of full) expect(lines.find((line) => line.trimStart().startsWith(l.local))).toContain("ACCEPT QUEUE FULL (Recv-Q > Send-Q)");
    expect(lines).toContain(`Files: ${evidence.files.length} read, ${evidence.files.filter((f) => f.kind === null).length} not recognised`);
  });

  it("with one snapshot, shows the SYN-path counters that are not zero", async () => {
    const evidence = buildEvidence(await readEvidenceInputs([join(BUNDLE, "nstat-after.txt")]));
    const text = renderEvidenceText(evidence);
    expect(text).toContain("Counters (one snapshot, no deltas): SYN-path counters that are not zero");
    const shown = SYN_PATH_COUNTERS.filter((name) => (evidence.counters[name]?.value ?? 0) !== 0);
    expect(shown).toContain("TcpExtListenOverflows");
    for (const name of shown) expect(text).toMatch(new RegExp(`\\n {2}${name} +${grouped(evidence.counters[name]?.value ?? 0)}\\n`));
    expect(text).toContain(`${grouped(Object.keys(evidence.counters).length)} counters in total (see --json)`);
  });
});
