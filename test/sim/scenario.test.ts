import { describe, expect, it } from "vitest";
import { loadScenario, parseOverride, scenarioJsonSchema } from "../../src/sim/index.js";
import { readScenarioYaml, resolveScenario } from "../../src/sim/scenario-load.js";
import { BUILTIN_SCENARIOS } from "../../src/sim/scenarios/index.js";
import { InputError, UsageError } from "../../src/util/errors.js";

const GOOD = `name: mine
expect: healthy
clients:
  count: 5
  kernel: "6.18"
server:
  kernel: "6.18"
  sysctls:
    net.ipv4.tcp_syncookies: 1
`;

function fromYaml(text: string, sets: string[] = []): ReturnType<typeof resolveScenario> {
  return resolveScenario(readScenarioYaml("s.yaml", text), sets.map(parseOverride));
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

describe("scenario files", () => {
  it("fills defaults of a minimal file", () => {
    const s = fromYaml(GOOD);
    expect(s.clients.count).toBe(5);
    expect(s.nat.type).toBe("none");
    expect(s.server.backlog).toBe(128);
    expect(s.server.closePolicy).toBe("server-first");
  });

  it("names the field path and its line for a bad value", () => {
    const e = errorOf(() => fromYaml(GOOD.replace("count: 5", "count: -3")));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain("clients.count");
    expect((e as InputError).location.line).toBe(4);
  });

  it("refuses an alias bomb (billion laughs) as bad input, not by expanding it", () => {
    const levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(", ")}]`);
    const e = errorOf(() => readScenarioYaml("bomb.yaml", `${levels.join("\n")}\nname: x\n`));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/^bomb\.yaml: .*alias/i);
  });

  it("refuses a run too large to finish, and a duration past the hard end, instead of hanging or clamping", () => {
    const big = errorOf(() => loadScenario("healthy", [parseOverride("clients.connectionsPerSecond=1000000")]));
    expect(big).toBeInstanceOf(UsageError);
    expect(big.message).toMatch(/^--set clients\.connectionsPerSecond=1000000: about 2\.0e\+8 attempts .*at most 2e\+7/);
    const late = errorOf(() => loadScenario("healthy", [parseOverride("durationSeconds=86400")]));
    expect(late.message).toContain("durationSeconds 86400 is past maxSeconds 400");
    const file = errorOf(() => fromYaml(GOOD.replace("count: 5", "count: 5\n  connectionsPerSecond: 1000000\n  connectionsPerClient: 100000000")));
    expect(file).toBeInstanceOf(InputError);
    expect(file.message).toMatch(/about 5\.0e\+7 attempts/);
    expect(() => loadScenario("healthy", [parseOverride("clients.connectionsPerSecond=1000")])).not.toThrow();
  });

  it("refuses address ranges that wrap past 255.255.255.255 or put spoofed sources on a client, the server or the translator", () => {
    const wrap = errorOf(() => loadScenario("syn-flood-cookies", [parseOverride("flood.sourceBase=255.255.255.0")]));
    expect(wrap).toBeInstanceOf(UsageError);
    expect(wrap.message).toMatch(/^--set flood\.sourceBase=255\.255\.255\.0: flood\.sources \d+ from 255\.255\.255\.0 .*run past 255\.255\.255\.255/);
    const clients = errorOf(() => loadScenario("healthy", [parseOverride("clients.addressBase=255.255.255.250")]));
    expect(clients.message).toMatch(/clients\.count \d+ addresses from 255\.255\.255\.250 run past/);
    const onClients = errorOf(() => loadScenario("syn-flood-cookies", [parseOverride("flood.sourceBase=198.18.16.5")]));
    expect(onClients.message).toContain("flood.sources 4096 from 198.18.16.5 (to 198.18.32.4) overlap the client addresses 198.18.16.1–198.18.16.10");
    const onServer = errorOf(() => loadScenario("syn-flood-cookies", [parseOverride("flood.sourceBase=198.18.0.1")]));
    expect(onServer.message).toContain("include the server's address 198.18.0.2");
    const natFile = errorOf(() =>
      fromYaml(`${GOOD}nat:\n  type: snat\n  addresses: [10.0.0.7]\nflood:\n  synsPerSecond: 10\n  sourceBase: 10.0.0.1\n  sources: 100\n`),
    );
    expect(natFile).toBeInstanceOf(InputError);
    expect(natFile.message).toContain("include the translator's address 10.0.0.7");
    expect((natFile as InputError).location.line).toBe(16); // flood.sources
    // Behind a translator the clients' own addresses never reach the server, so a flood may reuse them.
    expect(() => fromYaml(`${GOOD}nat:\n  type: snat\nflood:\n  synsPerSecond: 10\n  sourceBase: 198.18.16.1\n`)).not.toThrow();
    expect(() => loadScenario("syn-flood-cookies", [parseOverride("flood.sources=100000"), parseOverride("flood.sourceBase=10.0.0.1")])).not.toThrow();
  });

  it("names an unknown key and its line", () => {
    const e = errorOf(() => fromYaml(GOOD.replace("  count: 5", "  count: 5\n  cuont: 7")));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain("clients.cuont");
    expect((e as InputError).location.line).toBe(5);
  });

  it("refuses an unquoted kernel version with a hint (YAML reads 4.10 as 4.1)", () => {
    const e = errorOf(() => fromYaml(GOOD.replace('kernel: "6.18"\nserver', "kernel: 4.10\nserver")));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain("clients.kernel");
    expect(e.message).toContain("quoted");
  });

  it("reports YAML syntax errors with their line", () => {
    const e = errorOf(() => fromYaml("name: x\nclients: [1,\n"));
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).location.line).toBeGreaterThan(0);
    // The line once, the column in words, no stray ":;" from the library's own suffix.
    const duplicate = errorOf(() => fromYaml("name: a\nname: b\n"));
    expect(duplicate.message).toMatch(/: line 2: Map keys must be unique \(column 1\); expected a YAML scenario/);
    const deep = errorOf(() => fromYaml(`name: ${"[".repeat(5000)}${"]".repeat(5000)}\n`));
    expect(deep.message).toMatch(/: line 1: nested too deeply to read \(column \d+\); expected a YAML scenario/);
  });

  it("refuses in a file a sysctl the kernel does not have", () => {
    const text = GOOD.replace("net.ipv4.tcp_syncookies: 1", "net.ipv4.tcp_tw_recycle: 1");
    const e = errorOf(() => fromYaml(text));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain("net.ipv4.tcp_tw_recycle");
    expect(e.message).toContain("4.12");
  });
});

describe("--set overrides", () => {
  it("sets sysctls and scenario keys, keeping kernel versions as strings", () => {
    const s = fromYaml(GOOD.replace('kernel: "6.18"\n  sysctls', 'kernel: "4.4"\n  sysctls'), ["net.ipv4.tcp_tw_recycle=1", "server.kernel=4.10", "clients.count=50"]);
    expect(s.server.sysctls["net.ipv4.tcp_tw_recycle"]).toBe(1);
    expect(s.server.kernel).toBe("4.10");
    expect(s.clients.count).toBe(50);
  });

  it("is a usage error naming the --set for a sysctl the chosen kernel lacks", () => {
    const e = errorOf(() => loadScenario("seed-lvs-tw-recycle", [parseOverride("server.kernel=4.12")]));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toContain("--set server.kernel=4.12");
    expect(e.message).toContain("does not exist on Linux 4.12");
    const e2 = errorOf(() => loadScenario("healthy", [parseOverride("net.ipv4.tcp_tw_recycle=0")]));
    expect(e2).toBeInstanceOf(UsageError);
    expect(e2.message).toContain("net.ipv4.tcp_tw_recycle");
  });

  it("is a usage error for an unknown key, a bad value or a missing '='", () => {
    expect(errorOf(() => loadScenario("healthy", [parseOverride("clients.cont=5")])).message).toContain("clients.cont");
    const bad = errorOf(() => loadScenario("healthy", [parseOverride("clients.count=lots")]));
    expect(bad).toBeInstanceOf(UsageError);
    expect(bad.message).toContain("clients.count");
    expect(errorOf(() => parseOverride("clients.count"))).toBeInstanceOf(UsageError);
    expect(errorOf(() => loadScenario("healthy", [parseOverride("net.ipv4.tcp_syncookies=7")]))).toBeInstanceOf(UsageError);
  });

  it("refuses inherited names such as __proto__ without touching Object.prototype", () => {
    for (const key of ["__proto__.count", "clients.__proto__.x", "constructor.x"]) {
      const error = errorOf(() => loadScenario("healthy", [parseOverride(`${key}=1`)]));
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toMatch(/"(__proto__|constructor)" is not a scenario key/);
    }
    expect(Object.prototype).not.toHaveProperty("count");
    expect(Object.prototype).not.toHaveProperty("x");
  });
});

describe("built-in scenarios and the schema", () => {
  it("all validate against their kernels", () => {
    for (const s of BUILTIN_SCENARIOS) expect(loadScenario(s.name).name).toBe(s.name);
  });

  it("exports a JSON Schema whose defaulted fields are optional", () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["clients", "nat", "server", "flood"]));
    expect(schema.required).toEqual(expect.arrayContaining(["name", "expect", "clients", "server"]));
    expect(schema.required).not.toContain("nat");
  });

  it("refuses a name that is neither a built-in nor a file", () => {
    expect(errorOf(() => loadScenario("no-such-scenario"))).toBeInstanceOf(UsageError);
  });
});
