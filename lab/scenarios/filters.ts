import { num, type Scenario } from "../scenario.js";
import { hping, probeWorkload, routed, runClient, startRawListener, startServer } from "./common.js";

/** A client that keeps retrying for `timeoutMs` (SYN retransmits at +1, +2, … s on this kernel). */
const probe = { count: 1, timeoutMs: 2500 };

export const firewallDropNft: Scenario = {
  name: "firewall-drop-nft",
  label: "firewall-drop",
  summary: "nft input rule 'tcp dport P drop' on the server: SYNs seen, no answer, no TCP counter moves.",
  defaults: { timeoutMs: probe.timeoutMs },
  topology: (p) => routed(p),
  async setup(ctx) {
    await startServer(ctx);
    await ctx.lab.nft(
      ctx.topo.server,
      `table inet labfw {
  chain in {
    type filter hook input priority 0;
    tcp dport ${num(ctx.params, "port")} counter drop
  }
}
`,
    );
  },
  workload: probeWorkload,
};

export const firewallDropIptables: Scenario = {
  ...firewallDropNft,
  name: "firewall-drop-iptables",
  summary: "iptables -A INPUT -p tcp --dport P -j DROP on the server (iptables-nft).",
  async setup(ctx) {
    await startServer(ctx);
    await ctx.lab.exec(ctx.topo.server, "iptables", ["-A", "INPUT", "-p", "tcp", "--dport", String(num(ctx.params, "port")), "-j", "DROP"]);
  },
};

export const firewallReject: Scenario = {
  ...firewallDropNft,
  name: "firewall-reject",
  summary: "nft 'reject with tcp reset' on the server: the client gets an RST that TCP did not send (TcpOutRsts unchanged).",
  async setup(ctx) {
    await startServer(ctx);
    await ctx.lab.nft(
      ctx.topo.server,
      `table inet labfw {
  chain in {
    type filter hook input priority 0;
    tcp dport ${num(ctx.params, "port")} counter reject with tcp reset
  }
}
`,
    );
  },
};

/**
 * Strict reverse-path filter: the server's route back to the client points out of a second interface
 * (to a namespace `alt`), so the SYN arriving on eth0 fails the rp check.
 */
export const rpFilter: Scenario = {
  name: "rp-filter",
  label: "rp-filter",
  summary: "rp_filter=1 on the server, route to the clients via another interface: IPReversePathFilter.",
  defaults: { timeoutMs: probe.timeoutMs, altNet: "198.18.2" },
  topology: (p) => routed(p),
  async setup(ctx) {
    const { lab, topo, params } = ctx;
    const alt = await lab.host("alt");
    await lab.link(topo.server, "eth1", alt, "eth0");
    const altNet = String(params.altNet);
    await lab.addr(topo.server, "eth1", `${altNet}.1/24`);
    await lab.addr(alt, "eth0", `${altNet}.2/24`);
    for (const net of topo.clientNets) await lab.route(topo.server, ["add", net, "via", `${altNet}.2`, "dev", "eth1"]);
    await lab.sysctl(topo.server, { "net.ipv4.conf.all.rp_filter": 1, "net.ipv4.conf.eth0.rp_filter": 1 });
    await startServer(ctx);
  },
  workload: probeWorkload,
};

export const noListener: Scenario = {
  name: "no-listener",
  label: "no-listener",
  summary: "Nothing listens on the port: SYN → RST/ACK, connection refused.",
  defaults: { count: 3 },
  topology: (p) => routed(p),
  async setup() {},
  async workload(ctx) {
    await runClient(ctx, { count: num(ctx.params, "count"), timeoutMs: 1000 });
  },
};

export const listenerOtherAddress: Scenario = {
  ...noListener,
  name: "no-listener-other-address",
  summary: "The service listens on 127.0.0.1 only; SYNs to the public address get RST/ACK.",
  defaults: { count: 3, bind: "127.0.0.1" },
  async setup(ctx) {
    await startServer(ctx, { host: String(ctx.params.bind) });
  },
};

export const tcpMd5: Scenario = {
  name: "tcp-md5",
  label: "tcp-md5",
  summary: "The listener has a TCP-MD5 key for the client's address; the client's SYN carries no MD5 option.",
  defaults: { timeoutMs: probe.timeoutMs },
  topology: (p) => routed(p),
  async setup(ctx) {
    await startRawListener(ctx, { accept: true, md5Peer: ctx.topo.clientAddrs[0] ?? "" });
  },
  workload: probeWorkload,
};

export const minTtl: Scenario = {
  name: "min-ttl",
  label: "min-ttl",
  summary: "IP_MINTTL=255 on the listener, the client is one router away (TTL 63): SYNs discarded.",
  defaults: { timeoutMs: probe.timeoutMs, minTtl: 255 },
  topology: (p) => routed(p),
  async setup(ctx) {
    await startRawListener(ctx, { accept: true, minTtl: num(ctx.params, "minTtl") });
  },
  workload: probeWorkload,
};

export const badChecksum: Scenario = {
  name: "bad-checksum",
  label: "bad-checksum",
  summary: "hping3 --badcksum SYNs to a listening port: discarded, TcpInCsumErrors.",
  defaults: { syns: 5, intervalUs: 200000, sourcePort: 32000 },
  topology: (p) => routed(p),
  async setup(ctx) {
    await startServer(ctx);
  },
  async workload(ctx) {
    const p = ctx.params;
    await hping(ctx, 0, ["-S", "--badcksum", "-p", String(num(p, "port")), "-s", String(num(p, "sourcePort")), "-i", `u${num(p, "intervalUs")}`, "-c", String(num(p, "syns"))]);
  },
};
