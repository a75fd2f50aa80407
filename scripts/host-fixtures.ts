/**
 * Regenerates fixtures/host/6.18/: real outputs of every host tool nosynack reads, taken inside network
 * namespaces this script creates (prefix nskev-fx-), with real traffic: a listener whose accept queue
 * overflows, connections closed by the server (TIME-WAIT), and firewall rules with counters.
 * Needs root. Run: npm run fixtures:host. Rerunnable: the output directory is replaced.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const OUT = join(ROOT, "fixtures", "host", "6.18");
const SRV = "nskev-fx-srv";
const CLI = "nskev-fx-cli";
const children: ChildProcess[] = [];

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: "ignore" });
}

function inNs(ns: string, cmd: string, args: string[]): string {
  const result = spawnSync("ip", ["netns", "exec", ns, cmd, ...args], { encoding: "utf8", env: { ...process.env, LC_ALL: "C" } });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

function python(ns: string, code: string): ChildProcess {
  const child = spawn("ip", ["netns", "exec", ns, "python3", "-c", code], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return child;
}

function waitFor(child: ChildProcess, stream: "stdout" | "stderr", pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${pattern}`)), 30_000);
    child[stream]?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function setup(): void {
  cleanup();
  ip("netns", "add", SRV);
  ip("netns", "add", CLI);
  ip("-n", SRV, "link", "add", "s0", "type", "veth", "peer", "name", "c0", "netns", CLI);
  ip("-n", SRV, "addr", "add", "198.18.0.1/24", "dev", "s0");
  ip("-n", CLI, "addr", "add", "198.18.0.2/24", "dev", "c0");
  for (const [ns, dev] of [[SRV, "s0"], [CLI, "c0"]] as const) {
    ip("-n", ns, "link", "set", "lo", "up");
    ip("-n", ns, "link", "set", dev, "up");
  }
  // Firewall rules inside the server namespace only: an nft drop and an iptables(-nft) reject, with counters.
  inNs(SRV, "nft", ["add", "table", "inet", "nskev"]);
  inNs(SRV, "nft", ["add", "chain", "inet", "nskev", "input", "{ type filter hook input priority 0; policy accept; }"]);
  inNs(SRV, "nft", ["add", "rule", "inet", "nskev", "input", "tcp", "dport", "9300", "counter", "drop"]);
  inNs(SRV, "nft", ["add", "rule", "inet", "nskev", "input", "tcp", "dport", "{ 9400, 9500-9510 }", "counter", "accept"]);
  inNs(SRV, "iptables", ["-A", "INPUT", "-p", "tcp", "--dport", "9301", "-j", "REJECT", "--reject-with", "tcp-reset"]);
}

function cleanup(): void {
  for (const child of children) if (child.exitCode === null) child.kill();
  for (const ns of [SRV, CLI]) spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
}

const SERVER = (port: number, backlog: number, accept: boolean): string => `
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", ${port})); s.listen(${backlog}); print("listening", flush=True)
s.settimeout(0.2); end = time.time() + 40
while time.time() < end:
    if not ${accept ? "True" : "False"}:
        time.sleep(0.2); continue
    try:
        c, _ = s.accept(); c.sendall(b"bye"); c.close()
    except socket.timeout:
        pass
`;

const CLIENTS = `
import socket, time
held = []
for port, n in ((8080, 6), (8081, 3)):
    for i in range(n):
        s = socket.socket(); s.setblocking(False)
        try: s.connect(("198.18.0.1", port))
        except BlockingIOError: pass
        held.append(s); time.sleep(0.05)
for port in (9300, 9301):
    s = socket.socket(); s.settimeout(1.5)
    try: s.connect(("198.18.0.1", port))
    except Exception: pass
time.sleep(4)
`;

/** net-tools 2.10 wording of every counter: netstat -s over a /proc copy with a distinct value per counter. */
function netstatAllCounters(): { text: string; values: Record<string, number> } {
  const fake = mkdtempSync(join(tmpdir(), "nskev-fx-proc-"));
  mkdirSync(join(fake, "net"));
  const values: Record<string, number> = {};
  let next = 100001;
  for (const file of ["snmp", "netstat"]) {
    const lines = readFileSync(`/proc/net/${file}`, "utf8").trim().split("\n");
    const out: string[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      const names = (lines[i] ?? "").split(/\s+/);
      const section = (names[0] ?? "").replace(/:$/, "");
      const row = [names[0] ?? ""];
      for (const name of names.slice(1)) {
        values[`${section}${name}`] = next;
        row.push(String(next++));
      }
      out.push(names.join(" "), row.join(" "));
    }
    writeFileSync(join(fake, "net", file), `${out.join("\n")}\n`);
  }
  // A private mount namespace: /proc is replaced only for this one netstat process.
  const result = spawnSync("unshare", ["-m", "--propagation", "private", "sh", "-c", `mount --bind ${fake} /proc && exec netstat -s`], {
    encoding: "utf8",
    env: { ...process.env, LC_ALL: "C" },
  });
  rmSync(fake, { recursive: true, force: true });
  if (result.status !== 0) throw new Error(`netstat over fake /proc: ${result.stderr}`);
  return { text: result.stdout, values };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("needs root (network namespaces)");
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  try {
    setup();
    const overflow = python(SRV, SERVER(8080, 2, false));
    const closer = python(SRV, SERVER(8081, 16, true));
    await Promise.all([waitFor(overflow, "stdout", /listening/), waitFor(closer, "stdout", /listening/)]);

    // The bundle: collect itself, run in the server namespace, with the traffic during its wait.
    const bundle = join(OUT, "bundle");
    const collect = spawn(
      "ip",
      ["netns", "exec", SRV, process.execPath, "--import", "tsx", "src/cli/main.ts", "collect", "--out", bundle, "--duration", "60", "--no-capture"],
      { cwd: ROOT, stdio: ["ignore", "inherit", "pipe"] },
    );
    children.push(collect);
    await waitFor(collect, "stderr", /capturing/);
    const clients = python(CLI, CLIENTS);
    await new Promise((resolve) => clients.on("close", resolve));
    const done = new Promise((resolve) => collect.on("close", resolve));
    collect.kill("SIGINT");
    await done;

    // Single files in the other formats, taken right after the bundle.
    const single = join(OUT, "single");
    mkdirSync(single);
    const files: Record<string, () => string> = {
      "nstat.json": () => inNs(SRV, "nstat", ["-asz", "-j"]),
      "nstat-z.txt": () => inNs(SRV, "nstat", ["-sz"]),
      "proc-net-tcp.txt": () => inNs(SRV, "cat", ["/proc/net/tcp"]),
      "proc-net-tcp6.txt": () => inNs(SRV, "cat", ["/proc/net/tcp6"]),
      "proc-version.txt": () => readFileSync("/proc/version", "utf8"),
      "uname-r.txt": () => inNs(SRV, "uname", ["-r"]),
      "ss-ltn-plain.txt": () => inNs(SRV, "ss", ["-ltn"]),
      "iptables-save-nocounters.txt": () => inNs(SRV, "iptables-save", []),
    };
    for (const [name, read] of Object.entries(files)) writeFileSync(join(single, name), read());
    const all = netstatAllCounters();
    writeFileSync(join(OUT, "netstat-s-all-counters.txt"), all.text);
    writeFileSync(join(OUT, "netstat-s-all-counters.values.json"), `${JSON.stringify(all.values, null, 1)}\n`);
  } finally {
    cleanup();
  }
  process.stdout.write(`fixtures written to ${OUT}\n`);
}

main().catch((error: unknown) => {
  cleanup();
  process.stderr.write(`host-fixtures: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
