import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { makeDirectory } from "../../src/util/output-files.js";

const tmp = mkdtempSync(join(tmpdir(), "nsk-mkdir-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("makeDirectory", () => {
  it("creates every missing level and accepts an existing directory", () => {
    const deep = join(tmp, "a", "b", "c");
    makeDirectory(deep);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(() => makeDirectory(deep)).not.toThrow();
  });

  it("throws the kernel's error instead of looping where a directory refuses new entries", () => {
    expect(() => makeDirectory("/proc/nosynack-mkdir-test/x")).toThrow(expect.objectContaining({ code: "ENOENT" }));
    expect(existsSync("/proc/nosynack-mkdir-test")).toBe(false);
  });

  it("refuses a path that is a file, or lies under one", () => {
    const file = join(tmp, "file");
    writeFileSync(file, "x");
    expect(() => makeDirectory(file)).toThrow(expect.objectContaining({ code: "EEXIST" }));
    expect(() => makeDirectory(join(file, "below"))).toThrow(expect.objectContaining({ code: "ENOTDIR" }));
  });
});
