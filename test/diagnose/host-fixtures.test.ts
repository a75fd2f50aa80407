/** Host fixtures: the real 6.18 bundle (accept-queue overflow, taken by scripts/host-fixtures.ts) and the historic 3.10 files. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { diagnosePaths } from "../../src/diagnose/index.js";

const HOST = join(import.meta.dirname, "..", "..", "fixtures", "host");

describe("diagnose on host fixtures", () => {
  it("6.18 bundle: accept-queue overflow from counter deltas and ss, kernel from uname", async () => {
    const d = await diagnosePaths([join(HOST, "6.18", "bundle")]);
    expect(d.verdict).toBe("accept-queue-overflow");
    expect(d.confidence).toBeGreaterThanOrEqual(0.9);
    expect(d.kernel).toMatchObject({ source: "evidence", profile: "6.18" });
    const counters = d.findings[0]?.evidence.filter((e) => e.source === "counter") ?? [];
    expect(counters.some((e) => e.source === "counter" && e.counter === "TcpExtListenOverflows" && (e.delta ?? 0) > 0 && e.before !== null)).toBe(true);
    expect(d.findings[0]?.evidence.some((e) => e.source === "socket" && e.recvQ !== null && e.sendQ !== null && e.recvQ > e.sendQ)).toBe(true);
  });

  it("historic 3.10 files: tw-recycle-paws from PAWSPassive since boot and tcp_tw_recycle=1", async () => {
    const d = await diagnosePaths([join(HOST, "historic")]);
    expect(d.verdict).toBe("tw-recycle-paws");
    expect(d.kernel.profile).toBe("3.10");
    expect(d.evidence.counterDeltas).toBe(false);
    // One snapshot: totals since boot weigh less than deltas.
    expect(d.confidence).toBeLessThan(0.9);
    expect(d.findings.some((f) => f.code === "tw-recycle-enabled")).toBe(true);
  });

  it("the same 3.10 files read as a 4.12 kernel never blame tw_recycle", async () => {
    const d = await diagnosePaths([join(HOST, "historic")], { kernel: "4.12.0" });
    expect(d.findings.some((f) => f.code === "tw-recycle-paws" || f.code === "tw-recycle-enabled")).toBe(false);
    expect(d.kernel.source).toBe("flag");
  });
});
