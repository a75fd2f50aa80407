/**
 * The charting library inlined into the HTML report: uPlot (MIT), read from node_modules when a report is
 * first rendered, so the report carries it and never loads anything. Its banner comment holds a URL; it is
 * replaced by the licence text, which the MIT licence asks us to keep with the code.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface ChartAssets {
  /** uPlot's IIFE build (defines the global `uPlot`), prefixed by its licence as a comment. */
  readonly script: string;
  readonly css: string;
  readonly version: string;
}

let cached: ChartAssets | null = null;

/** Reads uPlot once per process. Throws when the package is missing (an install problem, not an input one). */
export function loadChartAssets(): ChartAssets {
  if (cached !== null) return cached;
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve("uplot/package.json"));
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: unknown };
  const version = typeof pkg.version === "string" ? pkg.version : "?";
  const licence = readFileSync(join(root, "LICENSE"), "utf8").replace(/\*\//g, "* /").trim();
  const code = stripBanner(readFileSync(join(root, "dist", "uPlot.iife.min.js"), "utf8"));
  const css = readFileSync(join(root, "dist", "uPlot.min.css"), "utf8");
  cached = { script: `/* uPlot ${version}\n${licence}\n*/\n${code}`, css, version };
  return cached;
}

/** Drops the leading `/*! … *\/` banner. */
function stripBanner(code: string): string {
  return code.replace(/^\s*\/\*![\s\S]*?\*\/\s*/, "");
}
