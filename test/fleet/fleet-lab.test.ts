import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fleetTools, overflowAcceptQueue, PROMETHEUS_URL, startFleetLab } from "../../lab/fleet.js";
import { Lab } from "../../lab/lab.js";
import { parseNstat } from "../../lab/nstat.js";
import { alertRulesYaml, type FleetReport } from "../../src/fleet/index.js";
import { labUnavailable } from "../lab-guard.js";

/**
 * The fleet end to end on the real kernel: node_exporter in two namespaces, a real Prometheus scraping them and
 * evaluating `nosynack fleet rules`, an accept-queue overflow on one host, then `nosynack fleet` run where
 * Prometheus listens.
 */
const tools = fleetTools();
const skip = labUnavailable() ?? (typeof tools === "string" ? tools : null);
if (skip !== null && labUnavailable() === null) process.stderr.write(`fleet lab test skipped: ${skip}\n`);

interface AlertAnswer {
  data: { alerts: { labels: { alertname: string; instance: string }; state: string }[] };
}

describe("fleet against a real Prometheus and node_exporter", () => {
  it.skipIf(skip !== null)(
    "ranks the host whose accept queue overflowed first, with the kernel's own counts, and the alerts fire",
    async () => {
      const dir = await mkdtemp(join(tmpdir(), "nosynack-fleet-"));
      const lab = new Lab();
      try {
        const fleet = await startFleetLab(lab, dir, alertRulesYaml("1m", "0s"));
        await overflowAcceptQueue(fleet);
        // Two more scrapes and rule evaluations after the last dropped SYN.
        await new Promise((resolve) => setTimeout(resolve, 3000));

        const run = await fleet.nosynack(["fleet", "--prometheus", PROMETHEUS_URL, "--window", "1m", "--json"]);
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        const report = JSON.parse(run.stdout) as FleetReport;
        expect(report.prometheus).toBe("http://127.0.0.1:9090");
        expect(report.hosts.map((h) => h.instance)).toEqual([fleet.srvInstance, fleet.quietInstance]);
        const [srv, quiet] = report.hosts;
        if (!srv || !quiet) throw new Error("two hosts expected");

        // The kernel's own counters in the server namespace (it was created for this test: they started at 0).
        const nstat = parseNstat((await lab.exec(fleet.topo.server, "nstat", ["-az"])).stdout);
        const overflows = nstat.get("TcpExtListenOverflows") ?? 0;
        const drops = nstat.get("TcpExtListenDrops") ?? 0;
        expect(overflows).toBeGreaterThanOrEqual(4);
        expect(srv.verdict).toBe("accept-queue-overflow");
        expect(srv.up).toBe(true);
        expect(srv.dropped).toBe(drops);
        const evidence = srv.findings[0]?.evidence.find((e) => e.source === "counter" && e.counter === "TcpExtListenOverflows");
        expect(evidence).toMatchObject({ delta: overflows });
        expect(srv.missingCounters).toEqual([]);
        expect(srv.kernel).toBe((await lab.exec(fleet.topo.server, "uname", ["-r"])).stdout.trim());

        // The default field filter hides TCPReqQFullDrop and the PAWS counters on the other host.
        expect(quiet.verdict).toBe("unknown");
        expect(quiet.dropped).toBe(0);
        expect(quiet.missingCounters).toContain("TcpExtTCPReqQFullDrop");
        expect(quiet.findings.map((f) => f.code)).toContain("counters-not-exported");

        const text = await fleet.nosynack(["fleet", "--prometheus", PROMETHEUS_URL, "--window", "1m"]);
        expect(text.code).toBe(0);
        const table = text.stdout.split("\n").filter((line) => line.startsWith("  198.18."));
        expect(table[0]).toMatch(/^ {2}198\.18\.1\.1:9100\s+accept-queue-overflow\s+\d+%\s+\d+\s/);

        const alerts = ((await fleet.api("/api/v1/alerts")) as AlertAnswer).data.alerts.filter((a) => a.state === "firing");
        const firing = alerts.map((a) => `${a.labels.alertname} ${a.labels.instance}`).sort();
        expect(firing).toContain(`NosynackAcceptQueueOverflow ${fleet.srvInstance}`);
        expect(firing).toContain(`NosynackCountersNotExported ${fleet.quietInstance}`);
        expect(firing).not.toContain(`NosynackAcceptQueueOverflow ${fleet.quietInstance}`);
        expect(firing).not.toContain(`NosynackCountersNotExported ${fleet.srvInstance}`);

        // A label matcher narrows the fleet to the targets that carry it.
        const one = await fleet.nosynack(["fleet", "--prometheus", PROMETHEUS_URL, "--window", "1m", "--match", `instance=${fleet.quietInstance}`, "--json"]);
        expect((JSON.parse(one.stdout) as FleetReport).hosts.map((h) => h.instance)).toEqual([fleet.quietInstance]);

        // Without the credentials this Prometheus refuses, and nosynack says so.
        const refused = await fleet.nosynack(["fleet", "--prometheus", "http://127.0.0.1:9090"]);
        expect(refused.code).toBe(3);
        expect(refused.stderr).toBe("nosynack: http://127.0.0.1:9090: HTTP 401: not allowed; expected credentials in the URL (http://user:password@host:9090) that this Prometheus accepts\n");

        // A target that stops answering is marked down, not diagnosed from nothing.
        await fleet.exporters.quiet.stop();
        await new Promise((resolve) => setTimeout(resolve, 2500));
        const down = JSON.parse((await fleet.nosynack(["fleet", "--prometheus", PROMETHEUS_URL, "--window", "1m", "--json"])).stdout) as FleetReport;
        const gone = down.hosts.find((h) => h.instance === fleet.quietInstance);
        expect(gone).toMatchObject({ up: false, missingCounters: [] });
        expect(gone?.summary).toMatch(/^node_exporter target down/);
        expect(down.hosts[0]).toMatchObject({ instance: fleet.srvInstance, up: true, verdict: "accept-queue-overflow" });

        // Not a Prometheus: node_exporter answers the API path with its HTML page.
        const wrong = await fleet.nosynack(["fleet", "--prometheus", "http://198.18.1.1:9100"]);
        expect(wrong.code).toBe(3);
        expect(wrong.stderr).toMatch(/^nosynack: http:\/\/198\.18\.1\.1:9100: HTTP \d{3}, not JSON \("<.*…"\); expected a Prometheus server answering \/api\/v1\/query\n$/);
      } finally {
        const problems = await lab.cleanup();
        await rm(dir, { recursive: true, force: true });
        expect(problems).toEqual([]);
      }
    },
    120_000,
  );
});
