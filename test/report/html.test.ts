import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { esc, jsonForScript, renderHtml } from "../../src/report/html.js";
import { loadChartAssets } from "../../src/report/html-vendor.js";
import { HOSTILE, sampleDiagnosis } from "./sample-diagnosis.js";

function scripts(html: string): Array<{ attrs: string; body: string }> {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({ attrs: m[1] ?? "", body: m[2] ?? "" }));
}

function dataBlock(html: string): { timeline: { syn: number[]; rst: number[]; start: number; step: number } | null; ts: Array<{ points: Array<[number, number, number]> }> } {
  const block = scripts(html).find((s) => s.attrs.includes('id="nosynack-data"'));
  expect(block).toBeDefined();
  return JSON.parse(block?.body ?? "null");
}

function sha(text: string): string {
  return `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;
}

describe("renderHtml", () => {
  const html = renderHtml(sampleDiagnosis());

  it("is self-contained: no URL of any kind, no src/href, no external stylesheet", () => {
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/\b(src|href|action|srcset|poster)\s*=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    // The chart library is inside the page.
    expect(html).toContain(`uPlot ${loadChartAssets().version}`);
    expect(html).toContain("var uPlot=");
  });

  it("carries a CSP whose hashes are exactly those of its one script and one style block", () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1]?.replace(/&#39;/g, "'") ?? "";
    expect(csp).toContain("default-src 'none'");
    const executable = scripts(html).filter((s) => !s.attrs.includes("application/json"));
    expect(executable).toHaveLength(1);
    expect(csp).toContain(`script-src '${sha(executable[0]?.body ?? "")}'`);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
    expect(styles).toHaveLength(1);
    expect(csp).toContain(`style-src '${sha(styles[0]?.[1] ?? "")}'`);
    expect(html).not.toMatch(/\sstyle="/);
  });

  it("gives the chart script the capture's timeline and TSval points, numbers only", () => {
    const d = sampleDiagnosis();
    const data = dataBlock(html);
    expect(data.timeline?.syn).toEqual(d.capture?.timeline.syn);
    expect(data.timeline?.rst).toEqual(d.capture?.timeline.rst);
    expect(data.timeline?.start).toBe(d.capture?.timeline.startSeconds);
    expect(data.ts).toHaveLength(1);
    expect(data.ts[0]?.points).toHaveLength(60);
    // Seconds, TSval, and 1 only for the SYN whose attempt is a TSval regression (attempt 0, port 40000).
    expect(data.ts[0]?.points[0]).toEqual([1_767_225_600, 1_000_000, 1]);
    expect(data.ts[0]?.points.filter((p) => p[2] === 1)).toHaveLength(1);
    expect(html).toContain('id="chart-timeline"');
    expect(html).toContain('id="chart-ts-0"');
  });

  it("shows verdict and fix before the evidence, counters and attempts", () => {
    const order = ['id="verdict"', 'id="fix"', 'id="evidence"', 'id="timeline"', 'id="tsval"', 'id="counters"', 'id="attempts"', 'id="findings"'].map((id) => html.indexOf(id));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).toContain("<pre><code>sysctl -w net.ipv4.tcp_tw_recycle=0</code></pre>");
  });

  it("shows an action in words as text and a shell line as a code block", () => {
    const d = sampleDiagnosis();
    const first = d.findings[0]!;
    const action = { command: "accept faster: more worker processes", persist: null, note: null };
    const page = renderHtml({ ...d, findings: [{ ...first, fix: [action, ...first.fix] }, ...d.findings.slice(1)] });
    expect(page).toContain('<li><p class="action">accept faster: more worker processes</p></li>');
    expect(page).toContain("<li><pre><code>sysctl -w net.ipv4.tcp_tw_recycle=0</code></pre>");
  });

  it("bounds the attempts table", () => {
    const big = renderHtml(sampleDiagnosis({ unanswered: 40 }), { attemptLimit: 10 });
    const section = big.slice(big.indexOf('id="attempts"'), big.indexOf('id="findings"'));
    expect(section.match(/<tr>/g)).toHaveLength(1 + 10);
    expect(section).toContain("first 10 of 40");
    expect(section).toContain("30 more unanswered attempts not shown");
  });

  it("says what to collect when there is no capture and no counters", () => {
    const bare = renderHtml(sampleDiagnosis({ verdict: "unknown", capture: false, counters: false }));
    expect(bare).toContain("Collect next");
    expect(bare).toContain("No capture was given");
    expect(bare).toContain("No counters were given");
    expect(dataBlock(bare)).toEqual({ timeline: null, ts: [] });
  });

  it("escapes every hostile input string", () => {
    const hostile = renderHtml(sampleDiagnosis({ hostile: true }));
    // Only our own two script elements, no injected element or attribute.
    expect(scripts(hostile)).toHaveLength(2);
    expect(hostile).not.toMatch(/<img\b/i);
    expect(hostile).not.toMatch(/<b>/);
    expect(hostile).not.toMatch(/\bonerror\s*=\s*"/i);
    expect(hostile).not.toContain("window.__pwned=1</script>");
    expect(hostile).toContain(esc(HOSTILE.script));
    expect(hostile).toContain(esc(HOSTILE.img));
    // The data block holds numbers only, so a hostile address never reaches it.
    const data = scripts(hostile).find((s) => s.attrs.includes("application/json"))?.body ?? "";
    expect(data).not.toContain("pwned");
  });
});

describe("esc / jsonForScript", () => {
  it("escapes the five HTML metacharacters", () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("keeps JSON parseable while making </script> and <!-- impossible", () => {
    const value = { s: "</script><!-- \u2028 & >" };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});
