import type { Command } from "commander";
import { UsageError } from "../../util/errors.js";

export function registerAnalyze(program: Command): void {
  program
    .command("analyze")
    .description("What a capture shows: SYN attempts, the server's first replies, listeners, sources, timestamp clocks")
    .argument("<capture...>", "pcap or pcapng file (gzip ok), or - for stdin")
    .option("--json", "print the contract's JSON document")
    .action(() => {
      throw new UsageError("analyze is being built");
    });
}
