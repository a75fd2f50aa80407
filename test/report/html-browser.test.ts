import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diagnosePaths } from "../../src/diagnose/load.js";
import type { Diagnosis } from "../../src/diagnose/types.js";
import { renderHtml } from "../../src/report/html.js";
import { loadScenario, runSimulation } from "../../src/sim/index.js";
import { browserUnavailable, withPage } from "./browser.js";
import { HOSTILE, sampleDiagnosis } from "./sample-diagnosis.js";

/**
 * The HTML report in real headless Chromium (Debian's /usr/bin/chromium through playwright-core): it renders,
 * its charts draw their data, nothing errors, nothing is fetched, and hostile input stays text.
 */

const skip = browserUnavailable();
if (skip !== null) process.stderr.write(`browser tests skipped: ${skip}\n`);

const RESULTS = resolve(import.meta.dirname, "..", "..", "test-results");

/** Pixels of each chart canvas within a small distance of a series colour: proof that data was drawn. */
async function seriesPixels(page: Page, selector: string, rgb: readonly [number, number, number]): Promise<number[]> {
  return page.$$eval(
    `${selector} canvas`,
    (canvases, colour) =>
      canvases.map((node) => {
        // No DOM lib in this tsconfig: the few canvas members used, typed by hand.
        const canvas = node as unknown as { width: number; height: number; getContext(kind: "2d"): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null };
        const ctx = canvas.getContext("2d");
        if (ctx === null || canvas.width === 0 || canvas.height === 0) return 0;
        const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let hits = 0;
        for (let i = 0; i < px.length; i += 4) {
          const near = Math.abs(px[i]! - colour[0]) + Math.abs(px[i + 1]! - colour[1]) + Math.abs(px[i + 2]! - colour[2]) < 60;
          if (near && px[i + 3]! > 200) hits++;
        }
        return hits;
      }),
    [rgb[0], rgb[1], rgb[2]] as [number, number, number],
  );
}

describe.skipIf(skip !== null)("HTML report in headless Chromium", () => {
  let work = "";
  let textbook: Diagnosis | null = null;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "nosynack-report-"));
    mkdirSync(RESULTS, { recursive: true });
    // The textbook case end to end: simulated LVS + tw_recycle bundle → diagnose → HTML.
    const bundle = join(work, "bundle");
    runSimulation(loadScenario("seed-lvs-tw-recycle"), { seed: 1, bundleDir: bundle });
    textbook = await diagnosePaths([bundle]);
  });

  afterAll(() => {
    if (work !== "") rmSync(work, { recursive: true, force: true });
  });

  it("renders the textbook diagnosis with drawn charts, no console error and no network request", async () => {
    const d = textbook;
    if (d === null) throw new Error("no diagnosis");
    expect(d.verdict).toBe("tw-recycle-paws");
    expect(d.capture?.tsSeries.length ?? 0).toBeGreaterThan(0);
    const file = join(work, "textbook.html");
    writeFileSync(file, renderHtml(d));
    const shot = join(RESULTS, "report-textbook.png");
    rmSync(shot, { force: true });

    await withPage(file, async ({ page, errors, external, requests }) => {
      expect(await page.getAttribute("body", "data-charts-drawn")).toBe(String(1 + (d.capture?.tsSeries.length ?? 0)));
      expect(await page.title()).toContain("tw-recycle-paws");
      expect(await page.locator("#verdict h1").innerText()).toContain("tcp_tw_recycle");
      expect(await page.locator("#fix pre").first().innerText()).toBe("sysctl -w net.ipv4.tcp_tw_recycle=0");

      // Timeline: the SYN series (#2563eb) and the SYN-retransmit series (#f59e0b) are drawn.
      const [synPixels] = await seriesPixels(page, "#chart-timeline", [0x25, 0x63, 0xeb]);
      const [retxPixels] = await seriesPixels(page, "#chart-timeline", [0xf5, 0x9e, 0x0b]);
      expect(synPixels).toBeGreaterThan(50);
      expect(retxPixels).toBeGreaterThan(50);
      // TSval plot: its points (#0f766e) are drawn.
      const [tsPixels] = await seriesPixels(page, "#chart-ts-0", [0x0f, 0x76, 0x6e]);
      expect(tsPixels).toBeGreaterThan(50);
      // …and the TSval regressions among them, in red (#dc2626).
      const [regressionPixels] = await seriesPixels(page, "#chart-ts-0", [0xdc, 0x26, 0x26]);
      expect(regressionPixels).toBeGreaterThan(50);

      const unansweredRows = await page.locator("#attempts tbody tr").count();
      expect(unansweredRows).toBe(Math.min(500, d.capture?.handshakes.unanswered ?? 0));

      await page.screenshot({ path: shot, fullPage: true });
      expect(errors).toEqual([]);
      expect(external).toEqual([]);
      expect(requests.every((u) => u.startsWith("file:") || u.startsWith("data:"))).toBe(true);
    });
    expect(existsSync(shot) && statSync(shot).size > 10_000).toBe(true);
  });

  it("shows hostile input as text: nothing injected runs or loads", async () => {
    const file = join(work, "hostile.html");
    writeFileSync(file, renderHtml(sampleDiagnosis({ hostile: true })));
    const shot = join(RESULTS, "report-hostile.png");
    rmSync(shot, { force: true });

    await withPage(file, async ({ page, errors, external }) => {
      expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator("img").count()).toBe(0);
      expect(await page.locator("script").count()).toBe(2);
      const text = await page.locator("body").innerText();
      expect(text).toContain(HOSTILE.script);
      expect(text).toContain(HOSTILE.img.trim());
      expect(await page.getAttribute("body", "data-charts-drawn")).toBe("2");
      await page.screenshot({ path: shot, fullPage: true });
      expect(errors).toEqual([]);
      expect(external).toEqual([]);
    });
    expect(existsSync(shot)).toBe(true);
  });
});
