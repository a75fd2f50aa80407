import type { BackgroundProcess } from "./exec.js";
import type { Lab } from "./lab.js";

export const SNAPLEN = 128;

/** A running tcpdump inside a namespace, writing a pcap. */
export class Capture {
  private constructor(
    private readonly proc: BackgroundProcess,
    readonly file: string,
  ) {}

  /**
   * Starts tcpdump and waits until it is listening. `-Z root` because tcpdump otherwise drops to its own
   * user and may not write into the bundle directory; `-U` and `--immediate-mode` so the file is complete when we stop it
   * (otherwise packets still in an unretired TPACKET_V3 block are lost on SIGINT).
   */
  static async start(lab: Lab, ns: string, iface: string, file: string, filter: string): Promise<Capture> {
    const proc = lab.spawn(ns, `tcpdump ${ns}:${iface}`, "tcpdump", [
      "-i", iface, "-n", "-s", String(SNAPLEN), "-U", "--immediate-mode", "-Z", "root", "-w", file, filter,
    ]);
    await proc.waitFor(/listening on/, 10_000);
    return new Capture(proc, file);
  }

  /** Stops with SIGINT (tcpdump flushes and prints its packet counts) and returns tcpdump's stderr. */
  async stop(): Promise<string> {
    const result = await this.proc.stop("SIGINT", 5000);
    return result.stderr;
  }
}

/** The usual capture filter: the scenario's port, plus ICMP and ARP (for REJECT and neighbour failures). */
export function portFilter(port: number): string {
  return `tcp port ${port} or icmp or arp`;
}
