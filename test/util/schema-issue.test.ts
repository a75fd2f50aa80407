import { describe, expect, it } from "vitest";
import { z } from "zod";
import { schemaIssueText } from "../../src/util/schema-issue.js";

const schema = z.object({ name: z.string(), mode: z.enum(["a", "b"]), files: z.array(z.object({ path: z.string() })) });

function firstIssueText(input: unknown): string {
  const result = schema.safeParse(input);
  if (result.success) throw new Error("expected a failure");
  const issue = result.error.issues[0];
  if (!issue) throw new Error("no issue");
  return `${issue.path.join(".")}: ${schemaIssueText(issue, input)}`;
}

describe("schema issues in a user's words", () => {
  it("says missing for an absent field, with what was expected", () => {
    expect(firstIssueText({ mode: "a", files: [] })).toBe("name: missing (expected string)");
    expect(firstIssueText({ name: "x", files: [] })).toBe('mode: missing (expected one of "a"|"b")');
    expect(firstIssueText({ name: "x", mode: "a", files: [{}] })).toBe("files.0.path: missing (expected string)");
  });

  it("keeps the library's message for a present but wrong value", () => {
    expect(firstIssueText({ name: 5, mode: "a", files: [] })).toBe("name: Invalid input: expected string, received number");
    expect(firstIssueText({ name: "x", mode: "c", files: [] })).toBe('mode: Invalid option: expected one of "a"|"b"');
  });
});
