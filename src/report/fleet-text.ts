/**
 * The terminal report of `fleet`: one ranked line per host, then for each host with a cause or a risk the
 * findings' one-liners and the first evidence. Pure (FleetReport → string).
 */
import { showsTrouble, type FleetReport } from "../fleet/rank.js";
import { grouped } from "../util/number-text.js";
import { wrap } from "./diagnose-text.js";
import { columns, counted, type Style } from "./text-format.js";

/** Hosts whose findings are spelled out below the table (the worst ones). */
const DETAILED_HOSTS = 10;
/** Hosts without findings listed in the table after the others (a fleet of thousands stays readable). */
const QUIET_ROWS = 10;

export function renderFleetText(report: FleetReport, style: Style): string {
  const hosts = report.hosts;
  const troubled = hosts.filter(showsTrouble);
  const lines = [
    style.bold(`${counted(hosts.length, "host")} from ${report.prometheus}${report.matchers.length > 0 ? ` {${report.matchers.join(",")}}` : ""}, counters over ${report.window} up to ${report.evaluatedAt}`),
    troubled.length === 0 ? "No host shows a SYN-path cause or risk in its counters." : `${counted(troubled.length, "host")} with a cause or a risk, worst first:`,
    "",
  ];
  if (hosts.length === 0) {
    lines.push("  No node_exporter target (node_uname_info) in this Prometheus over the window.");
    return `${lines.join("\n")}\n`;
  }
  const quiet = hosts.filter((h) => !showsTrouble(h));
  const listed = [...troubled, ...quiet.slice(0, QUIET_ROWS)];
  const rows = [["host", "verdict", "confidence", "SYNs dropped", "kernel"]];
  for (const h of listed) rows.push([h.instance + (h.up ? "" : " (down)"), h.verdict, h.verdict === "unknown" ? "-" : `${Math.round(h.confidence * 100)}%`, grouped(h.dropped), h.kernel ?? "?"]);
  const table = columns(rows, "  ", [0, 1, 4]);
  lines.push(style.bold(table[0] ?? ""), ...table.slice(1));
  if (quiet.length > QUIET_ROWS) lines.push(`  … ${counted(quiet.length - QUIET_ROWS, "more host")} with nothing to report (--json lists all)`);

  for (const h of troubled.slice(0, DETAILED_HOSTS)) {
    lines.push("", style.bold(h.instance));
    for (const f of h.findings.filter((f) => f.kind !== "info" || f.code === h.verdict)) {
      const weight = f.kind === "info" ? "" : `, ${Math.round(f.confidence * 100)}%`;
      lines.push(...wrap(`${f.code} (${f.kind}${weight}): ${f.summary}`, "  ", 4));
      const first = f.evidence[0];
      if (first) lines.push(...wrap(`evidence: ${first.detail}`, "    ", 2));
      const fix = f.fix[0];
      if (fix && f.kind !== "info") lines.push(...wrap(`fix: ${fix.command}`, "    ", 2));
    }
  }
  if (troubled.length > DETAILED_HOSTS) lines.push("", `… ${troubled.length - DETAILED_HOSTS} more hosts with findings (--json lists all)`);
  const filtered = hosts.filter((h) => h.missingCounters.length > 0).length;
  if (filtered > 0) lines.push("", style.warn(`${counted(filtered, "host")} ${filtered === 1 ? "exports" : "export"} only part of the SYN-path counters: run node_exporter with the flags \`nosynack fleet rules\` prints.`));
  return `${lines.join("\n")}\n`;
}
