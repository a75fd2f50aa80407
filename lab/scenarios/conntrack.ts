import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { num, type Scenario } from "../scenario.js";
import { probeWorkload, routed, startServer } from "./common.js";

/**
 * Conntrack table full, without touching the root namespace. On this kernel nf_conntrack_max is global and
 * read-only inside a netns (0444), but the entry count it is compared with is per namespace. So the server
 * namespace is filled with exactly nf_conntrack_max ASSURED, ESTABLISHED entries through ctnetlink
 * (`conntrack -R`, ~5 s for 262144): early_drop() may evict only unassured entries, so the next new flow
 * (the client's SYN) cannot get an entry and is dropped. Costs ~85 MB of kernel memory until the
 * namespace is deleted; the root namespace's table and settings are untouched.
 */
export const conntrackFull: Scenario = {
  name: "conntrack-full",
  label: "conntrack-full",
  summary: "Server netns filled with nf_conntrack_max assured entries (conntrack -R): new SYNs dropped by conntrack.",
  defaults: { timeoutMs: 2500, maxEntries: 1_100_000, fillNet: "198.18.100" },
  topology: (p) => routed(p),
  async setup(ctx) {
    const { lab, topo, params } = ctx;
    // Any ct expression makes conntrack track this namespace's traffic.
    await lab.nft(
      topo.server,
      `table inet labct {
  chain in {
    type filter hook input priority 0;
    ct state established,related counter accept
  }
}
`,
    );
    await startServer(ctx);
    const max = Number((await lab.exec(topo.server, "sysctl", ["-n", "net.netfilter.nf_conntrack_max"])).stdout.trim());
    if (!(max > 0) || max > num(params, "maxEntries")) {
      throw new Error(`nf_conntrack_max is ${max}: above maxEntries=${num(params, "maxEntries")}, refusing to fill that much kernel memory`);
    }
    const lines: string[] = [];
    const perAddr = 64_000;
    const [a, b, c] = String(params.fillNet).split(".").map(Number) as [number, number, number];
    for (let i = 0; i < max; i++) {
      const host = Math.floor(i / perAddr);
      const src = `${a}.${b}.${c + Math.floor(host / 250)}.${2 + (host % 250)}`;
      lines.push(`-I -p tcp -s ${src} -d ${topo.serverAddr} --sport ${1024 + (i % perAddr)} --dport 9 --state ESTABLISHED -u ASSURED,SEEN_REPLY -t 600`);
    }
    const file = join(tmpdir(), `nsklab-${lab.runId}-conntrack.txt`);
    await writeFile(file, `${lines.join("\n")}\n`);
    try {
      await lab.exec(topo.server, "conntrack", ["-R", file], { check: false, timeoutMs: 120_000 });
    } finally {
      await rm(file, { force: true });
    }
    const count = (await lab.exec(topo.server, "sysctl", ["-n", "net.netfilter.nf_conntrack_count"])).stdout.trim();
    ctx.note(`conntrack filled: nf_conntrack_count ${count} of nf_conntrack_max ${max} (server namespace only)`);
    ctx.result("conntrack", { max, count: Number(count) });
  },
  workload: probeWorkload,
};
