/**
 * `nosynack diagnose` with host files it cannot use: each unrecognised file is a warning (JSON and text), also when
 * none of them is recognised; unreadable files are warned about once; UTF-16 host files (PowerShell `>`) diagnose
 * like their UTF-8 originals.
 */
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/tools.js";

const ROOT = join(import.meta.dirname, "..", "..");
const LAB = join(ROOT, "fixtures", "lab");
/** The built CLI (npm test builds it first). */
const run = (...args: string[]) => runCli(["diagnose", ...args]);
const work = mkdtempSync(join(tmpdir(), "nosynack-diag-hostfiles-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Doc {
  verdict: string;
  warnings: string[];
  findings: unknown[];
  inputs: { path: string; kind: string | null }[];
}

describe("diagnose host-file warnings", () => {
  it("names every host file when none of them is recognised (capture + unrecognised files), in JSON and text", () => {
    const notes = join(work, "notes.txt");
    const blob = join(work, "screenshot.bin");
    writeFileSync(notes, "ticket 4711: clients time out since 10:04\nno changes deployed\n");
    writeFileSync(blob, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    const capture = join(LAB, "healthy", "server.pcap");

    const json = run("--json", capture, notes, blob);
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as Doc;
    expect(doc.warnings).toContain(`${notes}: not a recognised host file`);
    expect(doc.warnings).toContain(`${blob}: not a recognised host file (binary, not a capture)`);
    const summary = doc.warnings.filter((w) => w.includes("none of the host files"));
    expect(summary).toHaveLength(1);
    expect(summary[0]).toContain(notes);
    expect(summary[0]).toContain(blob);

    const text = run(capture, notes, blob);
    expect(text.code).toBe(0);
    const flat = text.stdout.replace(/\n\s+/g, " ");
    expect(flat).toContain(`${notes}: not a recognised host file`);
    expect(flat).toContain("none of the host files");
  });

  it("warns about an unrecognised and an unreadable file next to recognised ones, each exactly once", () => {
    const dir = join(work, "mixed");
    cpSync(join(LAB, "accept-queue-overflow"), dir, { recursive: true });
    const notes = join(dir, "notes.txt");
    const corrupt = join(dir, "nstat-extra.txt.gz");
    writeFileSync(notes, "collected by hand\n");
    writeFileSync(corrupt, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 1, 2, 3, 4, 5, 6, 7, 8]));
    const result = run("--json", dir);
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout) as Doc;
    expect(doc.verdict).toBe("accept-queue-overflow");
    expect(doc.warnings.filter((w) => w.startsWith(`${notes}:`))).toEqual([`${notes}: not a recognised host file`]);
    expect(doc.warnings.filter((w) => w.startsWith(`${corrupt}:`))).toHaveLength(1);
    expect(doc.warnings.some((w) => w.includes("none of the host files"))).toBe(false);
  });

  it("diagnoses a bundle whose text files were saved as UTF-16LE (PowerShell `>`) exactly like the original", () => {
    const source = join(LAB, "accept-queue-overflow");
    const plain = join(work, "plain");
    const utf16 = join(work, "utf16");
    mkdirSync(plain);
    mkdirSync(utf16);
    for (const name of readdirSync(source)) {
      copyFileSync(join(source, name), join(plain, name));
      const bytes = readFileSync(join(source, name));
      writeFileSync(join(utf16, name), name.endsWith(".pcap") ? bytes : Buffer.from(`\ufeff${bytes.toString("utf8")}`, "utf16le"));
    }
    const expected = run("--json", plain);
    const actual = run("--json", utf16);
    expect(expected.code).toBe(1);
    expect(actual.code).toBe(1);
    expect(actual.stdout.split(utf16).join("<dir>")).toBe(expected.stdout.split(plain).join("<dir>"));
    expect((JSON.parse(actual.stdout) as Doc).verdict).toBe("accept-queue-overflow");
  });
});
