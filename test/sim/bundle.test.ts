import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { counterLayout, formatNetstatS, formatNstat } from "../../src/sim/host-files.js";
import { BUILTIN_SCENARIOS, loadScenario, runSimulation } from "../../src/sim/index.js";
import { loadEvidence } from "../../src/evidence/index.js";
import { parseKernelVersion } from "../../src/kernel/version.js";

const tmp = mkdtempSync(join(tmpdir(), "nosynack-bundle-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], { encoding: "utf8" });
}

describe("simulated evidence bundle", () => {
  it("is read by `evidence` with the model's counter deltas, sysctls and listener", () => {
    const dir = join(tmp, "tw");
    const { run, manifest } = runSimulation(loadScenario("seed-lvs-tw-recycle"), { seed: 1, bundleDir: dir });
    expect(manifest?.label).toBe("tw-recycle-paws");
    expect(manifest?.producer).toBe("simulate");
    const out = cli(["evidence", dir, "--json"]);
    expect(out.status, out.stderr).toBe(0);
    const ev = JSON.parse(out.stdout) as {
      kernel: string;
      counters: Record<string, { value: number; delta: number | null }>;
      sysctl: Record<string, string>;
      listeners: { port: number; recvQ: number; sendQ: number }[];
      issues: unknown[];
    };
    expect(ev.issues).toEqual([]);
    expect(ev.kernel).toBe("3.10.0");
    for (const [name, value] of Object.entries(run.summary.counters)) expect([name, ev.counters[name]?.delta]).toEqual([name, value]);
    expect(ev.sysctl["net.ipv4.tcp_tw_recycle"]).toBe("1");
    expect(ev.listeners).toEqual([expect.objectContaining({ port: 8080, sendQ: 128 })]);
  });

  it("is read without an issue for every built-in scenario (each file's kind matches its content)", async () => {
    for (const { name } of BUILTIN_SCENARIOS) {
      const dir = join(tmp, `all-${name}`);
      runSimulation(loadScenario(name), { seed: 1, bundleDir: dir });
      const evidence = await loadEvidence([dir]);
      expect([name, evidence.issues]).toEqual([name, []]);
      expect([name, evidence.files.filter((f) => f.kind === null).map((f) => f.path)]).toEqual([name, []]);
    }
  });

  it("prints netstat -s in the net-tools text of the kernel's era", () => {
    const values = new Map([["TcpExtPAWSEstab", 3], ["TcpOutSegs", 5], ["TcpExtPAWSTimewait", 2]]);
    const old = parseKernelVersion("3.10");
    const oldText = formatNetstatS(counterLayout(old, ["TcpExtPAWSEstab"], () => true), values, "1.60");
    expect(oldText).toContain("    3 packets rejects in established connections because of timestamp\n");
    expect(oldText).toContain("    5 segments send out\n");
    const modern = parseKernelVersion("6.18");
    const newText = formatNetstatS(counterLayout(modern, ["TcpExtPAWSEstab", "TcpExtPAWSTimewait"], () => true), values, "2.10");
    expect(newText).toContain("    3 packets rejected in established connections because of timestamp\n");
    expect(newText).toContain("    PAWSTimewait: 2\n");
    expect(newText).toContain("    5 segments sent out\n");
  });

  it("prints nstat -asz columns as iproute2 does", () => {
    const text = formatNstat(counterLayout(parseKernelVersion("6.18"), [], () => true), new Map([["TcpExtListenDrops", 12]]));
    expect(text.startsWith("#kernel\n")).toBe(true);
    expect(text).toContain(`${"TcpExtListenDrops".padEnd(32)}${"12".padEnd(16)}   0.0\n`);
  });
});

describe("simulate and demo on the command line", () => {
  it("exits 2 for a sysctl the kernel lacks and 3 for a broken scenario file", () => {
    const usage = cli(["simulate", "seed-lvs-tw-recycle", "--set", "server.kernel=4.12"]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("does not exist on Linux 4.12");
    const file = join(tmp, "bad.yaml");
    const broken = cli(["simulate", "healthy", "--print"]);
    expect(broken.status).toBe(0);
    writeFileSync(file, broken.stdout.replace(/count: \d+/, "count: zero"));
    const input = cli(["simulate", file]);
    expect(input.status).toBe(3);
    expect(input.stderr).toMatch(/clients\.count/);
    expect(input.stderr).toMatch(/line \d+/);
  });

  it("exits 2 naming the option and path when --pcap or --bundle cannot be written", () => {
    writeFileSync(join(tmp, "a-file"), "x");
    const notBundle = join(tmp, "not-a-bundle");
    mkdirSync(notBundle);
    writeFileSync(join(notBundle, "manifest.json"), "{ not json");
    const cases: [string[], RegExp][] = [
      [["--pcap", join(tmp, "no", "such", "dir", "x.pcap")], /--pcap \S+x\.pcap: cannot write \(ENOENT\)/],
      [["--pcap", tmp], /--pcap \S+: cannot write \(EISDIR\)/],
      [["--bundle", join(tmp, "a-file")], /--bundle \S+a-file: cannot write \(EEXIST\)/],
      // Node's own recursive mkdir never returns here (see util/make-directory.ts).
      [["--bundle", "/proc/nosynack-test/b"], /--bundle \/proc\/nosynack-test\/b: cannot write \(ENOENT\)/],
      [["--bundle", notBundle], /--bundle \S+not-a-bundle: holds a manifest\.json that is not a bundle's/],
      // The bundle writes its own capture: a --pcap inside it (here over one of its host files) is refused.
      [["--bundle", join(tmp, "b"), "--pcap", join(tmp, "b", "sysctl-after.txt")], /--pcap \S+sysctl-after\.txt: inside the --bundle directory \S+b, which holds its own capture/],
      [["--bundle", join(tmp, "b"), "--pcap", join(tmp, "b", "..pcap")], /--pcap \S+\.\.pcap: inside the --bundle directory/],
    ];
    for (const [args, message] of cases) {
      const out = spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "simulate", "healthy", "--set", "clients.count=2", "--set", "durationSeconds=1", ...args], { encoding: "utf8", timeout: 60_000 });
      expect([args, out.status], out.stderr).toEqual([args, 2]);
      expect(out.stderr).toMatch(message);
      expect(out.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    expect(existsSync(join(tmp, "b")), "refused before anything is written").toBe(false);
    // A sibling whose name starts like the bundle's is outside it.
    const sibling = cli(["simulate", "healthy", "--set", "clients.count=2", "--set", "durationSeconds=1", "--bundle", join(tmp, "c"), "--pcap", join(tmp, "c2.pcap")]);
    expect(sibling.status, sibling.stderr).toBe(0);
    expect(existsSync(join(tmp, "c2.pcap")) && existsSync(join(tmp, "c", "manifest.json"))).toBe(true);
  });

  it("prints one JSON document with the contract's fields and the seed on stderr", () => {
    const out = cli(["simulate", "healthy", "--seed", "9", "--json", "--set", "clients.count=3"]);
    expect(out.status).toBe(0);
    expect(out.stderr).toContain("SEED=9");
    const s = JSON.parse(out.stdout) as Record<string, unknown>;
    for (const key of ["scenario", "seed", "kernel", "attempts", "answered", "unanswered", "outcomes", "counters"]) expect(s).toHaveProperty(key);
    expect(s.seed).toBe(9);
  });

  it("demo tells the story in under 40 lines with the fix removing the drops", () => {
    const out = cli(["demo"]);
    expect(out.status).toBe(0);
    const lines = out.stdout.trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(out.stdout).toMatch(/\d+ passive connections rejected because of time stamp/);
    expect(out.stdout).toMatch(/Same clients, same seed: \d+ attempts, 0 unanswered/);
  });
});

