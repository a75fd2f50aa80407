import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { collectBundle, DEFAULT_DURATION_SECONDS, DEFAULT_SNAPLEN, type CollectEvent } from "../../collect/index.js";
import { UsageError } from "../../util/errors.js";
import { showProgress } from "../terminal.js";

interface CollectFlags {
  readonly out: string;
  readonly duration: string;
  readonly port?: string;
  readonly iface?: string;
  readonly capture: boolean;
  readonly snaplen: string;
}

export function registerCollect(program: Command): void {
  program
    .command("collect")
    .description("gather evidence on a live Linux host (read-only): counters, sysctls, sockets, conntrack, firewall, kernel log, and a capture")
    .requiredOption("--out <dir>", "new or empty directory for the bundle")
    .option("--duration <seconds>", "time between the two snapshots", String(DEFAULT_DURATION_SECONDS))
    .option("--port <n>", "server port: capture only its handshakes")
    .option("--iface <if>", "capture interface (default \"any\", all interfaces)")
    .option("--no-capture", "do not run tcpdump")
    .option("--snaplen <n>", "bytes kept per captured packet", String(DEFAULT_SNAPLEN))
    .addHelpText(
      "after",
      `
Examples:
  sudo nosynack collect --out /tmp/bundle --port 8080 --duration 60
  sudo ip netns exec web nosynack collect --out /tmp/web --port 443 --iface eth0
  nosynack collect --out /tmp/bundle --no-capture          # no root needed
Ctrl-C (or SIGTERM) ends the wait early; the bundle is still complete. Never changes the host.`,
    )
    .action(async (flags: CollectFlags) => {
      const controller = new AbortController();
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals++;
        if (signals === 1) process.stderr.write(`\ncollect: ${signal}: ending the wait, writing the bundle…\n`);
        else process.stderr.write("collect: still writing the bundle, please wait\n");
        controller.abort();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      const progress = showProgress() ? new SingleBar({ format: "collect [{bar}] {value}/{total} s", hideCursor: true }) : null;
      try {
        const manifest = await collectBundle({
          outDir: flags.out,
          durationSeconds: parseNumber("--duration", flags.duration),
          port: flags.port === undefined ? null : parseNumber("--port", flags.port),
          iface: flags.iface ?? null,
          capture: flags.capture,
          snaplen: parseNumber("--snaplen", flags.snaplen),
          signal: controller.signal,
          onEvent: (event) => report(event, progress),
        });
        progress?.stop();
        process.stdout.write(`bundle written: ${flags.out} (${manifest.files.length} files)\n`);
        for (const note of manifest.notes) process.stdout.write(`  note: ${note}\n`);
      } finally {
        progress?.stop();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}

function report(event: CollectEvent, progress: SingleBar | null): void {
  if (event.type === "phase") {
    // Plain stderr lines, TTY or not: lab code waits for "capturing" before it starts its workload.
    if (event.phase === "snapshot-before") process.stderr.write("collect: taking first snapshot…\n");
    if (event.phase === "capturing") {
      process.stderr.write("collect: first snapshot done, capturing…\n");
    }
    if (event.phase === "snapshot-after") {
      progress?.stop();
      process.stderr.write("collect: taking second snapshot…\n");
    }
  } else if (event.type === "tick" && progress) {
    if (event.elapsedSeconds < 1.5) progress.start(Math.round(event.durationSeconds), 0);
    progress.update(Math.round(event.elapsedSeconds));
  }
}

function parseNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new UsageError(`${flag} must be a number, got "${text}"`);
  return value;
}
