#!/usr/bin/env node
import { Command, CommanderError, Help } from "commander";
import { InputError, UsageError } from "../util/errors.js";
import { EXIT } from "./exit-codes.js";

type Register = (program: Command) => void;

/**
 * Commands in help order, each loaded on demand: a run imports only the modules of the command it runs, so
 * `analyze` does not pay for the simulator or the HTML report at start-up.
 */
const COMMANDS: ReadonlyArray<readonly [string, () => Promise<Register>]> = [
  ["diagnose", async () => (await import("./commands/diagnose.js")).registerDiagnose],
  ["analyze", async () => (await import("./commands/analyze.js")).registerAnalyze],
  ["evidence", async () => (await import("./commands/evidence.js")).registerEvidence],
  ["collect", async () => (await import("./commands/collect.js")).registerCollect],
  ["replay", async () => (await import("./commands/replay.js")).registerReplay],
  ["simulate", async () => (await import("./commands/simulate.js")).registerSimulate],
  ["fleet", async () => (await import("./commands/fleet.js")).registerFleet],
  ["demo", async () => (await import("./commands/demo.js")).registerDemo],
];

async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command("nosynack")
    .description("Why does a TCP server receive SYNs and never answer with a SYN-ACK? Cause, proof and fix.")
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    // Options after a subcommand are the subcommand's (`fleet rules --window 1h`); commander needs it from the root.
    .enablePositionalOptions()
    // A repeatable option (--set, --sysctl, --match) starts as an empty list; "(default: [])" tells a user nothing.
    .configureHelp({ optionDescription: (option) => new Help().optionDescription(option).replace(/ \(default: \[\]\)$/, "") })
    .exitOverride();
  // The named command alone; none for the version; all of them for the top-level help, `help X` and unknown commands.
  const version = argv.length === 1 && (argv[0] === "-V" || argv[0] === "--version");
  const requested = COMMANDS.filter(([name]) => name === argv[0]);
  for (const [, load] of version ? [] : requested.length > 0 ? requested : COMMANDS) (await load())(program);
  return program;
}

function packageVersion(): string {
  return "0.1.0";
}

/** The only place that turns errors into exit codes and messages. */
async function main(argv: readonly string[]): Promise<number> {
  try {
    // Inside the try: a command module that fails to load (a broken install) is reported, not a silent exit 4.
    const program = await buildProgram(argv);
    await program.parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander and have already printed; help asked for exits 0, help shown
      // because something was missing (`nosynack` without a command, on stderr) is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
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

// A reader that goes away (`nosynack … | head`) is not an error worth a stack trace; nor is a full disk behind `>`,
// which loses the output: that says so and exits 2 (the destination was the user's choice).
for (const [name, stream] of [["stdout", process.stdout], ["stderr", process.stderr]] as const) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT.ok);
    if (stream !== process.stderr) {
      try {
        process.stderr.write(`nosynack: cannot write ${name} (${error.code ?? error.message})\n`);
      } catch {
        // stderr is gone as well: the exit code is all that is left
      }
    }
    process.exit(EXIT.usage);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = EXIT.internal;
  },
);
