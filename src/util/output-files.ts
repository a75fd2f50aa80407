import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { OutputError } from "./errors.js";

/**
 * `mkdir -p`. Not Node's `mkdir(…, { recursive: true })`: where the kernel refuses a new entry with ENOENT inside a
 * directory that exists (/proc, /sys), Node 20 creates the parent, finds it there, retries the child, and loops
 * forever. Here every missing level is created once, and the kernel's error for it is thrown.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    try {
      // Something that is not a directory: mkdir reports it (EEXIST) like mkdir -p would.
      if (!statSync(at).isDirectory()) mkdirSync(at);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const level of missing.reverse()) mkdirSync(level);
}

/** makeDirectory for a directory the user named with option `what` (errors become OutputError). */
export function makeOutputDirectory(what: string, dir: string): void {
  try {
    makeDirectory(dir);
  } catch (error) {
    throw new OutputError(what, dir, error);
  }
}

/** Writes a file of the output the user named with option `what` (errors become OutputError). */
export function writeOutputFile(what: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new OutputError(what, path, error);
  }
}
