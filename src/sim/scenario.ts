/**
 * The simulator's scenario: who connects (clients), what sits in front of the server (NAT / LVS), the server
 * (kernel profile, sysctls, listener, application) and optional SYN flood. Validated with zod; the same schema
 * prints as JSON Schema (`nosynack simulate --schema`).
 */
import { z } from "zod";
import { VERDICT_CODES } from "../util/finding-codes.js";
import { MAX_SEED } from "../util/rng.js";

const IPV4_RE = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const ipv4 = z.string().regex(IPV4_RE, { message: "expected a dotted IPv4 address such as 198.18.0.2" });
const port = z.number().int().min(1).max(65535);
const portRange = z
  .tuple([port, port])
  .refine(([lo, hi]) => lo <= hi, { message: "expected [low, high] with low ≤ high" });

/**
 * Kernel versions are strings: YAML reads an unquoted 4.10 as the number 4.1, so numbers are refused with a hint.
 */
const kernelVersion = z
  .string({ message: 'expected a quoted kernel version such as "4.10" (unquoted, YAML reads 4.10 as 4.1)' })
  .regex(/^\d+\.\d+(\.\d+)?([-.+~][\w.+~-]*)?$/, { message: 'expected a kernel version such as "3.10" or "6.18.44"' });

const sysctlValue = z.union([z.number(), z.string()]);

const clientsSchema = z
  .object({
    count: z.number().int().min(1).max(100_000).describe("number of client hosts (each costs a few kB of state)"),
    kernel: kernelVersion.default("6.18").describe("client kernel: decides TSval clock, offsets and SYN retry timing"),
    addressBase: ipv4.default("198.18.16.1").describe("first client address (consecutive addresses follow)"),
    connectionsPerSecond: z.number().positive().max(1e7).default(1).describe("new connections per second per client host"),
    arrivals: z.enum(["poisson", "uniform"]).default("poisson").describe("inter-arrival times: exponential or fixed"),
    connectionsPerClient: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("stop each client after this many connections (default: as many as the duration allows)"),
    timestamps: z.union([z.literal(0), z.literal(1), z.literal(2)]).default(1).describe("the clients' net.ipv4.tcp_timestamps"),
    tsRateHz: z.number().int().positive().optional().describe("override the TSval clock rate (default: from the client kernel and hz)"),
    tsOffsets: z
      .enum(["none", "per-connection", "per-address-pair", "per-4-tuple"])
      .optional()
      .describe("override the TSval offset regime (default: from the client kernel)"),
    hz: z.array(z.number().int().positive()).min(1).default([250]).describe("CONFIG_HZ values the hosts run with (picked per host)"),
    uptimeSeconds: z
      .tuple([z.number().min(0), z.number().min(0)])
      .default([3600, 8_640_000])
      .describe("range of host uptimes at simulation start: unrelated TSval clocks on kernels without offsets"),
    ephemeralPorts: portRange.default([32768, 60999]).describe("net.ipv4.ip_local_port_range of the clients"),
    synRetries: z.number().int().min(0).max(127).default(6).describe("net.ipv4.tcp_syn_retries of the clients"),
    linearTimeouts: z.number().int().min(0).max(16).optional().describe("tcp_syn_linear_timeouts (default 4 on ≥6.5, else 0)"),
    initialRtoMs: z.number().positive().optional().describe("first SYN retransmission timeout (default 1000, 3000 before 3.1)"),
    quickRetryAfterBareAck: z
      .boolean()
      .optional()
      .describe("retry the SYN after 2 jiffies when a bogus ACK answered it (default: client kernel ≥5.6)"),
    rstOnBareAck: z.boolean().default(true).describe("the client answers a bare ACK in SYN-SENT with RST (a middlebox may eat it)"),
    schedule: z
      .array(z.array(z.number().min(0)))
      .optional()
      .describe("per client host: start times (ms) of its connections; replaces arrivals (replays a scripted workload)"),
    tsvalAtZero: z
      .array(z.number().int().min(0).max(0xffffffff))
      .optional()
      .describe("per client host: the TSval its clock shows at time 0 (1 kHz, no offsets): clocks measured on real hosts"),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const key of ["schedule", "tsvalAtZero"] as const) {
      const list = c[key];
      if (list !== undefined && list.length !== c.count) {
        ctx.addIssue({ code: "custom", path: [key], message: `expected one entry per client host (count ${c.count}), got ${list.length}` });
      }
    }
  });

const natSchema = z
  .object({
    type: z.enum(["none", "snat", "fullnat"]).default("none").describe("none, SNAT (sticky address per client) or LVS FULLNAT (round robin)"),
    addresses: z.array(ipv4).min(1).default(["198.18.8.1"]).describe("translated source addresses the server sees"),
    portAllocation: z.enum(["preserve", "sequential", "random"]).default("preserve").describe("how the translator picks source ports"),
    portRange: portRange.default([1024, 65535]).describe("source ports the translator may use"),
    timeWaitHoldSeconds: z
      .number()
      .min(0)
      .default(120)
      .describe("how long the translator keeps a closed flow's port before reusing it (conntrack TIME_WAIT: 120 s)"),
  })
  .strict();

const serverSchema = z
  .object({
    kernel: kernelVersion.describe("server kernel profile"),
    addr: ipv4.default("198.18.0.2"),
    port: port.default(8080),
    sysctls: z.record(z.string(), sysctlValue).default({}).describe("sysctl settings, e.g. net.ipv4.tcp_tw_recycle: 1"),
    backlog: z.number().int().min(0).max(65535).default(128).describe("listen() backlog (capped by net.core.somaxconn)"),
    acceptRate: z
      .union([z.literal("unlimited"), z.literal("never"), z.number().positive()])
      .default("unlimited")
      .describe("accept() calls per second by the application (never: listen() only, the accept queue fills)"),
    listen: z.boolean().default(true).describe("false: nothing listens on the port (SYNs are answered by RST)"),
    serviceTimeMs: z.number().min(0).default(2).describe("time from accept() to the response"),
    closePolicy: z.enum(["server-first", "client-first"]).default("server-first").describe("who closes the connection first"),
  })
  .strict();

const floodSchema = z
  .object({
    synsPerSecond: z.number().positive().max(1e8).describe("spoofed SYNs per second (their SYN-ACKs are never answered)"),
    sources: z.number().int().min(1).max(1 << 20).default(4096).describe("distinct spoofed source addresses"),
    sourceBase: ipv4.default("198.19.0.1"),
    startSeconds: z.number().min(0).default(0),
    durationSeconds: z.number().positive().optional().describe("default: until the scenario's arrivals end"),
    timestamps: z.boolean().default(false).describe("flood SYNs carry a TS option (hping3's do not)"),
    count: z.number().int().min(1).optional().describe("stop after this many spoofed SYNs"),
    arrivals: z.enum(["poisson", "uniform"]).default("poisson").describe("gaps between SYNs: exponential or fixed (hping3 -i)"),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().min(1).regex(/^[a-z0-9][a-z0-9.-]*$/, { message: "expected a kebab-case name" }),
    description: z.string().default(""),
    expect: z.enum(VERDICT_CODES).describe("verdict code of causes.md this scenario should produce (the bundle label)"),
    seed: z.number().int().min(0).max(MAX_SEED).optional().describe("master seed (overridden by --seed)"),
    durationSeconds: z.number().positive().max(86_400).default(10).describe("simulated seconds during which clients open connections"),
    maxSeconds: z.number().positive().max(864_000).default(400).describe("hard end of simulated time (retries and TIME_WAIT drain before)"),
    network: z
      .object({ rttMs: z.number().min(0).max(10_000).default(0.4).describe("round-trip time between clients and server") })
      .strict()
      .default({ rttMs: 0.4 }),
    clients: clientsSchema,
    nat: natSchema.default({
      type: "none",
      addresses: ["198.18.8.1"],
      portAllocation: "preserve",
      portRange: [1024, 65535],
      timeWaitHoldSeconds: 120,
    }),
    server: serverSchema,
    flood: floodSchema.optional(),
  })
  .strict();

/** What a scenario file or --set may contain (defaults not yet applied). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A validated scenario with every default filled in. */
export type Scenario = z.output<typeof scenarioSchema>;

/** JSON Schema of the scenario file (input side: fields with defaults are optional). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(scenarioSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
}
