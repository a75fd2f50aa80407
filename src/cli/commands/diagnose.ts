import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { diagnosePaths, type DiagnoseOptions } from "../../diagnose/index.js";
import type { Diagnosis } from "../../diagnose/types.js";
import { renderDiagnosisText } from "../../report/diagnose-text.js";
import { renderHtml } from "../../report/html.js";
import { renderMarkdown } from "../../report/markdown.js";
import { ANSI, PLAIN } from "../../report/text-format.js";
import { OutputError, UsageError } from "../../util/errors.js";
import { EXIT } from "../exit-codes.js";
import { parsePort } from "../options.js";
import { useColour } from "../terminal.js";

export interface DiagnoseFlags {
  json?: boolean;
  kernel?: string;
  port?: number;
  html?: string;
  markdown?: string;
}

/**
 * Exit code of a diagnosis: 0 healthy, 1 a cause found. `unknown` also exits 1: the server is not shown to be
 * healthy (SYNs unanswered, or evidence too thin to tell), so scripts must not treat it as success.
 */
export function diagnoseExitCode(d: Diagnosis): number {
  return d.verdict === "healthy" ? EXIT.ok : EXIT.causeFound;
}

export function registerDiagnose(program: Command): void {
  program
    .command("diagnose")
    .description("why SYNs go unanswered: the cause with its evidence and fix, from captures and host files together")
    .argument("<path...>", "captures (pcap/pcapng, gzip ok), host files (nstat, netstat -s, sysctl, ss, …) or bundle directories")
    .option("--json", "print the contract's JSON document")
    .option("--kernel <version>", "the server's kernel version (default: from uname/proc-version files or the bundle manifest)")
    .option("--port <n>", "the server port to diagnose (default: from the manifest, else the busiest port of the capture)", parsePort)
    .option("--html <file>", "also write a self-contained HTML report (charts inline, no network requests)")
    .option("--markdown <file>", "also write a Markdown report to paste into a ticket")
    .addHelpText(
      "after",
      `
Exit codes: 0 healthy, 1 a cause was found or the verdict is unknown, 2 usage error, 3 unreadable input.

Examples:
  nosynack diagnose nosynack-bundle/
  nosynack diagnose server.pcap nstat-before.txt nstat-after.txt sysctl.txt ss-ltn.txt
  nosynack diagnose --kernel 3.10.0-1160.el7 --json netstat-s.txt sysctl-a.txt
  nosynack diagnose nosynack-bundle/ --html report.html --markdown report.md`,
    )
    .action(async (paths: string[], flags: DiagnoseFlags) => {
      checkReportPaths(paths, flags);
      const options: { kernel?: string; port?: number } = {};
      if (flags.kernel !== undefined) options.kernel = flags.kernel;
      if (flags.port !== undefined) options.port = flags.port;
      const diagnosis = await diagnosePaths(paths, options satisfies DiagnoseOptions);
      await writeExtraReports(diagnosis, flags);
      if (flags.json) process.stdout.write(`${JSON.stringify(diagnosis, null, 2)}\n`);
      else process.stdout.write(renderDiagnosisText(diagnosis, useColour() ? ANSI : PLAIN));
      process.exitCode = diagnoseExitCode(diagnosis);
    });
}

/** Before anything is read: a report must not overwrite the other report or one of the inputs (a capture!). */
function checkReportPaths(inputs: readonly string[], flags: DiagnoseFlags): void {
  const taken = new Map(inputs.map((path) => [resolve(path), `the input ${path}`]));
  const reports: Array<[string, string | undefined]> = [["--html", flags.html], ["--markdown", flags.markdown]];
  for (const [flag, path] of reports) {
    if (path === undefined) continue;
    const other = taken.get(resolve(path));
    if (other !== undefined) throw new UsageError(`${flag} ${path}: the same file as ${other}; give the report another name`);
    taken.set(resolve(path), `${flag} ${path}`);
  }
}

/** The place for --html / --markdown writers (reports engineer): render `diagnosis` to the files named in `flags`. */
async function writeExtraReports(diagnosis: Diagnosis, flags: DiagnoseFlags): Promise<void> {
  if (flags.html !== undefined) await writeReport("--html", flags.html, renderHtml(diagnosis));
  if (flags.markdown !== undefined) await writeReport("--markdown", flags.markdown, renderMarkdown(diagnosis));
}

async function writeReport(flag: string, path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new OutputError(flag, path, error);
  }
  process.stderr.write(`nosynack: report written to ${path}\n`);
}
