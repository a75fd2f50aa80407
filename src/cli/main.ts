#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { InputError, UsageError } from "../util/errors.js";
import { registerAnalyze } from "./commands/analyze.js";
import { registerCollect } from "./commands/collect.js";
import { registerDiagnose } from "./commands/diagnose.js";
import { registerEvidence } from "./commands/evidence.js";
import { registerReplay } from "./commands/replay.js";
import { registerSimulate } from "./commands/simulate.js";
import { registerDemo } from "./commands/demo.js";
import { EXIT } from "./exit-codes.js";

function buildProgram(): Command {
  const program = new Command("nosynack")
    .description("Why does a TCP server receive SYNs and never answer with a SYN-ACK? Cause, proof and fix.")
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerAnalyze(program);
  registerCollect(program);
  registerDiagnose(program);
  registerEvidence(program);
  registerReplay(program);
  registerSimulate(program);
  registerDemo(program);
  // Commands of later capabilities register here, one line each.
  return program;
}

function packageVersion(): string {
  return "0.1.0";
}

/** The only place that turns errors into exit codes and messages. */
async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander; they already printed.
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`nosynack: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof InputError) {
      process.stderr.write(`nosynack: ${error.message}\n`);
      return EXIT.input;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`nosynack: internal error: ${message}\n`);
    if (process.env.NOSYNACK_DEBUG && error instanceof Error) process.stderr.write(`${error.stack ?? ""}\n`);
    else process.stderr.write("This is a bug in nosynack; rerun with NOSYNACK_DEBUG=1 for details.\n");
    return EXIT.internal;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = EXIT.internal;
  },
);
