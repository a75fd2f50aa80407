import { execFileSync, spawn, spawnSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { readCapture } from "../../src/capture/reader.js";
import { analyzeCaptures } from "../../src/handshakes/analyze.js";
import type { AnalyzeSummary } from "../../src/handshakes/analysis-types.js";
import { CLI, runCli } from "../helpers/tools.js";

const DIR = new URL("../../fixtures/link/", import.meta.url).pathname;
const fixture = (name: string): string => join(DIR, name);

/** The summary without what names the file; times are compared apart (see `times`). */
function comparable(summary: AnalyzeSummary): unknown {
  return {
    ...summary,
    files: summary.files.map((f) => ({ packets: f.packets, linkTypes: f.linkTypes })),
    timeRange: null,
    tsSeries: summary.tsSeries.map((t) => ({ ...t, points: t.points.map(([, ts, port]) => [ts, port]) })),
    attempts: summary.attempts.map((a) => ({ ...a, firstSyn: 0, lastSyn: 0, firstReplyAt: a.firstReplyAt === null, answeredAt: a.answeredAt === null })),
    warnings: summary.warnings.map((w) => w.message),
  };
}

function times(summary: AnalyzeSummary): number[] {
  return [
    summary.timeRange.first ?? 0,
    summary.timeRange.last ?? 0,
    ...summary.attempts.flatMap((a) => [a.firstSyn, a.lastSyn, a.firstReplyAt ?? 0, a.answeredAt ?? 0]),
    ...summary.tsSeries.flatMap((t) => t.points.map(([micros]) => micros)),
  ];
}

describe("the same capture in every container gives the same analysis", () => {
  it("pcap, big-endian pcap, pcapng (both byte orders), gzip and nanosecond pcap agree", async () => {
    const reference = await analyzeCaptures([fixture("ethernet.pcap")]);
    for (const name of ["ethernet-be.pcap", "ethernet.pcapng", "ethernet-be.pcapng", "ethernet.pcap.gz", "nanosecond.pcap"]) {
      const summary = await analyzeCaptures([fixture(name)]);
      expect(comparable(summary), name).toEqual(comparable(reference));
      // nanosecond.pcap was written by a second tcpdump at the same time; each capture socket reads the clock
      // itself when the packet reaches it, a few microseconds apart.
      const tolerance = name === "nanosecond.pcap" ? 50 : 0;
      times(summary).forEach((t, i) => expect(Math.abs(t - (times(reference)[i] ?? 0)), `${name} time ${i}`).toBeLessThanOrEqual(tolerance));
    }
  });

  it("reads stdin (plain and gzip) to the same JSON as the file", () => {
    const fromFile = runCli(["analyze", "--json", fixture("ethernet.pcap")]);
    expect(fromFile.code).toBe(0);
    const expected = comparable(JSON.parse(fromFile.stdout) as AnalyzeSummary);
    for (const input of [readFileSync(fixture("ethernet.pcap")), readFileSync(fixture("ethernet.pcap.gz"))]) {
      const fromStdin = runCli(["analyze", "--json", "-"], input);
      expect(fromStdin.code, fromStdin.stderr).toBe(0);
      expect(comparable(JSON.parse(fromStdin.stdout) as AnalyzeSummary)).toEqual(expected);
    }
    // `analyze - < file`: stdin is the file itself (read in large pieces from its current offset), plain and gzip.
    for (const name of ["ethernet.pcap", "ethernet.pcap.gz"]) {
      const fd = openSync(fixture(name), "r");
      try {
        const redirected = spawnSync(process.execPath, [CLI, "analyze", "--json", "-"], { stdio: [fd, "pipe", "pipe"], encoding: "utf8" });
        expect(redirected.status, redirected.stderr).toBe(0);
        expect(comparable(JSON.parse(redirected.stdout) as AnalyzeSummary), name).toEqual(expected);
      } finally {
        closeSync(fd);
      }
    }
  });

  it("reads a named pipe (process substitution, mkfifo), plain and gzip, to the same JSON as the file", async () => {
    const reference = comparable(await analyzeCaptures([fixture("ethernet.pcap")]));
    const dir = mkdtempSync(join(tmpdir(), "nsk-fifo-"));
    try {
      for (const name of ["ethernet.pcap", "ethernet.pcap.gz"]) {
        const fifo = join(dir, `${name}.fifo`);
        execFileSync("mkfifo", [fifo]);
        // The writer opens the pipe in its own process, as a shell's `<(…)` would.
        const writer = spawn("sh", ["-c", 'cat "$1" > "$2"', "sh", fixture(name), fifo], { stdio: "ignore" });
        try {
          expect(comparable(await analyzeCaptures([fifo])), name).toEqual(reference);
        } finally {
          writer.kill();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads a non-blocking stdin pipe that delivers in pieces, plain and gzip, to the same JSON as the file", async () => {
    const reference = comparable(await analyzeCaptures([fixture("ethernet.pcap")]));
    const dir = mkdtempSync(join(tmpdir(), "nsk-nonblock-"));
    try {
      for (const name of ["ethernet.pcap", "ethernet.pcap.gz"]) {
        const fifo = join(dir, `${name}.fifo`);
        execFileSync("mkfifo", [fifo]);
        // Node makes a child's stdin blocking when it spawns it; perl (perl-base is always there on Debian) sets it
        // non-blocking again and runs the CLI, whose reads then find the pipe empty (EAGAIN) between the pieces.
        const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
        const writer = openSync(fifo, constants.O_WRONLY);
        const nonBlocking = "fcntl(STDIN, F_SETFL, fcntl(STDIN, F_GETFL, 0) | O_NONBLOCK) or die; exec @ARGV or die";
        const child = spawn("perl", ["-MFcntl", "-e", nonBlocking, process.execPath, CLI, "analyze", "--json", "-"], { stdio: [reader, "pipe", "pipe"] });
        closeSync(reader);
        let stdout = "";
        child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
        // Three pieces, the later ones long after the CLI has started reading (it takes ~0.2 s to start).
        const bytes = readFileSync(fixture(name));
        const third = Math.ceil(bytes.length / 3);
        for (const [at, wait] of [[0, 0], [third, 700], [2 * third, 300]] as const) {
          await new Promise((resolve) => setTimeout(resolve, wait));
          writeSync(writer, bytes.subarray(at, at + third));
        }
        closeSync(writer);
        expect(await exited, name).toBe(0);
        expect(comparable(JSON.parse(stdout) as AnalyzeSummary), name).toEqual(reference);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints exactly one JSON document on stdout", () => {
    const out = runCli(["analyze", "--json", fixture("ethernet.pcap")]).stdout;
    const parsed = JSON.parse(out) as AnalyzeSummary;
    expect(Object.keys(parsed)).toEqual(expect.arrayContaining(["packets", "tcpPackets", "handshakes", "listeners", "sources"]));
    expect(Object.keys(parsed.handshakes).sort()).toEqual(["answered", "answeredAfterRetransmit", "attempts", "firstReply", "synRetransmits", "synackRetransmits", "unanswered"]);
  });

  it("reads records split across any read boundary", async () => {
    for (const name of ["ethernet.pcap", "two-sections.pcapng"]) {
      const decode = async (chunkSize?: number) => {
        const seen: string[] = [];
        await readCapture(fixture(name), (v) => seen.push(`${v.packetNumber}:${v.recordOffset}:${v.capturedLength}:${v.isTcp ? v.seq : v.protocol}`), chunkSize ? { chunkSize } : {});
        return seen;
      };
      const whole = await decode();
      for (const size of [1, 2, 3, 5, 11, 16, 17, 24, 100, 333, 4096]) expect(await decode(size), `${name} in ${size}-byte reads`).toEqual(whole);
    }
  });

  it("counts pcapng sections and interfaces with their own link types", async () => {
    const types = new Map<number, Set<number>>();
    const stats = await readCapture(fixture("two-sections.pcapng"), (v) => {
      const set = types.get(v.interfaceIndex) ?? new Set();
      set.add(v.linkType);
      types.set(v.interfaceIndex, set);
    });
    expect(stats.format).toBe("pcapng");
    expect(Object.keys(stats.linkTypes).sort()).toEqual(["ETHERNET", "LINUX_SLL"]); // dumpcap -i any writes SLL v1
    expect(stats.packets).toBe((await readCapture(fixture("ethernet.pcapng"), () => {})).packets + (await readCapture(fixture("multi-interface.pcapng"), () => {})).packets);
  });

  it("counts fragments and skips them", async () => {
    const stats = await readCapture(fixture("ethernet.pcap"), () => {});
    expect(stats.fragments).toBeGreaterThanOrEqual(4); // IPv4 and IPv6 pieces of two 3000-byte datagrams
  });

  it("uses what a snaplen left of a packet and counts it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nosynack-"));
    const bytes = Buffer.from(readFileSync(fixture("ethernet.pcap")));
    // Cut every record to 54 bytes of Ethernet + IPv4 + 20 bytes of TCP, as tcpdump -s 54 would have.
    const out: Buffer[] = [bytes.subarray(0, 24)];
    out[0]!.writeUInt32LE(54, 16);
    let o = 24;
    while (o < bytes.length) {
      const captured = bytes.readUInt32LE(o + 8);
      const keep = Math.min(captured, 54);
      const header = Buffer.from(bytes.subarray(o, o + 16));
      header.writeUInt32LE(keep, 8);
      out.push(header, bytes.subarray(o + 16, o + 16 + keep));
      o += 16 + captured;
    }
    const path = join(dir, "cut.pcap");
    writeFileSync(path, Buffer.concat(out));
    const summary = await analyzeCaptures([path]);
    const full = await analyzeCaptures([fixture("ethernet.pcap")]);
    expect(summary.files[0]!.snaplenTruncated).toBeGreaterThan(0);
    // IPv4 handshakes survive a 54-byte snaplen (IPv6 does not: its TCP header starts at 54).
    expect(summary.handshakes.attempts).toBe(full.listeners.filter((l) => !l.addr.includes(":")).reduce((n, l) => n + l.attempts, 0));
    expect(gzipSync(Buffer.from("x")).length).toBeGreaterThan(0);
  });
});
