/**
 * Splitting the clients between trackers (in one thread, or in worker threads with --threads) must not change
 * a single number of the analysis: every capture here is analyzed whole and split, and the summaries compared.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { generateCapture, generateFloodCapture } from "../../bench/generate-capture.js";
import { readCapture } from "../../src/capture/reader.js";
import { analyzeCaptures, type AnalyzeOptions } from "../../src/handshakes/analyze.js";
import type { AnalyzeSummary } from "../../src/handshakes/analysis-types.js";
import { simulateBundle } from "../replay/sim-capture.js";
import { CLI, runCli } from "../helpers/tools.js";

const LAB = new URL("../../fixtures/lab/", import.meta.url).pathname;
const labCaptures = readdirSync(LAB)
  .map((name) => join(LAB, name, "server.pcap"))
  .filter((path) => existsSync(path));
const work = mkdtempSync(join(tmpdir(), "nosynack-partitions-"));
/** A few thousand connections of the bench's mix (NAT sources with several clocks, unanswered retries, TIME_WAIT hits). */
const generated = join(work, "mix.pcap");
generateCapture(generated, 4000, 7);
const generatedSecond = join(work, "mix-2.pcap");
generateCapture(generatedSecond, 1500, 8);

describe("partitions of the clients merge into the single tracker's summary", () => {
  it.each(labCaptures.map((path) => [path.split("/").at(-2) as string, path]))("lab capture %s", async (_name, path) => {
    const whole = await analyzeCaptures([path]);
    for (const partitions of [2, 3]) expect(await analyzeCaptures([path], { partitions })).toEqual(whole);
  });

  it.each(["seed-lvs-tw-recycle", "nat-timewait-collision", "syn-flood-no-cookies"])("simulated capture %s", async (name) => {
    const { pcap } = simulateBundle(name, 11);
    const whole = await analyzeCaptures([pcap]);
    expect(whole.handshakes.attempts).toBeGreaterThan(0);
    for (const partitions of [2, 4]) expect(await analyzeCaptures([pcap], { partitions })).toEqual(whole);
  });

  it("a flood from more source addresses than are followed: the first 200 000, and an estimate of all", async () => {
    const flood = join(work, "flood.pcap");
    generateFloodCapture(flood, 250_000, 5);
    const exact = new Set<number>();
    await readCapture(flood, (view) => {
      if (view.isTcp && (view.flags & 0x12) === 0x02) exact.add(view.srcKey);
    });
    const whole = await analyzeCaptures([flood]);
    expect(whole.sources.length).toBe(200_000);
    expect(whole.sourceAddresses.estimated).toBe(true);
    expect(Math.abs(whole.sourceAddresses.count - exact.size) / exact.size).toBeLessThan(0.03);
    expect(whole.warnings.map((w) => w.message)).toContain(`about ${whole.sourceAddresses.count} source addresses: per-source figures cover the first 200000`);
    expect(await analyzeCaptures([flood], { partitions: 2 })).toEqual(whole);
    const fewer = await analyzeCaptures([generated]);
    expect(fewer.sourceAddresses).toEqual({ count: fewer.sources.length, estimated: false });
  });

  it("the bench mix, with fewer kept records than unanswered attempts, as two rotated files", async () => {
    const options: AnalyzeOptions = { keepAttempts: 50 };
    const whole = await analyzeCaptures([generated, generatedSecond], options);
    expect(whole.attemptsOmitted).toBeGreaterThan(0);
    expect(whole.sources.some((s) => s.tsRegime === "per-host")).toBe(true);
    expect(await analyzeCaptures([generated, generatedSecond], { ...options, partitions: 3 })).toEqual(whole);
  });
});

/** The worker threads run the built code (npm test builds first); the source tree has no worker script to start. */
const BUILT = new URL("../../dist/src/handshakes/analyze.js", import.meta.url).pathname;
const built = existsSync(BUILT) ? ((await import(BUILT)) as { analyzeCaptures: (paths: string[], options?: AnalyzeOptions) => Promise<AnalyzeSummary> }) : null;
/** Records handed to the workers a few hundred at a time: hundreds of slot switches, the ring wrapping many times. */
const SLOT_WORDS = 4096;

describe.skipIf(built === null)("worker threads (--threads) give the single-thread summary", () => {
  const analyze = built?.analyzeCaptures as (paths: string[], options?: AnalyzeOptions) => Promise<AnalyzeSummary>;

  it("with 1 to 3 tracking workers, over two files", async () => {
    const whole = await analyze([generated, generatedSecond]);
    expect(whole.packets).toBeGreaterThan(20_000);
    for (const threads of [2, 3, 4]) expect(await analyze([generated, generatedSecond], { threads, slotWords: SLOT_WORDS })).toEqual(whole);
  });

  it("for every input the reader takes: pcapng and gzip as well", async () => {
    const pcapng = new URL("../../fixtures/link/two-sections.pcapng", import.meta.url).pathname;
    const gzipped = join(work, "mix.pcap.gz");
    writeFileSync(gzipped, gzipSync(readFileSync(generated)));
    for (const path of [pcapng, gzipped]) {
      const whole = await analyze([path]);
      expect(whole.handshakes.attempts).toBeGreaterThan(0);
      expect(await analyze([path], { threads: 2, slotWords: SLOT_WORDS })).toEqual(whole);
    }
  });

  it("when the reading thread gives up filtering plain ACKs (more pending SYNs than it follows)", async () => {
    const whole = await analyze([generated, generatedSecond]);
    expect(await analyze([generated, generatedSecond], { threads: 2, slotWords: SLOT_WORDS, pendingSynsLimit: 100 })).toEqual(whole);
  });

  it("every lab capture and simulated capture (bare ACKs, RSTs, ICMP errors from real kernels)", async () => {
    const simulated = ["nat-timewait-collision", "syn-flood-no-cookies"].map((name) => simulateBundle(name, 12).pcap);
    for (const path of [...labCaptures, ...simulated]) {
      expect([path, await analyze([path], { threads: 2, slotWords: 64 })]).toEqual([path, await analyze([path])]);
    }
  });

  it("reports an impossible record length at the same offset as the single-thread reader", async () => {
    const bytes = Buffer.from(readFileSync(generated));
    let offset = 24;
    for (let i = 0; i < 5000; i++) offset += 16 + bytes.readUInt32LE(offset + 8);
    bytes.writeUInt32LE(0x7fffffff, offset + 8);
    const corrupt = join(work, "corrupt.pcap");
    writeFileSync(corrupt, bytes);
    const single = await analyze([corrupt]).then(
      () => "no error",
      (error: Error) => error.message,
    );
    const threaded = await analyze([corrupt], { threads: 3, slotWords: SLOT_WORDS }).then(
      () => "no error",
      (error: Error) => error.message,
    );
    expect(single).toContain(`offset ${offset + 8}`);
    expect(threaded).toBe(single);
  });

  it("warns about a truncated last record as the single-thread reader does", async () => {
    const bytes = readFileSync(generated);
    const cut = join(work, "cut.pcap");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 7));
    const single = await analyze([cut]);
    expect(single.warnings.some((w) => w.message.startsWith("last record truncated"))).toBe(true);
    expect(await analyze([cut], { threads: 2, slotWords: SLOT_WORDS })).toEqual(single);
  });

  it("the CLI's --threads prints the same JSON", () => {
    const one = runCli(["analyze", "--json", generated]);
    const two = runCli(["analyze", "--json", "--threads", "2", generated]);
    expect(one.code).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    // stdin as well: the same figures (only the file's name differs)
    const piped = runCli(["analyze", "--json", "--threads", "2", "-"], readFileSync(generated));
    expect(piped.code, piped.stderr).toBe(0);
    expect((JSON.parse(piped.stdout) as AnalyzeSummary).handshakes).toEqual((JSON.parse(one.stdout) as AnalyzeSummary).handshakes);
    expect(runCli(["analyze", "--threads", "9", generated]).stderr).toContain("--threads 9: expected 1 to 4");
    expect(CLI).toContain("dist");
  });
});
