import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { diagnosePaths } from "../../diagnose/index.js";
import { analyzeCaptures } from "../../handshakes/analyze.js";
import { renderHtml } from "../../report/html.js";
import { CODE_TITLES } from "../../report/report-rows.js";
import { loadScenario, netstatAfter, parseOverride, runSimulation, type SimSummary } from "../../sim/index.js";
import { useColour } from "../terminal.js";
import { grouped } from "../../util/number-text.js";

/** The story is told with one fixed seed so that the same numbers come back; every number is computed. */
const DEMO_SEED = 1;
const SCENARIO = "seed-lvs-tw-recycle";

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("the textbook case end to end on simulated data (no root): tcp_tw_recycle behind LVS, its evidence, the fix and the wrong fix")
    .addHelpText("after", "\nExample:\n  nosynack demo\n  npm run demo")
    .action(async () => {
      process.stdout.write(renderDemo(useColour()));
      process.stdout.write(await diagnoseDemoBundle(useColour()));
      process.stdout.write(await diagnoseLabFixture(useColour()));
    });
}

function run(sets: readonly string[]): { s: SimSummary; netstat: string } {
  const scenario = loadScenario(SCENARIO, sets.map(parseOverride));
  const result = runSimulation(scenario, { seed: DEMO_SEED });
  return { s: result.run.summary, netstat: netstatAfter(result.run) };
}

/** Bold and dim for the demo's terminal text; plain when colour is off. */
function demoStyle(colour: boolean): { bold: (t: string) => string; dim: (t: string) => string } {
  if (!colour) return { bold: (t) => t, dim: (t) => t };
  return { bold: (t) => `\u001b[1m${t}\u001b[0m`, dim: (t) => `\u001b[2m${t}\u001b[0m` };
}

function pct(n: number, d: number): string {
  return d === 0 ? "0 %" : `${((100 * n) / d).toFixed(1)} %`;
}

export function renderDemo(colour: boolean): string {
  const { bold, dim } = demoStyle(colour);
  const base = run([]);
  const fixed = run(["net.ipv4.tcp_tw_recycle=0"]);
  const noTs = run(["net.ipv4.tcp_timestamps=0"]);
  const b = base.s;
  const c = (s: SimSummary, name: string): number => s.counters[name] ?? 0;
  const troubled = b.hosts.filter((h) => h.synRetransmits > 0).length;
  const lines = base.netstat.split("\n");
  const grepTimestamp = lines.filter((l) => /timestamp/i.test(l));
  const grepTimeStamp = lines.filter((l) => /time ?stamp/i.test(l));
  const out: string[] = [];
  const say = (line = ""): void => {
    out.push(line);
  };

  say(bold("nosynack demo: SYNs in, no SYN-ACK out — tcp_tw_recycle behind LVS (simulated, seed 1)"));
  say();
  say(bold("1. The system"));
  say(`   ${b.hosts.length} clients (Linux 3.10, TSval = uptime × HZ: unrelated clocks) → LVS FULLNAT → one server`);
  say(`   on Linux ${b.kernel} with net.ipv4.tcp_tw_recycle=1 that closes connections first.`);
  say(`   ${grouped(b.attempts)} connection attempts: ${grouped(b.unanswered)} never got a SYN-ACK (${pct(b.unanswered, b.attempts)}), ${grouped(b.outcomes.dropped)} SYNs dropped silently;`);
  say(`   ${troubled} of ${b.hosts.length} clients had to retransmit SYNs; connect p90 ${(b.connectDelayMs.p90 / 1000).toFixed(1)} s, ${grouped(b.connections.timedOut)} timed out.`);
  say();
  say(bold("2. What the server shows"));
  say(dim("   $ netstat -s | grep -i timestamp"));
  for (const line of grepTimestamp) say(`   ${line}`);
  if (grepTimestamp.length === 0) say("   (nothing: net-tools spells this counter \"time stamp\")");
  say(dim("   $ netstat -s | grep -iE 'time ?stamp'"));
  for (const line of grepTimeStamp) say(`   ${line}`);
  say(`   TcpExtPAWSPassive ${grouped(c(b, "TcpExtPAWSPassive"))} = TcpExtListenDrops ${grouped(c(b, "TcpExtListenDrops"))}, TcpExtListenOverflows ${grouped(c(b, "TcpExtListenOverflows"))}: no queue is full.`);
  say("   Why: with tw_recycle the server caches the last TSval per peer address for 60 s after it closes a");
  say("   connection. Behind LVS every client is the same address; a SYN carrying an older TSval than the");
  say("   cached one is dropped (tcp_conn_request → tcp_peer_is_proven): no SYN-ACK, no RST, no log line.");
  say();
  say(bold("3. The fix: sysctl -w net.ipv4.tcp_tw_recycle=0") + "  (persist it in /etc/sysctl.d/)");
  const f = fixed.s;
  say(`   Same clients, same seed: ${grouped(f.attempts)} attempts, ${grouped(f.unanswered)} unanswered, ${grouped(f.outcomes.dropped)} SYNs dropped, PAWSPassive ${grouped(c(f, "TcpExtPAWSPassive"))}.`);
  say("   (Linux 4.12 removed tw_recycle altogether.)");
  say();
  say(bold("4. The wrong fix: sysctl -w net.ipv4.tcp_timestamps=0"));
  const n = noTs.s;
  say(`   It also "works": ${grouped(n.attempts)} attempts, ${grouped(n.unanswered)} unanswered, PAWSPassive ${grouped(c(n, "TcpExtPAWSPassive"))} — without timestamps there is`);
  say("   nothing to compare. But every connection loses PAWS (protection against old duplicate segments");
  say("   on fast or long-lived connections) and RTTM (RTT samples from every ACK), and tw_recycle stays a");
  say("   trap for the next change. tcp_tw_reuse would not help either: it acts on the connecting side only.");
  say();
  say(dim(`   Reproduce: nosynack simulate ${SCENARIO} --seed ${DEMO_SEED} --bundle /tmp/tw  (then diagnose /tmp/tw)`));
  return `${out.join("\n")}\n`;
}

/**
 * The end of the story: the same simulated server written as a bundle, diagnosed the way a user would
 * (`nosynack diagnose DIR`), and the HTML report left in a fresh temporary directory for the reader to open.
 */
export async function diagnoseDemoBundle(colour: boolean, outDir: string = mkdtempSync(join(tmpdir(), "nosynack-demo-"))): Promise<string> {
  const { bold, dim } = demoStyle(colour);
  const bundle = join(outDir, "bundle");
  runSimulation(loadScenario(SCENARIO), { seed: DEMO_SEED, bundleDir: bundle });
  const diagnosis = await diagnosePaths([bundle]);
  const report = join(outDir, "report.html");
  writeFileSync(report, renderHtml(diagnosis));
  const fix = diagnosis.findings[0]?.fix[0]?.command ?? "(none)";
  return [
    "",
    bold("5. Diagnosed end to end"),
    dim(`   $ nosynack diagnose ${bundle} --html ${report}`),
    `   verdict ${diagnosis.verdict} (confidence ${Math.round(diagnosis.confidence * 100)} %): ${CODE_TITLES[diagnosis.verdict]}`,
    `   fix: ${fix}`,
    `   HTML report: ${report}`,
    "",
  ].join("\n");
}

/** The lab bundle the demo shows: a NAT reusing a port the server still holds in TIME_WAIT, recorded on this kernel. */
const LAB_FIXTURE = join("fixtures", "lab", "nat-timewait");

/** The checkout or package root: the nearest directory above this module with the fixtures in it. */
function packageRoot(): string | null {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, LAB_FIXTURE, "manifest.json"))) return dir;
  }
  return null;
}

/**
 * Step 6: the same commands on evidence the real kernel produced — a committed lab bundle (capture, counters,
 * sockets) from network namespaces on Linux 6.18. Skipped when the fixtures are not installed.
 */
export async function diagnoseLabFixture(colour: boolean): Promise<string> {
  const root = packageRoot();
  if (!root) return "";
  const { bold, dim } = demoStyle(colour);
  const bundle = join(root, LAB_FIXTURE);
  const shown = relative(process.cwd(), bundle) || bundle;
  const capture = await analyzeCaptures([join(bundle, "server.pcap")]);
  const diagnosis = await diagnosePaths([bundle]);
  const h = capture.handshakes;
  const counter = diagnosis.findings[0]?.evidence.find((e) => e.source === "counter");
  return [
    "",
    bold("6. The same on a real kernel: a NAT port still in the server's TIME_WAIT (lab, namespaces)"),
    dim(`   $ nosynack analyze ${join(shown, "server.pcap")}; nosynack diagnose ${shown}`),
    `   ${h.attempts} SYN attempts: ${h.firstReply.ack} first answered by a bare ACK, reset by the client, retried; ${h.unanswered} lost`,
    `   verdict ${diagnosis.verdict} (confidence ${Math.round(diagnosis.confidence * 100)} %)${counter ? `: ${counter.detail}` : ""}`,
    "",
  ].join("\n");
}
