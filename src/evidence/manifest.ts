import { z } from "zod";
import type { LineIssue, Parsed } from "./types.js";
import { schemaIssueText } from "../util/schema-issue.js";

/** The bundle manifest of DEVELOPERS.md ("Bundles"): what collect, the lab and the simulator write. */
export const BUNDLE_FORMAT = "nosynack-bundle/1";

const manifestFile = z.object({
  path: z.string().min(1),
  kind: z.string().min(1),
  snapshot: z.enum(["before", "after"]).optional(),
  side: z.enum(["server", "client"]).optional(),
});

export const bundleManifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  producer: z.enum(["collect", "lab", "simulate"]),
  label: z.string().optional(),
  kernel: z.string().optional(),
  started: z.string().optional(),
  ended: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  files: z.array(manifestFile),
  notes: z.array(z.string()).default([]),
});

export type BundleManifest = z.infer<typeof bundleManifestSchema>;
export type BundleManifestFile = z.infer<typeof manifestFile>;

/** True when the text looks like a bundle manifest (checked before the full schema, for kind detection). */
export function looksLikeManifest(text: string): boolean {
  return /^\s*\{/.test(text) && text.includes(`"${BUNDLE_FORMAT}"`);
}

/** Reads a manifest; an invalid one yields null plus issues (never throws). */
export function parseManifest(text: string): Parsed<BundleManifest | null> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { value: null, issues: [{ line: null, message: `manifest is not JSON: ${(error as Error).message}` }] };
  }
  const result = bundleManifestSchema.safeParse(raw);
  if (!result.success) {
    const issues: LineIssue[] = result.error.issues.map((issue) => ({
      line: null,
      message: `manifest ${issue.path.join(".") || "(root)"}: ${schemaIssueText(issue, raw)}`,
    }));
    return { value: null, issues };
  }
  return { value: result.data, issues: [] };
}
