import type { LineIssue } from "./types.js";

/**
 * A host file's bytes as text, decoded by its byte-order mark: UTF-16LE (FF FE, what Windows PowerShell's `>`
 * writes), UTF-16BE (FE FF), UTF-8 with a BOM (EF BB BF); UTF-8 without one. The BOM itself is dropped.
 */
export function decodeHostText(bytes: Buffer): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.toString("utf8", 3);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16(bytes.subarray(2), false);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16(bytes.subarray(2), true);
  return bytes.toString("utf8");
}

/** UTF-16 code units to text; an odd last byte (a truncated file) becomes U+FFFD, as a decoder would make it. */
function utf16(body: Buffer, bigEndian: boolean): string {
  const even = Buffer.from(body.subarray(0, body.length - (body.length % 2)));
  if (bigEndian) even.swap16();
  return even.toString("utf16le") + (body.length % 2 === 1 ? "\ufffd" : "");
}

/**
 * Calls `visit` with each line (without its terminator; CRLF tolerated) and its 0-based index, without building
 * the array of every line: for the files that can be huge (ss -tan, /proc/net/tcp of a busy server).
 */
export function forEachLine(text: string, visit: (line: string, index: number) => void): void {
  let start = 0;
  for (let index = 0; start < text.length; index++) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    visit(text.charCodeAt(end - 1) === 13 ? text.slice(start, end - 1) : text.slice(start, end), index);
    start = end + 1;
  }
}

/** Lines without line terminators (CRLF tolerated); a trailing newline adds no empty last line. */
export function splitLines(text: string): string[] {
  const lines = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  if (lines.length > 0 && lines.at(-1) === "") lines.pop();
  return lines;
}

/** A non-negative or negative decimal integer, or null (ss columns; counters go through setCounter). */
export function parseInteger(text: string): number | null {
  if (!/^-?\d+$/.test(text)) return null;
  return Number(text);
}

/** What a counter value must be: the kernel's SNMP/MIB counters are u64 (unsigned long, %lu in /proc). */
export const COUNTER_EXPECTED = "an unsigned 64-bit counter";

const U64_MAX = 18446744073709551615n;
const I64_MIN = -9223372036854775808n;
const I64_MAX = 9223372036854775807n;

/**
 * Fields the kernel prints signed: Tcp MaxConn is -1 ("dynamic", RFC 2012), printed with %ld by
 * snmp_seq_show_tcp_udp() (net/ipv4/proc.c); every other MIB field is printed with %lu.
 */
const SIGNED_FIELDS: ReadonlySet<string> = new Set(["TcpMaxConn"]);

/**
 * Stores counter `name` (nstat spelling) from its decimal text, or adds an issue at `line` and leaves it out when
 * the text is not an unsigned 64-bit integer (negative, more than 20 digits, above 2^64 − 1).
 */
export function setCounter(counters: Record<string, number>, issues: IssueList, line: number | null, name: string, text: string): void {
  if (counterTextOk(name, text)) {
    // Above 2^53 a Number is approximate; such values are real (u64 counters run that high) and kept, not dropped.
    counters[name] = Number(text);
    return;
  }
  issues.add(line, counterProblem(name, text));
}

/** Whether a value that is already a number (nstat -j) is a counter: integral, within u64 (2^64 − 1 rounds to 2^64). */
export function isCounterNumber(name: string, value: number): boolean {
  const signed = SIGNED_FIELDS.has(name);
  return Number.isInteger(value) && value >= (signed ? -(2 ** 63) : 0) && value <= (signed ? 2 ** 63 : 2 ** 64);
}

function counterTextOk(name: string, text: string): boolean {
  if (/^\d{1,20}$/.test(text)) return text.length < 20 || BigInt(text) <= U64_MAX;
  if (!SIGNED_FIELDS.has(name) || !/^-?\d{1,19}$/.test(text)) return false;
  const value = BigInt(text);
  return value >= I64_MIN && value <= I64_MAX;
}

/** The issue for a counter value that is not one. */
export function counterProblem(name: string, text: string): string {
  const shown = text.length > 24 ? `${text.slice(0, 12)}… (${text.replace(/^-/, "").length} digits)` : text;
  return `${name} = ${shown}: expected ${COUNTER_EXPECTED} (0 to ${U64_MAX}); counter skipped`;
}

/**
 * Issues listed per parsed file. A file of garbage (one line of six million bad fields) made one issue each: 1.2 GB,
 * and a JSON report too long for a JavaScript string. The first ones say what is wrong; the rest are counted.
 */
export const MAX_ISSUES_PER_FILE = 100;

/** Collects issues with 1-based line numbers, the first MAX_ISSUES_PER_FILE of them in full. */
export class IssueList {
  private readonly listed: LineIssue[] = [];
  private unlisted = 0;
  private firstUnlistedLine: number | null = null;

  add(line: number | null, message: string): void {
    if (this.listed.length < MAX_ISSUES_PER_FILE) {
      this.listed.push({ line, message });
      return;
    }
    if (this.unlisted === 0) this.firstUnlistedLine = line;
    this.unlisted++;
  }

  /** The issues, with one more that counts those not listed. */
  get items(): LineIssue[] {
    if (this.unlisted === 0) return this.listed;
    const more = `${this.unlisted.toLocaleString("en-US")} more problems from here on, not listed (the first ${MAX_ISSUES_PER_FILE} are)`;
    return [...this.listed, { line: this.firstUnlistedLine, message: more }];
  }
}

/** Shortens a line for an issue message. */
export function quote(line: string): string {
  const trimmed = line.trim();
  return JSON.stringify(trimmed.length > 80 ? `${trimmed.slice(0, 77)}...` : trimmed);
}
