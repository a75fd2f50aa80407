/** One issue of a schema validation (zod's shape): where, and the library's message. */
export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * A schema validation issue in a user's words. A field that is absent from `input` is "missing", where zod says
 * "Invalid input: expected string, received undefined" or "Invalid option: expected one of …".
 */
export function schemaIssueText(issue: SchemaIssue, input: unknown): string {
  let value: unknown = input;
  for (const key of issue.path) value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  if (value !== undefined) return issue.message;
  const expected = /expected (.*?)(?:, received undefined)?$/.exec(issue.message)?.[1];
  return expected === undefined ? "missing" : `missing (expected ${expected})`;
}
