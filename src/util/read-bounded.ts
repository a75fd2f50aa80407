import { closeSync, openSync, readSync } from "node:fs";

const READ_SIZE = 1 << 20;

/**
 * The whole content of a file that should be small, or null when it holds more than `limit` bytes. Reads in
 * sequence until the end instead of trusting the size a stat reports: /dev/zero and pipes report 0 and never end
 * (or end late), and readFileSync would follow them until memory runs out.
 */
export function readFileUpTo(path: string, limit: number): Buffer | null {
  const fd = openSync(path, "r");
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_SIZE, limit + 1 - total));
      const got = readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      chunks.push(chunk.subarray(0, got));
      total += got;
      if (total > limit) return null;
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
