import type { ChildProcess } from "node:child_process";
import type { CommandRunner } from "./runner.js";

export interface CaptureOptions {
  readonly pcapPath: string;
  readonly iface: string;
  readonly port: number | null;
  readonly snaplen: number;
  /** How long to wait for tcpdump's "listening on" line. */
  readonly startTimeoutMs?: number;
}

export interface RunningCapture {
  /** Stops tcpdump with SIGINT (it then flushes the file) and returns notes such as kernel drops. */
  stop(): Promise<readonly string[]>;
  /** Set when tcpdump ended on its own before stop(). */
  readonly exitedEarly: () => string | null;
}

/**
 * The capture filter: handshake and teardown segments (SYN, SYN-ACK, RST, FIN) of the port, ICMP (unreachables
 * quote the SYN) and ARP (a next hop that never answers ARP explains SYN-ACKs that never leave). With a port, also
 * the server's bare ACKs (ACK flag alone, no payload, IPv4): a TIME_WAIT socket answers a colliding SYN with one,
 * and without it the timewait-paws signature (SYN → bare ACK → RST) is lost.
 * IPv6: libpcap cannot index tcp[] behind IPv6, so the TCP flags are read at their fixed offset (no extension
 * headers).
 */
export function captureFilter(port: number | null): string {
  const v4Flags = "tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0";
  const v6Flags = "ip6[53] & 0x07 != 0";
  const bareAck = `(tcp src port ${port} and tcp[tcpflags] == tcp-ack and ip[2:2] - ((ip[0] & 0x0f) << 2) - ((tcp[12] & 0xf0) >> 2) == 0)`;
  const v4 = port === null ? `(${v4Flags})` : `(tcp port ${port} and ${v4Flags}) or ${bareAck}`;
  const v6 = port === null ? `(ip6 and ip6[6] == 6 and ${v6Flags})` : `(ip6 and ip6[6] == 6 and tcp port ${port} and ${v6Flags})`;
  return `${v4} or ${v6} or icmp or icmp6 or arp`;
}

export function tcpdumpArgs(options: CaptureOptions): string[] {
  return [
    "-i",
    options.iface,
    "-s",
    String(options.snaplen),
    "-U",
    "--immediate-mode",
    "-n",
    // Debian's tcpdump drops to user "tcpdump" after start; the bundle directory may not be writable for it.
    "-Z",
    "root",
    "-w",
    options.pcapPath,
    captureFilter(options.port),
  ];
}

/** Starts tcpdump and resolves once it prints "listening on", so no packet of the wait is missed. */
export function startCapture(runner: CommandRunner, options: CaptureOptions): Promise<RunningCapture> {
  const child = runner.start("tcpdump", tcpdumpArgs(options));
  return new Promise((resolvePromise, reject) => {
    let stderr = "";
    let listening = false;
    let exit: string | null = null;
    const exited = new Promise<void>((done) => {
      child.on("close", (code, signal) => {
        exit = `tcpdump exited (${code ?? signal ?? "?"})`;
        done();
      });
    });
    const timer = setTimeout(() => {
      if (listening) return;
      killGroup(child, "SIGKILL");
      reject(new Error(`tcpdump did not start listening within ${(options.startTimeoutMs ?? 10_000) / 1000} s${tail(stderr)}`));
    }, options.startTimeoutMs ?? 10_000);
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(error.code === "ENOENT" ? "tcpdump not found" : `tcpdump could not start: ${error.message}`));
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      if (!listening && /listening on /.test(stderr)) {
        listening = true;
        clearTimeout(timer);
        resolvePromise({ stop: () => stopCapture(child, exited, () => stderr), exitedEarly: () => exit });
      }
    });
    child.on("close", () => {
      if (listening) return;
      clearTimeout(timer);
      reject(new Error(`tcpdump ended before capturing${tail(stderr)}`));
    });
  });
}

async function stopCapture(child: ChildProcess, exited: Promise<void>, stderr: () => string): Promise<readonly string[]> {
  const notes: string[] = [];
  if (child.exitCode === null && child.signalCode === null) {
    killGroup(child, "SIGINT");
    const forced = setTimeout(() => {
      notes.push("tcpdump did not stop within 5 s of SIGINT; killed (the last packets may be missing)");
      killGroup(child, "SIGKILL");
    }, 5000);
    await exited;
    clearTimeout(forced);
  } else {
    notes.push(`tcpdump had already ended (${child.exitCode ?? child.signalCode ?? "?"}) before the wait was over`);
  }
  const stats = /(\d+) packets? captured[\s\S]*?(\d+) packets? received by filter[\s\S]*?(\d+) packets? dropped by kernel/.exec(stderr());
  if (stats) {
    notes.push(`tcpdump: ${stats[1]} packets captured, ${stats[2]} received by filter, ${stats[3]} dropped by kernel`);
  }
  return notes;
}

/** tcpdump runs in its own process group (detached); signal only that child, by pid. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // already gone
  }
}

function tail(stderr: string): string {
  const line = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .at(-1);
  return line ? `: ${line}` : "";
}
