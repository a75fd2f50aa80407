import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  detectKind,
  iptablesBackend,
  loadEvidence,
  parseConntrackStats,
  parseIptablesSave,
  parseKernelLog,
  parseManifest,
  parseNetstatS,
  parseNfConntrackStat,
  parseNftJson,
  parseNftRuleset,
  parseNstat,
  parseNstatJson,
  parseProcMib,
  parseProcNetTcp,
  parseSsSockets,
  parseSsSummary,
  parseSysctl,
  rulesMatchingPort,
  type FirewallRule,
} from "../../src/evidence/index.js";

const HOST = join(import.meta.dirname, "..", "..", "fixtures", "host");
const read = (...parts: string[]): string => readFileSync(join(HOST, ...parts), "utf8");

describe("netstat -s", () => {
  it("maps every net-tools 2.10 line to the right counter (distinct value per counter)", () => {
    const values = JSON.parse(read("6.18", "netstat-s-all-counters.values.json")) as Record<string, number>;
    const parsed = parseNetstatS(read("6.18", "netstat-s-all-counters.txt"));
    expect(parsed.issues).toEqual([]);
    const names = Object.keys(parsed.value);
    expect(names.length).toBeGreaterThan(250);
    for (const name of names) expect([name, parsed.value[name]]).toEqual([name, values[name]]);
  });

  it("reads net-tools 1.60 wording and reports the unknown line", () => {
    const parsed = parseNetstatS(read("historic", "netstat-s-net-tools-1.60.txt"));
    expect(parsed.value).toMatchObject({
      TcpExtPAWSPassive: 1123035,
      TcpExtPAWSEstab: 13,
      TcpExtListenOverflows: 2201,
      TcpExtListenDrops: 1125236,
      TcpActiveOpens: 89215,
      TcpOutSegs: 2391023,
      TcpRetransSegs: 7712,
      TcpInErrs: 0,
      IcmpInDestUnreachs: 517,
      IcmpOutDestUnreachs: 521,
      IcmpOutEchoReps: 4,
      IcmpMsgInType3: 517,
      TcpExtTCPSynRetrans: 5103,
      TcpExtTCPPrequeued: 812,
      IpExtInOctets: 1431001227,
    });
    expect(parsed.issues).toEqual([{ line: 73, message: expect.stringContaining("not something netstat prints") }]);
  });
});

describe("counter files", () => {
  it("nstat text, nstat -j and /proc/net/netstat of the same namespace agree on names", () => {
    const text = parseNstat(read("6.18", "bundle", "nstat-after.txt"));
    const json = parseNstatJson(read("6.18", "single", "nstat.json"));
    const proc = parseProcMib(read("6.18", "bundle", "proc-net-netstat-after.txt"));
    expect(text.issues).toEqual([]);
    expect(json.issues).toEqual([]);
    expect(proc.issues).toEqual([]);
    expect(text.value.TcpExtListenOverflows).toBe(proc.value.TcpExtListenOverflows);
    expect(json.value.TcpExtListenOverflows).toBeGreaterThanOrEqual(text.value.TcpExtListenOverflows ?? 0);
    expect(Object.keys(proc.value).filter((name) => !(name in text.value))).toEqual([]);
  });

  it("turns unknown lines into issues with line numbers instead of throwing", () => {
    expect(parseNstat("#kernel\nTcpInSegs 5 0.0\nwhat is this\n").issues).toEqual([{ line: 3, message: expect.any(String) }]);
    expect(parseProcMib("TcpExt: A B\nTcpExt: 1 2\ngarbage\n").issues[0]?.line).toBe(3);
    expect(parseSysctl("net.core.somaxconn = 4096\nnot a sysctl\n").issues[0]?.line).toBe(2);
    expect(parseSsSockets("State Recv-Q Send-Q Local Address:Port Peer Address:Port\nLISTEN x y z\n").issues[0]?.line).toBe(2);
    expect(parseConntrackStats("cpu=0 found=1 drop=2\nnonsense\n").issues[0]?.line).toBe(2);
    expect(parseIptablesSave("*filter\n:INPUT ACCEPT [0:0]\nweird line\nCOMMIT\n").issues[0]?.line).toBe(3);
    expect(parseKernelLog("[ 1.0] ok\nno prefix here\n").issues[0]?.line).toBe(2);
    expect(parseManifest("{").value).toBeNull();
  });

  it("keeps the 3.10-era sysctls and normalises separators", () => {
    const parsed = parseSysctl(read("historic", "sysctl-a-3.10.txt"));
    expect(parsed.value["net.ipv4.tcp_tw_recycle"]).toBe("1");
    expect(parsed.value["net.ipv4.tcp_rmem"]).toBe("4096 87380 6291456");
    expect(parseSysctl("# comment\n; other\nnet/ipv4/tcp_syncookies=0\n-net.core.somaxconn = 1024\n").value).toEqual({
      "net.ipv4.tcp_syncookies": "0",
      "net.core.somaxconn": "1024",
    });
  });
});

describe("sockets", () => {
  it("reads listeners with backlog, process and per-listener drops", () => {
    const ltnm = parseSsSockets(read("6.18", "bundle", "ss-ltnm-after.txt")).value.listening;
    const listener = ltnm.find((s) => s.localPort === 8080);
    expect(listener).toMatchObject({ state: "LISTEN", recvQ: 3, sendQ: 2, localAddr: "0.0.0.0" });
    expect(listener?.drops).toBeGreaterThan(0);
    const v6 = parseSsSockets("State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0 511 [::]:443 [::]:*\n");
    expect(v6.value.listening[0]).toMatchObject({ localAddr: "::", localPort: 443, sendQ: 511 });
  });

  it("keeps listeners as records and counts every other socket by state and port", () => {
    const rows = ["LISTEN 3 128 0.0.0.0:8080 0.0.0.0:*", "TIME-WAIT 0 0 198.18.0.1:8080 198.19.0.1:40000", "ESTAB 0 0 198.18.0.1:8080 198.19.0.2:40001", "TIME-WAIT 0 0 198.18.0.1:22 198.19.0.3:40002"];
    const listing = parseSsSockets(`State Recv-Q Send-Q Local Address:Port Peer Address:Port\n${rows.join("\n")}\n`).value;
    expect(listing.listening.map((s) => s.local)).toEqual(["0.0.0.0:8080"]);
    expect(listing.states).toEqual({ LISTEN: 1, "TIME-WAIT": 2, ESTAB: 1 });
    expect(listing.statesByPort).toEqual({ "8080": { LISTEN: 1, "TIME-WAIT": 1, ESTAB: 1 }, "22": { "TIME-WAIT": 1 } });
  });

  it("decodes /proc/net/tcp (the spec's listener line) and tcp6", () => {
    const line = "   0: 0101630A:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 12345 1 0000000000000000 100 0 0 10 0";
    const parsed = parseProcNetTcp(`  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n${line}\n`);
    expect(parsed.value.listening[0]).toMatchObject({ state: "LISTEN", localAddr: "10.99.1.1", localPort: 8080, recvQ: 3 });
    const v6 = parseProcNetTcp(read("6.18", "single", "proc-net-tcp6.txt"));
    expect(v6.issues).toEqual([]);
  });

  it("reads ss -s with and without synrecv", () => {
    expect(parseSsSummary("Total: 9\nTCP:   3 (estab 1, closed 0, orphaned 0, synrecv 0, timewait 2/0), ports 0\n").value).toMatchObject({
      total: 3,
      estab: 1,
      synrecv: 0,
      timewait: 2,
    });
  });
});

describe("conntrack", () => {
  it("sums per-CPU rows but not the global entries column", () => {
    const text = "entries  searched found new drop early_drop insert_failed\n00000005  0 0 0 00000002 00000001 0\n00000005  0 0 0 00000003 0 00000004\n";
    expect(parseNfConntrackStat(text).value).toEqual({ entries: 5, cpus: 2, totals: { searched: 0, found: 0, new: 0, drop: 5, early_drop: 1, insert_failed: 4 } });
  });
});

describe("a file of garbage", () => {
  it("lists its first problems and counts the rest, instead of one issue per bad field", () => {
    const fields = Array.from({ length: 5000 }, () => "a").join(" ");
    const { issues } = parseConntrackStats(`cpu=0 found=0 drop=1\ncpu=1 found=0 ${fields}\n`);
    expect(issues).toHaveLength(101);
    expect(issues.slice(0, 100).every((i) => i.line === 2 && i.message.includes('"a"'))).toBe(true);
    expect(issues[100]).toEqual({ line: 2, message: "4,900 more problems from here on, not listed (the first 100 are)" });
  });
});

describe("firewall", () => {
  const withPath = (rules: ReturnType<typeof parseNftJson>["value"]): FirewallRule[] => rules.map((r) => ({ ...r, path: "x", packetsDelta: null }));

  it("reads nft JSON and text of the same ruleset alike", () => {
    const json = withPath(parseNftJson(read("6.18", "bundle", "nft-ruleset-after.json")).value).filter((r) => r.table === "nskev");
    const text = withPath(parseNftRuleset(read("6.18", "bundle", "nft-ruleset-after.txt")).value).filter((r) => r.table === "nskev");
    const summary = (rules: FirewallRule[]) => rules.map((r) => [r.policy, r.verdict, r.packets, r.dport?.ranges]);
    expect(summary(json)).toEqual(summary(text));
    const drop = json.find((r) => r.verdict === "drop");
    expect(drop).toMatchObject({ hook: "input", protocol: "tcp", packets: 2 });
  });

  it("finds the rules that could match a port", () => {
    const firewall = withPath(parseNftJson(read("6.18", "bundle", "nft-ruleset-after.json")).value);
    const verdicts = (port: number) =>
      rulesMatchingPort({ firewall }, port)
        .filter((m) => m.rule.table === "nskev")
        .map((m) => `${m.by}:${m.rule.policy ? "policy" : m.rule.verdict}`);
    expect(verdicts(9300)).toEqual(["any:policy", "dport:drop"]);
    expect(verdicts(9505)).toEqual(["any:policy", "dport:accept"]);
    expect(verdicts(22)).toEqual(["any:policy"]);
  });

  it("tells the iptables backend from the save header", () => {
    expect(iptablesBackend("# Generated by iptables-save v1.8.9 (nf_tables) on Tue Nov 24 05:33:07 2026\n*filter\n")).toBe("nf_tables");
    expect(iptablesBackend("# Generated by iptables-nft-save v1.8.4 on Mon Jan  1 00:00:00 2024\n")).toBe("nf_tables");
    expect(iptablesBackend("# Generated by ip6tables-save v1.8.7 (legacy) on Mon Jan  1 00:00:00 2024\n")).toBe("legacy");
    expect(iptablesBackend("# Generated by iptables-save v1.6.1 on Mon Jan  1 00:00:00 2018\n")).toBe("legacy");
    expect(iptablesBackend("*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n")).toBe("unknown");
  });

  it("lists an iptables-nft rule once, not again from nft, and keeps nft's own tables and legacy iptables", async () => {
    const iptablesRule = "[3:180] -A INPUT -p tcp -m tcp --dport 8080 -j DROP";
    const save = (backend: string) => `# Generated by iptables-save v1.8.9 (${backend}) on Tue Nov 24 05:49:36 2026\n*filter\n:INPUT ACCEPT [0:0]\n${iptablesRule}\nCOMMIT\n`;
    const nft = [
      "table ip filter {",
      "\tchain INPUT {",
      "\t\ttype filter hook input priority filter; policy accept;",
      "\t\ttcp dport 8080 counter packets 3 bytes 180 drop",
      "\t}",
      "}",
      "table inet own {",
      "\tchain input {",
      "\t\ttype filter hook input priority filter; policy accept;",
      "\t\ttcp dport 9300 counter packets 2 bytes 120 drop",
      "\t}",
      "}",
      "",
    ].join("\n");
    const drops = async (backend: string): Promise<string[]> => {
      const dir = mkdtempSync(join(tmpdir(), "nskev-fw-"));
      try {
        writeFileSync(join(dir, "iptables-save.txt"), save(backend));
        writeFileSync(join(dir, "nft-ruleset.txt"), nft);
        const evidence = await loadEvidence([dir]);
        return evidence.firewall.filter((r) => r.verdict === "drop" && !r.policy).map((r) => `${r.source} ${r.table} ${r.dport?.ranges[0]?.[0]}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    expect(await drops("nf_tables")).toEqual(["iptables filter 8080", "nft own 9300"]);
    // x_tables rules are invisible to nft: an nft table of the same name is a ruleset of its own.
    expect(await drops("legacy")).toEqual(["iptables filter 8080", "nft filter 8080", "nft own 9300"]);
  });

  it("reads iptables-save counters, multiport lists and negation", () => {
    const text = "*filter\n:INPUT DROP [7:420]\n[3:180] -A INPUT -p tcp -m multiport --dports 80,8000:8100 -j ACCEPT\n[1:60] -A INPUT -p tcp ! --dport 22 -s 10.0.0.0/8 -j REJECT --reject-with tcp-reset\n[0:0] -A INPUT -j f2b-sshd\nCOMMIT\n";
    const rules = withPath(parseIptablesSave(text).value);
    expect(rules.map((r) => [r.policy, r.verdict, r.packets, r.otherConditions])).toEqual([
      [true, "drop", 7, false],
      [false, "accept", 3, false],
      [false, "reject", 1, true],
      [false, "jump", 0, false],
    ]);
    expect(rulesMatchingPort({ firewall: rules }, 8050).map((m) => m.rule.verdict)).toEqual(["drop", "accept", "reject", "jump"]);
    expect(rulesMatchingPort({ firewall: rules }, 22).map((m) => m.rule.verdict)).toEqual(["drop", "jump"]);
  });
});

describe("kernel log", () => {
  it("recognises the SYN-path lines in every log format, old and new wording", () => {
    const log = [
      "[  992.241576] TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:8080. Dropping request.  Check SNMP counters.",
      "[Mon Jan  5 10:00:00 2026] TCP: TCP: Possible SYN flooding on port 80. Sending cookies.  Check SNMP counters.",
      "2026-01-05T10:00:01+0000 host kernel: nf_conntrack: nf_conntrack: table full, dropping packet",
      "Jan 05 10:00:02 host kernel: TCP: time wait bucket table overflow",
      "Jan 05 10:00:03 host kernel: IPv4: martian source 198.18.0.1 from 198.18.1.2, on dev eth0",
      "[ 1.5] unrelated line",
    ].join("\n");
    const parsed = parseKernelLog(log);
    expect(parsed.issues).toEqual([]);
    expect(parsed.value.map((e) => [e.kind, e.port, e.addr, e.action, e.uptimeSeconds])).toEqual([
      ["syn-flood", 8080, "0.0.0.0", "drop", 992.241576],
      ["syn-flood", 80, null, "cookies", null],
      ["conntrack-full", null, null, null, null],
      ["tw-bucket-overflow", null, null, null, null],
      ["martian-source", null, "198.18.1.2", null, null],
    ]);
  });

  it("keeps the latest 10 000 events of a long journal, in order, and says how many came before", () => {
    const lines = Array.from({ length: 10_005 }, (_, i) => `Jan 05 10:00:02 host kernel: nf_conntrack: nf_conntrack: table full, dropping packet ${i}`);
    const parsed = parseKernelLog(lines.join("\n"));
    expect(parsed.value).toHaveLength(10_000);
    expect(parsed.value.map((e) => e.line).slice(0, 2)).toEqual([6, 7]);
    expect(parsed.value.at(-1)?.line).toBe(10_005);
    expect(parsed.issues).toEqual([{ line: null, message: "5 earlier SYN-path events not kept (the last 10,000 are, from line 6 on)" }]);
  });
});

describe("kind detection and pairing", () => {
  it("detects every bundle file's kind from content as the manifest names it", () => {
    const manifest = parseManifest(read("6.18", "bundle", "manifest.json")).value;
    for (const file of manifest?.files ?? []) {
      const text = read("6.18", "bundle", file.path);
      if (text.trim() === "") continue; // empty outputs (no ip6tables rules) carry their kind only in the manifest
      expect([file.path, detectKind(text, "")]).toEqual([file.path, file.kind === "ss-tan" && !/ESTAB|TIME-WAIT|CLOSE-WAIT|SYN-RECV/.test(text) ? "ss-ltn" : file.kind]);
    }
  });

  it("tells a gzipped capture by its first bytes and reads endless or huge inputs only up to a bound", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nskev-gz-"));
    try {
      const capture = readFileSync(join(HOST, "..", "lab", "nat-timewait", "server.pcap"));
      writeFileSync(join(dir, "server.pcap.gz"), gzipSync(capture));
      writeFileSync(join(dir, "nstat.txt.gz"), gzipSync("#kernel\nTcpExtListenDrops 3 0.0\n"));
      const evidence = await loadEvidence([dir, "/dev/zero"]);
      expect(evidence.files.find((f) => f.path.endsWith("server.pcap.gz"))?.kind).toBe("pcap");
      expect(evidence.counters.TcpExtListenDrops?.value).toBe(3);
      expect(evidence.issues.map((i) => `${i.path}: ${i.message}`)).toContain("/dev/zero: skipped: larger than 268435456 bytes and not a capture");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads at most 2000 files and 256 MiB of host text in one run (a directory given by mistake ends soon)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nskev-many-"));
    try {
      for (let d = 0; d < 3; d++) {
        mkdirSync(join(dir, `d${d}`));
        for (let f = 0; f < 700; f++) writeFileSync(join(dir, `d${d}`, `f${String(f).padStart(3, "0")}.txt`), "hello\n");
      }
      const big = join(dir, "big");
      mkdirSync(big);
      // Sparse: 130 MiB each without writing them; together past the 256 MiB.
      for (const name of ["a.bin", "b.bin"]) {
        writeFileSync(join(big, name), "");
        truncateSync(join(big, name), 130 * 1024 * 1024);
      }
      const evidence = await loadEvidence([join(dir, "d0"), big, join(dir, "d1"), join(dir, "d2")]);
      expect(evidence.files).toHaveLength(1999); // 2000 listed, b.bin skipped for its size
      expect(evidence.files.at(-1)?.path).toBe(join(dir, "d2", "f597.txt"));
      const messages = evidence.issues.map((i) => `${i.path}: ${i.message}`);
      expect(messages).toContain(`${join(dir, "d2")}: only the first 2000 files below it are read (a collect bundle holds about 20): give the bundle's own directory`);
      expect(messages).toContain(`${join(big, "b.bin")}: skipped: the inputs already hold ${130 * 1024 * 1024 + 700 * 6} bytes of host text, and at most 268435456 are read`);
      expect(evidence.files.some((f) => f.path === join(big, "b.bin"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes a file's kind from its content when the manifest names a kind it does not know", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nskev-kind-"));
    try {
      const files = [
        { path: "log.txt", kind: "dmesg" },
        { path: "empty.txt", kind: "dmesg" },
      ];
      writeFileSync(join(dir, "manifest.json"), JSON.stringify({ format: "nosynack-bundle/1", producer: "collect", files }));
      writeFileSync(join(dir, "log.txt"), "[  992.241576] TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:8080. Dropping request.  Check SNMP counters.\n");
      writeFileSync(join(dir, "empty.txt"), "");
      const evidence = await loadEvidence([dir]);
      expect(evidence.files.find((f) => f.path.endsWith("log.txt"))?.kind).toBe("kernel-log");
      expect(evidence.files.find((f) => f.path.endsWith("empty.txt"))?.kind).toBeNull();
      const messages = evidence.issues.map((i) => `${basename(i.path)}: ${i.message}`);
      expect(messages).toContain('log.txt: manifest kind "dmesg" is not one nosynack knows; the kind is taken from the content');
      expect(messages).toContain("empty.txt: empty file");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says when running totals went down between the snapshots, but not for gauges", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nskev-fell-"));
    try {
      writeFileSync(join(dir, "nstat-before.txt"), "#kernel\nTcpExtListenOverflows 100 0.0\nTcpExtListenDrops 100 0.0\nTcpCurrEstab 50 0.0\n");
      writeFileSync(join(dir, "nstat-after.txt"), "#kernel\nTcpExtListenOverflows 5 0.0\nTcpExtListenDrops 120 0.0\nTcpCurrEstab 7 0.0\n");
      const evidence = await loadEvidence([dir]);
      expect(evidence.counters.TcpExtListenOverflows).toEqual({ value: 5, delta: -95 });
      expect(evidence.issues.map((i) => `${basename(i.path)}: ${i.message}`)).toEqual([
        "nstat-after.txt: 1 counter went down since the before snapshot (TcpExtListenOverflows 100 → 5): the host rebooted or the snapshots come from different hosts or are swapped; those deltas are not rises",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("pairs before/after by file name when there is no manifest", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nskev-pair-"));
    try {
      writeFileSync(join(dir, "host1-BEFORE.txt"), "#kernel\nTcpExtListenOverflows 10 0.0\nTcpInSegs 100 0.0\n");
      writeFileSync(join(dir, "host1-after.txt"), "#kernel\nTcpExtListenOverflows 25 0.0\nTcpInSegs 100 0.0\nTcpExtPAWSTimewait 2 0.0\n");
      writeFileSync(join(dir, "notes.txt"), "hello\n");
      const evidence = await loadEvidence([dir, join(dir, "missing.txt")]);
      expect(evidence.counters.TcpExtListenOverflows).toEqual({ value: 25, delta: 15 });
      expect(evidence.counters.TcpInSegs).toEqual({ value: 100, delta: 0 });
      expect(evidence.counters.TcpExtPAWSTimewait).toEqual({ value: 2, delta: 2 });
      expect(evidence.files.find((f) => f.path.endsWith("notes.txt"))?.kind).toBeNull();
      expect(evidence.issues.map((i) => i.message)).toEqual(
        expect.arrayContaining([expect.stringContaining("unreadable"), expect.stringContaining("not recognised")]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
