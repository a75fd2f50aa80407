/** The report's stylesheet: system fonts, cards, a coloured verdict banner, tables that print well. */

export const REPORT_CSS = `
:root { --fg:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#f8fafc; --card:#fff;
  --cause:#b91c1c; --cause-bg:#fef2f2; --healthy:#15803d; --healthy-bg:#f0fdf4; --unknown:#b45309; --unknown-bg:#fffbeb;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; }
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
body { margin: 0; }
code, pre, .mono { font-family: var(--mono); font-size: 0.92em; }
header.top { background: #0f172a; color: #e2e8f0; padding: 10px 24px; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
header.top .brand { font-weight: 700; letter-spacing: .02em; color: #fff; }
header.top .muted { color: #94a3b8; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 40px; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 2px 0 8px; }
h2 { font-size: 1.1rem; margin: 0 0 12px; }
h3 { font-size: 0.98rem; margin: 16px 0 6px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin: 16px 0; }
.verdict { border-radius: 10px; padding: 18px 22px; margin: 0 0 16px; border: 1px solid; border-left-width: 8px; }
.verdict.tone-cause { background: var(--cause-bg); border-color: #fecaca; border-left-color: var(--cause); }
.verdict.tone-healthy { background: var(--healthy-bg); border-color: #bbf7d0; border-left-color: var(--healthy); }
.verdict.tone-unknown { background: var(--unknown-bg); border-color: #fde68a; border-left-color: var(--unknown); }
.kicker { text-transform: uppercase; font-size: .75rem; font-weight: 700; letter-spacing: .08em; }
.tone-cause .kicker { color: var(--cause); } .tone-healthy .kicker { color: var(--healthy); } .tone-unknown .kicker { color: var(--unknown); }
.verdict .meta { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: center; color: #334155; font-size: .92rem; }
.verdict .summary { font-size: 1.05rem; margin: 10px 0 0; }
.badge { display: inline-block; font-family: var(--mono); font-size: .85rem; padding: 1px 8px; border-radius: 999px; background: #0f172a; color: #fff; }
.badge.risk { background: #b45309; } .badge.info { background: #475569; } .badge.cause { background: var(--cause); }
meter { width: 110px; height: 12px; vertical-align: middle; }
.grid2 { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 16px; }
@media (max-width: 900px) { .grid2 { grid-template-columns: 1fr; } }
.fix ol { margin: 0; padding-left: 22px; }
.fix li { margin: 0 0 12px; }
.fix pre { background: #0f172a; color: #e2e8f0; padding: 8px 12px; border-radius: 6px; overflow-x: auto; margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; user-select: all; }
.fix .action { margin: 0 0 4px; font-weight: 600; }
.fix pre.light { background: #f1f5f9; color: #0f172a; font-size: .85em; }
.grid2 > * { min-width: 0; }
.grid2 .stats { grid-template-columns: repeat(auto-fit, minmax(165px, 1fr)); }
.grid2 .stat .v { font-size: 1.3rem; white-space: nowrap; }
.grid2 .stat .v.word { font-size: 1.05rem; line-height: 1.95rem; }
.fix .persist, .fix .note { font-size: .9rem; color: #334155; margin: 2px 0; }
.fix .note { color: #92400e; }
ul.evidence { list-style: none; margin: 0; padding: 0; }
ul.evidence li { padding: 6px 0; border-bottom: 1px solid var(--line); }
ul.evidence li:last-child { border-bottom: 0; }
.tag { display: inline-block; min-width: 64px; text-align: center; font-size: .72rem; font-weight: 600; text-transform: uppercase; letter-spacing: .04em; padding: 1px 6px; margin-right: 6px; border-radius: 4px; background: #e2e8f0; color: #334155; }
.tag.counter { background: #dbeafe; color: #1e40af; } .tag.packet, .tag.capture { background: #dcfce7; color: #166534; }
.tag.sysctl, .tag.kernel { background: #f3e8ff; color: #6b21a8; } .tag.socket { background: #e0f2fe; color: #075985; }
.tag.firewall, .tag.conntrack, .tag.log { background: #ffedd5; color: #9a3412; }
.facts { font-family: var(--mono); font-size: .88rem; background: #f1f5f9; padding: 0 5px; border-radius: 4px; }
.file { color: var(--muted); font-size: .85rem; }
.conflicts { margin-top: 10px; color: #92400e; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 16px 0; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 10px 14px; }
.stat .v { font-size: 1.5rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.stat .v.word { font-size: 1.15rem; line-height: 2.25rem; }
.stat .l { color: var(--muted); font-size: .82rem; }
.stat.bad .v { color: var(--cause); }
.chart { width: 100%; min-height: 120px; }
.caption { color: var(--muted); font-size: .85rem; margin: 6px 0 0; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; position: sticky; top: 0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.mono { font-family: var(--mono); font-size: .85rem; white-space: nowrap; }
tr.zero td { color: #94a3b8; }
tr.cited td:first-child { font-weight: 700; }
tr.cited td:first-child::before { content: "▶ "; color: var(--cause); }
.pos { color: var(--cause); font-weight: 600; }
.moved { font-weight: 600; }
.scroll { max-height: 520px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
.more { color: var(--muted); font-size: .85rem; margin: 8px 0 0; }
details.finding { border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; margin: 8px 0; }
details.finding > summary { cursor: pointer; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
details.finding > summary .conf { color: var(--muted); font-size: .85rem; margin-left: auto; }
.warnings li { color: #92400e; }
.empty { color: var(--muted); font-style: italic; }
footer { max-width: 1180px; margin: 0 auto; padding: 0 24px 30px; color: var(--muted); font-size: .8rem; }
.uplot { font-family: inherit; }
.u-legend { font-size: .85rem; }
@media print { header.top { background: none; color: var(--fg); } .scroll { max-height: none; overflow: visible; } .card { break-inside: avoid; } }
`;
