import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collectBundle, CommandRunner, refuseReason, tcpdumpArgs } from "../../src/collect/index.js";

const context = { outDir: "/tmp/nskev-bundle" };

describe("read-only command policy", () => {
  it.each([
    ["sysctl", ["-w", "net.ipv4.tcp_syncookies=0"]],
    ["sysctl", ["net.ipv4.tcp_syncookies=0"]],
    ["sysctl", ["-p"]],
    ["nft", ["add", "rule", "inet", "t", "c", "drop"]],
    ["nft", ["flush", "ruleset"]],
    ["nft", ["-f", "/tmp/x"]],
    ["iptables", ["-A", "INPUT", "-j", "DROP"]],
    ["iptables-restore", []],
    ["conntrack", ["-F"]],
    ["conntrack", ["-D"]],
    ["ss", ["-K", "dport", "= :80"]],
    ["dmesg", ["-c"]],
    ["dmesg", ["-C"]],
    ["nstat", []], // without -s nstat rewrites its history file
    ["nstat", ["-a"]],
    ["sh", ["-c", "cat /proc/net/netstat"]],
    ["ip", ["route", "add", "default", "via", "198.18.0.1"]],
    ["ip", ["neigh", "flush", "all"]],
    ["ip", ["route", "show"]],
    ["tcpdump", ["-i", "any", "-w", "/etc/x.pcap", "tcp"]],
    ["tcpdump", ["-i", "any", "-w", "/tmp/nskev-bundle/../x.pcap", "tcp"]],
    ["tcpdump", ["-i", "any", "-z", "/bin/sh", "-w", "/tmp/nskev-bundle/s.pcap", "tcp"]],
  ])("refuses %s %j", (cmd, args) => {
    expect(refuseReason(cmd, args, context)).not.toBeNull();
    expect(() => new CommandRunner(context).start(cmd, args)).toThrow(/refused/);
  });

  it.each([
    ["nstat", ["-asz"]],
    ["sysctl", ["-a"]],
    ["nft", ["-j", "list", "ruleset"]],
    ["ss", ["-tan"]],
    ["ip", ["route", "show", "table", "all"]],
    ["ip", ["neigh", "show"]],
  ])("allows %s %j", (cmd, args) => {
    expect(refuseReason(cmd, args, context)).toBeNull();
  });

  it("allows the tcpdump command collect builds, writing into the bundle", () => {
    const args = tcpdumpArgs({ pcapPath: "/tmp/nskev-bundle/server.pcap", iface: "eth0", port: 8080, snaplen: 128 });
    expect(refuseReason("tcpdump", args, context)).toBeNull();
    expect(args.at(-1)).toContain("tcp port 8080");
  });
});

describe("collect audit", () => {
  it("spawns only allow-listed argv, and records every one", async () => {
    const parent = mkdtempSync(join(tmpdir(), "nskev-audit-"));
    const outDir = join(parent, "bundle");
    try {
      const runner = new CommandRunner({ outDir });
      // Read-only by construction; no capture, no wait: only the two snapshots run.
      const manifest = await collectBundle({ outDir, durationSeconds: 0, capture: false, runner });
      expect(runner.spawned.length).toBeGreaterThan(10);
      for (const [cmd, ...args] of runner.spawned) expect(refuseReason(cmd ?? "", args, { outDir })).toBeNull();
      expect(runner.spawned.some(([cmd]) => cmd === "sysctl")).toBe(true);
      expect(manifest.files.every((file) => file.snapshot !== undefined || ["uname"].includes(file.kind))).toBe(true);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("refuses a non-empty output directory", async () => {
    const parent = mkdtempSync(join(tmpdir(), "nskev-audit-"));
    try {
      await expect(collectBundle({ outDir: join(parent, ".."), durationSeconds: 0, capture: false })).rejects.toThrow(/not empty/);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("names --out and the reason when the directory cannot be made", async () => {
    const parent = mkdtempSync(join(tmpdir(), "nskev-audit-"));
    try {
      writeFileSync(join(parent, "file"), "x");
      await expect(collectBundle({ outDir: join(parent, "file", "out"), durationSeconds: 0, capture: false })).rejects.toThrow(/--out \S+: cannot write \(ENOTDIR\)/);
      await expect(collectBundle({ outDir: "/proc/nosynack-collect-test", durationSeconds: 0, capture: false })).rejects.toThrow(/cannot write \(ENOENT\)/);
      await expect(collectBundle({ outDir: join(parent, "out"), durationSeconds: 1e12, capture: false })).rejects.toThrow(/--duration must be a number of seconds from 0 to 86400/);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it("refuses an interface this host does not have before writing anything", async (context) => {
    if (!existsSync("/sys/class/net/lo")) return context.skip("no /sys/class/net here");
    const parent = mkdtempSync(join(tmpdir(), "nskev-audit-"));
    const outDir = join(parent, "out");
    try {
      await expect(collectBundle({ outDir, durationSeconds: 0, iface: "nosuchif0" })).rejects.toThrow(/--iface nosuchif0: no such interface here \(this host has any, .*\blo\b/);
      expect(existsSync(outDir)).toBe(false);
      // Without a capture the interface does not matter.
      await expect(collectBundle({ outDir, durationSeconds: 0, iface: "nosuchif0", capture: false })).resolves.toBeDefined();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
