/**
 * The terminal report of `diagnose`: verdict first, then its evidence, then the fix, then other findings.
 * Pure (Diagnosis → string); lines are wrapped to 80 columns; colour only through the Style passed in.
 */
import type { Diagnosis, Finding, Fix } from "../diagnose/types.js";
import type { Style } from "./text-format.js";

const WIDTH = 80;
/** A fix whose command starts with one of these is a shell line (shown as `$ …`); others are actions in words. */
const SHELL_WORDS = /^(sudo|sysctl|ip|nstat|ss|tcpdump|iptables|iptables-save|nft|conntrack|perf|echo|ethtool|arping|nosynack)\s/;

/** Word-wraps `text` to WIDTH; continuation lines get `hang` spaces more than `indent`. */
export function wrap(text: string, indent: string, hang = 2): string[] {
  const out: string[] = [];
  const rest = indent + " ".repeat(hang);
  const room = Math.max(20, WIDTH - rest.length);
  // Unbreakable tokens (long paths) are cut so that no line passes WIDTH.
  const words = text
    .split(/\s+/)
    .filter((w) => w !== "")
    .flatMap((w) => (w.length <= room ? [w] : (w.match(new RegExp(`.{1,${room}}`, "g")) ?? [w])));
  let line = indent;
  for (const word of words) {
    const start = line === indent || line === rest;
    if (!start && line.length + 1 + word.length > WIDTH) {
      out.push(line);
      line = rest + word;
    } else {
      line += (start ? "" : " ") + word;
    }
  }
  if (line.trim() !== "") out.push(line);
  return out;
}

function pct(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

function fixLines(fixes: readonly Fix[], style: Style, heading: string): string[] {
  if (fixes.length === 0) return [];
  const lines = ["", style.bold(heading)];
  for (const f of fixes) {
    lines.push(...wrap(SHELL_WORDS.test(f.command) ? `$ ${f.command}` : `- ${f.command}`, "  ", 4));
    if (f.persist) lines.push(...wrap(`persist: ${f.persist}`, "    ", 2));
    if (f.note) lines.push(...wrap(`note: ${f.note}`, "    ", 2));
  }
  return lines;
}

function evidenceLines(finding: Finding, limit: number): string[] {
  const lines: string[] = [];
  for (const item of finding.evidence.slice(0, limit)) lines.push(...wrap(`- ${item.detail}`, "  ", 2));
  if (finding.evidence.length > limit) lines.push(`  … ${finding.evidence.length - limit} more`);
  return lines;
}

export function renderDiagnosisText(d: Diagnosis, style: Style): string {
  const lines: string[] = [];
  const main = d.findings[0];
  const where = [d.port === null ? null : `port ${d.port}`, d.kernel.version === null ? null : `kernel ${d.kernel.version}`].filter((x) => x !== null).join(", ");
  const label = d.verdict === "healthy" ? d.verdict : d.verdict === "unknown" ? style.warn(d.verdict) : style.warn(d.verdict);
  lines.push(`${style.bold("Verdict:")} ${label}${d.verdict === "unknown" ? "" : ` (${pct(d.confidence)})`}${where ? `   ${where}` : ""}`);
  if (main) {
    lines.push(...wrap(main.summary, "  ", 0));
    if (main.evidence.length > 0) lines.push("", style.bold("Evidence"), ...evidenceLines(main, 12));
    if (main.conflicts.length > 0) {
      lines.push("", style.bold("Against it"));
      for (const c of main.conflicts) lines.push(...wrap(`! ${c}`, "  ", 2));
    }
    lines.push(...fixLines(main.fix, style, d.verdict === "unknown" ? "Collect next" : "Fix"));
    if (main.kernels !== "all" && d.verdict !== "unknown" && d.verdict !== "healthy") lines.push(...wrap(`applies to kernels: ${main.kernels}`, "  ", 2));
  }

  const others = d.findings.slice(1);
  if (others.length > 0) {
    lines.push("", style.bold("Other findings"));
    for (const f of others) {
      lines.push(...wrap(`${f.kind.padEnd(5)} ${f.code} (${pct(f.confidence)}): ${f.summary}`, "  ", 8));
      for (const c of f.conflicts.slice(0, 2)) lines.push(...wrap(`! ${c}`, "        ", 2));
    }
  }

  const captures = d.inputs.filter((i) => i.kind === "pcap" || i.kind === "pcapng").length;
  const kernelFrom = d.kernel.version === null ? "kernel unknown" : `kernel ${d.kernel.version} (from ${d.kernel.source})`;
  const have = [d.evidence.capture ? "capture" : null, d.evidence.counterDeltas ? "counter deltas" : d.evidence.counters ? "counters (one snapshot)" : null, d.evidence.sockets ? "sockets" : null, d.evidence.sysctl ? "sysctls" : null].filter((x) => x !== null);
  lines.push("", ...wrap(`Inputs: ${d.inputs.length} file${d.inputs.length === 1 ? "" : "s"} (${captures} capture${captures === 1 ? "" : "s"}); evidence: ${have.join(", ") || "none"}; ${kernelFrom}`, "", 2));
  if (d.crossCheck && d.crossCheck.agreement !== "no-drops" && !d.findings.some((f) => f.code === "counter-crosscheck")) lines.push(...wrap(`Cross-check: ${d.crossCheck.detail}`, "", 2));
  if (d.warnings.length > 0) {
    lines.push(`Warnings: ${d.warnings.length}`);
    for (const w of d.warnings.slice(0, 5)) lines.push(...wrap(`- ${w}`, "  ", 2));
    if (d.warnings.length > 5) lines.push(`  … ${d.warnings.length - 5} more (see --json)`);
  }
  return `${lines.join("\n")}\n`;
}
