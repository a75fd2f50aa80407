import { readFile } from "node:fs/promises";
import type { EvidenceKind } from "../evidence/types.js";
import type { CommandResult, CommandRunner } from "./runner.js";

export type Phase = "before" | "after";

/** One file of a snapshot: where its text comes from and what kind the manifest calls it. */
interface SnapshotItem {
  /** File name without phase suffix and extension. */
  readonly base: string;
  readonly ext: "txt" | "json";
  readonly kind: EvidenceKind;
  /** Taken only in the first snapshot (things that do not change during a run). */
  readonly once?: boolean;
  readonly read: (runner: CommandRunner) => Promise<ItemText>;
}

/** The text of an item, or why there is none. */
type ItemText = { readonly text: string; readonly note?: string } | { readonly text: null; readonly note: string };

const KERNEL_LOG_LINES = 1000;

function fromCommand(cmd: string, args: readonly string[], filter?: (text: string) => string) {
  return async (runner: CommandRunner): Promise<ItemText> => {
    const result = await runner.run(cmd, args);
    return commandText(result, filter);
  };
}

function commandText(result: CommandResult, filter?: (text: string) => string): ItemText {
  const shown = result.argv.join(" ");
  if (result.missing) return { text: null, note: `${result.argv[0] ?? "?"} not found; skipped \`${shown}\`` };
  if (result.error) return { text: null, note: `\`${shown}\` could not start: ${result.error}` };
  if (result.timedOut) return { text: null, note: `\`${shown}\` timed out` };
  const text = filter ? filter(result.stdout) : result.stdout;
  const failed = result.code !== 0;
  const why = firstLine(result.stderr);
  if (failed && text.trim() === "") {
    return { text: null, note: `\`${shown}\` failed (exit ${result.code ?? result.signal ?? "?"})${why ? `: ${why}` : ""}` };
  }
  const notes: string[] = [];
  if (failed) notes.push(`\`${shown}\` exited ${result.code ?? result.signal ?? "?"}${why ? ` (${why})` : ""}; kept its output`);
  if (result.truncated) notes.push(`\`${shown}\` output truncated`);
  return notes.length > 0 ? { text, note: notes.join("; ") } : { text };
}

function fromFile(path: string) {
  return async (): Promise<ItemText> => {
    try {
      return { text: await readFile(path, "utf8") };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      return { text: null, note: `${path} not readable (${code}); skipped` };
    }
  };
}

function firstLine(text: string): string {
  return text.split("\n").find((line) => line.trim() !== "")?.trim() ?? "";
}

/** sysctl -a lists every subsystem; the SYN path needs only net.* (also keeps host details out of bundles). */
function netOnly(text: string): string {
  const lines = text.split("\n").filter((line) => line.startsWith("net."));
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}

function lastLines(count: number) {
  return (text: string): string => {
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    return lines.length === 0 ? "" : `${lines.slice(-count).join("\n")}\n`;
  };
}

/** dmesg when readable; journalctl -k when dmesg is restricted (dmesg_restrict=1) or missing. */
async function kernelLog(runner: CommandRunner): Promise<ItemText> {
  const dmesg = await runner.run("dmesg", []);
  if (!dmesg.missing && dmesg.code === 0 && dmesg.stdout.trim() !== "") return commandText(dmesg, lastLines(KERNEL_LOG_LINES));
  const journal = await runner.run("journalctl", ["-k", "-n", String(KERNEL_LOG_LINES), "--no-pager", "-o", "short-iso"]);
  const fromJournal = commandText(journal);
  const dmesgNote = commandText(dmesg).note ?? "dmesg printed nothing";
  if (fromJournal.text === null || fromJournal.text.trim() === "" || /^-- No entries --/m.test(fromJournal.text)) {
    return { text: null, note: `no kernel log: ${dmesgNote}; ${fromJournal.note ?? "journalctl has no kernel entries"}` };
  }
  return { text: fromJournal.text, note: `kernel log from journalctl (${dmesgNote})` };
}

/** uname -r then uname -a in one file: the release alone is unambiguous, -a adds build and arch. */
async function uname(runner: CommandRunner): Promise<ItemText> {
  const release = commandText(await runner.run("uname", ["-r"]));
  const all = commandText(await runner.run("uname", ["-a"]));
  if (release.text === null) return release;
  return { text: `${release.text.trim()}\n${all.text?.trim() ?? ""}\n` };
}

const ITEMS: readonly SnapshotItem[] = [
  { base: "uname", ext: "txt", kind: "uname", once: true, read: uname },
  { base: "nstat", ext: "txt", kind: "nstat", read: fromCommand("nstat", ["-asz"]) },
  { base: "netstat-s", ext: "txt", kind: "netstat-s", read: fromCommand("netstat", ["-s"]) },
  { base: "proc-net-netstat", ext: "txt", kind: "proc-netstat", read: fromFile("/proc/net/netstat") },
  { base: "proc-net-snmp", ext: "txt", kind: "proc-snmp", read: fromFile("/proc/net/snmp") },
  { base: "sysctl", ext: "txt", kind: "sysctl", read: fromCommand("sysctl", ["-a"], netOnly) },
  { base: "ss-ltn", ext: "txt", kind: "ss-ltn", read: fromCommand("ss", ["-ltnp"]) },
  { base: "ss-ltnm", ext: "txt", kind: "ss-ltn", read: fromCommand("ss", ["-ltnm"]) },
  { base: "ss-tan", ext: "txt", kind: "ss-tan", read: fromCommand("ss", ["-tan"]) },
  { base: "ss-s", ext: "txt", kind: "ss-s", read: fromCommand("ss", ["-s"]) },
  { base: "conntrack-S", ext: "txt", kind: "conntrack-stats", read: fromCommand("conntrack", ["-S"]) },
  { base: "nf_conntrack", ext: "txt", kind: "nf-conntrack-stat", read: fromFile("/proc/net/stat/nf_conntrack") },
  { base: "iptables-save", ext: "txt", kind: "iptables-save", read: fromCommand("iptables-save", ["-c"]) },
  { base: "ip6tables-save", ext: "txt", kind: "iptables-save", read: fromCommand("ip6tables-save", ["-c"]) },
  { base: "nft-ruleset", ext: "txt", kind: "nft-ruleset", read: fromCommand("nft", ["list", "ruleset"]) },
  { base: "nft-ruleset", ext: "json", kind: "nft-json", read: fromCommand("nft", ["-j", "list", "ruleset"]) },
  // Routes and neighbours: the return-route and unresolved-next-hop causes read them; the neighbour table of
  // the second snapshot shows the next hops the server failed to reach during the capture.
  { base: "ip-route", ext: "txt", kind: "ip-route", read: fromCommand("ip", ["route", "show", "table", "all"]) },
  { base: "ip-neigh", ext: "txt", kind: "ip-neigh", read: fromCommand("ip", ["neigh", "show"]) },
  { base: "dmesg", ext: "txt", kind: "kernel-log", read: kernelLog },
];

export interface SnapshotFile {
  readonly path: string;
  readonly kind: EvidenceKind;
  /** Null for items taken once. */
  readonly snapshot: Phase | null;
  readonly text: string;
}

export interface Snapshot {
  readonly files: readonly SnapshotFile[];
  readonly notes: readonly string[];
}

/** Reads every item of one phase. Items run one after the other: collect must stay light on a sick server. */
export async function takeSnapshot(runner: CommandRunner, phase: Phase): Promise<Snapshot> {
  const files: SnapshotFile[] = [];
  const notes: string[] = [];
  for (const item of ITEMS) {
    if (item.once && phase === "after") continue;
    const result = await item.read(runner);
    if (result.note) notes.push(`${phase}: ${result.note}`);
    if (result.text === null) continue;
    const path = item.once ? `${item.base}.${item.ext}` : `${item.base}-${phase}.${item.ext}`;
    files.push({ path, kind: item.kind, snapshot: item.once ? null : phase, text: result.text });
  }
  return { files, notes };
}
