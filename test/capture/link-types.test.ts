import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCapture } from "../../src/capture/reader.js";
import { TcpOptions } from "../../src/wire/tcp-options.js";
import { toolMissing, tsharkFields } from "../helpers/tools.js";

/**
 * Every fixture of fixtures/link (real captures from scripts/capture-fixtures.ts, the tcpdump or tshark rendering
 * beside each as NAME.txt) decoded by nosynack and by tshark: the TCP fields must agree packet by packet.
 */
const DIR = new URL("../../fixtures/link/", import.meta.url).pathname;
const FILES = readdirSync(DIR).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f));
const FIELDS = ["frame.number", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw", "tcp.ack_raw", "tcp.options.timestamp.tsval", "tcp.options.mss_val", "tcp.options.wscale.shift"];

interface Row {
  frame: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: number;
  seq: number;
  ack: number;
  tsVal: number | null;
  mss: number | null;
  windowScale: number | null;
}

async function nosynackRows(file: string): Promise<{ rows: Row[]; linkTypes: Record<string, number> }> {
  const rows: Row[] = [];
  const options = new TcpOptions();
  const stats = await readCapture(file, (view) => {
    if (!view.isTcp) return;
    view.tcpOptions(options);
    rows.push({
      frame: view.packetNumber,
      src: view.srcAddress(),
      dst: view.dstAddress(),
      sport: view.sport,
      dport: view.dport,
      flags: view.flags,
      seq: view.seq,
      ack: view.ack,
      tsVal: options.hasTimestamps ? options.tsVal : null,
      mss: options.mss < 0 ? null : options.mss,
      windowScale: options.windowScale < 0 ? null : options.windowScale,
    });
  });
  return { rows, linkTypes: stats.linkTypes };
}

function tsharkRows(file: string): Row[] {
  // ICMP errors quote TCP headers that tshark also shows as tcp.*: only real TCP segments are compared.
  return tsharkFields(file, "tcp && !icmp && !icmpv6", FIELDS).map((f) => {
    const num = (i: number): number | null => (f[i] ? Number(f[i]) : null);
    return {
      frame: Number(f[0]),
      src: f[1] || f[2] || "",
      dst: f[3] || f[4] || "",
      sport: Number(f[5]),
      dport: Number(f[6]),
      flags: Number(f[7]) & 0xff,
      seq: Number(f[8]),
      ack: Number(f[9]),
      tsVal: num(10),
      mss: num(11),
      windowScale: num(12),
    };
  });
}

describe("link types and formats against tshark", () => {
  const skip = toolMissing("tshark");
  if (skip) process.stderr.write(`tshark comparisons skipped: ${skip}\n`);

  it("has a fixture for every decoded link type", async () => {
    const seen = new Set<string>();
    for (const file of FILES) for (const name of Object.keys((await nosynackRows(join(DIR, file))).linkTypes)) seen.add(name);
    expect([...seen].sort()).toEqual(["ETHERNET", "LINUX_SLL", "LINUX_SLL2", "NULL", "RAW"]);
  });

  for (const file of FILES) {
    it.skipIf(skip !== null)(`${file}: every TCP segment decoded as tshark decodes it`, async () => {
      const ours = await nosynackRows(join(DIR, file));
      const theirs = tsharkRows(join(DIR, file));
      expect(theirs.length).toBeGreaterThan(0);
      // tshark numbers ACK 0 on a SYN as empty when the ACK flag is off; we keep the raw field. Compare with flags.
      expect(ours.rows.map((r) => ({ ...r, ack: r.flags & 0x10 ? r.ack : 0 }))).toEqual(theirs.map((r) => ({ ...r, ack: r.flags & 0x10 ? r.ack : 0 })));
    });
  }
});
