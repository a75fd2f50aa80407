import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleManifestSchema, loadEvidence, type HostEvidence } from "../../src/evidence/index.js";
import { labUnavailable } from "../lab-guard.js";
import { createLab, inNs, runClients, startServer, waitForLine, type Lab } from "./ns-helpers.js";

const ROOT = join(import.meta.dirname, "..", "..");
const PORT = 8080;

/** What "the host" means for the never-changes test: the namespace's net.* sysctls and its firewall. */
function hostState(ns: string): { sysctl: string; nft: string; iptables: string } {
  const sysctl = inNs(ns, "sysctl", ["-a"])
    .split("\n")
    .filter((line) => line.startsWith("net.") && !/nf_conntrack_count/.test(line))
    .join("\n");
  return { sysctl, nft: inNs(ns, "nft", ["list", "ruleset"]), iptables: inNs(ns, "iptables-save", []).replace(/^#.*$/gm, "") };
}

describe.skipIf(labUnavailable())("collect on a live namespace", () => {
  let lab: Lab;
  let outDir: string;
  let evidence: HostEvidence;
  let exitCode: number | null;
  let stateBefore: ReturnType<typeof hostState>;
  let stateAfter: ReturnType<typeof hostState>;

  beforeAll(async () => {
    lab = createLab("live");
    outDir = join(mkdtempSync(join(tmpdir(), "nskev-collect-")), "bundle");
    // A firewall rule in the server namespace, so "never changes the firewall" compares a non-empty ruleset.
    inNs(lab.server, "nft", ["add", "table", "inet", "nskev"]);
    inNs(lab.server, "nft", ["add", "chain", "inet", "nskev", "input", "{ type filter hook input priority 0; policy accept; }"]);
    inNs(lab.server, "nft", ["add", "rule", "inet", "nskev", "input", "tcp", "dport", "9300", "counter", "drop"]);
    const server = startServer(lab.server, PORT, 1, false, 30);
    await waitForLine(server, "stdout", /listening/, 10_000);
    stateBefore = hostState(lab.server);

    const collect = spawn(
      "ip",
      ["netns", "exec", lab.server, process.execPath, "--import", "tsx", "src/cli/main.ts", "collect", "--out", outDir, "--duration", "60", "--port", String(PORT), "--iface", "s0"],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((resolve) => collect.on("close", (code) => resolve(code)));
    await waitForLine(collect, "stderr", /first snapshot done, capturing/, 30_000);
    // backlog 1: the accept queue holds 2; the other clients' SYNs overflow it (ListenOverflows, no SYN-ACK).
    runClients(lab.client, lab.serverAddr, PORT, 5, 3);
    collect.kill("SIGINT");
    exitCode = await exited;
    stateAfter = hostState(lab.server);
    server.kill();
    evidence = await loadEvidence([outDir]);
  }, 120_000);

  afterAll(() => {
    lab?.cleanup();
    if (outDir) rmSync(join(outDir, ".."), { recursive: true, force: true });
  });

  it("ends cleanly on SIGINT and writes a manifest in the bundle format", () => {
    expect(exitCode).toBe(0);
    const manifest = bundleManifestSchema.parse(JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")));
    expect(manifest.producer).toBe("collect");
    expect(manifest.port).toBe(PORT);
    expect(manifest.notes.some((note) => /ended early by a signal/.test(note))).toBe(true);
    const kinds = new Set(manifest.files.map((file) => file.kind));
    for (const kind of ["nstat", "netstat-s", "sysctl", "ss-ltn", "ss-tan", "uname", "nft-ruleset", "ip-route", "ip-neigh", "pcap"]) expect(kinds).toContain(kind);
    for (const file of manifest.files) expect(statSync(join(outDir, file.path)).isFile()).toBe(true);
  });

  it("shows the accept-queue overflow it caused in the counter deltas and in ss", () => {
    expect(evidence.counters.TcpExtListenOverflows?.delta ?? 0).toBeGreaterThan(0);
    expect(evidence.counters.TcpExtListenDrops?.delta ?? 0).toBeGreaterThanOrEqual(evidence.counters.TcpExtListenOverflows?.delta ?? 0);
    const listener = evidence.listeners.find((l) => l.port === PORT);
    expect(listener?.sendQ).toBe(1);
    expect(listener?.recvQ).toBe(2);
    expect(evidence.files.filter((f) => f.kind === null)).toEqual([]);
  });

  it("captured the unanswered SYNs into server.pcap", () => {
    const pcap = readFileSync(join(outDir, "server.pcap"));
    expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(pcap.length).toBeGreaterThan(24 + 5 * 16);
  });

  it("changed neither sysctls nor firewall of the namespace", () => {
    expect(stateAfter.sysctl).toBe(stateBefore.sysctl);
    expect(stateAfter.nft).toBe(stateBefore.nft);
    expect(stateAfter.iptables).toBe(stateBefore.iptables);
  });
});
