import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeCaptures } from "../../src/handshakes/analyze.js";
import { labUnavailable } from "../lab-guard.js";
import { toolMissing, tsharkFields } from "../helpers/tools.js";

/**
 * The fixture script run live: the kernel of this machine makes the handshakes in fresh namespaces, tcpdump and
 * dumpcap capture them, and nosynack and tshark must count the same SYNs, SYN-ACKs and RSTs in every file.
 */
describe("captures made now in the namespace lab", () => {
  const reason = labUnavailable() ?? toolMissing("tshark") ?? toolMissing("tcpdump") ?? toolMissing("dumpcap");
  it.skipIf(reason !== null)("counts what tshark counts, in every link type and container", async () => {
    const out = mkdtempSync(join(tmpdir(), "nosynack-live-"));
    execFileSync(process.execPath, ["--import", "tsx", new URL("../../scripts/capture-fixtures.ts", import.meta.url).pathname, out], { stdio: "pipe", timeout: 90_000 });
    const files = readdirSync(out).filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(12);
    for (const file of files) {
      const path = join(out, file);
      const summary = await analyzeCaptures([path]);
      const rows = tsharkFields(path, "tcp.flags.syn==1 || icmp.type==3 || icmpv6.type==1", ["tcp.flags", "icmp.type", "icmpv6.type"]);
      const isIcmp = (r: string[]): boolean => Boolean(r[1] || r[2]);
      const syns = rows.filter((r) => !isIcmp(r) && (Number(r[0]) & 0x12) === 0x02).length;
      const synacks = rows.filter((r) => !isIcmp(r) && (Number(r[0]) & 0x12) === 0x12).length;
      const icmpErrors = rows.filter(isIcmp).length;
      expect(summary.handshakes.attempts + summary.handshakes.synRetransmits, `${file}: SYNs`).toBe(syns);
      expect(summary.handshakes.answered + summary.handshakes.synackRetransmits, `${file}: SYN-ACKs`).toBe(synacks);
      expect(summary.handshakes.firstReply.icmp, `${file}: ICMP errors quoting a SYN`).toBe(icmpErrors > 0 ? 1 : 0);
      expect(summary.handshakes.answered, file).toBeGreaterThanOrEqual(2);
    }
  }, 240_000);
});
