/** Diagnosis: rule engine over capture summary, host evidence and kernel model; `diagnosePaths` reads inputs. */
export type * from "./types.js";
export { CAUSE_CODES, RISK_CODES, INFO_CODES } from "./types.js";
export { diagnosePaths, type DiagnoseOptions } from "./load.js";
export { runEngine, VERDICT_MIN_CONFIDENCE, type EngineResult } from "./engine.js";
export type { RuleContext } from "./context.js";
export { RULES, CAUSE_RULES, RISK_RULES } from "./rules/index.js";
