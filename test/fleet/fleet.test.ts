import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CAUSE_CODES, RISK_CODES } from "../../src/diagnose/index.js";
import type { HostEvidence } from "../../src/evidence/types.js";
import type { FleetHost } from "../../src/fleet/host-evidence.js";
import { ALERTS, alertName, alertRulesYaml, FLEET_COUNTERS, netstatFieldsPattern, netstatMetric, nodeExporterFlags, parseDuration, parseInstant, parseMatcher } from "../../src/fleet/index.js";
import { NODE_EXPORTER_DEFAULT_FIELDS, splitCounter } from "../../src/fleet/metrics.js";
import { rankFleet } from "../../src/fleet/rank.js";
import { isCounterName } from "../../src/kernel/index.js";
import { renderFleetText } from "../../src/report/fleet-text.js";
import { PLAIN } from "../../src/report/text-format.js";
import { UsageError } from "../../src/util/errors.js";

const SRC = join(import.meta.dirname, "..", "..", "src");

/** node_exporter's key for a counter: "TcpExtListenDrops" → "TcpExt_ListenDrops". */
function fieldKey(counter: string): string {
  return splitCounter(counter).join("_");
}

describe("fleet metrics", () => {
  it("maps nstat names onto node_exporter's", () => {
    expect(netstatMetric("TcpExtListenDrops")).toBe("node_netstat_TcpExt_ListenDrops");
    expect(netstatMetric("TcpInCsumErrors")).toBe("node_netstat_Tcp_InCsumErrors");
    expect(netstatMetric("IpOutNoRoutes")).toBe("node_netstat_Ip_OutNoRoutes");
    expect(() => netstatMetric("ListenDrops")).toThrow(RangeError);
  });

  it("reads counters in nstat spelling, among them every counter the diagnosis rules read", () => {
    for (const name of FLEET_COUNTERS) expect(netstatMetric(name), name).toMatch(/^node_netstat_(Tcp|TcpExt|Ip)_[A-Z][A-Za-z0-9]+$/);
    const files = [join(SRC, "diagnose", "engine.ts"), ...readdirSync(join(SRC, "diagnose", "rules")).map((f) => join(SRC, "diagnose", "rules", f))];
    const read = new Set<string>();
    for (const file of files) for (const [, name] of readFileSync(file, "utf8").matchAll(/"((?:Tcp|TcpExt|Ip|IpExt)[A-Z][A-Za-z0-9]+)"/g)) if (name && isCounterName(name)) read.add(name);
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((name) => !FLEET_COUNTERS.includes(name))).toEqual([]);
  });

  it("the netstat field pattern admits every fleet counter and everything the default admitted, nothing else", () => {
    const pattern = new RegExp(netstatFieldsPattern());
    const defaults = new RegExp(NODE_EXPORTER_DEFAULT_FIELDS);
    for (const name of FLEET_COUNTERS) expect(pattern.test(fieldKey(name)), name).toBe(true);
    for (const key of ["Tcp_CurrEstab", "TcpExt_ListenOverflows", "Udp_InDatagrams", "Ip6_InOctets", "Icmp_InErrors"]) {
      expect(defaults.test(key)).toBe(true);
      expect(pattern.test(key), key).toBe(true);
    }
    for (const key of ["TcpExt_TCPHPHits", "Tcp_MaxConn", "TcpExt_TWKilled"]) expect(pattern.test(key), key).toBe(false);
    expect(nodeExporterFlags()[0]).toBe(`--collector.netstat.fields=${netstatFieldsPattern()}`);
  });

  it("label matchers become PromQL matchers with the value quoted", () => {
    expect(parseMatcher("job=node")).toBe('job="node"');
    expect(parseMatcher('env=~"prod|stage"')).toBe('env=~"prod|stage"');
    expect(parseMatcher("instance!=db1:9100")).toBe('instance!="db1:9100"');
    expect(parseMatcher('dc!~a"b')).toBe('dc!~"a\\"b"');
    for (const bad of ["job", "=node", "1job=node", "job node"]) expect(() => parseMatcher(bad), bad).toThrow(UsageError);
  });

  it("--at takes RFC 3339 or Unix seconds", () => {
    expect(parseInstant("2026-01-01T03:00:00Z").toISOString()).toBe("2026-01-01T03:00:00.000Z");
    expect(parseInstant("2026-01-01T04:00:00+01:00").toISOString()).toBe("2026-01-01T03:00:00.000Z");
    expect(parseInstant("1767236400").toISOString()).toBe("2026-01-01T03:00:00.000Z");
    for (const bad of ["yesterday", "2026-01-01", "2026-13-01T00:00:00Z", "-5", ""]) expect(() => parseInstant(bad), bad).toThrow(UsageError);
  });

  it("durations are Prometheus durations; zero only where allowed", () => {
    for (const ok of ["15m", "1h30m", "90s", "500ms", "2d"]) expect(parseDuration(ok, "--window")).toBe(ok);
    for (const bad of ["15", "m", "-5m", "1.5h", "15 m", "0m", ""]) expect(() => parseDuration(bad, "--window"), bad).toThrow(UsageError);
    expect(parseDuration("0s", "--for", true)).toBe("0s");
  });
});

describe("fleet rules", () => {
  const yaml = alertRulesYaml("10m", "2m");

  it("has one alert per finding code, each a cause or risk of causes.md", () => {
    const doc = parse(yaml) as { groups: { name: string; rules: { alert: string; expr: string; for: string; labels: Record<string, string> }[] }[] };
    const rules = doc.groups[0]?.rules ?? [];
    expect(rules.map((r) => r.alert)).toEqual(ALERTS.map((a) => alertName(a.code)));
    const codes: readonly string[] = [...CAUSE_CODES, ...RISK_CODES];
    for (const r of rules) {
      expect(codes).toContain(r.labels["nosynack_code"]);
      expect(r.for).toBe("2m");
      expect(r.expr).not.toContain("[15m]");
    }
    expect(alertName("accept-queue-overflow")).toBe("NosynackAcceptQueueOverflow");
  });

  it("every netstat metric an alert reads is exported under the flags it prints", () => {
    const pattern = new RegExp(netstatFieldsPattern());
    const metrics = [...yaml.matchAll(/node_netstat_([A-Za-z0-9]+_[A-Za-z0-9]+)/g)].map((m) => m[1] ?? "");
    expect(metrics.length).toBeGreaterThan(10);
    for (const key of metrics) expect(pattern.test(key), key).toBe(true);
    for (const flag of nodeExporterFlags()) expect(yaml).toContain(`'${flag}'`);
  });

  it.skipIf(!hasPromtool())("promtool accepts the rule file", () => {
    const dir = mkdtempSync(join(tmpdir(), "nosynack-rules-"));
    try {
      writeFileSync(join(dir, "rules.yml"), yaml);
      expect(execFileSync("promtool", ["check", "rules", join(dir, "rules.yml")], { encoding: "utf8" })).toContain(`SUCCESS: ${ALERTS.length} rules found`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function hasPromtool(): boolean {
  try {
    execFileSync("promtool", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function host(instance: string, counters: Record<string, [number, number]>, missingCounters: string[] = []): FleetHost {
  const evidence: HostEvidence = {
    kernel: "5.15.0",
    kernelVersion: { major: 5, minor: 15, patch: 0 },
    counters: Object.fromEntries(Object.entries(counters).map(([name, [value, delta]]) => [name, { value, delta }])),
    sysctl: {},
    listeners: [],
    socketStates: {},
    socketStatesByPort: {},
    socketSummary: null,
    conntrack: null,
    firewall: [],
    logEvents: [],
    net: null,
    files: [],
    issues: [],
  };
  return { instance, up: true, evidence, missingCounters };
}

describe("fleet ranking", () => {
  /** Every counter counters-not-exported looks for is there: a host with nothing to report. */
  const quietCounters: Record<string, [number, number]> = {
    TcpExtListenDrops: [0, 0],
    TcpExtListenOverflows: [0, 0],
    TcpExtTCPReqQFullDrop: [0, 0],
    TcpExtIPReversePathFilter: [0, 0],
    TcpInCsumErrors: [0, 0],
    TcpOutRsts: [2, 0],
    TcpInSegs: [900, 40],
  };

  it("puts hosts with a cause first (by confidence, then drops), quiet ones last", () => {
    const report = rankFleet(
      [
        host("a:9100", quietCounters),
        host("b:9100", { ...quietCounters, TcpExtListenDrops: [7, 7], TcpExtListenOverflows: [7, 7] }),
        host("c:9100", { ...quietCounters, TcpExtListenDrops: [70, 70], TcpExtListenOverflows: [70, 70] }),
        host("d:9100", { ...quietCounters, TcpExtListenDrops: [5, 5], TcpExtTCPReqQFullDrop: [5, 5] }),
      ],
      { prometheus: "http://p:9090", window: "15m", matchers: [], evaluatedAt: "2026-11-25T00:00:00.000Z" },
    );
    const order = report.hosts.map((h) => `${h.instance} ${h.verdict} ${h.dropped}`);
    expect(order[3]).toBe("a:9100 unknown 0");
    expect(order.slice(0, 3).sort()).toEqual(["b:9100 accept-queue-overflow 7", "c:9100 accept-queue-overflow 70", "d:9100 syn-queue-overflow 5"]);
    // Within the hosts with a cause: confidence never rises down the list, and at equal confidence neither do drops.
    for (let i = 1; i < 3; i++) {
      const [before, after] = [report.hosts[i - 1], report.hosts[i]];
      if (!before || !after) throw new Error("four hosts expected");
      expect(after.confidence).toBeLessThanOrEqual(before.confidence);
      if (after.confidence === before.confidence) expect(after.dropped).toBeLessThanOrEqual(before.dropped);
    }
  });

  it("lists every host with findings but only the first quiet ones in the text", () => {
    const hosts = Array.from({ length: 25 }, (_, i) => host(`q${String(i).padStart(2, "0")}:9100`, quietCounters));
    hosts.push(host("bad:9100", { ...quietCounters, TcpExtListenDrops: [3, 3], TcpExtListenOverflows: [3, 3] }));
    const text = renderFleetText(rankFleet(hosts, { prometheus: "http://p:9090", window: "15m", matchers: ['job="node"'], evaluatedAt: "2026-11-25T00:00:00.000Z" }), PLAIN);
    const rows = text.split("\n").filter((line) => /^ {2}(q\d\d|bad):9100/.test(line));
    expect(rows.map((r) => r.trim().split(/\s+/)[0])).toEqual(["bad:9100", ...Array.from({ length: 10 }, (_, i) => `q${String(i).padStart(2, "0")}:9100`)]);
    expect(text).toContain("  … 15 more hosts with nothing to report (--json lists all)");
    expect(text.split("\n")[0]).toBe('26 hosts from http://p:9090 {job="node"}, counters over 15m up to 2026-11-25T00:00:00.000Z');
  });

  it("says so when Prometheus knows no node_exporter target", () => {
    const text = renderFleetText(rankFleet([], { prometheus: "http://p:9090", window: "15m", matchers: [], evaluatedAt: "2026-11-25T00:00:00.000Z" }), PLAIN);
    expect(text).toContain("0 hosts from http://p:9090");
    expect(text).toContain("No node_exporter target (node_uname_info) in this Prometheus over the window.");
  });
});
