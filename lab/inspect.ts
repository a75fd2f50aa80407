import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { counterDeltas } from "./nstat.js";
import { readWire, summarizeWire, type WireSummary } from "./wire-summary.js";

export interface BundleInspection {
  readonly label: string;
  readonly port: number;
  readonly deltas: Record<string, number>;
  readonly server: WireSummary;
  readonly client: WireSummary | null;
}

/** Reads a lab bundle back: nstat deltas of the server namespace and the tshark reading of the captures. */
export async function inspectBundle(dir: string): Promise<BundleInspection> {
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as { label: string; port: number; files: Array<{ path: string; side?: string }> };
  const before = await readFile(join(dir, "nstat-before.txt"), "utf8");
  const after = await readFile(join(dir, "nstat-after.txt"), "utf8");
  const hasClient = manifest.files.some((f) => f.side === "client");
  return {
    label: manifest.label,
    port: manifest.port,
    deltas: counterDeltas(before, after),
    server: summarizeWire(await readWire(join(dir, "server.pcap"))),
    client: hasClient ? summarizeWire(await readWire(join(dir, "client.pcap"))) : null,
  };
}
