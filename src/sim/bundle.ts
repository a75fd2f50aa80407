/**
 * Writes a simulated evidence bundle (DEVELOPERS.md "Bundles", producer "simulate"): the files a real server
 * would yield, so that evidence and diagnose read it as if collected on a host. Counter values are exactly what
 * the kernel model moved; the "before" snapshot is a fresh network namespace (all counters zero, §0).
 */
import { join } from "node:path";
import { BUNDLE_FORMAT, type BundleManifest, type BundleManifestFile } from "../evidence/manifest.js";
import { counterExists, isCounterName } from "../kernel/counters.js";
import { numberToIpv4 } from "./addr.js";
import { counterLayout, formatNetstatS, formatNstat, formatSs, formatSysctl, formatUname, netToolsEraFor, type SocketLine } from "./host-files.js";
import { SIM_EPOCH_US } from "./pcap-sink.js";
import { makeOutputDirectory, writeOutputFile } from "../util/output-files.js";
import type { Scenario } from "./scenario.js";
import type { SimRun } from "./simulator.js";

/**
 * Sysctls a `sysctl -a` always shows beside the modelled ones; fixed Linux defaults that the SYN path of the
 * model does not read (listed so the file looks like a host's, not to drive anything).
 */
const STATIC_SYSCTLS: ReadonlyMap<string, string | number> = new Map<string, string | number>([
  ["net.core.netdev_max_backlog", 1000],
  ["net.ipv4.ip_forward", 0],
  ["net.ipv4.ip_local_port_range", "32768\t60999"],
  ["net.ipv4.tcp_sack", 1],
  ["net.ipv4.tcp_window_scaling", 1],
]);

/** Counter values as a real host shows them: the model's counters plus the IP counters they imply. */
export function hostCounterValues(run: SimRun, currEstab: number): Map<string, number> {
  const values = new Map<string, number>(run.stack.counters());
  const inSegs = values.get("TcpInSegs") ?? 0;
  const outSegs = values.get("TcpOutSegs") ?? 0;
  // Every simulated packet is TCP to or from this host, so IP totals equal TCP totals.
  values.set("IpInReceives", inSegs);
  values.set("IpInDelivers", inSegs);
  values.set("IpOutRequests", outSegs);
  values.set("IpOutTransmits", outSegs);
  values.set("TcpCurrEstab", currEstab);
  return values;
}

/** `netstat -s` of the server at the end of the run, as its kernel era's net-tools prints it. */
export function netstatAfter(run: SimRun): string {
  const version = run.stack.profile.version;
  const has = (name: string): boolean => (isCounterName(name) ? counterExists(name, version) : true);
  const layout = counterLayout(version, [...run.stack.counters().keys()], has);
  return formatNetstatS(layout, hostCounterValues(run, 0), netToolsEraFor(version));
}

function iso(us: number): string {
  return new Date(Math.floor((SIM_EPOCH_US + us) / 1000)).toISOString();
}

/** `dmesg` line: "[ seconds.micros] text", seconds since the server booted. */
function dmesgLine(uptimeMs: number, text: string): string {
  const us = Math.round(uptimeMs * 1000);
  const seconds = Math.floor(us / 1e6);
  return `[${String(seconds).padStart(5)}.${String(us % 1e6).padStart(6, "0")}] ${text}\n`;
}

/**
 * Writes every file except the capture (the caller streams server.pcap during the run and passes
 * `pcapWritten`). Returns the manifest.
 */
export function writeBundle(dir: string, scenario: Scenario, run: SimRun, seed: number, pcapWritten: boolean): BundleManifest {
  makeOutputDirectory("--bundle", dir);
  const stack = run.stack;
  const profile = stack.profile;
  const version = profile.version;
  const nowMs = run.endUs / 1000;
  const sockets = stack.sockets(nowMs);
  const listener = stack.listener();
  const currEstab = sockets.filter((s) => s.state === "ESTAB" || s.state === "CLOSE-WAIT").length;
  const after = hostCounterValues(run, currEstab);
  const before = new Map<string, number>();
  const modelled = [...stack.counters().keys()];
  const has = (name: string): boolean => (isCounterName(name) ? counterExists(name, version) : true);
  const layout = counterLayout(version, modelled, has);
  const era = netToolsEraFor(version);

  const files: BundleManifestFile[] = [];
  const write = (path: string, text: string, entry: Omit<BundleManifestFile, "path">): void => {
    writeOutputFile("--bundle", join(dir, path), text);
    files.push({ path, ...entry });
  };

  write("nstat-before.txt", formatNstat(layout, before), { kind: "nstat", snapshot: "before" });
  write("nstat-after.txt", formatNstat(layout, after), { kind: "nstat", snapshot: "after" });
  write("netstat-s-before.txt", formatNetstatS(layout, before, era), { kind: "netstat-s", snapshot: "before" });
  write("netstat-s-after.txt", formatNetstatS(layout, after, era), { kind: "netstat-s", snapshot: "after" });

  const settings = new Map<string, string | number>(STATIC_SYSCTLS);
  for (const [name, value] of stack.sysctls) settings.set(name, value);
  write("sysctl.txt", formatSysctl(settings), { kind: "sysctl" });

  const local = `${scenario.server.addr}:${scenario.server.port}`;
  const listenLine: SocketLine = { state: "LISTEN", recvQ: listener.acceptQueue, sendQ: listener.effectiveBacklog, local, peer: "0.0.0.0:*" };
  write("ss-ltn.txt", formatSs([listenLine], version), { kind: "ss-ltn" });
  const socketLines: SocketLine[] = [
    listenLine,
    ...sockets.map((s) => ({
      state: s.state,
      recvQ: s.recvQ,
      sendQ: s.sendQ,
      local: `${numberToIpv4(s.laddr)}:${s.lport}`,
      peer: `${numberToIpv4(s.raddr)}:${s.rport}`,
    })),
  ];
  write("ss-tan.txt", formatSs(socketLines, version), { kind: "ss-tan" });
  write("uname.txt", formatUname(version), { kind: "uname" });
  write("dmesg.txt", stack.log().map((l) => dmesgLine(stack.uptimeAtZeroMs + l.atMs, l.text)).join(""), { kind: "kernel-log" });
  if (pcapWritten) files.push({ path: "server.pcap", kind: "pcap", side: "server" });

  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    producer: "simulate",
    label: scenario.expect,
    kernel: formatUname(version).trim(),
    started: iso(0),
    ended: iso(run.endUs),
    port: scenario.server.port,
    files,
    notes: [
      `simulated: nosynack simulate ${scenario.name} --seed ${seed}`,
      "counters start at zero (a fresh network namespace); Ip totals equal Tcp totals (all simulated traffic is TCP)",
    ],
  };
  writeOutputFile("--bundle", join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
