import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants as zlibConstants, gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCapture } from "../../src/capture/reader.js";
import { InputError } from "../../src/util/errors.js";
import { CLI, runCli, toolMissing } from "../helpers/tools.js";

const DIR = new URL("../../fixtures/link/", import.meta.url).pathname;
const pcap = readFileSync(join(DIR, "ethernet.pcap"));
const pcapng = readFileSync(join(DIR, "ethernet.pcapng"));
const work = mkdtempSync(join(tmpdir(), "nosynack-bad-"));

function file(name: string, bytes: Uint8Array): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}

/** Offsets of pcap records: [record start, captured length]. */
function pcapRecords(bytes: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let o = 24; o + 16 <= bytes.length; o += 16 + bytes.readUInt32LE(o + 8)) out.push([o, bytes.readUInt32LE(o + 8)]);
  return out;
}

describe("bad captures: exit 3 with file, byte offset and what was expected", () => {
  it("rejects an unknown magic at offset 0", () => {
    const path = file("text.pcap", Buffer.from("this is not a capture\n"));
    const r = runCli(["analyze", path]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${path}: byte offset 0: unknown file magic 0x74686973`);
    expect(r.stderr).toContain("expected a pcap");
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("rejects an unsupported pcap version at its offset", () => {
    const bytes = Buffer.from(pcap);
    bytes.writeUInt16LE(3, 4);
    const r = runCli(["analyze", file("v3.pcap", bytes)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("byte offset 4: pcap version 3.4; expected pcap version 2.x");
  });

  it("rejects an impossible record length with the offset of the length field", () => {
    const bytes = Buffer.from(pcap);
    const [start] = pcapRecords(bytes)[3] ?? [0];
    bytes.writeUInt32LE(0x7fffffff, start + 8);
    const r = runCli(["analyze", file("huge.pcap", bytes)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`byte offset ${start + 8}: impossible pcap record length 2147483647`);
  });

  it("does not let a header's huge snaplen admit a record of gigabytes", () => {
    const bytes = Buffer.from(pcap);
    bytes.writeUInt32LE(0x7fffffff, 16);
    const [start] = pcapRecords(Buffer.from(pcap))[0] ?? [0];
    bytes.writeUInt32LE(0x7fffffff, start + 8);
    const r = runCli(["analyze", file("huge-snaplen.pcap", bytes)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`byte offset ${start + 8}: impossible pcap record length 2147483647`);
  });

  it("rejects a pcapng block with an impossible length, or mismatched trailing length", () => {
    const bad = Buffer.from(pcapng);
    const shbLength = bad.readUInt32LE(4);
    bad.writeUInt32LE(13, shbLength + 4); // the IDB's length: not a multiple of 4
    const r = runCli(["analyze", file("bad-block.pcapng", bad)]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`byte offset ${shbLength + 4}: impossible pcapng block length 13`);

    const mismatch = Buffer.from(pcapng);
    mismatch.writeUInt32LE(999, shbLength - 4);
    const r2 = runCli(["analyze", file("mismatch.pcapng", mismatch)]);
    expect(r2.code).toBe(3);
    expect(r2.stderr).toContain(`byte offset ${shbLength - 4}: pcapng block's trailing length differs`);
  });

  it("warns about an interface whose options overrun their block, or whose timestamp unit is below a picosecond", () => {
    const shbLength = pcapng.readUInt32LE(4);
    const idbLength = pcapng.readUInt32LE(shbLength + 4);
    /** The fixture with its interface block replaced by one carrying `options` (code, value bytes, declared length). */
    const withInterfaceOptions = (code: number, value: number[], declared = value.length): Buffer => {
      const padded = [...value, ...Array.from({ length: (4 - (value.length % 4)) % 4 }, () => 0)];
      const length = 16 + 4 + padded.length + 4 + 4;
      const idb = Buffer.alloc(length);
      idb.writeUInt32LE(1, 0);
      idb.writeUInt32LE(length, 4);
      idb.writeUInt16LE(1, 8); // Ethernet
      idb.writeUInt32LE(262144, 12);
      idb.writeUInt16LE(code, 16);
      idb.writeUInt16LE(declared, 18);
      Buffer.from(padded).copy(idb, 20);
      idb.writeUInt32LE(length, length - 4); // after the end-of-options word (zero)
      return Buffer.concat([pcapng.subarray(0, shbLength), idb, pcapng.subarray(shbLength + idbLength)]);
    };
    const overrun = runCli(["analyze", file("idb-overrun.pcapng", withInterfaceOptions(2, [0x65, 0x74, 0x68, 0x30], 0xffff))]);
    expect(overrun.code).toBe(0);
    expect(overrun.stderr + overrun.stdout).toContain(`@${shbLength + 16}: interface option 2 of 65535 bytes runs past the end of its block`);
    const tiny = runCli(["analyze", file("idb-tsresol.pcapng", withInterfaceOptions(9, [127]))]);
    expect(tiny.code).toBe(0);
    expect(tiny.stderr + tiny.stdout).toContain(`@${shbLength + 16}: if_tsresol 10^-127 s is finer than a picosecond`);
    const fine = runCli(["analyze", file("idb-ns.pcapng", withInterfaceOptions(9, [9]))]);
    expect(fine.stderr + fine.stdout).not.toContain("if_tsresol");
  });

  it("rejects empty files, cut file headers, directories and missing files", () => {
    expect(runCli(["analyze", file("empty.pcap", new Uint8Array(0))]).stderr).toContain("empty input");
    expect(runCli(["analyze", file("short.pcap", pcap.subarray(0, 10))]).stderr).toContain("pcap file header cut short (10 bytes)");
    const dir = join(work, "a-directory");
    mkdirSync(dir, { recursive: true });
    expect(runCli(["analyze", dir])).toMatchObject({ code: 3 });
    expect(runCli(["analyze", join(work, "missing.pcap")]).stderr).toContain("cannot open (ENOENT)");
    expect(runCli(["analyze", file("bad.gz", Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]))]).code).toBe(3);
  });

  it("warns about a truncated last record and reports the rest normally", async () => {
    const records = pcapRecords(pcap);
    const [lastStart] = records[records.length - 1] ?? [0];
    for (const cut of [lastStart + 5, lastStart + 16, pcap.length - 1]) {
      const r = runCli(["analyze", "--json", file(`cut-${cut}.pcap`, pcap.subarray(0, cut))]);
      expect(r.code).toBe(0);
      const summary = JSON.parse(r.stdout) as { packets: number; warnings: Array<{ offset: number; message: string }> };
      expect(summary.packets).toBe(records.length - 1);
      expect(summary.warnings[0]).toMatchObject({ offset: lastStart });
      expect(summary.warnings[0]?.message).toContain("last record truncated");
    }
  });

  // A 600 kB capture gzipped at level 0: stored deflate blocks sit at known places.
  const records = pcap.subarray(24);
  const largeGz = gzipSync(Buffer.concat([pcap.subarray(0, 24), ...Array.from({ length: Math.ceil(600_000 / records.length) }, () => records)]), { level: 0 });
  /** The offset a gzip error names; it must lie at most 64 KiB before the fault. */
  function gzipErrorOffset(stderr: string): number {
    return Number(/byte offset (\d+): gzip data is corrupt at or within 64 KiB after this offset \(zlib: [^)]+\)/.exec(stderr)?.[1]);
  }

  it("names the compressed offset of corrupt gzip data, near the fault", () => {
    let block = 10;
    while (block < 200_000) block += 5 + largeGz.readUInt16LE(block + 1);
    const broken = Buffer.from(largeGz);
    broken.writeUInt16LE(broken.readUInt16LE(block + 3) ^ 1, block + 3); // NLEN no longer ~LEN
    const r = runCli(["analyze", file("broken.pcap.gz", broken)]);
    expect(r.code).toBe(3);
    const offset = gzipErrorOffset(r.stderr);
    expect(offset).toBeLessThanOrEqual(block + 3);
    expect(offset).toBeGreaterThan(block + 3 - (64 << 10));
  });

  it("reads a gzip file that ends early like a capture cut short: what is there, and a warning", () => {
    const cut = 300_000;
    const r = runCli(["analyze", "--json", file("cut-short.pcap.gz", largeGz.subarray(0, cut))]);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout) as { packets: number; handshakes: unknown; warnings: Array<{ offset: number; message: string }> };
    // The same as the plain capture cut where the gzip data ends (stored blocks: 5 bytes of header each).
    const plain = gunzipSync(largeGz.subarray(0, cut), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    const expected = JSON.parse(runCli(["analyze", "--json", file("cut-short.pcap", plain)]).stdout) as typeof summary;
    expect(summary.packets).toBe(expected.packets);
    expect(summary.packets).toBeGreaterThan(0);
    expect(summary.handshakes).toEqual(expected.handshakes);
    expect(summary.warnings.map((w) => w.message)).toContain(`gzip stream cut short after ${cut} compressed bytes: the end of the capture is missing`);
  });

  it("tells trailing garbage and gzip inside gzip apart from a bad capture", () => {
    const trailing = runCli(["analyze", file("trailing.pcap.gz", Buffer.concat([largeGz, Buffer.from("garbage after the stream")]))]);
    expect(trailing.code).toBe(3);
    const offset = gzipErrorOffset(trailing.stderr);
    expect(offset).toBeLessThanOrEqual(largeGz.length);
    expect(offset).toBeGreaterThan(largeGz.length - (64 << 10));
    const twice = runCli(["analyze", file("twice.pcap.gz", gzipSync(gzipSync(pcap)))]);
    expect(twice.code).toBe(3);
    expect(twice.stderr).toContain("the gunzipped data is gzip again; expected a pcap or pcapng inside one layer of gzip");
  });

  it("exits 2 on usage errors", () => {
    const bare = runCli([]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("Usage: nosynack");
    expect(runCli(["--help"]).code).toBe(0);
    expect(runCli(["help", "analyze"]).code).toBe(0);
    for (const flag of ["-V", "--version"]) expect(runCli([flag])).toMatchObject({ code: 0, stdout: "0.1.0\n" });
    const twice = runCli(["analyze", "-", "-"], pcap);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain("- (stdin) can be given once");
    expect(runCli(["analyze"]).code).toBe(2);
    expect(runCli(["analyze", "--port", "0", "x"]).code).toBe(2);
    expect(runCli(["analyze", "--server", "not-an-ip", "x"]).code).toBe(2);
    expect(runCli(["no-such-command"]).code).toBe(2);
  });

  it.skipIf(toolMissing("script") !== null)("refuses - when stdin is a terminal, instead of waiting for input", () => {
    // script(1) (bsdutils) runs the CLI on a pseudo-terminal; before the check it waited there for a capture.
    const out = spawnSync("script", ["-qec", `"${process.execPath}" "${CLI}" analyze -; echo "exit $?"`, "/dev/null"], { encoding: "utf8", timeout: 20_000 });
    expect(out.stdout).toContain("- reads a capture from stdin, which is a terminal here");
    expect(out.stdout).toMatch(/exit 2\s*$/);
  });

  it("never throws anything but InputError, and never hangs, on random bytes after a valid header (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 600 }), fc.boolean(), async (tail, ng) => {
        const head = ng ? pcapng.subarray(0, pcapng.readUInt32LE(4)) : pcap.subarray(0, 24);
        const path = file("random.cap", Buffer.concat([head, tail]));
        try {
          await readCapture(path, () => {});
        } catch (error) {
          expect(error).toBeInstanceOf(InputError);
          const offset = (error as InputError).location.offset ?? 0;
          expect(offset).toBeLessThanOrEqual(head.length + tail.length);
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it("never throws on random bytes inside valid records (property)", async () => {
    const records = pcapRecords(pcap);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 40 }), async (edits) => {
        const bytes = Buffer.from(pcap);
        for (const [where, value] of edits) {
          const [start, length] = records[where % records.length] ?? [0, 0];
          if (length > 0) bytes[start + 16 + (where % length)] = value;
        }
        const stats = await readCapture(file("flipped.pcap", bytes), () => {});
        expect(stats.packets).toBe(records.length);
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});
