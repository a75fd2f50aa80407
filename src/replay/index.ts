/**
 * `nosynack replay`: a capture's client SYNs (with the server's closes, the completions and the application's
 * visible accepts) through the kernel model under other settings, compared attempt by attempt with the capture.
 *
 *   const { extraction } = await extractCapture(["server.pcap"], { port: 8080 });
 *   const report = whatIf(extraction, { kernel: "3.10", overrides: { "net.ipv4.tcp_tw_recycle": 0 } });
 *   report.answer; // "With tcp_tw_recycle=0 on 3.10 the 412 unanswered SYN attempts of … would have been answered."
 */
export type { Extraction, FirstReply, ReplayAttempt, ReplayEvent, ReplayEventKind, ServerEndpoint } from "./types.js";
export { DEFAULT_MAX_ATTEMPTS, ReplayExtractor, extractCapture, ipv4Text, type ExtractOptions } from "./extract.js";
export { inferListeners, listenersFromSockets, replay, type PredictedAttempt, type ReplayListener, type ReplayRun, type ReplaySettings } from "./engine.js";
export { checkWhatIf, whatIf, type AttemptRow, type FirstReplyCounts, type ReplayReport, type RunSummary, type SourceRow, type WhatIfOptions } from "./what-if.js";
export { renderReplayText } from "./text.js";
