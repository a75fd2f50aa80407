import type { Lab } from "./lab.js";

/**
 * The standard lab topology: a server, a router (which may NAT), and clients behind the router.
 *
 *   cli0 (eth0 198.18.10.2) ─┐
 *   cli1 (eth0 198.18.11.2) ─┤ rtr (c0 198.18.10.1, c1 198.18.11.1, …; r0 198.18.1.254) ── srv (eth0 198.18.1.1)
 *
 * With `bridge`, all clients share one subnet on a bridge inside the router namespace
 * (cliK eth0 198.18.10.(2+K), rtr br0 198.18.10.1): that scales to many clients.
 * Clients are therefore at least one hop away from the server (their TTL arrives as 63).
 * Clients and router send full checksums (no veth TX offload), like packets arriving from a real NIC.
 */
export interface TopologyOptions {
  readonly clients: number;
  /** First three octets of the server subnet (a /24 in 198.18.0.0/15). */
  readonly serverNet: string;
  /** First three octets of the first client subnet; client k uses the third octet + k (without bridge). */
  readonly clientNet: string;
  readonly bridge?: boolean;
  /** Give the server its default route via the router (default true). */
  readonly serverDefaultRoute?: boolean;
}

export interface Topology {
  readonly server: string;
  readonly router: string;
  readonly clients: readonly string[];
  readonly serverAddr: string;
  readonly serverIf: string;
  readonly routerServerAddr: string;
  readonly routerServerIf: string;
  readonly clientAddrs: readonly string[];
  /** Client subnets as CIDR (one per client, or one shared with a bridge). */
  readonly clientNets: readonly string[];
  readonly clientIf: string;
}

export async function buildTopology(lab: Lab, options: TopologyOptions): Promise<Topology> {
  const server = await lab.host("srv");
  const router = await lab.host("rtr");
  const serverAddr = `${options.serverNet}.1`;
  const routerServerAddr = `${options.serverNet}.254`;
  await lab.link(server, "eth0", router, "r0");
  await lab.addr(server, "eth0", `${serverAddr}/24`);
  await lab.addr(router, "r0", `${routerServerAddr}/24`);
  // The server keeps offload on: its own packets look "bad" in its capture, as on real hosts.
  await lab.fullChecksums(router, "r0");
  await lab.sysctl(router, { "net.ipv4.ip_forward": 1 });
  if (options.serverDefaultRoute ?? true) await lab.route(server, ["add", "default", "via", routerServerAddr]);

  const clients: string[] = [];
  const clientAddrs: string[] = [];
  const clientNets: string[] = [];
  const [a, b, c] = options.clientNet.split(".").map(Number) as [number, number, number];
  if (options.bridge) {
    await lab.ip(router, ["link", "add", "br0", "type", "bridge"]);
    await lab.ip(router, ["link", "set", "br0", "up"]);
    await lab.addr(router, "br0", `${a}.${b}.${c}.1/24`);
    clientNets.push(`${a}.${b}.${c}.0/24`);
  }
  for (let k = 0; k < options.clients; k++) {
    const ns = await lab.host(`cli${k}`);
    clients.push(ns);
    const routerIf = `c${k}`;
    await lab.link(ns, "eth0", router, routerIf);
    let addr: string;
    let gateway: string;
    if (options.bridge) {
      addr = `${a}.${b}.${c}.${2 + k}`;
      gateway = `${a}.${b}.${c}.1`;
      await lab.ip(router, ["link", "set", routerIf, "master", "br0"]);
    } else {
      addr = `${a}.${b}.${c + k}.2`;
      gateway = `${a}.${b}.${c + k}.1`;
      await lab.addr(router, routerIf, `${gateway}/24`);
      clientNets.push(`${a}.${b}.${c + k}.0/24`);
    }
    await lab.addr(ns, "eth0", `${addr}/24`);
    await lab.fullChecksums(ns, "eth0");
    await lab.fullChecksums(router, routerIf);
    await lab.route(ns, ["add", "default", "via", gateway]);
    clientAddrs.push(addr);
  }
  return {
    server,
    router,
    clients,
    serverAddr,
    serverIf: "eth0",
    routerServerAddr,
    routerServerIf: "r0",
    clientAddrs,
    clientNets,
    clientIf: "eth0",
  };
}
