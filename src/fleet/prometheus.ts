import { z } from "zod";
import { InputError } from "../util/errors.js";

/** One series of an instant query's answer: its labels and its value at the evaluation time. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const vectorAnswer = z.object({
  status: z.literal("success"),
  data: z.object({
    resultType: z.literal("vector"),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) })),
  }),
});

const errorAnswer = z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string() });

/** Prometheus answers within this, or the fleet command says so (it never waits forever). */
const TIMEOUT_MS = 15_000;
const EXPECTED = "a Prometheus server answering /api/v1/query";

/**
 * Instant queries against the Prometheus HTTP API (GET /api/v1/query), all evaluated at the same moment so that
 * every counter of a host is read over the same window.
 */
export class PrometheusClient {
  private readonly base: string;
  /** the URL without its credentials, for messages and reports */
  readonly displayUrl: string;
  private readonly headers: Record<string, string> = { accept: "application/json" };

  constructor(
    url: string,
    /** evaluation time, Unix seconds */
    readonly at: number,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InputError("unreadable", { file: url }, "not a URL", "http(s)://host:port of a Prometheus server");
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new InputError("unreadable", { file: url }, `unsupported scheme ${parsed.protocol}`, "http(s)://host:port of a Prometheus server");
    // fetch() refuses URLs with credentials: http://user:pass@host becomes a Basic Authorization header.
    if (parsed.username !== "" || parsed.password !== "") {
      const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
      this.headers["authorization"] = `Basic ${Buffer.from(credentials).toString("base64")}`;
      parsed.username = "";
      parsed.password = "";
    }
    this.base = parsed.href.replace(/\/+$/, "");
    this.displayUrl = this.base;
  }

  async query(expr: string): Promise<Sample[]> {
    const url = `${this.base}/api/v1/query?${new URLSearchParams({ query: expr, time: String(this.at) }).toString()}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), headers: this.headers });
    } catch (error) {
      const reason = error instanceof Error && error.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} s` : describeFetchError(error);
      throw new InputError("unreadable", { file: this.base }, reason, EXPECTED, { cause: error });
    }
    if (response.status === 401 || response.status === 403) throw new InputError("unreadable", { file: this.base }, `HTTP ${response.status}: not allowed`, "credentials in the URL (http://user:password@host:9090) that this Prometheus accepts");
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const start = text.replace(/\s+/g, " ").trim().slice(0, 60);
      throw new InputError("bad-format", { file: this.base }, `HTTP ${response.status}, not JSON (${start === "" ? "empty" : `"${start}…"`})`, EXPECTED);
    }
    const failed = errorAnswer.safeParse(body);
    if (failed.success) throw new InputError("bad-format", { file: this.base }, `query ${expr} refused: ${failed.data.error}`, "a query this Prometheus accepts");
    const answer = vectorAnswer.safeParse(body);
    if (!answer.success) throw new InputError("bad-format", { file: this.base }, `HTTP ${response.status}, an answer without a vector result`, EXPECTED);
    return answer.data.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }
}

/** fetch() says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, "bad port" …) is in its cause. */
function describeFetchError(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}
