import { spawn } from "node:child_process";

/** Result of a finished child process. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Kill the child (SIGKILL, by pid) after this many milliseconds. */
  readonly timeoutMs?: number;
  /** Reject when the exit code is not 0 (default true). */
  readonly check?: boolean;
  readonly input?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export class CommandError extends Error {
  override readonly name = "CommandError";
  constructor(
    readonly argv: readonly string[],
    readonly result: ExitInfo,
  ) {
    super(`${argv.join(" ")} failed (code ${String(result.code)}, signal ${String(result.signal)}): ${result.stderr.trim().slice(0, 400)}`);
  }
}

/** Runs a command (argument array, never a shell string) to completion. */
export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<ExitInfo> {
  return new Promise((resolve, reject) => {
    const stdin = options.input === undefined ? "ignore" : "pipe";
    const child = spawn(cmd, [...args], { stdio: [stdin, "pipe", "pipe"], env: options.env ?? process.env });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            if (child.pid !== undefined) process.kill(child.pid, "SIGKILL");
          }, options.timeoutMs);
    child.on("error", (error) => {
      if (timer) clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      const result: ExitInfo = { code, signal, stdout, stderr };
      if ((options.check ?? true) && code !== 0) reject(new CommandError([cmd, ...args], result));
      else resolve(result);
    });
    if (child.stdin) {
      // A child that exits before reading its input must not crash the lab with EPIPE.
      child.stdin.on("error", () => {});
      child.stdin.end(options.input);
    }
  });
}

/** A child that runs while the scenario goes on; stopped by pid only. */
export class BackgroundProcess {
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  private out = "";
  private err = "";
  private done = false;
  private waiters: Array<() => void> = [];

  constructor(
    readonly label: string,
    cmd: string,
    args: readonly string[],
    env?: NodeJS.ProcessEnv,
  ) {
    const child = spawn(cmd, [...args], { stdio: ["ignore", "pipe", "pipe"], env: env ?? process.env });
    if (child.pid === undefined) throw new Error(`could not start ${label}: ${cmd}`);
    this.pid = child.pid;
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      this.out += d;
      this.notify();
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      this.err += d;
      this.notify();
    });
    this.exited = new Promise((resolve) => {
      child.on("close", (code, signal) => {
        this.done = true;
        this.notify();
        resolve({ code, signal, stdout: this.out, stderr: this.err });
      });
      child.on("error", (error) => {
        this.err += String(error);
      });
    });
  }

  get stdout(): string {
    return this.out;
  }
  get stderr(): string {
    return this.err;
  }
  get running(): boolean {
    return !this.done;
  }

  /** Resolves when stdout or stderr matches; rejects on exit or timeout. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new Error(`${this.label}: no ${String(pattern)} within ${timeoutMs} ms; stderr: ${this.err.slice(-300)}`));
      }, timeoutMs);
      const check = (): void => {
        if (pattern.test(this.out) || pattern.test(this.err)) {
          clearTimeout(timer);
          remove();
          resolve();
        } else if (this.done) {
          clearTimeout(timer);
          remove();
          reject(new Error(`${this.label} exited before ${String(pattern)}; stderr: ${this.err.slice(-300)}`));
        }
      };
      const remove = (): void => {
        this.waiters = this.waiters.filter((w) => w !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  /** Sends `signal` to our pid, then SIGKILL if it has not exited after `graceMs`. */
  async stop(signal: NodeJS.Signals = "SIGTERM", graceMs = 3000): Promise<ExitInfo> {
    if (this.done) return this.exited;
    signalPid(this.pid, signal);
    const timer = setTimeout(() => signalPid(this.pid, "SIGKILL"), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
