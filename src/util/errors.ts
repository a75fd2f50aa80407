/**
 * Errors that reach the user. Library code throws these; only src/cli decides how to print them and which
 * exit code to use (2 usage, 3 unreadable or invalid input).
 */

/** Where in an input file a problem sits: a byte offset for binary input, a line for text. */
export interface InputLocation {
  readonly file: string;
  readonly offset?: number;
  readonly line?: number;
}

export type InputErrorCode =
  | "unreadable"
  | "bad-magic"
  | "unsupported-version"
  | "bad-length"
  | "bad-format"
  | "truncated";

/** Input that cannot be read or understood (exit 3). The message names file, offset/line and what was expected. */
export class InputError extends Error {
  override readonly name: string = "InputError";
  readonly code: InputErrorCode;
  readonly location: InputLocation;
  readonly expected: string;

  constructor(code: InputErrorCode, location: InputLocation, problem: string, expected: string, options?: ErrorOptions) {
    super(`${formatLocation(location)}: ${problem}; expected ${expected}`, options);
    this.code = code;
    this.location = location;
    this.expected = expected;
  }
}

/** A command line that cannot be acted on (exit 2). */
export class UsageError extends Error {
  override readonly name: string = "UsageError";
}

/**
 * A file the user asked to be written cannot be (exit 2, like any other choice on the command line that cannot be
 * acted on): `what` says which option named it.
 */
export class OutputError extends UsageError {
  override readonly name: string = "OutputError";

  constructor(what: string, path: string, error: unknown) {
    const reason = (error as NodeJS.ErrnoException | null)?.code ?? (error instanceof Error ? error.message : String(error));
    super(`${what} ${path}: cannot write (${reason})`, { cause: error });
  }
}

export function formatLocation(location: InputLocation): string {
  let text = location.file;
  if (location.offset !== undefined) text += `: byte offset ${location.offset}`;
  if (location.line !== undefined) text += `: line ${location.line}`;
  return text;
}

/** A problem that does not stop processing (a truncated last record, an unknown line). */
export interface InputWarning {
  readonly file: string;
  readonly offset?: number;
  readonly line?: number;
  readonly message: string;
}
