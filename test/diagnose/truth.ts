/** Shared assertions of the truth tests: a bundle diagnosed whole, capture alone, host files alone. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { diagnosePaths } from "../../src/diagnose/index.js";
import type { Diagnosis } from "../../src/diagnose/types.js";

export interface Bundle {
  readonly name: string;
  readonly dir: string;
  readonly label: string;
  readonly captures: string[];
  readonly hostFiles: string[];
}

export function readBundle(dir: string, name: string): Bundle {
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { label?: string; files: Array<{ path: string; kind: string }> };
  if (!manifest.label) throw new Error(`${dir}: manifest has no label`);
  const captures = manifest.files.filter((f) => f.kind === "pcap" || f.kind === "pcapng").map((f) => join(dir, f.path));
  const hostFiles = readdirSync(dir)
    .map((f) => join(dir, f))
    .filter((p) => !captures.includes(p));
  return { name, dir, label: manifest.label, captures, hostFiles };
}

/** Bundles under `root` that are complete (a manifest exists: the lab may be rewriting one right now). */
export function bundlesUnder(root: string): Bundle[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && readdirSync(join(root, e.name)).includes("manifest.json"))
    .map((e) => readBundle(join(root, e.name), e.name));
}

function wrongCauses(d: Diagnosis, label: string): string[] {
  return d.findings.filter((f) => f.kind === "cause" && f.code !== label && f.confidence >= 0.7).map((f) => `${f.code} ${f.confidence}`);
}

/** The three properties of issue 5's "Truth" section. */
export async function assertTruth(bundle: Bundle): Promise<void> {
  const whole = await diagnosePaths([bundle.dir]);
  expect(whole.verdict, `${bundle.name}: whole bundle`).toBe(bundle.label);
  expect(wrongCauses(whole, bundle.label), `${bundle.name}: whole bundle`).toEqual([]);
  expect(whole.findings[0]?.code).toBe(whole.verdict);

  if (bundle.captures.length > 0) {
    const capture = await diagnosePaths(bundle.captures);
    expect([bundle.label, "unknown"], `${bundle.name}: capture alone gave ${capture.verdict}`).toContain(capture.verdict);
    expect(wrongCauses(capture, bundle.label), `${bundle.name}: capture alone`).toEqual([]);
  }
  const host = await diagnosePaths(bundle.hostFiles);
  expect([bundle.label, "unknown"], `${bundle.name}: host files alone gave ${host.verdict}`).toContain(host.verdict);
  expect(wrongCauses(host, bundle.label), `${bundle.name}: host files alone`).toEqual([]);
}
