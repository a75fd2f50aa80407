import { isatty } from "node:tty";
import type { Command } from "commander";
import { analyzeCaptures, type AnalyzeOptions } from "../../handshakes/analyze.js";
import { renderAnalyzeText } from "../../report/analyze-text.js";
import { ANSI, PLAIN } from "../../report/text-format.js";
import { UsageError } from "../../util/errors.js";
import { parseAddress, parsePort, parseThreads } from "../options.js";
import { byteProgress } from "../progress.js";
import { useColour } from "../terminal.js";

interface AnalyzeFlags {
  json?: boolean;
  server?: string;
  port?: number;
  threads?: number;
}

export function registerAnalyze(program: Command): void {
  program
    .command("analyze")
    .description("what a capture shows: SYN attempts, the server's first replies, listeners, sources, timestamp clocks")
    .argument("<capture...>", "pcap or pcapng file (gzip ok), or - for stdin")
    .option("--server <addr>", "the server's address (default: the receiver of SYNs)", parseAddress)
    .option("--port <n>", "only SYNs to this port", parsePort)
    .option("--threads <n>", "threads in all (1–4): from 2, this one reads and decodes and the others each track a share of the clients; same result (default 1)", parseThreads)
    .option("--json", "print the contract's JSON document")
    .addHelpText(
      "after",
      `
Examples:
  nosynack analyze server.pcap
  nosynack analyze --port 443 --json rotated-1.pcap.gz rotated-2.pcap.gz
  tcpdump -i eth0 -w - 'tcp port 8080' | nosynack analyze -`,
    )
    .action(async (captures: string[], flags: AnalyzeFlags) => {
      // stdin read a second time is empty: the second "-" would silently count nothing
      if (captures.filter((path) => path === "-").length > 1) throw new UsageError("- (stdin) can be given once");
      // A capture typed at a terminal is never meant: without this, the command would sit waiting for input.
      if (captures.includes("-") && isatty(0)) throw new UsageError("- reads a capture from stdin, which is a terminal here: pipe one in (tcpdump -w - … | nosynack analyze -) or name a file");
      const progress = await byteProgress("reading");
      const options: AnalyzeOptions = { onProgress: (_i, read, total) => progress.update(read, total) };
      if (flags.server !== undefined) options.server = flags.server;
      if (flags.port !== undefined) options.port = flags.port;
      if (flags.threads !== undefined) options.threads = flags.threads;
      let summary;
      try {
        summary = await analyzeCaptures(captures, options);
      } finally {
        progress.stop();
      }
      if (flags.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else process.stdout.write(renderAnalyzeText(summary, useColour() ? ANSI : PLAIN));
    });
}
