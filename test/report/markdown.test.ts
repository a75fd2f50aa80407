import { describe, expect, it } from "vitest";
import { mdCode, mdText, renderMarkdown } from "../../src/report/markdown.js";
import { sampleDiagnosis } from "./sample-diagnosis.js";

/** Heading lines in order. */
function headings(md: string): string[] {
  return md.split("\n").filter((l) => l.startsWith("#"));
}

/** Rows of the GFM table that follows a heading (header and delimiter rows excluded). */
function tableAfter(md: string, heading: string): string[] {
  const lines = md.split("\n");
  const start = lines.findIndex((l) => l.startsWith(heading));
  expect(start).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  let seen = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith("#")) break;
    if (line.startsWith("|")) {
      seen = true;
      rows.push(line);
    } else if (seen) break;
  }
  return rows.slice(2);
}

/** Cells of a table row, splitting on pipes that GFM would treat as cell borders (not `\|`). */
function cells(row: string): string[] {
  return row
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

/** The text with every code span removed (CommonMark: a backtick run closes only at a run of the same length). */
function outsideCodeSpans(md: string): string {
  let out = "";
  let i = 0;
  while (i < md.length) {
    const open = /`+/.exec(md.slice(i));
    if (open === null) return out + md.slice(i);
    out += md.slice(i, i + open.index);
    const fence = open[0];
    let j = i + open.index + fence.length;
    let closed = false;
    for (const m of md.slice(j).matchAll(/`+/g)) {
      if (m[0].length === fence.length) {
        j += (m.index ?? 0) + fence.length;
        closed = true;
        break;
      }
    }
    if (!closed) return out + md.slice(i + open.index);
    i = j;
  }
  return out;
}

describe("renderMarkdown", () => {
  it("puts verdict, fix and evidence first, in that order", () => {
    const md = renderMarkdown(sampleDiagnosis());
    const h = headings(md);
    expect(h[0]).toContain("SYNs dropped by the tcp_tw_recycle timestamp check");
    expect(h.slice(1, 3)).toEqual(["## Fix", "## Evidence"]);
    expect(md.indexOf("**Verdict:** `tw-recycle-paws`")).toBeLessThan(md.indexOf("## Fix"));
    expect(md).toContain("1. `sysctl -w net.ipv4.tcp_tw_recycle=0`");
    expect(md).toContain("confidence 95 %");
  });

  it("writes a fix that is an action in words as text, a shell line as code", () => {
    const d = sampleDiagnosis();
    const first = d.findings[0]!;
    const action = { command: "accept faster: more worker processes", persist: null, note: null };
    const md = renderMarkdown({ ...d, findings: [{ ...first, fix: [action, ...first.fix] }, ...d.findings.slice(1)] });
    expect(md).toContain("1. accept faster: more worker processes\n");
    expect(md).toContain("2. `sysctl -w net.ipv4.tcp_tw_recycle=0`");
  });

  it("lists moving counters with before, after and delta, cited ones in bold", () => {
    const rows = tableAfter(renderMarkdown(sampleDiagnosis()), "## Counter deltas").map(cells);
    // ListenOverflows has a value but did not move: not in a ticket's table.
    expect(rows.map((r) => r[0])).toEqual(["**`TcpExtPAWSPassive`**", "`TcpExtListenDrops`"]);
    expect(rows[0]?.slice(1)).toEqual(["0", "42", "+42"]);
  });

  it("bounds the unanswered attempts table and says how many were left out", () => {
    const md = renderMarkdown(sampleDiagnosis({ unanswered: 30 }), { attemptLimit: 5 });
    const rows = tableAfter(md, "## Unanswered attempts");
    expect(rows).toHaveLength(5);
    expect(headings(md)).toContain("## Unanswered attempts (first 5 of 30)");
    expect(md).toContain("25 more unanswered attempts not shown");
    expect(cells(rows[0] ?? "")).toEqual(["00:00:00.000", "`198.18.8.1:40000`", "`198.18.0.2:8080`", "4", "5000000", "64", "none", "TSval regression"]);
  });

  it("says 'Collect next' for unknown and omits capture tables without a capture", () => {
    const md = renderMarkdown(sampleDiagnosis({ verdict: "unknown", capture: false }));
    expect(headings(md)).toContain("## Collect next");
    expect(md).not.toContain("## Unanswered attempts");
    expect(md).not.toContain("## Capture");
    expect(md).toContain("nstat -asz > nstat-before.txt");
  });

  it("escapes hostile input: no raw HTML, no extra table cells, no early-closed code spans", () => {
    const md = renderMarkdown(sampleDiagnosis({ hostile: true }));
    // Code spans are literal in CommonMark; outside them every '<' and '[' must be backslash-escaped.
    const prose = outsideCodeSpans(md);
    expect(prose).toContain("\\<script\\>");
    expect(prose).not.toMatch(/(?<!\\)</);
    expect(prose).not.toMatch(/(?<!\\)\[/);
    // Every table row keeps its column count.
    for (const heading of ["## Counter deltas", "## Unanswered attempts"]) {
      const rows = tableAfter(md, heading);
      const widths = new Set(rows.map((r) => cells(r).length));
      expect(widths.size).toBe(1);
    }
    // The hostile fix command is one code span whose fence is longer than its longest backtick run.
    const fixLine = md.split("\n").find((l) => l.startsWith("1. ") && l.includes("tcp_tw_recycle=0"));
    expect(fixLine).toMatch(/^1\. ````.*````$/);
    // A newline in input cannot start a heading.
    expect(md.split("\n").some((l) => l.startsWith("# heading"))).toBe(false);
  });
});

describe("mdText / mdCode", () => {
  it("escapes markup but keeps underscores inside words", () => {
    expect(mdText("net.ipv4.tcp_tw_recycle")).toBe("net.ipv4.tcp_tw_recycle");
    expect(mdText("<b>_x_ *y* [a](b) a|b")).toBe("\\<b\\>\\_x\\_ \\*y\\* \\[a\\](b) a\\|b");
  });

  it("picks a fence longer than any backtick run", () => {
    expect(mdCode("a")).toBe("`a`");
    expect(mdCode("a `b` c")).toBe("``a `b` c``");
    expect(mdCode("```")).toBe("```` ``` ````");
  });
});
