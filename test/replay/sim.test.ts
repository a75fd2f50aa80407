import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractCapture, whatIf } from "../../src/replay/index.js";
import { simulateBundle } from "./sim-capture.js";

/**
 * The textbook system (seed-lvs-tw-recycle: 60 clients behind LVS FULLNAT, 3.10 server with tw_recycle=1
 * closing first), captured by the simulator and replayed: the model must find the drops again from the wire
 * alone, and say that tcp_tw_recycle=0 answers them.
 */
describe("replay of simulator captures", () => {
  for (const seed of [1, 7]) {
    it(`seed-lvs-tw-recycle seed ${seed}: tw_recycle=1 on 3.10 reproduces the drops, tw_recycle=0 answers them`, async () => {
      const sim = simulateBundle("seed-lvs-tw-recycle", seed);
      const { extraction } = await extractCapture([sim.pcap]);
      const on = whatIf(extraction, { kernel: "3.10", overrides: { "net.ipv4.tcp_tw_recycle": 1 } });
      expect(on.observed.attempts).toBe(sim.run.summary.attempts);
      expect(on.observed.unanswered).toBe(sim.run.summary.unanswered);
      expect(on.observed.unanswered).toBeGreaterThan(20);
      expect(on.predicted.agreement).toBeGreaterThanOrEqual(0.98);
      expect(Math.abs(on.predicted.unanswered - on.observed.unanswered)).toBeLessThanOrEqual(Math.ceil(on.observed.unanswered * 0.02));
      expect(on.predicted.counters.TcpExtPAWSPassive).toBe(sim.run.summary.counters.TcpExtPAWSPassive);
      // The baseline is 3.10's default (tw_recycle=0): it answers everything.
      expect(on.baseline?.unanswered).toBe(0);
      expect(on.baseline?.fixed).toBe(on.observed.unanswered);
      const off = whatIf(extraction, { kernel: "3.10", overrides: { "net.ipv4.tcp_tw_recycle": 0 } });
      expect(off.predicted.unanswered).toBe(0);
      expect(off.predicted.counters.TcpExtPAWSPassive ?? 0).toBe(0);
      expect(off.predicted.counters.TcpExtListenDrops ?? 0).toBe(0);
    });
  }

  for (const name of ["nat-timewait-collision", "accept-queue-overflow", "syn-flood-no-cookies", "healthy", "tw-recycle-4.10-single-client"]) {
    it(`${name}: the scenario's own kernel and settings reproduce every attempt and the SYN-path counters`, async () => {
      const sim = simulateBundle(name, 1);
      const { extraction } = await extractCapture([sim.pcap]);
      const s = sim.run.summary;
      const scenario = sim.run.stack.profile.version.text;
      const sysctls = Object.fromEntries(sim.run.stack.sysctls);
      // ss -ltn of the simulated bundle: Send-Q is the listener's effective backlog.
      const backlog = Number(/LISTEN\s+\d+\s+(\d+)/.exec(readFileSync(join(sim.bundle, "ss-ltn.txt"), "utf8"))?.[1]);
      const r = whatIf(extraction, { kernel: scenario, hostSysctls: sysctls, hostListeners: [{ addr: 0, port: 8080, backlog }] });
      expect(r.observed.unanswered).toBe(s.unanswered);
      expect(r.predicted.agreement).toBe(1);
      for (const c of ["TcpExtListenOverflows", "TcpExtListenDrops", "TcpExtTCPReqQFullDrop", "TcpExtPAWSTimewait", "TcpExtPAWSPassive", "TcpPassiveOpens"]) {
        expect({ c, v: r.predicted.counters[c] ?? 0 }).toEqual({ c, v: s.counters[c] ?? 0 });
      }
    });
  }
});
