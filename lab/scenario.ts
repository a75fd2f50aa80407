import type { Lab } from "./lab.js";
import type { Topology, TopologyOptions } from "./topology.js";

/** Finding codes of causes.md that lab scenarios are labelled with. */
export type LabLabel =
  | "healthy"
  | "accept-queue-overflow"
  | "syn-queue-overflow"
  | "syn-flood-cookies"
  | "timewait-paws"
  | "firewall-drop"
  | "rp-filter"
  | "conntrack-full"
  | "no-listener"
  | "synack-lost"
  | "bad-checksum"
  | "tcp-md5"
  | "min-ttl"
  | "no-return-route"
  | "neighbour-unreachable";

export type ParamValue = string | number | boolean;
export type Params = Record<string, ParamValue>;

/** What a scenario can use while it runs. */
export interface ScenarioContext {
  readonly lab: Lab;
  readonly topo: Topology;
  readonly params: Params;
  /** Free-form lines that end up in manifest.json `notes` (what the run showed). */
  note(line: string): void;
  /** Extra machine-readable results (e.g. a measured collision rate) stored in manifest.json `results`. */
  result(key: string, value: unknown): void;
}

export interface Scenario {
  readonly name: string;
  readonly label: LabLabel;
  /** One line: what is reproduced and how. */
  readonly summary: string;
  /** Every tunable with its default; `npm run lab -- NAME DIR key=value` overrides them. */
  readonly defaults: Params;
  /** Smaller values for CI (lab tests); `npm run lab:all` uses the defaults. */
  readonly ci?: Params;
  topology(params: Params): TopologyOptions;
  /** Which namespaces besides the server need a capture (the client side where the scenario needs it). */
  readonly clientCapture?: boolean;
  /** Configure hosts and start the server; runs before the "before" snapshot and the captures. */
  setup(ctx: ScenarioContext): Promise<void>;
  /** The bounded workload; runs between the snapshots while the captures run. */
  workload(ctx: ScenarioContext): Promise<void>;
  /** Optional: measurements from the finished bundle (captures and snapshots are on disk), via ctx.result. */
  analyze?(ctx: ScenarioContext, bundleDir: string): Promise<void>;
}

export function num(params: Params, key: string): number {
  const v = params[key];
  if (typeof v !== "number") throw new Error(`parameter ${key} must be a number, got ${String(v)}`);
  return v;
}

export function str(params: Params, key: string): string {
  const v = params[key];
  if (typeof v !== "string") throw new Error(`parameter ${key} must be a string, got ${String(v)}`);
  return v;
}

export function bool(params: Params, key: string): boolean {
  const v = params[key];
  if (typeof v !== "boolean") throw new Error(`parameter ${key} must be true or false, got ${String(v)}`);
  return v;
}

/** Applies `key=value` overrides, coercing each value to the type of its default. Unknown keys are an error. */
export function resolveParams(defaults: Params, ...overrides: Array<Record<string, ParamValue> | undefined>): Params {
  const params: Params = { ...defaults };
  for (const layer of overrides) {
    if (!layer) continue;
    for (const [key, raw] of Object.entries(layer)) {
      const def = defaults[key];
      if (def === undefined) throw new Error(`unknown parameter ${key} (known: ${Object.keys(defaults).join(", ")})`);
      params[key] = coerce(key, raw, def);
    }
  }
  return params;
}

function coerce(key: string, raw: ParamValue, def: ParamValue): ParamValue {
  if (typeof raw === typeof def) return raw;
  const text = String(raw);
  if (typeof def === "number") {
    const n = Number(text);
    if (!Number.isFinite(n)) throw new Error(`parameter ${key} must be a number, got ${text}`);
    return n;
  }
  if (typeof def === "boolean") {
    if (text === "true" || text === "1") return true;
    if (text === "false" || text === "0") return false;
    throw new Error(`parameter ${key} must be true or false, got ${text}`);
  }
  return text;
}

/** Parses `key=value` command-line arguments. */
export function parseAssignments(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const arg of args) {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new Error(`expected key=value, got ${arg}`);
    out[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  return out;
}

/** Defaults shared by all scenarios: addresses and the server port. */
export const COMMON_DEFAULTS: Params = {
  serverNet: "198.18.1",
  clientNet: "198.18.10",
  port: 8080,
  settleMs: 500,
};
