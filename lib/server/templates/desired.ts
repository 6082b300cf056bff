import "server-only";
import { matchesSelector, parseSelector } from "@/lib/k8s/label-selector";
import { applyMergePatch } from "./merge-patch";
import { parseManifests, type LintIssue, type Manifest } from "./documents";
import { renderTemplate, TemplateError } from "./render";
import type { TemplateOverride } from "@/lib/schemas/templates";
import { stringRecord } from "@/lib/server/db/json";

/** Labels and annotations that tie an applied object to its release and revision (an ApplySet-like inventory). */
export const RELEASE_LABEL = "archipelago.dev/release";
const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
const REVISION_ANNOTATION = "archipelago.dev/revision";
const RELEASE_NAME_ANNOTATION = "archipelago.dev/release-name";
export const FIELD_MANAGER = "archipelago";

export interface RenderTarget {
  name: string;
  labels: Record<string, string>;
  variables: Record<string, string>;
}

export interface RevisionSource {
  body: string;
  overrides: TemplateOverride[];
  number: number;
}

/** A stored cluster row as a render target (labels and variables are JSON columns). */
export const renderTargetOf = (cluster: { name: string; labels: unknown; variables: unknown }): RenderTarget => ({
  name: cluster.name,
  labels: stringRecord(cluster.labels),
  variables: stringRecord(cluster.variables),
});

/** A stored template revision row as what desiredObjects renders. */
export const revisionSourceOf = (revision: { body: string; overrides: unknown; number: number }): RevisionSource => ({
  body: revision.body,
  overrides: revision.overrides as TemplateOverride[],
  number: revision.number,
});

export type DesiredResult = { ok: true; manifests: Manifest[] } | { ok: false; issues: LintIssue[] };

/** Renders a revision for one cluster: template, then that cluster's overrides, then the release's labels. */
export async function desiredObjects(
  revision: RevisionSource,
  params: Record<string, unknown>,
  cluster: RenderTarget,
  release: { id: string; name: string } | null,
): Promise<DesiredResult> {
  // Parameters may hold secret values: whatever fails in here (a library's message can quote the
  // text it read) leaves as a TemplateError worded by us, or as this fixed sentence, never rethrown.
  try {
    return await render(revision, params, cluster, release);
  } catch (error) {
    if (error instanceof TemplateError)
      return {
        ok: false,
        issues: [{ message: error.message, line: error.line, column: error.column, document: null }],
      };
    return {
      ok: false,
      issues: [
        {
          message: "the template could not be rendered with these parameters",
          line: null,
          column: null,
          document: null,
        },
      ],
    };
  }
}

async function render(
  revision: RevisionSource,
  params: Record<string, unknown>,
  cluster: RenderTarget,
  release: { id: string; name: string } | null,
): Promise<DesiredResult> {
  const rendered = await renderTemplate(revision.body, {
    params,
    cluster: { name: cluster.name, labels: cluster.labels, variables: cluster.variables },
  });
  const parsed = parseManifests(rendered, revision.body);
  if (parsed.issues.length) return { ok: false, issues: parsed.issues };

  const manifests = parsed.manifests.map((manifest) => {
    let result = manifest;
    for (const override of revision.overrides) {
      if (override.target.kind !== manifest.kind || override.target.name !== manifest.metadata.name) continue;
      if (!matchesSelector(parseSelector(override.selector), cluster.labels)) continue;
      result = applyMergePatch(result, override.patch) as Manifest;
    }
    if (!release) return result;
    return {
      ...result,
      metadata: {
        ...result.metadata,
        labels: { ...(result.metadata.labels ?? {}), [RELEASE_LABEL]: release.id, [MANAGED_BY_LABEL]: "archipelago" },
        annotations: {
          ...(result.metadata.annotations ?? {}),
          [REVISION_ANNOTATION]: String(revision.number),
          [RELEASE_NAME_ANNOTATION]: release.name,
        },
      },
    };
  });
  return { ok: true, manifests };
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
}

export const refOf = (manifest: Manifest): ObjectRef => ({
  apiVersion: manifest.apiVersion,
  kind: manifest.kind,
  namespace: manifest.metadata.namespace ?? null,
  name: manifest.metadata.name,
});
export const refKey = (ref: ObjectRef) => `${ref.apiVersion}|${ref.kind}|${ref.namespace ?? ""}|${ref.name}`;
