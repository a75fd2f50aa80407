export { collectBundle, DEFAULT_DURATION_SECONDS, DEFAULT_SNAPLEN } from "./bundle.js";
export type { CollectEvent, CollectOptions } from "./bundle.js";
export { captureFilter, tcpdumpArgs } from "./capture.js";
export { refuseReason } from "./command-policy.js";
export type { PolicyContext } from "./command-policy.js";
export { CommandRunner } from "./runner.js";
export type { CommandResult } from "./runner.js";
