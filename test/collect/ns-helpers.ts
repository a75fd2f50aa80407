import { execFileSync, spawn, type ChildProcess } from "node:child_process";

/**
 * A two-namespace lab for collect tests: server and client joined by a veth pair created inside the
 * namespaces, 198.18.0.0/15 addresses only. Names carry the nskev- prefix plus a unique suffix.
 */
export interface Lab {
  readonly server: string;
  readonly client: string;
  readonly serverAddr: string;
  readonly clientAddr: string;
  cleanup(): void;
}

export function ip(args: readonly string[]): string {
  return execFileSync("ip", [...args], { encoding: "utf8" });
}

export function inNs(ns: string, cmd: string, args: readonly string[]): string {
  return execFileSync("ip", ["netns", "exec", ns, cmd, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function createLab(tag: string): Lab {
  const suffix = `${tag}-${process.pid % 100000}`;
  const server = `nskev-s${suffix}`;
  const client = `nskev-c${suffix}`;
  const lab: Lab = {
    server,
    client,
    serverAddr: "198.18.0.1",
    clientAddr: "198.18.0.2",
    cleanup() {
      for (const ns of [server, client]) {
        try {
          ip(["netns", "del", ns]);
        } catch {
          // already gone
        }
      }
    },
  };
  try {
    ip(["netns", "add", server]);
    ip(["netns", "add", client]);
    // veth created inside the server namespace, its peer moved straight into the client namespace.
    ip(["-n", server, "link", "add", "s0", "type", "veth", "peer", "name", "c0", "netns", client]);
    ip(["-n", server, "addr", "add", "198.18.0.1/24", "dev", "s0"]);
    ip(["-n", client, "addr", "add", "198.18.0.2/24", "dev", "c0"]);
    for (const [ns, dev] of [[server, "s0"], [client, "c0"]] as const) {
      ip(["-n", ns, "link", "set", "lo", "up"]);
      ip(["-n", ns, "link", "set", dev, "up"]);
    }
  } catch (error) {
    lab.cleanup();
    throw error;
  }
  return lab;
}

/** A bounded Python listener: listen(backlog), optionally accept-and-close; exits by itself after `seconds`. */
export function startServer(ns: string, port: number, backlog: number, accept: boolean, seconds: number): ChildProcess {
  const code = `
import socket, time, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", ${port})); s.listen(${backlog}); print("listening", flush=True)
s.settimeout(0.2); end = time.time() + ${seconds}
while time.time() < end:
    if not ${accept ? "True" : "False"}:
        time.sleep(0.2); continue
    try:
        c, _ = s.accept(); c.close()
    except socket.timeout:
        pass
`;
  return spawn("ip", ["netns", "exec", ns, "python3", "-c", code], { stdio: ["ignore", "pipe", "ignore"] });
}

/** Opens `count` non-blocking connections and holds them `seconds` (bounded), then exits. */
export function runClients(ns: string, addr: string, port: number, count: number, seconds: number): void {
  const code = `
import socket, time
socks = []
for i in range(${count}):
    s = socket.socket(); s.setblocking(False)
    try: s.connect(("${addr}", ${port}))
    except BlockingIOError: pass
    socks.append(s); time.sleep(0.05)
time.sleep(${seconds})
`;
  execFileSync("ip", ["netns", "exec", ns, "python3", "-c", code], { stdio: "ignore", timeout: (seconds + 10) * 1000 });
}

export function waitForLine(child: ChildProcess, stream: "stdout" | "stderr", pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}: ${text}`)), timeoutMs);
    child[stream]?.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      if (pattern.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
