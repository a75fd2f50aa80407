import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readFileUpTo } from "../../src/util/read-bounded.js";

const tmp = mkdtempSync(join(tmpdir(), "nsk-bounded-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("readFileUpTo", () => {
  it("returns a file that fits, up to exactly the limit", () => {
    const path = join(tmp, "small.txt");
    writeFileSync(path, "x".repeat(1000));
    expect(readFileUpTo(path, 1000)?.toString()).toBe("x".repeat(1000));
    expect(readFileUpTo(path, 999)).toBeNull();
  });

  it("stops at the limit on a file whose stat size says nothing (/dev/zero never ends)", () => {
    expect(readFileUpTo("/dev/zero", 3 << 20)).toBeNull();
  });

  it("reads a named pipe to its end", async () => {
    const fifo = join(tmp, "fifo");
    execFileSync("mkfifo", [fifo]);
    const writer = spawn("sh", ["-c", 'printf "TcpExtListenDrops 3\\n" > "$1"', "sh", fifo], { stdio: "ignore" });
    try {
      expect(readFileUpTo(fifo, 1 << 20)?.toString()).toBe("TcpExtListenDrops 3\n");
    } finally {
      writer.kill();
    }
  });
});
