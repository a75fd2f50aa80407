import type { Command } from "commander";
import { alertRulesYaml, fleetReport, parseDuration, parseInstant, parseMatcher, type FleetOptions } from "../../fleet/index.js";
import { renderFleetText } from "../../report/fleet-text.js";
import { ANSI, PLAIN } from "../../report/text-format.js";
import { UsageError } from "../../util/errors.js";
import { useColour } from "../terminal.js";

interface FleetFlags {
  prometheus?: string;
  window: string;
  match: string[];
  at?: Date;
  json?: boolean;
}

interface RulesFlags {
  window: string;
  for: string;
}

export function registerFleet(program: Command): void {
  const fleet = program
    .command("fleet")
    .description("many hosts through Prometheus: rank node_exporter targets by SYN-path trouble, with the diagnosis codes")
    .option("--prometheus <url>", "the Prometheus server that scrapes the hosts' node_exporter (http://host:9090)")
    .option("--window <duration>", "how far back counters are compared (a Prometheus duration)", (v) => parseDuration(v, "--window"), "15m")
    .option("--match <label=value>", "only targets whose series carry this label (=, !=, =~, !~; repeatable), e.g. job=node", (v: string, all: string[]) => [...all, parseMatcher(v)], [] as string[])
    .option("--at <time>", "end the window at this time (RFC 3339 or Unix seconds; default now): the fleet as it was when the pager went off", parseInstant)
    .option("--json", "print one JSON document")
    // `fleet rules --window 1h` is the subcommand's own --window, not this one's.
    .enablePositionalOptions()
    .addHelpText(
      "after",
      `
Examples:
  nosynack fleet --prometheus http://prometheus:9090
  nosynack fleet --prometheus http://prometheus:9090 --window 1h --match job=node --json
  nosynack fleet --prometheus http://prometheus:9090 --window 30m --at 2026-01-01T03:00:00Z
  nosynack fleet --prometheus http://user:secret@prometheus:9090     # Basic auth
  nosynack fleet rules > nosynack-rules.yml     # alerting rules, and the node_exporter flags they need`,
    )
    .action(async (flags: FleetFlags) => {
      if (flags.prometheus === undefined) throw new UsageError("fleet needs --prometheus URL (or the subcommand: fleet rules)");
      const options: FleetOptions = flags.at === undefined ? { window: flags.window, matchers: flags.match } : { window: flags.window, matchers: flags.match, at: flags.at };
      const report = await fleetReport(flags.prometheus, options);
      if (flags.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(renderFleetText(report, useColour() ? ANSI : PLAIN));
    });
  fleet
    .command("rules")
    .description("print Prometheus alerting rules for the codes node_exporter's counters show, headed by the node_exporter flags they need")
    .option("--window <duration>", "the increase() range of each alert", (v) => parseDuration(v, "--window"), "15m")
    .option("--for <duration>", "how long a condition holds before the alert fires", (v) => parseDuration(v, "--for", true), "5m")
    .action((flags: RulesFlags) => {
      process.stdout.write(alertRulesYaml(flags.window, flags.for));
    });
}
