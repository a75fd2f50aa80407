import type cliProgress from "cli-progress";
import { showProgress } from "./terminal.js";

/** A bar on stderr that clears itself when done. */
function stderrBar(bars: typeof cliProgress, format: string, total: number): cliProgress.SingleBar {
  const bar = new bars.SingleBar({ format, stream: process.stderr, hideCursor: true, clearOnComplete: true }, bars.Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

/**
 * A byte progress bar on stderr, shown only on a TTY and only for inputs large enough to wait for. The bar's
 * library is loaded only then: scripted runs do not pay for it at start-up.
 */
export async function byteProgress(label: string, minimumBytes = 64 * 1024 * 1024): Promise<{ update(read: number, total: number | null): void; stop(): void }> {
  if (!showProgress()) return { update() {}, stop() {} };
  const { default: bars } = await import("cli-progress");
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(read, total) {
      if (total === null || total < minimumBytes) return;
      if (!bar) {
        bar = stderrBar(bars, `${label} [{bar}] {percentage}% {value}/{total} MB`, Math.ceil(total / 1e6));
      }
      bar.update(Math.floor(read / 1e6));
    },
    stop() {
      bar?.stop();
    },
  };
}

/**
 * A simulated-time progress bar on stderr (TTY only), for runs that last: it appears once a run has taken a second
 * of wall time, so the many short runs never flash one.
 */
export async function simulatedTimeProgress(label: string): Promise<{ update(nowUs: number, endUs: number): void; stop(): void }> {
  if (!showProgress()) return { update() {}, stop() {} };
  const { default: bars } = await import("cli-progress");
  const started = performance.now();
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(nowUs, endUs) {
      if (!bar) {
        if (performance.now() - started < 1000) return;
        bar = stderrBar(bars, `${label} [{bar}] {percentage}% {value}/{total} s simulated`, Math.ceil(endUs / 1e6));
      }
      bar.update(Math.min(Math.floor(nowUs / 1e6), Math.ceil(endUs / 1e6)));
    },
    stop() {
      bar?.stop();
    },
  };
}
