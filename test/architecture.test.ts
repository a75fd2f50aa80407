import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Imports point one way along the data flow:
 * capture → handshakes → evidence → diagnosis → report, with the kernel model serving sim and diagnosis.
 * Each folder of src/ may import only itself and the folders listed here.
 */
const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  wire: ["util"],
  capture: ["wire", "util"],
  handshakes: ["capture", "wire", "util"],
  evidence: ["util"],
  collect: ["evidence", "util"],
  kernel: ["util"],
  sim: ["kernel", "capture", "wire", "evidence", "util"],
  replay: ["kernel", "handshakes", "capture", "wire", "util"],
  diagnose: ["kernel", "handshakes", "evidence", "capture", "wire", "util"],
  report: ["diagnose", "fleet", "replay", "handshakes", "evidence", "kernel", "capture", "wire", "util"],
  fleet: ["diagnose", "evidence", "kernel", "util"],
  cli: ["*"],
};

const SRC = join(import.meta.dirname, "..", "src");

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

function folderOf(path: string): string {
  return relative(SRC, path).split(sep)[0] ?? "";
}

describe("architecture", () => {
  const files = tsFiles(SRC);

  it("puts every source file in a known folder", () => {
    const unknown = files.map(folderOf).filter((folder) => !(folder in ALLOWED));
    expect(unknown).toEqual([]);
  });

  it("imports only along the data flow", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      const allowed = ALLOWED[from] ?? [];
      if (allowed.includes("*")) continue;
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+["'](\.[^"']+)["']/g)) {
        const target = join(file, "..", match[1] ?? "");
        const to = folderOf(target);
        if (to !== from && !allowed.includes(to)) violations.push(`${relative(SRC, file)} → ${to}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("has no 'any' in src", () => {
    // A type annotation `: any` (followed by what can follow a type), `as any`, or `<any>`; prose such as
    // "is on: any clients" is not a type.
    const hits = files.filter((file) => /(:\s*any\s*([;,)=|>\]{]|$)|\bas any\b|<any>)/m.test(readFileSync(file, "utf8")));
    expect(hits).toEqual([]);
  });
});
