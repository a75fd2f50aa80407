/**
 * The report's own browser script: draws the charts with uPlot from the JSON data block. Plain ES2017 in a
 * string (it runs in the reader's browser, not in Node). It reads only numbers from the data block; every
 * label that comes from the input is rendered (escaped) by html.ts, never by this script.
 */

export const CHART_SCRIPT = String.raw`
(function () {
  "use strict";
  var dataEl = document.getElementById("nosynack-data");
  if (!dataEl || typeof uPlot === "undefined") return;
  var data = JSON.parse(dataEl.textContent || "{}");
  var charts = [];
  var utc = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); };

  // Wall-clock UTC, 24 h: what logs and tcpdump print; the date is in the captions.
  function clock(v, ms) { var iso = new Date(v * 1e3).toISOString(); return ms ? iso.slice(11, 23) : iso.slice(11, 19); }
  function timeAxis(u, splits, ax, space, incr) {
    return splits.map(function (v) { return v == null ? "" : clock(v, incr < 1); });
  }
  var timeSeries = { label: "time (UTC)", value: function (u, v) { return v == null ? "--" : clock(v, true); } };

  // TSvals run to 2^32: the axis shows millions, the legend the exact value.
  function compact(u, splits) {
    var big = splits.some(function (v) { return Math.abs(v) >= 1e7; });
    return splits.map(function (v) { return v == null ? "" : big ? Math.round(v / 1e6) + " M" : String(v); });
  }

  function widthOf(el) { return Math.max(280, Math.floor(el.getBoundingClientRect().width)); }

  function sum(arr) { var s = 0; for (var i = 0; i < arr.length; i++) s += arr[i]; return s; }

  function timeline(el, t) {
    var n = t.syn.length, xs = new Array(n + 1);
    for (var i = 0; i <= n; i++) xs[i] = t.start + i * t.step;
    // One extra point closes the last step so the final bucket is drawn as wide as the others.
    var pad = function (a) { return a.concat([a.length > 0 ? a[a.length - 1] : 0]); };
    var step = uPlot.paths.stepped({ align: 1 });
    // Client packets solid and wide, server replies dashed on top: when every SYN is answered in the same
    // second the two lines coincide, and the dashes let the SYN line show through.
    var defs = [
      ["SYN (first)", "#2563eb", t.syn, 3.5, null],
      ["SYN retransmit", "#f59e0b", t.synRetransmits, 3.5, null],
      ["SYN-ACK", "#16a34a", t.synack, 2, [7, 5]],
      ["bare ACK", "#9333ea", t.bareAck, 2, [7, 5]],
      ["RST", "#dc2626", t.rst, 2, [7, 5]]
    ];
    var series = [timeSeries];
    var values = [xs];
    defs.forEach(function (d) {
      var one = { label: d[0], stroke: d[1], width: d[3], fill: d[1] + "14", paths: step, points: { show: false }, show: sum(d[2]) > 0 };
      if (d[4]) one.dash = d[4];
      series.push(one);
      values.push(pad(d[2]));
    });
    var opts = {
      width: widthOf(el), height: 280, tzDate: utc,
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.1)]; } } },
      axes: [{ stroke: "#475569", grid: { stroke: "#e2e8f0" }, values: timeAxis },
             { label: "packets / " + (t.step === 1 ? "s" : t.step + " s"), stroke: "#475569", grid: { stroke: "#e2e8f0" } }],
      series: series, cursor: { points: { show: false } }, legend: { live: true }
    };
    charts.push({ el: el, plot: new uPlot(opts, values, el) });
  }

  function tsPlot(el, s) {
    var pts = s.points.slice().sort(function (a, b) { return a[0] - b[0]; });
    var xs = pts.map(function (p) { return p[0]; });
    var ys = pts.map(function (p) { return p[2] ? null : p[1]; });
    var bad = pts.map(function (p) { return p[2] ? p[1] : null; });
    var exact = function (u, v) { return v == null ? "--" : String(v); };
    var dots = function (colour, fill) { return { show: true, size: 6, width: 1, stroke: colour, fill: fill }; };
    var opts = {
      width: widthOf(el), height: 240, tzDate: utc,
      scales: { x: { time: true } },
      axes: [{ stroke: "#475569", grid: { stroke: "#e2e8f0" }, values: timeAxis },
             { label: "TSval of first SYN", stroke: "#475569", size: 80, grid: { stroke: "#e2e8f0" }, values: compact }],
      series: [timeSeries,
               { label: "TSval", value: exact, stroke: "#0f766e", width: 0, paths: function () { return null; }, points: dots("#0f766e", "#14b8a680") },
               { label: "TSval regression", value: exact, stroke: "#dc2626", width: 0, paths: function () { return null; }, points: dots("#dc2626", "#dc2626"),
                 show: bad.some(function (v) { return v != null; }) }],
      legend: { live: true }
    };
    charts.push({ el: el, plot: new uPlot(opts, [xs, ys, bad], el) });
  }

  var tl = document.getElementById("chart-timeline");
  if (tl && data.timeline) timeline(tl, data.timeline);
  (data.ts || []).forEach(function (s, i) {
    var el = document.getElementById("chart-ts-" + i);
    if (el) tsPlot(el, s);
  });

  var pending = 0;
  window.addEventListener("resize", function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      charts.forEach(function (c) { c.plot.setSize({ width: widthOf(c.el), height: c.plot.height }); });
    });
  });
  document.body.setAttribute("data-charts-drawn", String(charts.length));
})();
`;
