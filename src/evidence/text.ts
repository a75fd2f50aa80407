import type { LineIssue } from "./types.js";

/** Lines without line terminators (CRLF tolerated); a trailing newline adds no empty last line. */
export function splitLines(text: string): string[] {
  const lines = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  if (lines.length > 0 && lines.at(-1) === "") lines.pop();
  return lines;
}

/** A non-negative or negative decimal integer, or null. Counters beyond 2^53 lose precision (kept as numbers). */
export function parseInteger(text: string): number | null {
  if (!/^-?\d+$/.test(text)) return null;
  return Number(text);
}

/** Collects issues with 1-based line numbers. */
export class IssueList {
  readonly items: LineIssue[] = [];
  add(line: number | null, message: string): void {
    this.items.push({ line, message });
  }
}

/** Shortens a line for an issue message. */
export function quote(line: string): string {
  const trimmed = line.trim();
  return JSON.stringify(trimmed.length > 80 ? `${trimmed.slice(0, 77)}...` : trimmed);
}
