/**
 * Lab client workload: makes --count connections to --dst:--port, at most --concurrency at a time and at
 * least --interval-ms apart, each bounded by --timeout-ms. --mode read waits for the server to close (then
 * closes); --mode hold keeps each connection open for --hold-ms. --sport binds a fixed local port
 * (the NAT scenarios need identical 4-tuples). Prints one JSON summary line at the end.
 */
import { connect, type Socket } from "node:net";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    dst: { type: "string" },
    port: { type: "string", default: "8080" },
    count: { type: "string", default: "1" },
    concurrency: { type: "string", default: "1" },
    "interval-ms": { type: "string", default: "0" },
    "timeout-ms": { type: "string", default: "3000" },
    "hold-ms": { type: "string", default: "0" },
    sport: { type: "string", default: "0" },
    mode: { type: "string", default: "read" },
  },
});

type Outcome = "ok" | "refused" | "reset" | "timeout" | "error";
const counts: Record<Outcome, number> = { ok: 0, refused: 0, reset: 0, timeout: 0, error: 0 };
const connectMs: number[] = [];
const dst = values.dst ?? "";
const port = Number(values.port);
const timeoutMs = Number(values["timeout-ms"]);
const holdMs = Number(values["hold-ms"]);
const sport = Number(values.sport);

function attempt(): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = Date.now();
    let settled = false;
    const socket: Socket = connect(sport > 0 ? { host: dst, port, localPort: sport } : { host: dst, port });
    const done = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    // Bounds the whole attempt: connect, the hold and the read.
    const timer = setTimeout(() => done(socket.readyState === "open" ? "ok" : "timeout"), timeoutMs + holdMs);
    socket.on("connect", () => {
      connectMs.push(Date.now() - started);
      if (values.mode === "hold") setTimeout(() => done("ok"), holdMs);
    });
    socket.on("data", () => {});
    socket.on("end", () => {
      socket.end();
      done("ok");
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") done("refused");
      else if (error.code === "ECONNRESET") done(socket.connecting ? "refused" : "reset");
      else done("error");
    });
  });
}

async function main(): Promise<void> {
  const total = Number(values.count);
  const concurrency = Math.max(1, Number(values.concurrency));
  const interval = Number(values["interval-ms"]);
  let started = 0;
  const workers: Array<Promise<void>> = [];
  for (let w = 0; w < Math.min(concurrency, total); w++) {
    workers.push(
      (async () => {
        while (started < total) {
          started++;
          const outcome = await attempt();
          counts[outcome]++;
          if (interval > 0) await new Promise((r) => setTimeout(r, interval));
        }
      })(),
    );
  }
  await Promise.all(workers);
  connectMs.sort((a, b) => a - b);
  const pct = (q: number): number | null => (connectMs.length ? (connectMs[Math.floor(q * (connectMs.length - 1))] ?? null) : null);
  process.stdout.write(`${JSON.stringify({ attempts: total, ...counts, connectMsP50: pct(0.5), connectMsMax: pct(1) })}\n`);
}

void main();
