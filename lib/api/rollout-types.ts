import type { TemplateOverride } from "@/lib/schemas/templates";

/** Shapes of /api/v1/templates and /api/v1/rollouts answers, shared by the browser and the server. */

export interface RevisionView {
  id: string;
  number: number;
  schema: Record<string, unknown>;
  body: string;
  overrides: TemplateOverride[];
  authorEmail: string;
  message: string;
  createdAt: string;
}

export interface TemplateView {
  id: string;
  name: string;
  description: string;
  latest: RevisionView;
  revisions: Array<Pick<RevisionView, "id" | "number" | "authorEmail" | "message" | "createdAt">>;
}

export interface ObjectRefView {
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
}

export interface PreviewObject {
  ref: ObjectRefView;
  action: "create" | "change" | "unchanged" | "prune" | "conflict" | "invalid" | "forbidden" | "error";
  diff: string;
  error?: string;
  conflictManagers?: string[];
}

export interface ClusterPreview {
  clusterId: string;
  clusterName: string;
  /** Rendered manifests as YAML, secret values masked. */
  manifests: string;
  objects: PreviewObject[];
  counts: Record<"create" | "change" | "unchanged" | "prune" | "problems", number>;
  error: string | null;
}
