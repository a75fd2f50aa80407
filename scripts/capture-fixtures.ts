/**
 * Regenerates fixtures/link/: small real captures made by the kernel in network namespaces, one per link type
 * and container format the reader supports, plus a `tcpdump -nn -e -r` rendering beside each (NAME.txt).
 * Run as root: npm run fixtures:link [-- OUTDIR]
 *
 * Made live: ethernet.pcap (IPv4 + IPv6 handshakes, ICMP port unreachable quoting a SYN, IPv4 and IPv6 fragments, ARP),
 * sll.pcap and sll2.pcap (tcpdump -i any), nanosecond.pcap, multi-interface.pcapng (dumpcap, Ethernet + SLL2).
 * Derived by transformation, because this machine's kernel has no 8021q or ipip support and no Linux tool writes
 * the others: vlan.pcap (802.1Q tag inserted), qinq.pcap (802.1ad + 802.1Q tags), raw.pcap (Ethernet header
 * removed: LINKTYPE_RAW), null.pcap (BSD loopback header), ethernet-be.pcap and ethernet-be.pcapng
 * (byte-swapped), ethernet.pcapng (editcap), two-sections.pcapng (two sections concatenated), ethernet.pcap.gz.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Capture } from "../lab/capture.js";
import { sleep } from "../lab/exec.js";
import { Lab } from "../lab/lab.js";
import { ethernetToRaw, insertVlanTags, swapPcapByteOrder, swapPcapngByteOrder, toBsdNull } from "./lib/capture-transforms.js";

const OUT = resolve(process.argv[2] ?? join(import.meta.dirname, "..", "fixtures", "link"));
const PORT = 8080;

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const lab = new Lab();
  try {
    const srv = await lab.host("srv");
    const cli = await lab.host("cli");
    await lab.link(cli, "eth0", srv, "eth0");
    await lab.fullChecksums(cli, "eth0");
    await lab.addr(cli, "eth0", "198.18.200.2/24");
    await lab.addr(srv, "eth0", "198.18.200.1/24");
    // IPv6 from the documentation prefix; nodad so the addresses are usable at once.
    await lab.ip(cli, ["-6", "addr", "add", "2001:db8:18::2/64", "dev", "eth0", "nodad"]);
    await lab.ip(srv, ["-6", "addr", "add", "2001:db8:18::1/64", "dev", "eth0", "nodad"]);
    await lab.nft(srv, ["table inet fixtures {", "  chain input {", "    type filter hook input priority 0;", "    meta l4proto tcp tcp dport 9 reject with icmpx type port-unreachable", "  }", "}", ""].join("\n"));
    const server = lab.spawnWorkload(srv, "server", "server.ts", ["--host", "::", "--port", String(PORT), "--lifetime", "60"]);
    await server.waitFor(/listening/, 10_000);

    const connect = (dst: string, port = PORT): Promise<unknown> =>
      lab.exec(cli, process.execPath, ["--import", "tsx", join(import.meta.dirname, "..", "lab", "workloads", "client.ts"), "--dst", dst, "--port", String(port), "--count", "1", "--timeout-ms", "1500"], { check: false });

    const captures: Array<[string, Capture]> = [];
    const start = async (name: string, iface: string, extra: readonly string[] = []): Promise<void> => {
      const file = join(OUT, name);
      const proc = lab.spawn(srv, `tcpdump ${name}`, "tcpdump", ["-i", iface, "-n", "-s", "256", "-U", "--immediate-mode", "-Z", "root", ...extra, "-w", file, "not ip6 multicast"]);
      await proc.waitFor(/listening on/, 10_000);
      captures.push([name, { stop: () => proc.stop("SIGINT", 5000).then((r) => r.stderr) } as Capture]);
    };
    await start("ethernet.pcap", "eth0");
    await start("nanosecond.pcap", "eth0", ["--time-stamp-precision=nano"]);
    await start("sll2.pcap", "any");
    await start("sll.pcap", "any", ["-y", "LINUX_SLL"]);
    const dumpcap = lab.spawn(srv, "dumpcap", "dumpcap", ["-q", "-i", "eth0", "-i", "any", "-s", "256", "-w", join(OUT, "multi-interface.pcapng")]);
    await sleep(1500);

    await connect("198.18.200.1");
    await connect("2001:db8:18::1");
    await connect("198.18.200.1", 9); // rejected with ICMP port unreachable
    // A 3000-byte UDP datagram over a 1500-byte MTU: IPv4 fragments and IPv6 fragment headers.
    for (const [family, dst] of [["udp4", "198.18.200.1"], ["udp6", "2001:db8:18::1"]] as const) {
      const send = `const s=require("node:dgram").createSocket("${family}");s.send(Buffer.alloc(3000),9999,"${dst}",()=>s.close())`;
      await lab.exec(cli, process.execPath, ["-e", send]);
    }
    await sleep(500);
    for (const [, capture] of captures) await capture.stop();
    await dumpcap.stop("SIGINT", 5000);
  } finally {
    const problems = await lab.cleanup();
    for (const p of problems) process.stderr.write(`cleanup: ${p}\n`);
  }

  // Derived files.
  const ethernet = readFileSync(join(OUT, "ethernet.pcap"));
  writeFileSync(join(OUT, "ethernet-be.pcap"), swapPcapByteOrder(ethernet));
  writeFileSync(join(OUT, "vlan.pcap"), insertVlanTags(ethernet, [[0x8100, 10]]));
  writeFileSync(join(OUT, "qinq.pcap"), insertVlanTags(ethernet, [[0x88a8, 100], [0x8100, 20]]));
  writeFileSync(join(OUT, "raw.pcap"), ethernetToRaw(ethernet));
  writeFileSync(join(OUT, "null.pcap"), toBsdNull(readFileSync(join(OUT, "raw.pcap"))));
  execFileSync("editcap", ["-F", "pcapng", join(OUT, "ethernet.pcap"), join(OUT, "ethernet.pcapng")]);
  writeFileSync(join(OUT, "ethernet-be.pcapng"), swapPcapngByteOrder(readFileSync(join(OUT, "ethernet.pcapng"))));
  writeFileSync(join(OUT, "two-sections.pcapng"), Buffer.concat([readFileSync(join(OUT, "ethernet.pcapng")), readFileSync(join(OUT, "multi-interface.pcapng"))]));
  writeFileSync(join(OUT, "ethernet.pcap.gz"), execFileSync("gzip", ["-9", "-n", "-c", join(OUT, "ethernet.pcap")]));

  // libpcap (tcpdump) refuses pcapng files whose interfaces differ in link type: tshark renders that one.
  for (const name of ["ethernet.pcap", "vlan.pcap", "qinq.pcap", "sll.pcap", "sll2.pcap", "raw.pcap", "null.pcap", "nanosecond.pcap", "ethernet-be.pcap", "multi-interface.pcapng"]) {
    const file = join(OUT, name);
    const [tool, args] = name.endsWith(".pcapng") ? ["tshark", ["-n", "-r", file]] : ["tcpdump", ["-nn", "-e", "-v", "-r", file]];
    const text = execFileSync(tool, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    writeFileSync(join(OUT, name.replace(/\.(pcap|pcapng)$/, ".txt")), `# ${tool} ${args.join(" ").replace(file, name)}\n${text}`);
  }
  process.stdout.write(`fixtures written to ${OUT}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
