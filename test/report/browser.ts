import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

/** The Debian package's browser; playwright-core never downloads one. */
export const CHROMIUM = "/usr/bin/chromium";

/** Why browser tests cannot run here, or null when they can. */
export function browserUnavailable(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} missing (apt-get install -y chromium)`;
}

export interface PageRun {
  readonly page: Page;
  /** Console messages of type error, uncaught page errors, and failed loads. */
  readonly errors: string[];
  /** Every request that was not to a file: or data: URL (each was aborted). */
  readonly external: string[];
  /** Every request URL the page made, allowed or not. */
  readonly requests: string[];
}

/**
 * Opens a file in headless Chromium with a fresh, empty profile, routes every request (aborting any that is
 * not file: or data:), collects console errors, runs `use`, and closes everything.
 */
export async function withPage<T>(file: string, use: (run: PageRun) => Promise<T>, viewport = { width: 1280, height: 900 }): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), "nosynack-chromium-"));
  let context: BrowserContext | null = null;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    const errors: string[] = [];
    const external: string[] = [];
    const requests: string[] = [];
    await context.route("**/*", async (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:")) await route.continue();
      else {
        external.push(url);
        await route.abort("blockedbyclient");
      }
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.on("request", (request) => requests.push(request.url()));
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    page.on("requestfailed", (request) => errors.push(`requestfailed: ${request.url()}`));
    await page.goto(`file://${file}`, { waitUntil: "load" });
    return await use({ page, errors, external, requests });
  } finally {
    if (context !== null) await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
