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

/**
 * Parses rendered YAML into objects, with structural checks; issues name the template position.
 *
 * The rendered text may hold secret values, and the YAML library quotes the text it stumbles
 * on (an unresolved alias names it), so no library message ever leaves here: every issue is a
 * fixed sentence naming the document and, for YAML errors, the library's stable error code and
 * the rendered line. Nothing rendered (a name, a kind) is quoted either.
 */
export function parseManifests(rendered: string, templateBody: string): { manifests: Manifest[]; issues: LintIssue[] } {
  const starts = documentStartLines(templateBody);
  const issues: LintIssue[] = [];
  const manifests: Manifest[] = [];
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    documents = parseAllDocuments(rendered, { prettyErrors: false, uniqueKeys: true });
  } catch {
    return {
      manifests: [],
      issues: [{ message: "the rendered template is not valid YAML", line: null, column: null, document: null }],
    };
  }
  const list = Array.isArray(documents) ? documents : [documents];
  const documentOf = new Map<Manifest, number>();
  list.forEach((document, index) => {
    const templateLine = starts[index] ?? null;
    if (document.errors.length) {
      const error = document.errors[0]!;
      const renderedLine = error.linePos?.[0]?.line ?? null;
      issues.push({
        message: `document ${index + 1} is not valid YAML after rendering (${String(error.code)}${renderedLine ? `, rendered line ${renderedLine}` : ""}); quote parameters that may hold YAML syntax`,
        line: templateLine,
        column: null,
        document: index + 1,
      });
      return;
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 100 });
    } catch {
      issues.push({
        message: `document ${index + 1} could not be read after rendering (an alias, tag or value a parameter may have put there)`,
        line: templateLine,
        column: null,
        document: index + 1,
      });
      return;
    }
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
      at("metadata.name is not a valid object name (lowercase letters, digits, '-' and '.')");
    if (
      typeof object.apiVersion === "string" &&
      typeof object.kind === "string" &&
      metadata &&
      typeof metadata.name === "string"
    ) {
      manifests.push(object as unknown as Manifest);
      documentOf.set(object as unknown as Manifest, index + 1);
    }
  });
  if (list.length === 0 || (manifests.length === 0 && issues.length === 0))
    issues.push({ message: "the template renders no object", line: 1, column: null, document: null });
  const seen = new Map<string, number>();
  for (const manifest of manifests) {
    const key = `${manifest.apiVersion}/${manifest.kind}/${manifest.metadata.namespace ?? ""}/${manifest.metadata.name}`;
    const first = seen.get(key);
    if (first !== undefined)
      issues.push({
        message: `documents ${first} and ${documentOf.get(manifest)} render the same object`,
        line: null,
        column: null,
        document: documentOf.get(manifest) ?? null,
      });
    else seen.set(key, documentOf.get(manifest) ?? 0);
  }
  return { manifests, issues };
}
