/** Programmatic API of the namespace lab (used by test/lab and the lead's capture tests). */
export { runScenario, listScenarios, type LabManifest, type RunResult, type RunOptions } from "./run.js";
export { readWire, summarizeWire, type WirePacket, type WireSummary } from "./wire-summary.js";
export { counterDeltas, parseNstat } from "./nstat.js";
export type { LabLabel, Params } from "./scenario.js";
