/**
 * Host files saved by Windows PowerShell's `>` are UTF-16LE with a BOM; other tools write UTF-16BE or UTF-8 with a
 * BOM. Each must give exactly the evidence of the plain UTF-8 file.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { loadEvidence } from "../../src/evidence/index.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BUNDLE = join(ROOT, "fixtures", "host", "6.18", "bundle");
const SINGLE = join(ROOT, "fixtures", "host", "6.18", "single");
const work = mkdtempSync(join(tmpdir(), "nosynack-encoding-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function utf16be(text: string): Buffer {
  return Buffer.from(`\ufeff${text}`, "utf16le").swap16();
}

const ENCODINGS: Record<string, (text: string, name: string) => Buffer> = {
  "utf16le-bom": (text) => Buffer.from(`\ufeff${text}`, "utf16le"),
  "utf16be-bom": utf16be,
  "utf8-bom": (text) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, "utf8")]),
  // A gzipped host file (the manifest stays plain: it is read before anything is gunzipped).
  "utf16le-bom-gzip": (text, name) => (name === "manifest.json" ? Buffer.from(`\ufeff${text}`, "utf16le") : gzipSync(Buffer.from(`\ufeff${text}`, "utf16le"))),
};

/** The evidence of a directory, with the directory's own path taken out so two copies compare equal. */
async function evidenceOf(dir: string): Promise<string> {
  return JSON.stringify(await loadEvidence([dir]), null, 2).split(dir).join("<dir>");
}

function copyDir(from: string, to: string, encode: (text: string, name: string) => Buffer): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const bytes = readFileSync(join(from, name));
    writeFileSync(join(to, name), encode(bytes.toString("utf8"), name));
  }
}

describe("host files with a byte-order mark", () => {
  it("a real nstat file saved as UTF-16LE by PowerShell parses like the UTF-8 one", async () => {
    const text = readFileSync(join(BUNDLE, "nstat-after.txt"), "utf8");
    mkdirSync(join(work, "plain-one"));
    mkdirSync(join(work, "ps-one"));
    writeFileSync(join(work, "plain-one", "nstat.txt"), text);
    writeFileSync(join(work, "ps-one", "nstat.txt"), Buffer.from(`\ufeff${text}`, "utf16le"));
    const plain = await loadEvidence([join(work, "plain-one")]);
    const ps = await loadEvidence([join(work, "ps-one")]);
    expect(ps.files[0]?.kind).toBe("nstat");
    expect(ps.issues).toEqual([]);
    expect(Object.keys(ps.counters).length).toBeGreaterThan(100);
    expect(ps.counters).toEqual(plain.counters);
  });

  for (const [name, encode] of Object.entries(ENCODINGS)) {
    it(`${name}: every file of a real bundle (manifest included) gives the same evidence as UTF-8`, async () => {
      const plain = join(work, `bundle-plain-${name}`);
      const encoded = join(work, `bundle-${name}`);
      copyDir(BUNDLE, plain, (text) => Buffer.from(text, "utf8"));
      copyDir(BUNDLE, encoded, encode);
      const expected = await evidenceOf(plain);
      expect(JSON.parse(expected).counters.TcpExtListenOverflows.delta).not.toBeNull();
      expect(await evidenceOf(encoded)).toBe(expected);
    });

    it(`${name}: single-snapshot files (nstat -j, /proc/net/tcp, /proc/version, uname) give the same evidence`, async () => {
      const plain = join(work, `single-plain-${name}`);
      const encoded = join(work, `single-${name}`);
      copyDir(SINGLE, plain, (text) => Buffer.from(text, "utf8"));
      copyDir(SINGLE, encoded, encode);
      const expected = await evidenceOf(plain);
      expect(await evidenceOf(encoded)).toBe(expected);
      expect(JSON.parse(expected).kernel).not.toBeNull();
    });
  }
});
