import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { BundleInspection } from "../../lab/inspect.js";
import type { LabLabel } from "../../lab/scenario.js";

/**
 * What the real kernel (6.18.44) showed for each lab scenario: wire signature (tshark reading of the
 * server capture, and the client capture where there is one) and counter deltas of the server namespace.
 * Used for fresh runs (scenarios.test.ts, root) and for the committed fixtures (fixtures.test.ts).
 */
export interface Expectation {
  readonly label: LabLabel;
  check(b: BundleInspection, dir: string): void;
}

const d = (b: BundleInspection, name: string): number => b.deltas[name] ?? 0;

/** SYNs seen, none answered in any way, and the client retried. */
function silentDrop(b: BundleInspection): void {
  expect(b.server.attempts).toBeGreaterThan(0);
  expect(b.server.firstReply.none).toBe(b.server.attempts);
  expect(b.server.synacks).toBe(0);
}

function ruleText(dir: string): string {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { files: Array<{ path: string; kind: string; snapshot?: string }> };
  return manifest.files
    .filter((f) => /nft|iptables/.test(f.kind) && f.snapshot !== "before" && f.path.endsWith(".txt"))
    .map((f) => readFileSync(join(dir, f.path), "utf8"))
    .join("\n");
}

/** Text of the bundle's file of `kind` (the "after" one when there are two). */
function fileOfKind(dir: string, kind: string, snapshot: "before" | "after"): string {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { files: Array<{ path: string; kind: string; snapshot?: string }> };
  const file = manifest.files.find((f) => f.kind === kind && (f.snapshot === undefined || f.snapshot === snapshot));
  return file ? readFileSync(join(dir, file.path), "utf8") : "";
}

/** Recv-Q and Send-Q of the LISTEN line for the port, from the last `ss -ltn` of the bundle. */
export function listenQueues(dir: string, port: number): { recvQ: number; sendQ: number } | null {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { files: Array<{ path: string; kind: string; snapshot?: string }> };
  const file = manifest.files.find((f) => f.kind === "ss-ltn" && f.snapshot !== "before" && !f.path.includes("ltnm"));
  if (!file) return null;
  for (const line of readFileSync(join(dir, file.path), "utf8").split("\n")) {
    const cols = line.trim().split(/\s+/);
    if (cols[0] === "LISTEN" && cols[3]?.endsWith(`:${port}`)) return { recvQ: Number(cols[1]), sendQ: Number(cols[2]) };
  }
  return null;
}

const acceptQueue: Expectation = {
  label: "accept-queue-overflow",
  check(b, dir) {
    expect(d(b, "TcpExtListenOverflows")).toBeGreaterThan(0);
    expect(d(b, "TcpExtListenDrops")).toBe(d(b, "TcpExtListenOverflows"));
    expect(b.server.firstReply.none).toBeGreaterThan(0);
    expect(b.server.synRetransmits).toBeGreaterThan(0);
    const q = listenQueues(dir, b.port);
    expect(q).not.toBeNull();
    expect(q?.recvQ ?? 0).toBeGreaterThan(q?.sendQ ?? 0);
  },
};

const firewallDrop: Expectation = {
  label: "firewall-drop",
  check(b, dir) {
    silentDrop(b);
    expect(b.server.synRetransmits).toBeGreaterThan(0);
    expect(d(b, "TcpInSegs")).toBe(0);
    expect(ruleText(dir)).toMatch(/counter packets [1-9]|\[[1-9]\d*:\d+\] -A INPUT .*DROP/);
  },
};

const natTimewait: Expectation = {
  label: "timewait-paws",
  check(b) {
    expect(d(b, "TcpExtPAWSTimewait")).toBeGreaterThan(0);
    expect(b.server.firstReply.ack).toBeGreaterThan(0);
    expect(b.server.ackThenSynack).toBeGreaterThan(0);
    expect(b.server.clientRsts).toBeGreaterThan(0);
    expect(b.server.reusedTuples).toBeGreaterThan(0);
  },
};

const noListener: Expectation = {
  label: "no-listener",
  check(b) {
    expect(b.server.firstReply.rst).toBe(b.server.attempts);
    expect(d(b, "TcpOutRsts")).toBe(b.server.attempts);
  },
};

export const EXPECTATIONS: Record<string, Expectation> = {
  healthy: {
    label: "healthy",
    check(b) {
      expect(b.server.attempts).toBeGreaterThan(0);
      expect(b.server.firstReply.synack).toBe(b.server.attempts);
      expect(b.server.synRetransmits).toBe(0);
      expect(d(b, "TcpPassiveOpens")).toBe(b.server.attempts);
      for (const c of ["TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtTCPReqQFullDrop", "TcpExtPAWSTimewait", "TcpOutRsts"]) expect(d(b, c)).toBe(0);
    },
  },
  "accept-queue-overflow": acceptQueue,
  "accept-queue-somaxconn": acceptQueue,
  "accept-queue-abort": {
    label: "accept-queue-overflow",
    check(b) {
      expect(d(b, "TcpExtListenOverflows")).toBeGreaterThan(0);
      expect(d(b, "TcpExtEmbryonicRsts")).toBeGreaterThan(0);
      expect(d(b, "TcpOutRsts")).toBeGreaterThan(0);
      expect(b.server.serverRsts).toBeGreaterThan(0);
      expect(b.server.firstReply.synack).toBe(b.server.attempts);
    },
  },
  "syn-queue-overflow": {
    label: "syn-queue-overflow",
    check(b) {
      expect(d(b, "TcpExtTCPReqQFullDrop")).toBeGreaterThan(0);
      expect(d(b, "TcpExtListenDrops")).toBeGreaterThanOrEqual(d(b, "TcpExtTCPReqQFullDrop"));
      expect(d(b, "TcpExtListenOverflows")).toBe(0);
      expect(b.server.firstReply.none).toBeGreaterThan(0);
      expect(b.server.firstReply.synack).toBeGreaterThan(0);
    },
  },
  "syn-queue-three-quarters": {
    label: "syn-queue-overflow",
    check(b) {
      expect(d(b, "TcpExtListenDrops")).toBeGreaterThan(0);
      expect(d(b, "TcpExtTCPReqQFullDrop")).toBe(0);
      expect(d(b, "TcpExtListenOverflows")).toBe(0);
      expect(b.server.firstReply.none).toBeGreaterThan(0);
    },
  },
  "syn-flood-cookies": {
    label: "syn-flood-cookies",
    check(b) {
      expect(d(b, "TcpExtTCPReqQFullDoCookies")).toBeGreaterThan(0);
      expect(d(b, "TcpExtSyncookiesSent")).toBeGreaterThan(0);
      expect(d(b, "TcpExtTCPReqQFullDrop")).toBe(0);
      expect(b.server.firstReply.synack).toBe(b.server.attempts);
    },
  },
  "nat-timewait": natTimewait,
  "nat-timewait-multi": natTimewait,
  "nat-timewait-nots": {
    label: "timewait-paws",
    check(b) {
      expect(d(b, "TcpExtPAWSTimewait")).toBe(0);
      expect(d(b, "TcpExtPAWSEstab")).toBe(0);
      expect(b.server.synsWithTimestamp).toBe(0);
      expect(b.server.firstReply.ack).toBeGreaterThan(0);
      expect(b.server.ackThenSynack).toBeGreaterThan(0);
      expect(b.server.clientRsts).toBeGreaterThan(0);
    },
  },
  "firewall-drop-nft": firewallDrop,
  "firewall-drop-iptables": firewallDrop,
  "firewall-reject": {
    label: "firewall-drop",
    check(b, dir) {
      expect(b.server.firstReply.rst).toBe(b.server.attempts);
      // The RST comes from netfilter, not from TCP.
      expect(d(b, "TcpOutRsts")).toBe(0);
      expect(d(b, "TcpInSegs")).toBe(0);
      expect(ruleText(dir)).toMatch(/counter packets [1-9]\d* bytes \d+ reject/);
    },
  },
  "rp-filter": {
    label: "rp-filter",
    check(b) {
      silentDrop(b);
      expect(d(b, "TcpExtIPReversePathFilter")).toBeGreaterThan(0);
      expect(d(b, "TcpInSegs")).toBe(0);
    },
  },
  "conntrack-full": {
    label: "conntrack-full",
    check(b, dir) {
      silentDrop(b);
      expect(d(b, "TcpInSegs")).toBe(0);
      const stats = fileOfKind(dir, "conntrack-stats", "after");
      const drops = [...stats.matchAll(/\bdrop=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
      expect(drops).toBeGreaterThan(0);
      const sysctl = fileOfKind(dir, "sysctl", "after");
      const count = /nf_conntrack_count = (\d+)/.exec(sysctl)?.[1];
      const max = /nf_conntrack_max = (\d+)/.exec(sysctl)?.[1];
      expect(count).toBeDefined();
      expect(count).toBe(max);
    },
  },
  "no-listener": noListener,
  "no-listener-other-address": noListener,
  "synack-lost": {
    label: "synack-lost",
    check(b) {
      expect(b.server.synacks).toBeGreaterThan(b.server.attempts);
      expect(b.client).not.toBeNull();
      expect(b.client?.syns ?? 0).toBeGreaterThan(0);
      expect(b.client?.synacks).toBe(0);
      expect(d(b, "TcpExtTCPSynRetrans")).toBeGreaterThan(0);
    },
  },
  "no-return-route": {
    label: "no-return-route",
    check(b) {
      silentDrop(b);
      expect(d(b, "TcpExtListenDrops")).toBeGreaterThan(0);
      expect(d(b, "IpOutNoRoutes")).toBeGreaterThan(0);
      expect(d(b, "TcpExtListenOverflows")).toBe(0);
      expect(d(b, "TcpExtTCPReqQFullDrop")).toBe(0);
    },
  },
  "neighbour-unreachable": {
    label: "neighbour-unreachable",
    check(b) {
      silentDrop(b);
      expect(b.server.arpRequests).toBeGreaterThan(1);
      expect(d(b, "TcpExtTCPSynRetrans")).toBeGreaterThan(0);
    },
  },
  "tcp-md5": {
    label: "tcp-md5",
    check(b) {
      silentDrop(b);
      expect(d(b, "TcpExtTCPMD5NotFound")).toBeGreaterThan(0);
    },
  },
  "min-ttl": {
    label: "min-ttl",
    check(b) {
      silentDrop(b);
      expect(d(b, "TcpExtTCPMinTTLDrop")).toBeGreaterThan(0);
      expect(Math.max(...b.server.synTtls)).toBeLessThan(255);
    },
  },
  "bad-checksum": {
    label: "bad-checksum",
    check(b) {
      silentDrop(b);
      expect(b.server.badChecksums).toBe(b.server.syns);
      expect(d(b, "TcpInCsumErrors")).toBe(b.server.syns);
    },
  },
};
