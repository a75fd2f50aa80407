/**
 * `nosynack replay` with host files it cannot use: a named path that cannot be read is exit 3, any other unusable file
 * a warning; a too-old uname names its file.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/tools.js";

const ROOT = join(import.meta.dirname, "..", "..");
const HEALTHY = join(ROOT, "fixtures", "lab", "healthy");
/** The built CLI (npm test builds it first). */
const run = (...args: string[]) => runCli(["replay", ...args]);
const work = mkdtempSync(join(tmpdir(), "nosynack-replay-host-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("replay host files", () => {
  it("refuses a named host file it cannot read, and warns about every other unusable one, in --json and in text", () => {
    const missing = join(work, "missing-sysctl.txt");
    const notes = join(work, "notes.txt");
    const empty = join(work, "ss-ltn-empty.txt");
    const corrupt = join(work, "nstat.txt.gz");
    writeFileSync(notes, "the server was restarted at 10:04, see ticket 4711\nnothing else changed\n");
    writeFileSync(empty, "");
    writeFileSync(corrupt, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]));
    const sysctl = join(work, "sysctl.txt");
    writeFileSync(sysctl, "net.ipv4.tcp_syncookies = 1\nnet.core.somaxconn = 4096\n");
    const args = [join(HEALTHY, "server.pcap"), notes, empty, sysctl];
    // Named on the command line and unreadable: an error, as in diagnose.
    for (const bad of [missing, corrupt]) {
      const refused = run(...args, bad, "--json");
      expect(refused.code).toBe(3);
      expect(refused.stderr).toContain(bad === missing ? `nosynack: ${bad}: unreadable: ` : `nosynack: ${bad}: byte offset `);
    }
    // Unreadable inside a directory: a warning.
    const dir = join(work, "host-dir");
    mkdirSync(dir);
    cpSync(corrupt, join(dir, "nstat.txt.gz"));
    args.push(dir);

    const json = run(...args, "--json");
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { warnings: string[] };
    expect(doc.warnings).toContain(`${notes}: not a recognised host file`);
    expect(doc.warnings).toContain(`${empty}: not a recognised host file (empty)`);
    expect(doc.warnings.filter((w) => w.startsWith(`${join(dir, "nstat.txt.gz")}: byte offset `) && w.includes("gzip data is corrupt"))).toHaveLength(1);
    // The file that was used is not a warning.
    expect(doc.warnings.some((w) => w.includes(sysctl))).toBe(false);

    const text = run(...args);
    expect(text.code).toBe(0);
    const flat = text.stdout.replace(/\n\s+/g, " ");
    expect(flat).toContain("warnings:");
    expect(flat).toMatch(new RegExp(`${join(dir, "nstat.txt.gz")}: byte offset \\d+: gzip data is corrupt`));
    expect(flat).toContain(`${notes}: not a recognised host file`);
  });

  it("warns about an unrecognised file inside a bundle directory, and nothing for a clean bundle", () => {
    const clean = run(HEALTHY, "--json");
    expect(clean.code).toBe(0);
    expect((JSON.parse(clean.stdout) as { warnings: string[] }).warnings.filter((w) => /not a recognised host file|unreadable/.test(w))).toEqual([]);

    const bundle = join(work, "bundle");
    cpSync(HEALTHY, bundle, { recursive: true });
    const extra = join(bundle, "operator-notes.txt");
    writeFileSync(extra, "collected during the 10:00 incident\n");
    const result = run(bundle, "--json");
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { warnings: string[] }).warnings).toContain(`${extra}: not a recognised host file`);
  });

  it("names the sysctl file whose value the kernel refuses, and uses the kernel default", () => {
    const sysctl = join(work, "sysctl-bad.txt");
    writeFileSync(sysctl, "net.core.somaxconn = -1\nnet.ipv4.tcp_syncookies = 1\n");
    const result = run(join(HEALTHY, "server.pcap"), sysctl, "--json");
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { warnings: string[] }).warnings).toContain(
      `${sysctl}: sysctl net.core.somaxconn=-1 is not valid on Linux 6.18: expected 0..2147483647 (cap on listen() backlog); the kernel default is used`,
    );
  });

  it("names the uname file when its kernel is older than the model's floor (exit 2, a setting to change), and runs with --kernel", () => {
    const uname = join(work, "uname-old.txt");
    writeFileSync(uname, "2.6.32-754.el6.x86_64\n");
    const result = run(join(HEALTHY, "server.pcap"), uname);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(uname);
    expect(result.stderr).toContain("2.6.32");
    expect(result.stderr).toContain("--kernel");

    const overridden = run(join(HEALTHY, "server.pcap"), uname, "--kernel", "3.10", "--json");
    expect(overridden.code).toBe(0);
    expect((JSON.parse(overridden.stdout) as { kernel: string }).kernel.startsWith("3.10")).toBe(true);
  });
});
