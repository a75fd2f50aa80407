/** Exit codes of the command-line contract (shared/spec/cli.md). */
export const EXIT = {
  ok: 0,
  /** diagnose only: a cause was found */
  causeFound: 1,
  usage: 2,
  input: 3,
  /** not in the contract: a bug in nosynack itself */
  internal: 4,
} as const;
