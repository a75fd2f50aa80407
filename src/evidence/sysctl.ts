import { IssueList, quote, splitLines } from "./text.js";
import type { Parsed } from "./types.js";

const ENTRY = /^\s*([A-Za-z0-9_][A-Za-z0-9_./:@*-]*)\s*=\s*(.*?)\s*$/;

/** sysctl -a (`key = value`) or sysctl.conf (`key=value`, comments with # or ;, leading `-` to ignore errors). */
export function looksLikeSysctl(text: string): boolean {
  const lines = splitLines(text).filter((line) => line.trim() !== "" && !/^\s*[#;]/.test(line));
  if (lines.length === 0) return false;
  const entries = lines.filter((line) => ENTRY.test(line.replace(/^\s*-/, "")));
  return entries.length >= Math.max(1, lines.length * 0.8) && entries.some((line) => /^\s*-?(net|kernel|vm|fs)[./]/.test(line));
}

/**
 * Keys are normalised to dots (sysctl.conf may use slashes); values keep their words with whitespace collapsed
 * (`4096 16384 4194304`). A key given twice keeps the last value, as `sysctl -p` would apply it.
 */
export function parseSysctl(text: string): Parsed<Record<string, string>> {
  const values: Record<string, string> = {};
  const issues = new IssueList();
  splitLines(text).forEach((raw, index) => {
    if (raw.trim() === "" || /^\s*[#;]/.test(raw)) return;
    // sysctl -a error lines that end up in redirected output ("sysctl: permission denied on key …").
    if (/^sysctl: /.test(raw)) {
      issues.add(index + 1, `sysctl error line: ${quote(raw)}`);
      return;
    }
    const match = ENTRY.exec(raw.replace(/^\s*-/, ""));
    if (!match) {
      issues.add(index + 1, `not a "key = value" line: ${quote(raw)}`);
      return;
    }
    const key = (match[1] ?? "").replace(/\//g, ".");
    values[key] = (match[2] ?? "").replace(/\s+/g, " ");
  });
  return { value: values, issues: issues.items };
}
