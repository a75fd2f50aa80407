/**
 * The Markdown report (`diagnose --markdown FILE`): something to paste into a ticket. Verdict and fix first,
 * then the evidence, counter deltas, unanswered attempts (bounded) and the other findings.
 *
 * Escaping: every string from the input (file names, addresses, sysctl values, rule text, summaries that quote
 * them) goes through `mdText` (prose) or `mdCode` (code spans and blocks), so that no input can open raw HTML,
 * a link, a table cell or a code fence of its own. Target dialect: CommonMark + GitHub/GitLab tables.
 */
import type { Diagnosis, EvidenceItem, Finding, Fix } from "../diagnose/types.js";
import type { AnalyzeSummary } from "../handshakes/analysis-types.js";
import {
  attemptNotes,
  captureWindow,
  CODE_TITLES,
  counterRows,
  endpoint,
  evidenceFacts,
  isShellCommand,
  kernelText,
  otherFindings,
  percentText,
  REPLY_TEXT,
  signed,
  unansweredAttempts,
  utcClock,
  utcTime,
  verdictFinding,
  verdictTone,
} from "./report-rows.js";
import { grouped } from "../util/number-text.js";

export interface MarkdownOptions {
  /** Rows of the unanswered attempts table (default 20: a ticket, not a dump). */
  readonly attemptLimit?: number;
  /** Counter rows (default 15). */
  readonly counterLimit?: number;
}

const TONE_MARK = { cause: "🔴", healthy: "🟢", unknown: "🟡" } as const;

export function renderMarkdown(diagnosis: Diagnosis, options: MarkdownOptions = {}): string {
  const attemptLimit = options.attemptLimit ?? 20;
  const counterLimit = options.counterLimit ?? 15;
  const out: string[] = [];
  const verdict = verdictFinding(diagnosis);
  const tone = verdictTone(diagnosis);

  out.push(`# ${TONE_MARK[tone]} ${mdText(CODE_TITLES[diagnosis.verdict])}`, "");
  const facts = [`**Verdict:** ${mdCode(diagnosis.verdict)}`, `confidence ${percentText(diagnosis.confidence)}`];
  if (diagnosis.port !== null) facts.push(`port ${diagnosis.port}`);
  facts.push(mdText(kernelText(diagnosis)));
  out.push(facts.join(" · "), "");
  if (verdict !== null) {
    out.push(`> ${mdText(verdict.summary)}`, "");
    if (verdict.fix.length > 0) out.push(`## ${diagnosis.verdict === "unknown" ? "Collect next" : "Fix"}`, "", ...fixLines(verdict.fix), "");
    out.push("## Evidence", "");
    out.push(...evidenceLines(verdict.evidence));
    if (verdict.evidence.length === 0) out.push("_No evidence items._");
    if (verdict.conflicts.length > 0) {
      out.push("", "**Speaks against it:**", "");
      for (const c of verdict.conflicts) out.push(`- ${mdText(c)}`);
    }
    out.push("", `Applies to kernels: ${mdText(verdict.kernels)}`, "");
  }

  if (diagnosis.capture !== null) out.push(...captureSection(diagnosis.capture), "");
  if (diagnosis.crossCheck !== null) out.push(`**Capture vs counters:** ${mdText(diagnosis.crossCheck.detail)} (${mdCode(diagnosis.crossCheck.agreement)})`, "");

  out.push(...counterSection(diagnosis, counterLimit));
  if (diagnosis.capture !== null) out.push(...attemptSection(diagnosis.capture, attemptLimit));

  const others = otherFindings(diagnosis);
  if (others.length > 0) {
    out.push("## Other findings", "");
    for (const f of others) out.push(...findingLines(f));
  }

  out.push("## Inputs", "");
  for (const input of diagnosis.inputs) out.push(`- ${mdCode(input.path)} (${input.kind === null ? "not recognised" : mdText(input.kind)})`);
  if (diagnosis.inputs.length === 0) out.push("_none_");
  const warnings = [...diagnosis.warnings, ...(diagnosis.host?.issues ?? []).map((i) => `${i.path}${i.line !== null ? `:${i.line}` : ""}: ${i.message}`)];
  if (warnings.length > 0) {
    out.push("", "**Warnings:**", "");
    for (const w of warnings.slice(0, 20)) out.push(`- ${mdText(w)}`);
    if (warnings.length > 20) out.push(`- … ${grouped(warnings.length - 20)} more`);
  }
  out.push("", "---", "_Report by nosynack. Finding codes: shared/spec/causes.md._", "");
  return out.join("\n");
}

function fixLines(fixes: readonly Fix[]): string[] {
  const lines: string[] = [];
  fixes.forEach((fix, i) => {
    lines.push(`${i + 1}. ${isShellCommand(fix.command) ? mdCode(fix.command) : mdText(fix.command)}`);
    if (fix.persist !== null) lines.push(`   - Persist: ${isShellCommand(fix.persist) ? mdCode(fix.persist) : mdText(fix.persist)}`);
    if (fix.note !== null) lines.push(`   - Note: ${mdText(fix.note)}`);
  });
  return lines;
}

function evidenceLines(items: readonly EvidenceItem[]): string[] {
  return items.map((item) => {
    const facts = evidenceFacts(item);
    const head = facts !== null ? `${mdCode(facts)} — ` : "";
    const file = item.file !== null ? ` (${mdCode(item.file)})` : "";
    return `- **${item.source}** ${head}${mdText(item.detail)}${file}`;
  });
}

function captureSection(capture: AnalyzeSummary): string[] {
  const h = capture.handshakes;
  const r = h.firstReply;
  const window = captureWindow(capture);
  return [
    "## Capture",
    "",
    ...(window !== null ? [`Window: ${mdText(window)}`, ""] : []),
    "| attempts | answered | unanswered | first reply SYN-ACK / bare ACK / RST / ICMP / none | SYN retransmits | SYN-ACK retransmits |",
    "|---:|---:|---:|:---:|---:|---:|",
    `| ${grouped(h.attempts)} | ${grouped(h.answered)} | ${grouped(h.unanswered)} | ${[r.synack, r.ack, r.rst, r.icmp, r.none].map((n) => grouped(n)).join(" / ")} | ${grouped(h.synRetransmits)} | ${grouped(h.synackRetransmits)} |`,
  ];
}

function counterSection(diagnosis: Diagnosis, limit: number): string[] {
  const rows = counterRows(diagnosis);
  if (rows.length === 0) return [];
  const withDeltas = diagnosis.host?.hasDeltas ?? rows.some((r) => r.delta !== null);
  // A ticket wants what moved; with one snapshot, what is non-zero.
  const shown = rows.filter((r) => (withDeltas ? (r.delta ?? 0) !== 0 : r.after !== 0) || r.cited).slice(0, limit);
  const out = [withDeltas ? "## Counter deltas" : "## Counters (one snapshot, no deltas)", ""];
  if (shown.length === 0) {
    out.push(withDeltas ? "No SYN-path counter moved." : "All SYN-path counters are zero.", "");
    return out;
  }
  out.push("| counter | before | after | Δ |", "|---|---:|---:|---:|");
  for (const r of shown) {
    const name = r.cited ? `**${mdCell(mdCode(r.counter))}**` : mdCell(mdCode(r.counter));
    out.push(`| ${name} | ${r.before === null ? "–" : grouped(r.before)} | ${grouped(r.after)} | ${signed(r.delta)} |`);
  }
  const hidden = rows.length - shown.length;
  if (hidden > 0) out.push("", `_${grouped(hidden)} more SYN-path counters ${withDeltas ? "did not move or are" : "are zero or"} not shown._`);
  out.push("");
  return out;
}

function attemptSection(capture: AnalyzeSummary, limit: number): string[] {
  const table = unansweredAttempts(capture, limit);
  if (table.total === 0) return [];
  const first = table.rows[0];
  const out = [`## Unanswered attempts (${table.rows.length < table.total ? `first ${grouped(table.rows.length)} of ` : ""}${grouped(table.total)})`, ""];
  if (first !== undefined) out.push(`Times are UTC on ${utcTime(first.firstSyn).slice(0, 10)}.`, "");
  out.push("| first SYN | client | server | SYNs | TSval | TTL | first reply | notes |", "|---|---|---|---:|---:|---:|---|---|");
  for (const a of table.rows) {
    const cells = [
      utcClock(a.firstSyn),
      mdCell(mdCode(endpoint(a.client, a.clientPort))),
      mdCell(mdCode(endpoint(a.server, a.serverPort))),
      grouped(a.syns),
      a.tsVal === null ? "–" : String(a.tsVal),
      String(a.ttl),
      REPLY_TEXT[a.firstReply],
      mdCell(mdText(attemptNotes(a).join("; "))),
    ];
    out.push(`| ${cells.join(" | ")} |`);
  }
  if (table.omitted > 0) out.push("", `_${grouped(table.omitted)} more unanswered attempts not shown._`);
  out.push("");
  return out;
}

function findingLines(f: Finding): string[] {
  const out = [`### ${mdCode(f.code)} — ${mdText(CODE_TITLES[f.code])}`, "", `${f.kind}, confidence ${percentText(f.confidence)}${f.port !== null ? `, port ${f.port}` : ""}. ${mdText(f.summary)}`, ""];
  out.push(...evidenceLines(f.evidence.slice(0, 8)));
  if (f.evidence.length > 8) out.push(`- … ${grouped(f.evidence.length - 8)} more evidence items`);
  if (f.conflicts.length > 0) for (const c of f.conflicts) out.push(`- _against:_ ${mdText(c)}`);
  if (f.fix.length > 0) out.push("", "Fix:", "", ...fixLines(f.fix));
  out.push("");
  return out;
}

// --- escaping ---

/**
 * Prose from the input: backslash-escape every character that could start markup (emphasis, links and images
 * via `[`, raw HTML, entities, code spans, table cells, headings); newlines become spaces so one item stays
 * one line.
 * Underscores inside words are left alone (CommonMark does not emphasise them) so sysctl names stay readable.
 */
export function mdText(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*[\]<>|~&#]/g, (c) => `\\${c}`)
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, "\\_");
}

/** A code span that no content can close early: the fence is longer than any backtick run inside. */
export function mdCode(text: string): string {
  const flat = text.replace(/[\r\n]+/g, " ");
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || flat === "" ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Inside a table cell a `|` ends the cell even within a code span; GFM takes `\|` there. */
function mdCell(markdown: string): string {
  return markdown.replace(/(?<!\\)\|/g, "\\|");
}
