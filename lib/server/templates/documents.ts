import "server-only";
import { parseAllDocuments } from "yaml";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

export interface LintIssue {
  message: string;
  /** Template line and column when known (1-based). */
  line: number | null;
  column: number | null;
  document: number | null;
}

/** The template line where each `---`-separated document starts, to point issues at the template. */
function documentStartLines(body: string): number[] {
  const starts = [1];
  body.split("\n").forEach((line, index) => {
    if (/^---\s*$/.test(line)) starts.push(index + 2);
  });
  return starts;
}

/** Parses rendered YAML into objects, with structural checks; issues name the template position. */
export function parseManifests(rendered: string, templateBody: string): { manifests: Manifest[]; issues: LintIssue[] } {
  const starts = documentStartLines(templateBody);
  const issues: LintIssue[] = [];
  const manifests: Manifest[] = [];
  const documents = parseAllDocuments(rendered, { prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(documents) ? documents : [documents];
  list.forEach((document, index) => {
    const templateLine = starts[index] ?? null;
    if (document.errors.length) {
      const error = document.errors[0]!;
      const renderedLine = error.linePos?.[0]?.line ?? null;
      issues.push({
        message: `document ${index + 1} is not valid YAML after rendering: ${error.message.split("\n")[0]}${renderedLine ? ` (rendered line ${renderedLine})` : ""}`,
        line: templateLine,
        column: null,
        document: index + 1,
      });
      return;
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return; // empty document (e.g. a trailing ---)
    const at = (message: string) =>
      issues.push({
        message: `document ${index + 1}: ${message}`,
        line: templateLine,
        column: null,
        document: index + 1,
      });
    if (typeof value !== "object" || Array.isArray(value)) return at("must be a Kubernetes object (a YAML mapping)");
    const object = value as Record<string, unknown>;
    if (typeof object.apiVersion !== "string" || !object.apiVersion) at("apiVersion is required");
    if (typeof object.kind !== "string" || !object.kind) at("kind is required");
    const metadata = object.metadata as Record<string, unknown> | undefined;
    if (!metadata || typeof metadata.name !== "string" || !metadata.name) at("metadata.name is required");
    else if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(metadata.name) || metadata.name.length > 253)
      at(`metadata.name "${metadata.name}" is not a valid object name`);
    if (
      typeof object.apiVersion === "string" &&
      typeof object.kind === "string" &&
      metadata &&
      typeof metadata.name === "string"
    )
      manifests.push(object as unknown as Manifest);
  });
  if (list.length === 0 || (manifests.length === 0 && issues.length === 0))
    issues.push({ message: "the template renders no object", line: 1, column: null, document: null });
  const seen = new Set<string>();
  for (const manifest of manifests) {
    const key = `${manifest.apiVersion}/${manifest.kind}/${manifest.metadata.namespace ?? ""}/${manifest.metadata.name}`;
    if (seen.has(key))
      issues.push({
        message: `${manifest.kind} ${manifest.metadata.name} appears twice`,
        line: null,
        column: null,
        document: null,
      });
    seen.add(key);
  }
  return { manifests, issues };
}
