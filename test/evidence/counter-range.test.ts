/**
 * Counter values that are not unsigned 64-bit integers (negative, more than 20 digits, above 2^64 − 1) are issues
 * naming file and line, and the counter is left out; big legitimate u64 values, nstat's rate column and the one
 * signed /proc field (Tcp MaxConn, -1) are kept.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadEvidence, type HostEvidence } from "../../src/evidence/index.js";

const LAB = join(import.meta.dirname, "..", "..", "fixtures", "lab", "healthy");
const work = mkdtempSync(join(tmpdir(), "nosynack-counter-range-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const U64_MAX = "18446744073709551615";
const ABOVE_U64 = "18446744073709551616";
const HUGE = "9".repeat(10_000_000);
const EXPECTED = "an unsigned 64-bit counter";

async function load(name: string, text: string): Promise<{ path: string; evidence: HostEvidence }> {
  const path = join(work, name);
  writeFileSync(path, text);
  return { path, evidence: await loadEvidence([path]) };
}

function issueAt(evidence: HostEvidence, path: string, line: number | null): string[] {
  return evidence.issues.filter((i) => i.path === path && i.line === line).map((i) => i.message);
}

/** Each counter named at its line has exactly one issue saying what a counter must be, and was left out. */
function expectSkipped(evidence: HostEvidence, path: string, skipped: ReadonlyArray<readonly [number, string]>): void {
  for (const [line, name] of skipped) {
    const messages = issueAt(evidence, path, line);
    expect(messages, `line ${line}`).toHaveLength(1);
    expect(messages[0]).toContain(EXPECTED);
    expect(messages[0]).toContain(name);
    expect(messages[0]?.length).toBeLessThan(300); // a 10-million-digit value is not repeated in full
    expect(evidence.counters[name]).toBeUndefined();
  }
}

describe("counter values outside u64", () => {
  it("nstat: negative, 21-digit, > 2^64−1 and 10-million-digit values are issues and skipped; big u64 values and rates kept", async () => {
    const { path, evidence } = await load(
      "nstat.txt",
      [
        "#kernel",
        "IpInReceives                    24                 0.0",
        "TcpExtListenOverflows           -5                 0.0",
        `TcpExtListenDrops               ${ABOVE_U64}       0.0`,
        `TcpExtTW                        ${HUGE}            0.0`,
        `TcpInSegs                       1${U64_MAX}        0.0`,
        `TcpOutSegs                      ${U64_MAX}         12.5`,
        "TcpActiveOpens                  9007199254740993   0.0",
        "TcpPassiveOpens                 7                  3.5",
        "",
      ].join("\n"),
    );
    expect(evidence.files).toHaveLength(1);
    expect(evidence.files[0]?.kind).toBe("nstat");
    expectSkipped(evidence, path, [
      [3, "TcpExtListenOverflows"],
      [4, "TcpExtListenDrops"],
      [5, "TcpExtTW"],
      [6, "TcpInSegs"],
    ]);
    // 2^64 − 1 and 2^53 + 1 are real counters: kept as the nearest Number.
    expect(evidence.counters.TcpOutSegs?.value).toBe(Number(U64_MAX));
    expect(evidence.counters.TcpActiveOpens?.value).toBe(Number("9007199254740993")); // 2^53 + 1: kept, as the nearest Number
    expect(evidence.counters.TcpPassiveOpens?.value).toBe(7);
    expect(evidence.counters.IpInReceives?.value).toBe(24);
    expect(evidence.issues).toHaveLength(4);
  });

  it("nstat -j: negative, fractional and out-of-range values are issues naming the line; 2^64−1 kept", async () => {
    const { path, evidence } = await load(
      "nstat.json",
      `{"kernel":{\n"IpInReceives":45,\n"TcpExtListenOverflows":-3,\n"TcpExtListenDrops":1.5,\n"TcpExtTW":1e30,\n"TcpOutSegs":${U64_MAX}\n}}\n`,
    );
    expect(evidence.files[0]?.kind).toBe("nstat-json");
    expectSkipped(evidence, path, [
      [3, "TcpExtListenOverflows"],
      [4, "TcpExtListenDrops"],
      [5, "TcpExtTW"],
    ]);
    expect(evidence.counters.TcpOutSegs?.value).toBe(Number(U64_MAX));
    expect(evidence.counters.IpInReceives?.value).toBe(45);
  });

  it("netstat -s: bad `Name: n` and worded values are issues naming the line; a big worded value is kept", async () => {
    const { path, evidence } = await load(
      "netstat-s.txt",
      [
        "Ip:",
        "    Forwarding: 2",
        "    24 total packets received",
        "    OutTransmits: -24",
        "Tcp:",
        `    ${HUGE} active connection openings`,
        `    ${U64_MAX} passive connection openings`,
        `    InCsumErrors: ${ABOVE_U64}`,
        "TcpExt:",
        "    -7 times the listen queue of a socket overflowed",
        "",
      ].join("\n"),
    );
    expect(evidence.files[0]?.kind).toBe("netstat-s");
    expectSkipped(evidence, path, [
      [4, "IpOutTransmits"],
      [6, "TcpActiveOpens"],
      [8, "TcpInCsumErrors"],
      [10, "TcpExtListenOverflows"],
    ]);
    expect(evidence.counters.TcpPassiveOpens?.value).toBe(Number(U64_MAX));
    expect(evidence.counters.IpInReceives?.value).toBe(24);
    expect(evidence.counters.IpForwarding?.value).toBe(2);
  });

  it("/proc/net/snmp: Tcp MaxConn -1 is kept (the kernel prints it signed); other negative or huge values are issues", async () => {
    const real = readFileSync(join(LAB, "proc-net-snmp-after.txt"), "utf8");
    const clean = await load("proc-net-snmp.txt", real);
    expect(clean.evidence.files[0]?.kind).toBe("proc-snmp");
    expect(clean.evidence.issues).toEqual([]);
    expect(clean.evidence.counters.TcpMaxConn?.value).toBe(-1);
    expect(clean.evidence.counters.TcpRtoAlgorithm?.value).toBe(1);

    // Ip: Forwarding DefaultTTL InReceives …: InReceives negative, InHdrErrors above 2^64 − 1.
    const lines = real.split("\n");
    const ipValues = (lines[1] ?? "").split(" ");
    ipValues[3] = "-3";
    ipValues[4] = HUGE;
    lines[1] = ipValues.join(" ");
    const bad = await load("proc-net-snmp-bad.txt", lines.join("\n"));
    const messages = issueAt(bad.evidence, bad.path, 2);
    expect(messages).toHaveLength(2);
    expect(messages.every((m) => m.includes(EXPECTED))).toBe(true);
    expect(messages.join(" ")).toContain("IpInReceives");
    expect(messages.join(" ")).toContain("IpInHdrErrors");
    expect(bad.evidence.counters.IpInReceives).toBeUndefined();
    expect(bad.evidence.counters.IpInHdrErrors).toBeUndefined();
    expect(bad.evidence.counters.IpDefaultTTL?.value).toBe(64);
    expect(bad.evidence.counters.TcpMaxConn?.value).toBe(-1);
  });

  it("/proc/net/netstat: a negative TcpExt value is an issue on the values line", async () => {
    const real = readFileSync(join(LAB, "proc-net-netstat-after.txt"), "utf8");
    const lines = real.split("\n");
    const values = (lines[1] ?? "").split(" ");
    values[1] = "-1"; // SyncookiesSent
    values[2] = ABOVE_U64; // SyncookiesRecv
    lines[1] = values.join(" ");
    const { path, evidence } = await load("proc-net-netstat.txt", lines.join("\n"));
    expect(evidence.files[0]?.kind).toBe("proc-netstat");
    const messages = issueAt(evidence, path, 2);
    expect(messages).toHaveLength(2);
    expect(messages.every((m) => m.includes(EXPECTED))).toBe(true);
    expect(evidence.counters.TcpExtSyncookiesSent).toBeUndefined();
    expect(evidence.counters.TcpExtSyncookiesRecv).toBeUndefined();
    expect(evidence.counters.TcpExtSyncookiesFailed?.value).toBe(0);
  });
});
