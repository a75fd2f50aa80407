/**
 * zlib says how much compressed input it consumed, not where in a write it failed: input given to it in pieces this
 * small puts a fault within one piece after the offset it reports. Captures and host files say it the same way.
 */
export const GZIP_PIECE = 64 << 10;

/** The problem of corrupt gzip data, after its `byte offset N` location. */
export function gzipCorruptProblem(zlibMessage: string): string {
  return `gzip data is corrupt at or within 64 KiB after this offset (zlib: ${zlibMessage})`;
}
