import { apiFetch } from "./client";
import type { RolloutRequest, TemplateOverride } from "@/lib/schemas/templates";
import type { ClusterPreview, RevisionView, TemplateView } from "./rollout-types";

export type { ClusterPreview, PreviewObject, RevisionView, TemplateView } from "./rollout-types";

export interface TemplateSummary {
  id: string;
  name: string;
  description: string;
  latestRevision: number;
  updatedAt: string;
}
export interface DraftRevision {
  schema: Record<string, unknown>;
  body: string;
  overrides: TemplateOverride[];
  message: string;
}

const enc = encodeURIComponent;

export const fetchTemplates = () =>
  apiFetch<{ templates: TemplateSummary[] }>("/api/v1/templates").then((r) => r.templates);
export const fetchRevision = (id: string, number: number) =>
  apiFetch<{ revision: RevisionView }>(`/api/v1/templates/${enc(id)}/revisions/${number}`).then((r) => r.revision);
export const fetchRevisionDiff = (id: string, from: number, to: number) =>
  apiFetch<{ diff: string }>(`/api/v1/templates/${enc(id)}/diff?from=${from}&to=${to}`).then((r) => r.diff);
export const createTemplate = (input: DraftRevision & { name: string; description: string }) =>
  apiFetch<{ template: TemplateView }>("/api/v1/templates", { method: "POST", body: input }).then((r) => r.template);
export const saveRevision = (id: string, input: DraftRevision) =>
  apiFetch<{ template: TemplateView }>(`/api/v1/templates/${enc(id)}/revisions`, { method: "POST", body: input }).then(
    (r) => r.template,
  );
export const lintDraft = (input: DraftRevision) =>
  apiFetch<{ problems: Record<string, string[]> }>("/api/v1/templates/lint", { method: "POST", body: input }).then(
    (r) => r.problems,
  );

export interface TargetCluster {
  id: string;
  name: string;
  labels: Record<string, string>;
  status: string;
}
export const fetchDeployableTargets = (selector: string) =>
  apiFetch<{ clusters: TargetCluster[] }>(
    `/api/v1/rollouts/targets${selector ? `?selector=${enc(selector)}` : ""}`,
  ).then((r) => r.clusters);

export const previewRollout = (request: RolloutRequest) =>
  apiFetch<{ clusters: ClusterPreview[] }>("/api/v1/rollouts/preview", { method: "POST", body: request });
export const startRollout = (request: RolloutRequest) =>
  apiFetch<{ rolloutId: string; created: boolean }>("/api/v1/rollouts", { method: "POST", body: request });

export interface RolloutSummary {
  id: string;
  release: string;
  template: string;
  revision: number;
  state: string;
  createdByEmail: string;
  createdAt: string;
  finishedAt: string | null;
  targets: number;
  succeeded: number;
  failed: number;
}
export interface RolloutDetail {
  id: string;
  state: string;
  message: string | null;
  release: { id: string; name: string };
  template: { id: string; name: string };
  revision: number;
  params: Record<string, unknown>;
  strategy: { kind: string; batchSize?: number; batchPercent?: number; bakeSeconds?: number };
  healthGate: { timeoutSeconds: number };
  tolerateFailures: number;
  autoRollback: boolean;
  takeOwnership: boolean;
  createdByEmail: string;
  createdAt: string;
  finishedAt: string | null;
  currentWave: number;
  waves: Array<{
    index: number;
    state: string;
    startedAt: string | null;
    bakeUntil: string | null;
    finishedAt: string | null;
  }>;
  targets: Array<{
    id: string;
    clusterId: string;
    clusterName: string;
    wave: number;
    state: string;
    objects: Array<{
      kind: string;
      namespace: string | null;
      name: string;
      action: string;
      error?: string;
      conflictManagers?: string[];
    }>;
    gate: { ready?: number; total?: number; failing?: string[]; checkedAt?: string };
    error: string | null;
    startedAt: string | null;
    finishedAt: string | null;
  }>;
  events: Array<{ step: string; at: string; targetId: string | null }>;
}
export const fetchRollouts = (page = 1) =>
  apiFetch<{ total: number; rollouts: RolloutSummary[] }>(`/api/v1/rollouts?page=${page}`);
export const fetchRollout = (id: string) =>
  apiFetch<{ rollout: RolloutDetail }>(`/api/v1/rollouts/${enc(id)}`).then((r) => r.rollout);
export const controlRollout = (id: string, action: "pause" | "resume" | "abort") =>
  apiFetch<{ rollout: RolloutDetail }>(`/api/v1/rollouts/${enc(id)}/${action}`, { method: "POST" }).then(
    (r) => r.rollout,
  );

export interface ReleaseSummary {
  id: string;
  name: string;
  template: string;
  autoHeal: boolean;
  clusters: number;
  drifted: number;
  revisions: number[];
  lastRollout: { id: string; state: string; createdAt: string } | null;
}
export interface ReleaseDetail {
  id: string;
  name: string;
  autoHeal: boolean;
  template: { id: string; name: string; revisions: Array<{ number: number; message: string; createdAt: string }> };
  clusters: Array<{
    clusterId: string;
    clusterName: string;
    revision: number;
    appliedAt: string;
    driftState: string;
    drift: Array<{ kind: string; name: string; problem: string; managers?: string[]; error?: string }>;
    driftCheckedAt: string | null;
  }>;
  rollouts: Array<{
    id: string;
    state: string;
    revision: number;
    createdByEmail: string;
    createdAt: string;
    finishedAt: string | null;
    targets: number;
  }>;
}
export const fetchReleases = () => apiFetch<{ releases: ReleaseSummary[] }>("/api/v1/releases").then((r) => r.releases);
export const fetchRelease = (id: string) =>
  apiFetch<{ release: ReleaseDetail }>(`/api/v1/releases/${enc(id)}`).then((r) => r.release);
export const checkDrift = (id: string, heal: boolean) =>
  apiFetch<{ release: ReleaseDetail }>(`/api/v1/releases/${enc(id)}/drift`, { method: "POST", body: { heal } }).then(
    (r) => r.release,
  );
export const setAutoHeal = (id: string, autoHeal: boolean) =>
  apiFetch<{ release: ReleaseDetail }>(`/api/v1/releases/${enc(id)}`, { method: "PATCH", body: { autoHeal } }).then(
    (r) => r.release,
  );
export const rollbackRelease = (id: string, revision: number, idempotencyKey: string) =>
  apiFetch<{ rolloutId: string }>(`/api/v1/releases/${enc(id)}/rollback`, {
    method: "POST",
    body: { revision, idempotencyKey },
  });
