/**
 * The human report of a replay: the answer first, then observed vs predicted (vs baseline), the counters the
 * model moved, the sources, the attempts that disagree, and the assumptions. Plain text within 80 columns.
 */
import type { AttemptRow, ReplayReport, RunSummary } from "./what-if.js";
import type { FirstReply } from "./types.js";

const FIRST_REPLIES: readonly FirstReply[] = ["synack", "ack", "rst", "icmp", "none"];

function pct(x: number | null): string {
  return x === null ? "-" : `${(x * 100).toFixed(1)}%`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + " ".repeat(width - text.length);
}

function lpad(text: string, width: number): string {
  return text.length >= width ? text : " ".repeat(width - text.length) + text;
}

/** Wraps prose at 78 columns with a hanging indent. */
function wrap(text: string, indent: string, first = ""): string[] {
  const out: string[] = [];
  let line = first;
  for (const word of text.split(/\s+/)) {
    if (line.length > indent.length && line.length + 1 + word.length > 78) {
      out.push(line);
      line = indent + word;
    } else {
      line = line.trim().length === 0 ? line + word : `${line} ${word}`;
    }
  }
  if (line.trim().length > 0) out.push(line);
  return out;
}

function outcome(first: FirstReply, answered: boolean): string {
  return first === "synack" || !answered ? first : `${first}>synack`;
}

function counterLines(title: string, run: RunSummary): string[] {
  const entries = Object.entries(run.counters).filter(([name]) => !/^Tcp(In|Out)Segs$/.test(name));
  if (entries.length === 0) return [`${title}: none`];
  return wrap(entries.map(([n, v]) => `${n} ${v}`).join(", "), "    ", `${title}:`);
}

function attemptLine(r: AttemptRow, withBaseline: boolean): string {
  const client = pad(`${r.client}:${r.clientPort}`, 22);
  const t = lpad(r.firstSyn.toFixed(3), 8);
  const obs = pad(outcome(r.observed.first, r.observed.answered), 10);
  const pred = pad(outcome(r.predicted.first, r.predicted.answered), 10);
  const base = withBaseline && r.baseline !== null ? pad(outcome(r.baseline.first, r.baseline.answered), 10) : "";
  // The reason of the run that reproduces this attempt explains what the capture shows (tw-recycle-paws for an
  // unanswered SYN, not the other run's new-request); when neither does, the predicted run's.
  const baselineAgrees = withBaseline && r.baseline !== null && r.observed.first === r.baseline.first && r.observed.answered === r.baseline.answered;
  const reason = (r.agree || !baselineAgrees ? r.predicted.reason : r.baseline?.reason) ?? "";
  return `  ${t} ${client}${obs}${pred}${base}${reason}`.slice(0, 79).trimEnd();
}

export function renderReplayText(report: ReplayReport, captureName: string): string {
  const lines: string[] = [];
  const b = report.baseline;
  lines.push(...wrap(`replay of ${captureName} through the kernel model of Linux ${report.kernel}`, "  "));
  lines.push(...wrap(report.answer, "  ", "answer:"));
  lines.push("");
  const asked = Object.entries(report.settings.sysctls).map(([k, v]) => `${k}=${v}`);
  if (report.settings.backlog !== null) asked.push(`backlog ${report.settings.backlog}`);
  const head = ["", "observed", "predicted", ...(b ? ["baseline"] : [])];
  const widths = [22, 10, 11, 11];
  const row = (cells: string[]): string => cells.map((c, i) => (i === 0 ? pad(c, widths[0] as number) : lpad(c, widths[i] as number))).join("");
  lines.push(row(head));
  const o = report.observed;
  const p = report.predicted;
  lines.push(row(["SYN attempts", String(o.attempts), String(p.attempts), ...(b ? [String(b.attempts)] : [])]));
  lines.push(row(["unanswered", String(o.unanswered), String(p.unanswered), ...(b ? [String(b.unanswered)] : [])]));
  for (const f of FIRST_REPLIES) {
    lines.push(row([`  first reply ${f}`, String(o.firstReply[f]), String(p.firstReply[f]), ...(b ? [String(b.firstReply[f])] : [])]));
  }
  lines.push(row(["agreement", "", pct(p.agreement), ...(b ? [pct(b.agreement)] : [])]));
  lines.push("");
  lines.push(...wrap(`predicted = ${asked.length > 0 ? asked.join(", ") : "the settings given"}${b ? `; baseline = ${b.label}` : ""}`, "  "));
  lines.push(...counterLines("counters moved (predicted)", p));
  if (b) lines.push(...counterLines("counters moved (baseline)", b));

  if (report.sources.length > 1 || (report.sources[0]?.observedUnanswered ?? 0) > 0) {
    lines.push("");
    lines.push(`sources (unanswered)          attempts  observed predicted${b ? " baseline" : ""}`);
    for (const s of report.sources.slice(0, 10)) {
      lines.push(`  ${pad(s.addr, 28)}${lpad(String(s.attempts), 8)}${lpad(String(s.observedUnanswered), 10)}${lpad(String(s.predictedUnanswered), 10)}${b ? lpad(String(s.baselineUnanswered ?? 0), 9) : ""}`);
    }
  }

  const shown = report.attempts.filter((r) => !r.agree || (r.baseline !== null && (r.baseline.first !== r.observed.first || r.baseline.answered !== r.observed.answered)));
  if (shown.length > 0) {
    lines.push("");
    const differ = `predicted ${p.attempts - p.agreeing}${b ? `, baseline ${b.attempts - b.agreeing}` : ""}`;
    lines.push(`attempts that differ from the capture (${differ}):`);
    lines.push(`  ${lpad("t (s)", 8)} ${pad("client", 22)}${pad("observed", 10)}${pad("predicted", 10)}${b ? pad("baseline", 10) : ""}reason`);
    for (const r of shown.slice(0, 20)) lines.push(attemptLine(r, b !== null));
    if (shown.length > 20) lines.push(`  … ${shown.length - 20} more in --json`);
  }

  lines.push("");
  lines.push("assumptions:");
  for (const a of report.assumptions) lines.push(...wrap(a, "    ", "  -"));
  if (report.warnings.length > 0) {
    lines.push("warnings:");
    for (const w of report.warnings) lines.push(...wrap(w, "    ", "  -"));
  }
  return `${lines.join("\n")}\n`;
}
