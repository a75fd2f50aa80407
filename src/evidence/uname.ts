import { IssueList, quote, splitLines } from "./text.js";
import type { KernelVersion, Parsed } from "./types.js";

const RELEASE = /^(\d+\.\d+(?:\.\d+)?[^\s]*)$/;
const UNAME_A = /^Linux\s+\S+\s+(\d+\.\d+(?:\.\d+)?\S*)\s+#/;
const PROC_VERSION = /^Linux version (\d+\.\d+(?:\.\d+)?\S*)\s/;

export function looksLikeUname(text: string): boolean {
  const lines = splitLines(text).filter((line) => line.trim() !== "");
  return lines.length > 0 && lines.length <= 4 && lines.every((line) => RELEASE.test(line.trim()) || UNAME_A.test(line.trim()));
}

export function looksLikeProcVersion(text: string): boolean {
  return PROC_VERSION.test(text.trim());
}

/** uname -r ("6.18.44"), uname -a ("Linux host 6.18.44 #1 SMP …") or /proc/version → the release string. */
export function parseKernelRelease(text: string): Parsed<string | null> {
  const issues = new IssueList();
  let release: string | null = null;
  splitLines(text).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    const match = RELEASE.exec(line) ?? UNAME_A.exec(line) ?? PROC_VERSION.exec(line);
    if (!match) {
      issues.add(index + 1, `not a kernel release line: ${quote(raw)}`);
      return;
    }
    release ??= match[1] ?? null;
  });
  return { value: release, issues: issues.items };
}

/** "3.10.0-1160.el7.x86_64" → {3, 10, 0}; distribution suffixes are ignored. */
export function kernelVersionOf(release: string): KernelVersion | null {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (!match) return null;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0) };
}
