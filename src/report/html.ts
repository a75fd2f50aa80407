/**
 * The self-contained HTML report (`diagnose --html FILE`): one file that opens offline and makes no network
 * request. Verdict and fix first, then evidence, the handshake timeline, TSval-vs-time plots of NAT-suspect
 * sources, counter deltas, unanswered attempts, other findings and the inputs.
 *
 * Safety: every string from the input goes through `esc()` (text and attribute values) or `jsonForScript()`
 * (the data block read by the chart script). A Content-Security-Policy with hashes of our own inline script and
 * style blocks forbids every other script, style block and network request, so even a missed escape could not
 * run code or load anything.
 */
import { createHash } from "node:crypto";
import type { Diagnosis, EvidenceItem, Finding, Fix } from "../diagnose/types.js";
import type { AnalyzeSummary, SourceSummary, Timeline, TsSeries } from "../handshakes/analysis-types.js";
import { CHART_SCRIPT } from "./html-script.js";
import { REPORT_CSS } from "./html-style.js";
import { loadChartAssets, type ChartAssets } from "./html-vendor.js";
import {
  AGREEMENT_TEXT,
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

export interface HtmlOptions {
  /** Rows of the unanswered attempts table (default 500; the table scrolls). */
  readonly attemptLimit?: number;
  /** NAT-suspect sources plotted (default 6). */
  readonly tsPlotLimit?: number;
  /** The chart library; read from node_modules when not given. */
  readonly assets?: ChartAssets;
}

export function renderHtml(diagnosis: Diagnosis, options: HtmlOptions = {}): string {
  const assets = options.assets ?? loadChartAssets();
  const capture = diagnosis.capture;
  const tsSeries = capture === null ? [] : capture.tsSeries.filter((s) => s.points.length > 0).slice(0, options.tsPlotLimit ?? 6);
  const data = { timeline: capture === null ? null : timelineData(capture.timeline), ts: tsSeries.map((s) => tsData(s, capture)) };

  const script = `${assets.script}\n${CHART_SCRIPT}`;
  const css = `${assets.css}\n${REPORT_CSS}`;
  const csp = [
    "default-src 'none'",
    `script-src '${sha256(script)}'`,
    `style-src '${sha256(css)}'`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");

  const verdict = verdictFinding(diagnosis);
  const title = CODE_TITLES[diagnosis.verdict];
  const window = capture === null ? null : captureWindow(capture);
  const body = [
    `<header class="top"><span class="brand">nosynack</span><span>SYN path diagnosis</span>${window !== null ? `<span class="muted">capture ${esc(window)}</span>` : ""}</header>`,
    "<main>",
    verdictSection(diagnosis, verdict, title),
    // Fix and the numbers at a glance on the left, the evidence on the right.
    `<div class="grid2"><div>${verdict === null ? "" : fixSection(diagnosis, verdict)}${capture === null ? "" : statsSection(diagnosis, capture)}</div>${verdict === null ? "" : evidenceSection(verdict)}</div>`,
    capture === null ? noCaptureSection() : "",
    capture === null ? "" : timelineSection(capture),
    tsSection(tsSeries, capture),
    counterSection(diagnosis),
    capture === null ? "" : attemptSection(capture, options.attemptLimit ?? 500),
    othersSection(otherFindings(diagnosis)),
    inputsSection(diagnosis),
    "</main>",
    `<footer>Report by nosynack · charts by uPlot ${esc(assets.version)} (MIT, inlined) · this file makes no network request · finding codes as in causes.md</footer>`,
  ].join("\n");

  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>nosynack: ${esc(diagnosis.verdict)} — ${esc(title)}</title>`,
    `<style>${css}</style>`,
    "</head>",
    "<body>",
    body,
    `<script type="application/json" id="nosynack-data">${jsonForScript(data)}</script>`,
    `<script>${script}</script>`,
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

// --- sections ---

function verdictSection(d: Diagnosis, verdict: Finding | null, title: string): string {
  const tone = verdictTone(d);
  const kicker = tone === "cause" ? "Verdict: cause found" : tone === "healthy" ? "Verdict: healthy" : "Verdict: not proven";
  const meta = [
    `<span class="badge ${tone === "cause" ? "cause" : "info"}">${esc(d.verdict)}</span>`,
    `<span>confidence <meter min="0" max="1" low="0.5" high="0.7" optimum="1" value="${d.confidence.toFixed(2)}"></meter> ${esc(percentText(d.confidence))}</span>`,
    d.port !== null ? `<span>port ${d.port}</span>` : "",
    `<span>${esc(kernelText(d))}</span>`,
  ].join("");
  return [
    `<section class="verdict tone-${tone}" id="verdict">`,
    `<div class="kicker">${esc(kicker)}</div>`,
    `<h1>${esc(title)}</h1>`,
    `<div class="meta">${meta}</div>`,
    verdict !== null ? `<p class="summary">${esc(verdict.summary)}</p>` : "",
    "</section>",
  ].join("\n");
}

function fixSection(d: Diagnosis, verdict: Finding): string {
  const heading = d.verdict === "unknown" ? "Collect next" : d.verdict === "healthy" ? "Nothing to fix" : "Fix";
  const body = verdict.fix.length > 0 ? fixList(verdict.fix) : `<p class="empty">No action needed.</p>`;
  return `<section class="card fix" id="fix"><h2>${heading}</h2>${body}${verdict.kernels !== "" ? `<p class="caption">Applies to kernels: ${esc(verdict.kernels)}</p>` : ""}</section>`;
}

function fixList(fixes: readonly Fix[]): string {
  const items = fixes.map((f) => {
    const persist =
      f.persist === null ? "" : isShellCommand(f.persist) ? `<div class="persist">Persist:</div><pre class="light"><code>${esc(f.persist)}</code></pre>` : `<div class="persist">Persist: ${esc(f.persist)}</div>`;
    const note = f.note !== null ? `<div class="note">⚠ ${esc(f.note)}</div>` : "";
    const command = isShellCommand(f.command) ? `<pre><code>${esc(f.command)}</code></pre>` : `<p class="action">${esc(f.command)}</p>`;
    return `<li>${command}${persist}${note}</li>`;
  });
  return `<ol>${items.join("")}</ol>`;
}

function evidenceSection(verdict: Finding): string {
  const list = verdict.evidence.length > 0 ? evidenceList(verdict.evidence) : `<p class="empty">No evidence items.</p>`;
  const conflicts =
    verdict.conflicts.length > 0 ? `<div class="conflicts"><strong>Speaks against it:</strong><ul>${verdict.conflicts.map((c) => `<li>${esc(c)}</li>`).join("")}</ul></div>` : "";
  return `<section class="card" id="evidence"><h2>Evidence</h2>${list}${conflicts}</section>`;
}

function evidenceList(items: readonly EvidenceItem[]): string {
  const rows = items.map((item) => {
    const facts = evidenceFacts(item);
    const factsHtml = facts !== null ? `<span class="facts">${esc(facts)}</span> ` : "";
    const file = item.file !== null ? ` <span class="file">${esc(item.file)}</span>` : "";
    return `<li><span class="tag ${esc(item.source)}">${esc(item.source)}</span>${factsHtml}${esc(item.detail)}${file}</li>`;
  });
  return `<ul class="evidence">${rows.join("")}</ul>`;
}

function noCaptureSection(): string {
  return `<section class="card" id="timeline"><h2>Timeline</h2><p class="empty">No capture was given, so there is no timeline. Capture the handshakes on the server, e.g. <code>tcpdump -i any -w server.pcap 'tcp[tcpflags] &amp; (tcp-syn|tcp-rst|tcp-fin) != 0'</code>, or run <code>nosynack collect</code>.</p></section>`;
}

function statsSection(d: Diagnosis, capture: AnalyzeSummary): string {
  const h = capture.handshakes;
  const r = h.firstReply;
  const pct = h.attempts === 0 ? "" : ` (${Math.round((100 * h.unanswered) / h.attempts)} %)`;
  const tiles: Array<[string, string, boolean]> = [
    [grouped(h.attempts), "SYN attempts", false],
    [grouped(h.unanswered), `unanswered${pct}`, h.unanswered > 0],
    [grouped(h.synRetransmits), "SYN retransmits", h.synRetransmits > 0],
    [grouped(h.answeredAfterRetransmit), "answered only after a retry", h.answeredAfterRetransmit > 0],
    [`${grouped(r.synack)} / ${grouped(r.ack)} / ${grouped(r.rst)}`, "first reply SYN-ACK / bare ACK / RST", r.ack + r.rst > 0],
  ];
  if (d.crossCheck !== null) tiles.push([AGREEMENT_TEXT[d.crossCheck.agreement], "capture vs counters", d.crossCheck.agreement !== "match" && d.crossCheck.agreement !== "no-drops"]);
  const html = tiles.map(([v, l, bad]) => `<div class="stat${bad ? " bad" : ""}"><div class="v${/^[\d,\s/()%]+$/.test(v) ? "" : " word"}">${esc(v)}</div><div class="l">${esc(l)}</div></div>`);
  const cross = d.crossCheck !== null ? `<p class="caption">${esc(d.crossCheck.detail)}</p>` : "";
  return `<section class="stats" id="stats">${html.join("")}</section>${cross}`;
}

function timelineSection(capture: AnalyzeSummary): string {
  const t = capture.timeline;
  if (t.startSeconds === null || t.syn.length === 0) return `<section class="card" id="timeline"><h2>Timeline</h2><p class="empty">The capture holds no handshake packets.</p></section>`;
  const step = t.stepSeconds === 1 ? "second" : `${t.stepSeconds} seconds`;
  return [
    `<section class="card" id="timeline"><h2>Handshake timeline</h2>`,
    `<div class="chart" id="chart-timeline" role="img" aria-label="SYNs, SYN retransmits, SYN-ACKs, bare ACKs and RSTs per ${esc(step)}"></div>`,
    `<p class="caption">Packets per ${esc(step)}, UTC. SYNs that are not followed by SYN-ACKs, and SYN retransmits rising, are the clients waiting for an answer that never comes. Series with no packets are switched off (click a legend entry to toggle).</p>`,
    `</section>`,
  ].join("\n");
}

/** What the offsets of one address look like (the analyze summary's reading), for the plot's heading. */
const REGIME_TEXT: Readonly<Record<SourceSummary["tsRegime"], string>> = {
  "single-clock": "one clock",
  "per-host": "one clock per host: several hosts behind this address",
  "per-connection": "a fresh offset per connection (4.10, or 2026+ kernels): proves nothing about NAT",
  unknown: "too few timestamps to tell",
};

function tsSection(series: readonly TsSeries[], capture: AnalyzeSummary | null): string {
  if (series.length === 0) return "";
  const blocks = series.map((s, i) => {
    const regime = capture?.sources.find((src) => src.addr === s.addr)?.tsRegime;
    return (
      `<h3><span class="mono">${esc(s.addr)}</span> — ${grouped(s.tsClocks)} clock${s.tsClocks === 1 ? "" : "s"}, ${grouped(s.tsvalRegressions)} TSval regression${s.tsvalRegressions === 1 ? "" : "s"}, ${grouped(s.points.length)} SYNs</h3>` +
      (regime !== undefined ? `<p class="caption">Offsets: ${esc(REGIME_TEXT[regime])}.</p>` : "") +
      `<div class="chart" id="chart-ts-${i}" role="img" aria-label="TSval of first SYNs against time"></div>`
    );
  });
  return [
    `<section class="card" id="tsval"><h2>TSval vs time — sources that look like several hosts</h2>`,
    `<p class="caption">Each point is the TCP timestamp (TSval) of a connection's first SYN. One host's clock draws one rising line (nearly flat over a short capture: 1000 ticks a second); several parallel lines under one address are several clocks, i.e. several hosts behind NAT/LVS (or per-connection offsets on 4.10 and 2026+ kernels). A SYN below the line of the connection the server last closed is what tcp_tw_recycle drops; red points are first SYNs of attempts flagged as such TSval regressions.</p>`,
    ...blocks,
    `</section>`,
  ].join("\n");
}

function counterSection(d: Diagnosis): string {
  const rows = counterRows(d);
  if (rows.length === 0) {
    return `<section class="card" id="counters"><h2>Counters</h2><p class="empty">No counters were given. Collect <code>nstat -asz</code> before and after the problem window (or run <code>nosynack collect</code>).</p></section>`;
  }
  const withDeltas = d.host?.hasDeltas ?? rows.some((r) => r.delta !== null);
  const body = rows.map((r) => {
    const classes = [r.cited ? "cited" : "", (withDeltas ? (r.delta ?? 0) === 0 : r.after === 0) && !r.cited ? "zero" : ""].filter((c) => c !== "").join(" ");
    // Red only for what the verdict cites: general traffic counters move on any busy server.
    const delta = r.delta !== null && r.delta !== 0 ? `<span class="${r.cited ? "pos" : "moved"}">${esc(signed(r.delta))}</span>` : esc(signed(r.delta));
    return `<tr${classes !== "" ? ` class="${classes}"` : ""}><td class="mono">${esc(r.counter)}</td><td class="n">${r.before === null ? "–" : esc(grouped(r.before))}</td><td class="n">${esc(grouped(r.after))}</td><td class="n">${delta}</td></tr>`;
  });
  const caption = withDeltas
    ? "SYN-path counters: those the verdict cites (▶) first, then those that moved."
    : "One snapshot only: values since boot, no deltas. Take a second snapshot to see what moves.";
  return [
    `<section class="card" id="counters"><h2>${withDeltas ? "Counter deltas" : "Counters"}</h2>`,
    `<div class="scroll"><table><thead><tr><th>counter</th><th class="n">before</th><th class="n">after</th><th class="n">Δ</th></tr></thead><tbody>${body.join("")}</tbody></table></div>`,
    `<p class="caption">${esc(caption)}</p></section>`,
  ].join("\n");
}

function attemptSection(capture: AnalyzeSummary, limit: number): string {
  const table = unansweredAttempts(capture, limit);
  if (table.total === 0) return `<section class="card" id="attempts"><h2>Unanswered attempts</h2><p class="empty">Every attempt in the capture was answered.</p></section>`;
  const first = table.rows[0];
  const rows = table.rows.map((a) => {
    const cells = [
      `<td class="mono">${esc(utcClock(a.firstSyn))}</td>`,
      `<td class="mono">${esc(endpoint(a.client, a.clientPort))}</td>`,
      `<td class="mono">${esc(endpoint(a.server, a.serverPort))}</td>`,
      `<td class="n">${esc(grouped(a.syns))}</td>`,
      `<td class="n mono">${a.tsVal === null ? "–" : esc(String(a.tsVal))}</td>`,
      `<td class="n">${esc(String(a.ttl))}</td>`,
      `<td>${esc(REPLY_TEXT[a.firstReply])}</td>`,
      `<td>${esc(attemptNotes(a).join("; "))}</td>`,
    ];
    return `<tr>${cells.join("")}</tr>`;
  });
  const heading = table.rows.length < table.total ? `first ${grouped(table.rows.length)} of ${grouped(table.total)}` : grouped(table.total);
  return [
    `<section class="card" id="attempts"><h2>Unanswered attempts (${esc(heading)})</h2>`,
    first !== undefined ? `<p class="caption">First SYN times are UTC, from ${esc(utcTime(first.firstSyn))}. SYNs counts the original and its retransmits.</p>` : "",
    `<div class="scroll"><table><thead><tr><th>first SYN</th><th>client</th><th>server</th><th class="n">SYNs</th><th class="n">TSval</th><th class="n">TTL</th><th>first reply</th><th>notes</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`,
    table.omitted > 0 ? `<p class="more">${esc(grouped(table.omitted))} more unanswered attempts not shown.</p>` : "",
    `</section>`,
  ].join("\n");
}

function othersSection(findings: readonly Finding[]): string {
  if (findings.length === 0) return "";
  const items = findings.map((f) => {
    const evidence = f.evidence.length > 0 ? evidenceList(f.evidence) : "";
    const conflicts = f.conflicts.length > 0 ? `<div class="conflicts"><strong>Against:</strong><ul>${f.conflicts.map((c) => `<li>${esc(c)}</li>`).join("")}</ul></div>` : "";
    const fix = f.fix.length > 0 ? `<div class="fix"><h3>Fix</h3>${fixList(f.fix)}</div>` : "";
    return [
      `<details class="finding"${f.kind === "cause" ? " open" : ""}>`,
      `<summary><span class="badge ${esc(f.kind)}">${esc(f.code)}</span><span>${esc(CODE_TITLES[f.code])}</span><span class="conf">${esc(f.kind)} · ${esc(percentText(f.confidence))}</span></summary>`,
      `<p>${esc(f.summary)}</p>${evidence}${conflicts}${fix}`,
      `</details>`,
    ].join("");
  });
  return `<section class="card" id="findings"><h2>Other findings</h2>${items.join("\n")}</section>`;
}

function inputsSection(d: Diagnosis): string {
  const inputs = d.inputs.map((i) => `<li><code>${esc(i.path)}</code> <span class="file">${esc(i.kind ?? "not recognised")}</span></li>`);
  const warnings = [...d.warnings, ...(d.host?.issues ?? []).map((i) => `${i.path}${i.line !== null ? `:${i.line}` : ""}: ${i.message}`)];
  const warningList = warnings.length > 0 ? `<h3>Warnings</h3><ul class="warnings">${warnings.slice(0, 50).map((w) => `<li>${esc(w)}</li>`).join("")}</ul>${warnings.length > 50 ? `<p class="more">${grouped(warnings.length - 50)} more</p>` : ""}` : "";
  return `<section class="card" id="inputs"><h2>Inputs</h2><ul>${inputs.join("") || `<li class="empty">none</li>`}</ul>${warningList}</section>`;
}

// --- data for the chart script ---

function timelineData(t: Timeline): { start: number; step: number; syn: number[]; synRetransmits: number[]; synack: number[]; bareAck: number[]; rst: number[] } | null {
  if (t.startSeconds === null || t.syn.length === 0) return null;
  return { start: t.startSeconds, step: t.stepSeconds, syn: t.syn, synRetransmits: t.synRetransmits, synack: t.synack, bareAck: t.bareAck, rst: t.rst };
}

/**
 * Only numbers go to the browser: seconds since the epoch, TSval, and 1 when that SYN's attempt is a TSval
 * regression the capture kept (so the plot can show in red the SYNs tw_recycle drops), else 0.
 */
function tsData(s: TsSeries, capture: AnalyzeSummary | null): { points: Array<[number, number, number]> } {
  const regressions = new Set<string>();
  for (const a of capture?.attempts ?? []) if (a.tsvalRegression && a.client === s.addr) regressions.add(`${a.clientPort}/${a.firstSyn}`);
  return { points: s.points.map(([micros, tsval, port]) => [micros / 1e6, tsval, regressions.has(`${port}/${micros}`) ? 1 : 0]) };
}

// --- escaping ---

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text and attribute values (always double-quoted here). */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** JSON that cannot end its <script> element or open a comment: <, >, & and the JS line separators escaped. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

function sha256(text: string): string {
  return `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;
}
