/**
 * Reading a scenario: YAML text (or a built-in object) → `--set` overrides → zod validation → kernel checks.
 * Problems in a file are InputErrors naming the field path and its line; problems caused by `--set` are
 * UsageErrors naming the --set argument, so the CLI exits 3 or 2 accordingly.
 */
import { isNode, LineCounter, parse as parseYamlValue, parseDocument, type Document } from "yaml";
import { profileFor } from "../kernel/profile.js";
import { validateSysctl } from "../kernel/sysctl.js";
import { InputError, UsageError } from "../util/errors.js";
import { schemaIssueText } from "../util/schema-issue.js";
import { ipv4ToNumber, numberToIpv4 } from "./addr.js";
import { scenarioSchema, type Scenario } from "./scenario.js";

/** One `--set KEY=VALUE`, split. */
export interface Override {
  readonly key: string;
  readonly value: string;
  /** The argument as typed, for messages. */
  readonly text: string;
}

/** Splits `KEY=VALUE`; throws UsageError when there is no "=" or no key. */
export function parseOverride(text: string): Override {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`--set ${text}: expected KEY=VALUE (a sysctl such as net.ipv4.tcp_tw_recycle=0 or a scenario key such as clients.count=50)`);
  return { key: text.slice(0, eq).trim(), value: text.slice(eq + 1).trim(), text };
}

/** Sysctl names go into server.sysctls; everything else is a dotted scenario path. */
function isSysctlKey(key: string): boolean {
  return /^(net|kernel|vm|fs)[./]/.test(key);
}

/** Scalar fields that must stay strings even when they look like numbers ("4.10" is not 4.1). */
const STRING_FIELDS = new Set(["kernel", "name", "description", "addr", "addressBase", "sourceBase", "expect"]);

function overrideValue(key: string, value: string): unknown {
  const last = key.split(".").pop() ?? "";
  if (STRING_FIELDS.has(last)) return value;
  try {
    return parseYamlValue(value) as unknown;
  } catch {
    return value;
  }
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Applies overrides to a raw (unvalidated) scenario object in place; returns the paths each override set. */
function applyOverrides(raw: Json, overrides: readonly Override[]): Map<string, Override> {
  const setPaths = new Map<string, Override>();
  for (const o of overrides) {
    if (isSysctlKey(o.key)) {
      const server = isRecord(raw.server) ? raw.server : (raw.server = {});
      const sysctls = isRecord(server.sysctls) ? server.sysctls : (server.sysctls = {});
      const name = o.key.replace(/\//g, ".");
      sysctls[name] = /^-?\d+$/.test(o.value) ? Number(o.value) : o.value;
      setPaths.set(`server.sysctls.${name}`, o);
      continue;
    }
    const parts = o.key.split(".");
    if (parts.some((p) => p === "")) throw new UsageError(`--set ${o.text}: "${o.key}" is not a dotted scenario key`);
    // Names every object inherits would reach Object.prototype (and change every object in the process).
    const inherited = parts.find((p) => p in Object.prototype);
    if (inherited !== undefined) throw new UsageError(`--set ${o.text}: "${inherited}" is not a scenario key (see nosynack simulate --schema)`);
    let node: Json = raw;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (next === undefined) node = node[part] = {};
      else if (isRecord(next)) node = next;
      else throw new UsageError(`--set ${o.text}: "${part}" is not an object in the scenario`);
    }
    node[parts[parts.length - 1] as string] = overrideValue(o.key, o.value);
    setPaths.set(o.key, o);
  }
  return setPaths;
}

/** The --set that produced the value at this path, if any (the longest matching prefix). */
function overrideFor(path: string, setPaths: ReadonlyMap<string, Override>): Override | undefined {
  for (const [p, o] of setPaths) if (path === p || path.startsWith(`${p}.`)) return o;
  // An unknown key reported on its parent object: look for a --set below that object.
  for (const [p, o] of setPaths) if (p.startsWith(path === "" ? "" : `${path}.`)) return o;
  return undefined;
}

export interface ScenarioSource {
  /** File name for messages ("scenarios/x.yaml" or "built-in seed-lvs-tw-recycle"). */
  readonly file: string;
  readonly raw: unknown;
  /** Present for YAML input: maps a field path to its line. */
  readonly lineOf?: (path: readonly (string | number)[]) => number | undefined;
}

/** Parses YAML text; a syntax error is an InputError with the line. */
export function readScenarioYaml(file: string, text: string): ScenarioSource {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const position = first.linePos?.[0];
    // The library's message ends in its own " at line L, column C:" and a code excerpt; the line is said once.
    let problem = (first.message.split("\n")[0] ?? "YAML error").replace(/ at line \d+, column \d+:?\s*$/, "");
    if (/maximum call stack/i.test(problem)) problem = "nested too deeply to read";
    if (position) problem += ` (column ${position.col})`;
    throw new InputError("bad-format", position ? { file, line: position.line } : { file }, problem, "a YAML scenario (see nosynack simulate --schema)");
  }
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    // Walk up until a node exists: an unknown or missing key is reported at its parent.
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        return lineCounter.linePos(node.range[0]).line;
      }
    }
    return undefined;
  };
  let raw: unknown;
  try {
    raw = doc.toJS() as unknown;
  } catch (error) {
    // The yaml library's guard against alias bombs ("billion laughs"), and the like.
    throw new InputError("bad-format", { file }, (error as Error).message, "a YAML scenario (see nosynack simulate --schema)");
  }
  return { file, raw, lineOf };
}

function cloneRaw(raw: unknown): Json {
  if (!isRecord(raw)) return {};
  return structuredClone(raw);
}

/**
 * Validates a scenario with overrides. Throws InputError (file problems) or UsageError (--set problems),
 * each naming the field path; kernel problems (unknown kernel, sysctl the kernel lacks) are checked too.
 */
export function resolveScenario(source: ScenarioSource, overrides: readonly Override[] = []): Scenario {
  if (!isRecord(source.raw)) {
    throw new InputError("bad-format", { file: source.file, line: 1 }, "the scenario is not a mapping", "a YAML mapping with name, expect, clients and server");
  }
  const raw = cloneRaw(source.raw);
  const setPaths = applyOverrides(raw, overrides);
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    if (!issue) throw new InputError("bad-format", { file: source.file }, "invalid scenario", "a valid scenario");
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const pathParts = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const fullPath = [...pathParts, ...(keys.length === 1 ? keys : [])];
    const path = fullPath.join(".") || "(root)";
    const fromSet = overrideFor(fullPath.join("."), setPaths);
    const problem = schemaIssueText(issue, raw);
    if (fromSet) throw new UsageError(`--set ${fromSet.text}: ${path}: ${problem}`);
    const line = source.lineOf?.(fullPath);
    const location = line === undefined ? { file: source.file } : { file: source.file, line };
    throw new InputError("bad-format", location, `${path}: ${problem}`, "a valid scenario (see nosynack simulate --schema)");
  }
  const scenario = result.data;
  checkKernel(scenario, source, setPaths);
  checkSize(scenario, source, setPaths);
  checkAddresses(scenario, source, setPaths);
  return scenario;
}

/** Twice the bench's 10 M-attempt run (about 100 s of CPU): larger asks run for many minutes and look like a hang. */
const MAX_SIMULATED_ATTEMPTS = 20_000_000;

/**
 * Refuses a combination of settings: as a UsageError naming the first of `paths` given by --set, else as an
 * InputError at the line of the first path.
 */
function blamer(source: ScenarioSource, setPaths: ReadonlyMap<string, Override>, expected: string) {
  return (paths: readonly string[], message: string): never => {
    const fromSet = paths.map((p) => overrideFor(p, setPaths)).find((o) => o !== undefined);
    if (fromSet) throw new UsageError(`--set ${fromSet.text}: ${message}`);
    const line = source.lineOf?.(paths[0]?.split(".") ?? []);
    throw new InputError("bad-format", line === undefined ? { file: source.file } : { file: source.file, line }, message, expected);
  };
}

/** How many connection attempts a scenario asks for: clients × connections each, plus flood SYNs. */
export function attemptsOf(scenario: Scenario): { attempts: number; perClient: number; floodSyns: number } {
  const c = scenario.clients;
  const perClient = Math.min(c.connectionsPerSecond * scenario.durationSeconds, c.connectionsPerClient ?? Infinity);
  const flood = scenario.flood;
  const floodSyns = flood === undefined ? 0 : Math.min(flood.synsPerSecond * (flood.durationSeconds ?? scenario.durationSeconds), flood.count ?? Infinity);
  return { attempts: c.count * perClient + floodSyns, perClient, floodSyns };
}

/** Settings that are each valid but together ask for what a run cannot deliver: say so instead of clamping or hanging. */
function checkSize(scenario: Scenario, source: ScenarioSource, setPaths: ReadonlyMap<string, Override>): void {
  const blame = blamer(source, setPaths, "a scenario a run can finish");
  if (scenario.durationSeconds > scenario.maxSeconds) {
    blame(["durationSeconds", "maxSeconds"], `durationSeconds ${scenario.durationSeconds} is past maxSeconds ${scenario.maxSeconds} (the hard end of simulated time); raise maxSeconds as well`);
  }
  const c = scenario.clients;
  const { attempts, perClient, floodSyns } = attemptsOf(scenario);
  if (attempts > MAX_SIMULATED_ATTEMPTS) {
    const sizes = `clients.count ${c.count} × ${Math.round(perClient)} connections each${floodSyns > 0 ? ` + ${Math.round(floodSyns)} flood SYNs` : ""}`;
    blame(
      ["clients.count", "clients.connectionsPerSecond", "durationSeconds", "flood.synsPerSecond"],
      `about ${attempts.toExponential(1)} attempts (${sizes}): at most ${MAX_SIMULATED_ATTEMPTS.toExponential(0)} per run (~0.2 M/s of CPU)`,
    );
  }
}

/**
 * Address ranges: the clients' and the flood's must end before 255.255.255.255 (the simulator would wrap to
 * 0.0.0.0), and spoofed sources must not take an address the server also sees from a client or has itself: a flood
 * SYN would then hit a real client's 4-tuple and its reply would reach that client.
 */
function checkAddresses(scenario: Scenario, source: ScenarioSource, setPaths: ReadonlyMap<string, Override>): void {
  const blame = blamer(source, setPaths, "address ranges that fit in IPv4 and do not overlap");
  const c = scenario.clients;
  const clientFirst = ipv4ToNumber(c.addressBase);
  const clientLast = clientFirst + c.count - 1;
  if (clientLast > 0xffffffff) {
    blame(["clients.count", "clients.addressBase"], `clients.count ${c.count} addresses from ${c.addressBase} run past 255.255.255.255; lower clients.addressBase`);
  }
  const flood = scenario.flood;
  if (flood === undefined) return;
  const floodFirst = ipv4ToNumber(flood.sourceBase);
  const floodLast = floodFirst + flood.sources - 1;
  const floodRange = `flood.sources ${flood.sources} from ${flood.sourceBase} (to ${numberToIpv4(Math.min(floodLast, 0xffffffff))})`;
  const paths = ["flood.sources", "flood.sourceBase"];
  if (floodLast > 0xffffffff) blame(paths, `${floodRange} run past 255.255.255.255; lower flood.sourceBase`);
  const inFlood = (addr: number): boolean => addr >= floodFirst && addr <= floodLast;
  const server = ipv4ToNumber(scenario.server.addr);
  if (inFlood(server)) blame(paths, `${floodRange} include the server's address ${scenario.server.addr}; move flood.sourceBase`);
  if (scenario.nat.type === "none") {
    if (clientFirst <= floodLast && floodFirst <= clientLast) {
      blame(paths, `${floodRange} overlap the client addresses ${c.addressBase}–${numberToIpv4(clientLast)}; move flood.sourceBase (e.g. 10.0.0.1)`);
    }
  } else {
    const taken = scenario.nat.addresses.find((a) => inFlood(ipv4ToNumber(a)));
    if (taken !== undefined) blame(paths, `${floodRange} include the translator's address ${taken}; move flood.sourceBase`);
  }
}

/** Kernel-dependent checks: the server kernel is modelled and every sysctl exists on it with a valid value. */
function checkKernel(scenario: Scenario, source: ScenarioSource, setPaths: ReadonlyMap<string, Override>): void {
  const blame = (path: readonly string[], message: string): never => {
    const dotted = path.join(".");
    const fromSet = overrideFor(dotted, setPaths) ?? (path[1] === "sysctls" ? setPaths.get("server.kernel") : undefined);
    if (fromSet) throw new UsageError(`--set ${fromSet.text}: ${message}`);
    const line = source.lineOf?.(path);
    const location = line === undefined ? { file: source.file } : { file: source.file, line };
    throw new InputError("bad-format", location, `${dotted}: ${message}`, "settings this kernel has");
  };
  let profile;
  try {
    profile = profileFor(scenario.server.kernel);
  } catch (error) {
    return blame(["server", "kernel"], (error as Error).message);
  }
  try {
    profileFor(scenario.clients.kernel);
  } catch (error) {
    return blame(["clients", "kernel"], (error as Error).message);
  }
  for (const [name, value] of Object.entries(scenario.server.sysctls)) {
    try {
      validateSysctl(profile.sysctls, profile.version, name, value);
    } catch (error) {
      blame(["server", "sysctls", name], (error as Error).message);
    }
  }
}
