import { spawn, type ChildProcess } from "node:child_process";
import { refuseReason, type PolicyContext } from "./command-policy.js";

/** The outcome of one short command. `missing` means the tool is not installed (ENOENT). */
export interface CommandResult {
  readonly argv: readonly string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly missing: boolean;
  readonly timedOut: boolean;
  readonly truncated: boolean;
  /** spawn error other than ENOENT (EACCES …). */
  readonly error: string | null;
}

export interface RunOptions {
  readonly timeoutMs?: number;
}

const MAX_OUTPUT = 256 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
// sbin directories are often missing from a non-login PATH, and tcpdump, nft, conntrack live there.
const EXTRA_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * The single place where collect spawns processes. Every argv passes the read-only allow-list
 * (command-policy.ts) and is recorded in `spawned`, so tests can audit what a run executed.
 * Commands run with LC_ALL=C so that netstat and friends print the English wording the parsers know.
 */
export class CommandRunner {
  readonly spawned: (readonly string[])[] = [];
  private readonly context: PolicyContext;
  private readonly env: NodeJS.ProcessEnv;

  constructor(context: PolicyContext) {
    this.context = context;
    const path = process.env.PATH ? `${process.env.PATH}:${EXTRA_PATH}` : EXTRA_PATH;
    this.env = { ...process.env, PATH: path, LC_ALL: "C", LANG: "C" };
  }

  /** Runs a command to completion; never rejects (missing tools and failures are in the result). */
  run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const argv = [cmd, ...args];
    this.authorise(cmd, args);
    return new Promise((resolvePromise) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      let stderr = "";
      let timedOut = false;
      let settled = false;
      const child = spawn(cmd, [...args], { env: this.env, stdio: ["ignore", "pipe", "pipe"] });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
      const finish = (result: Omit<CommandResult, "argv" | "stdout" | "stderr" | "timedOut" | "truncated">): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const stdout = Buffer.concat(chunks).toString("utf8");
        resolvePromise({ argv, stdout, stderr, timedOut, truncated, ...result });
      };
      child.stdout.on("data", (chunk: Buffer) => {
        if (size + chunk.length > MAX_OUTPUT) {
          truncated = true;
          return;
        }
        size += chunk.length;
        chunks.push(chunk);
      });
      child.stderr.on("data", (chunk: Buffer) => {
        if (stderr.length < 64 * 1024) stderr += chunk.toString("utf8");
      });
      child.on("error", (error: NodeJS.ErrnoException) => {
        const missing = error.code === "ENOENT";
        finish({ code: null, signal: null, missing, error: missing ? null : error.message });
      });
      child.on("close", (code, signal) => finish({ code, signal, missing: false, error: null }));
    });
  }

  /** Starts a long-running command (tcpdump) in its own process group, so a terminal Ctrl-C reaches only us. */
  start(cmd: string, args: readonly string[]): ChildProcess {
    this.authorise(cmd, args);
    return spawn(cmd, [...args], { env: this.env, stdio: ["ignore", "ignore", "pipe"], detached: true });
  }

  private authorise(cmd: string, args: readonly string[]): void {
    const reason = refuseReason(cmd, args, this.context);
    // A refusal is a bug in collect itself, never a user error: the argv forms are fixed in code.
    if (reason) throw new Error(`collect refused to run a command that could change the host: ${reason}`);
    this.spawned.push([cmd, ...args]);
  }
}
