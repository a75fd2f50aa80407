import type { Command } from "commander";
import { buildEvidence, readEvidenceInputs, unusedFiles } from "../../evidence/index.js";
import { renderEvidenceText } from "../../report/evidence-text.js";
import { InputError } from "../../util/errors.js";

export function registerEvidence(program: Command): void {
  program
    .command("evidence")
    .description("what the host files say: counters (with deltas), sysctls, listeners, sockets, conntrack, firewall, kernel log")
    .argument("<path...>", "files or directories (a collect bundle, or any nstat/netstat -s/sysctl/ss/… output)")
    .option("--json", "print the contract's JSON document")
    .addHelpText(
      "after",
      `
Examples:
  nosynack evidence /tmp/bundle                   # a directory written by nosynack collect
  nosynack evidence nstat-before.txt nstat-after.txt sysctl.txt ss-ltn.txt
  nosynack evidence --json netstat-s.txt | jq .counters.TcpExtListenOverflows
File kinds are detected from content; "before"/"after" in names (or a manifest.json) pair snapshots.`,
    )
    .action(async (paths: string[], flags: { json?: boolean }) => {
      const inputs = await readEvidenceInputs(paths);
      if (inputs.readableRoots === 0) {
        const first = inputs.unreadable[0];
        throw new InputError("unreadable", { file: first?.path ?? paths[0] ?? "?" }, first?.message ?? "cannot read", "a readable file or directory");
      }
      const evidence = buildEvidence(inputs);
      // Nothing recognised (an empty directory, a corrupt or foreign file): invalid input, as diagnose says it.
      if (!evidence.files.some((f) => f.kind !== null)) {
        const first = unusedFiles(inputs, evidence)[0];
        const where = first?.path ?? paths.join(", ");
        const problem = first ? first.reason : "no files in it";
        throw new InputError("bad-format", { file: where }, problem, "host files (nstat, netstat -s, sysctl, ss, …), a capture or a collect bundle");
      }
      process.stdout.write(flags.json ? `${JSON.stringify(evidence, null, 2)}\n` : renderEvidenceText(evidence));
    });
}
