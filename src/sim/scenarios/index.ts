/**
 * Built-in scenarios (`nosynack simulate --list`). Plain objects in the scenario-file shape, so
 * `nosynack simulate NAME --print` shows each as a YAML file to copy and edit. Each one runs in about a second.
 */
import type { ScenarioInput } from "../scenario.js";

export const BUILTIN_SCENARIOS: readonly ScenarioInput[] = [
  {
    name: "seed-lvs-tw-recycle",
    description:
      "The textbook system: 60 clients with unrelated TSval clocks behind LVS FULLNAT, server on 3.10 with tcp_tw_recycle=1 closing first. SYNs from clients whose clock is behind are dropped silently (TcpExtPAWSPassive).",
    expect: "tw-recycle-paws",
    durationSeconds: 10,
    clients: {
      count: 60,
      kernel: "3.10",
      connectionsPerSecond: 1,
      // Pre-4.10 kernels have no TS offsets: TSval = jiffies, so hosts differ by uptime and HZ.
      hz: [100, 250, 1000],
      uptimeSeconds: [600, 8_640_000],
    },
    nat: { type: "fullnat", addresses: ["198.18.8.1"], portAllocation: "sequential", portRange: [1024, 65535], timeWaitHoldSeconds: 120 },
    server: {
      kernel: "3.10",
      sysctls: { "net.ipv4.tcp_tw_recycle": 1, "net.ipv4.tcp_timestamps": 1 },
      backlog: 511,
      serviceTimeMs: 5,
      closePolicy: "server-first",
    },
  },
  {
    name: "tw-recycle-4.10-single-client",
    description:
      "One 4.10 client (random TS offset per connection) against a tw_recycle server, no NAT at all: about half of the SYNs that follow a server-closed connection look older and are dropped.",
    expect: "tw-recycle-paws",
    durationSeconds: 10,
    clients: { count: 1, kernel: "4.10", connectionsPerSecond: 5 },
    server: {
      kernel: "4.4",
      sysctls: { "net.ipv4.tcp_tw_recycle": 1 },
      serviceTimeMs: 5,
      closePolicy: "server-first",
    },
  },
  {
    name: "nat-timewait-collision",
    description:
      "Modern kernels: an SNAT with 64 source ports and a short hold reuses ports into the server's TIME_WAIT. A SYN with an older TSval gets a bare ACK, the client RSTs and retries 2 jiffies later (TcpExtPAWSTimewait).",
    expect: "timewait-paws",
    durationSeconds: 10,
    clients: { count: 20, kernel: "6.18", connectionsPerSecond: 1 },
    nat: { type: "snat", addresses: ["198.18.8.1"], portAllocation: "sequential", portRange: [40000, 40063], timeWaitHoldSeconds: 1 },
    server: { kernel: "6.18", serviceTimeMs: 5, closePolicy: "server-first" },
  },
  {
    name: "accept-queue-overflow",
    description:
      "The application accepts 40 connections per second with backlog 16 while 100 per second arrive: the accept queue fills and new SYNs are dropped (TcpExtListenOverflows = TcpExtListenDrops).",
    expect: "accept-queue-overflow",
    durationSeconds: 5,
    clients: { count: 25, kernel: "6.18", connectionsPerSecond: 4 },
    server: { kernel: "6.18", backlog: 16, acceptRate: 40, serviceTimeMs: 2, closePolicy: "client-first" },
  },
  {
    name: "syn-flood-no-cookies",
    description:
      "2000 spoofed SYNs per second fill the SYN queue of a listener with tcp_syncookies=0: legitimate SYNs are dropped (TcpExtTCPReqQFullDrop).",
    expect: "syn-queue-overflow",
    durationSeconds: 5,
    clients: { count: 10, kernel: "6.18", connectionsPerSecond: 2 },
    server: { kernel: "6.18", backlog: 128, sysctls: { "net.ipv4.tcp_syncookies": 0 }, closePolicy: "client-first" },
    flood: { synsPerSecond: 2000, sources: 4096 },
  },
  {
    name: "syn-flood-cookies",
    description:
      "The same flood with tcp_syncookies=1: the queue is full but every SYN still gets a (cookie) SYN-ACK and legitimate clients connect (TcpExtTCPReqQFullDoCookies, TcpExtSyncookiesSent).",
    expect: "syn-flood-cookies",
    durationSeconds: 5,
    clients: { count: 10, kernel: "6.18", connectionsPerSecond: 2 },
    server: { kernel: "6.18", backlog: 128, sysctls: { "net.ipv4.tcp_syncookies": 1 }, closePolicy: "client-first" },
    flood: { synsPerSecond: 2000, sources: 4096 },
  },
  {
    name: "healthy",
    description: "Clients connect to a 6.18 server with room to spare: every SYN gets a SYN-ACK and no SYN-path counter moves.",
    expect: "healthy",
    durationSeconds: 10,
    clients: { count: 20, kernel: "6.18", connectionsPerSecond: 2 },
    server: { kernel: "6.18", closePolicy: "client-first" },
  },
];

export function builtinScenario(name: string): ScenarioInput | undefined {
  return BUILTIN_SCENARIOS.find((s) => s.name === name);
}
