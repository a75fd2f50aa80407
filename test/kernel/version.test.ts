import { describe, expect, it } from "vitest";
import {
  KernelConfigError,
  PROFILE_NAMES,
  countersOf,
  createHost,
  defaultSysctls,
  parseKernelVersion,
  profileFor,
} from "../../src/kernel/index.js";

describe("version parsing", () => {
  it("reads X.Y[.Z] with distribution suffixes", () => {
    expect(parseKernelVersion("3.10.0-1160.el7.x86_64")).toMatchObject({ major: 3, minor: 10, patch: 0 });
    expect(parseKernelVersion("6.18.44")).toMatchObject({ major: 6, minor: 18, patch: 44 });
    expect(parseKernelVersion("5.15")).toMatchObject({ major: 5, minor: 15, patch: 0 });
  });

  it("rejects text that is not a version", () => {
    expect(() => parseKernelVersion("linux")).toThrow(KernelConfigError);
  });

  it("maps any version onto its nearest lower profile", () => {
    expect(profileFor("3.10.0-1160.el7").name).toBe("3.10");
    expect(profileFor("4.19.0").name).toBe("4.14");
    expect(profileFor("6.8.0-45-generic").name).toBe("6.6");
    expect(profileFor("7.0").name).toBe("6.18");
  });

  it("has a profile for every named version", () => {
    for (const name of PROFILE_NAMES) expect(profileFor(name).name).toBe(name);
  });
});

describe("version boundaries of behaviour switches", () => {
  const b = (v: string) => profileFor(v).behaviour;

  it("4.4: SYN queue sized by B instead of the power-of-two table", () => {
    expect(b("4.3").synQueue).toBe("pow2");
    expect(b("4.4").synQueue).toBe("qlen>=B");
  });

  it("6.13 and the 2025 stable branches: qlen > B; other branches keep >=", () => {
    expect(b("4.9").synQueue).toBe("qlen>=B");
    expect(b("4.14").synQueue).toBe("qlen>=B");
    for (const v of ["5.4", "5.10", "5.15", "6.1", "6.6", "6.12", "6.13", "6.18"]) expect(b(v).synQueue).toBe("qlen>B");
    expect(b("6.8").synQueue).toBe("qlen>=B");
    expect(profileFor("6.12", { synqGt: false }).behaviour.synQueue).toBe("qlen>=B");
  });

  it("4.10: accept-queue test at SYN; before only with young > 1 (unless backported)", () => {
    expect(b("4.9").acceptQueueAtSyn).toBe("full-and-young>1");
    expect(b("4.10").acceptQueueAtSyn).toBe("full");
    expect(profileFor("4.9", { acceptqSyn: true }).behaviour.acceptQueueAtSyn).toBe("full");
  });

  it("TS offset regimes: none < 4.10, per connection 4.10, per address pair 4.11+, per 4-tuple on 6.18", () => {
    expect(b("4.9").tsOffsetRegime).toBe("none");
    expect(b("4.10").tsOffsetRegime).toBe("per-connection");
    expect(b("4.11").tsOffsetRegime).toBe("per-address-pair");
    expect(b("6.12").tsOffsetRegime).toBe("per-address-pair");
    expect(b("6.18.44").tsOffsetRegime).toBe("per-4-tuple");
  });

  it("tw_recycle: TS-only before 3.17, also SYNs without TS 3.17–4.11, absent from 4.12", () => {
    expect(b("3.10").twRecycle).toBe("ts-only");
    expect(b("3.18").twRecycle).toBe("ts-and-no-ts");
    expect(b("4.11").twRecycle).toBe("ts-and-no-ts");
    expect(b("4.12").twRecycle).toBe("absent");
  });

  it("6.16: PAWS-rejected TIME_WAIT SYNs count PAWSTimewait instead of PAWSEstab", () => {
    expect(b("6.15").twPawsCounter).toBe("TcpExtPAWSEstab");
    expect(b("6.16").twPawsCounter).toBe("TcpExtPAWSTimewait");
  });

  it("4.13: TSval clock in ms instead of jiffies; 6.7: PAWS wrap 2147 s", () => {
    expect(b("4.12").tsClock).toBe("jiffies");
    expect(b("4.13").tsClock).toBe("ms");
    expect(b("6.6").pawsWrapSeconds).toBe(24 * 24 * 3600);
    expect(b("6.7").pawsWrapSeconds).toBe(2147);
  });

  it("4.0: out-of-window ACK rate limit; 5.18: TW counted on entry", () => {
    expect(b("3.10").oowAckRateLimit).toBe(false);
    expect(b("4.4").oowAckRateLimit).toBe(true);
    expect(b("5.15").twCountedOnEntry).toBe(false);
    expect(b("6.1").twCountedOnEntry).toBe(true);
  });
});

describe("sysctl sets and defaults", () => {
  it("tcp_tw_recycle exists only before 4.12", () => {
    expect(defaultSysctls(profileFor("4.11"))["net.ipv4.tcp_tw_recycle"]).toBe(0);
    expect(defaultSysctls(profileFor("4.12"))["net.ipv4.tcp_tw_recycle"]).toBeUndefined();
  });

  it("somaxconn default 128 before 5.4, 4096 from 5.4", () => {
    expect(defaultSysctls(profileFor("4.19"))["net.core.somaxconn"]).toBe(128);
    expect(defaultSysctls(profileFor("5.4"))["net.core.somaxconn"]).toBe(4096);
  });

  it("tcp_tw_reuse default 0 before 4.19, 2 after", () => {
    expect(defaultSysctls(profileFor("4.14"))["net.ipv4.tcp_tw_reuse"]).toBe(0);
    expect(defaultSysctls(profileFor("6.18"))["net.ipv4.tcp_tw_reuse"]).toBe(2);
  });

  it("setting tcp_tw_recycle on ≥4.12 is an error that says the kernel lacks it", () => {
    const error = (() => {
      try {
        createHost({ kernel: "4.12", sysctls: { "net.ipv4.tcp_tw_recycle": 0 } });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(KernelConfigError);
    expect((error as KernelConfigError).code).toBe("sysctl-not-in-kernel");
    expect((error as Error).message).toContain("4.12");
  });

  it("tcp_timestamps=2 is valid from 4.10 only", () => {
    expect(() => createHost({ kernel: "4.9", sysctls: { "net.ipv4.tcp_timestamps": 2 } })).toThrow(KernelConfigError);
    expect(createHost({ kernel: "4.10", sysctls: { "net.ipv4.tcp_timestamps": 2 } }).sysctl("net.ipv4.tcp_timestamps")).toBe(2);
  });

  it("rejects out-of-range and non-integer values and unknown names", () => {
    const host = createHost({ kernel: "6.18" });
    const code = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return (e as KernelConfigError).code;
      }
      return "none";
    };
    expect(code(() => host.setSysctl("net.ipv4.tcp_syncookies", 3))).toBe("bad-sysctl-value");
    expect(code(() => host.setSysctl("net.ipv4.tcp_syncookies", "yes"))).toBe("bad-sysctl-value");
    expect(code(() => host.setSysctl("net.ipv4.tcp_frobnicate", 1))).toBe("unknown-sysctl");
    expect(code(() => createHost({ kernel: "3.10", sysctls: { "net.ipv4.tcp_syncookies": 2 } }))).toBe("bad-sysctl-value");
    host.setSysctl("net/ipv4/tcp_syncookies", 2);
    expect(host.sysctl("net.ipv4.tcp_syncookies")).toBe(2);
  });
});

describe("counters per version", () => {
  it("PAWSPassive only before 4.12, PAWSTimewait only from 6.16", () => {
    expect(countersOf(profileFor("4.11"))).toContain("TcpExtPAWSPassive");
    expect(countersOf(profileFor("4.12"))).not.toContain("TcpExtPAWSPassive");
    expect(countersOf(profileFor("6.15"))).not.toContain("TcpExtPAWSTimewait");
    expect(countersOf(profileFor("6.18"))).toContain("TcpExtPAWSTimewait");
  });

  it("TCPACKSkipped* from 4.0", () => {
    expect(countersOf(profileFor("3.10"))).not.toContain("TcpExtTCPACKSkippedTimeWait");
    expect(countersOf(profileFor("4.0"))).toContain("TcpExtTCPACKSkippedTimeWait");
  });

  it("a host reports exactly the counters its kernel has", () => {
    const host = createHost({ kernel: "6.18" });
    expect(Object.keys(host.counters())).toEqual([...countersOf(host.profile)]);
  });
});
