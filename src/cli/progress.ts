import cliProgress from "cli-progress";
import { showProgress } from "./terminal.js";

/** A byte progress bar on stderr, shown only on a TTY and only for inputs large enough to wait for. */
export function byteProgress(label: string, minimumBytes = 64 * 1024 * 1024): { update(read: number, total: number | null): void; stop(): void } {
  if (!showProgress()) return { update() {}, stop() {} };
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(read, total) {
      if (total === null || total < minimumBytes) return;
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { format: `${label} [{bar}] {percentage}% {value}/{total} MB`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.ceil(total / 1e6), 0);
      }
      bar.update(Math.floor(read / 1e6));
    },
    stop() {
      bar?.stop();
    },
  };
}
