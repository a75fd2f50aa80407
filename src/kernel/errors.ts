import { UsageError } from "../util/errors.js";

export type KernelConfigErrorCode =
  | "bad-version"
  | "unknown-sysctl"
  | "sysctl-not-in-kernel"
  | "bad-sysctl-value"
  | "bad-listener"
  | "bad-argument";

/**
 * A kernel-model setting that cannot be acted on: a sysctl this kernel does not have, a value it would refuse
 * or that means nothing to it, an unparseable version. A UsageError, so the CLI maps it to exit code 2.
 */
export class KernelConfigError extends UsageError {
  override readonly name = "KernelConfigError";
  readonly code: KernelConfigErrorCode;

  constructor(code: KernelConfigErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
