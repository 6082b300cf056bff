import { apiFetch } from "./client";
import type { RolloutRequest, TemplateOverride } from "@/lib/schemas/templates";
import type {
  ClusterPreview,
  ReleaseDetail,
  ReleasePage,
  RevisionView,
  RolloutDetail,
  RolloutPage,
  SecretParamPlan,
  TemplateSummary,
  TemplateView,
  WaveSchedule,
} from "./rollout-types";

export type {
  ClusterPreview,
  OwnerTeam,
  PreviewObject,
  ReleaseDetail,
  ReleasePage,
  ReleaseSummary,
  RevisionView,
  RolloutDetail,
  RolloutPage,
  RolloutSummary,
  TemplateSummary,
  TemplateView,
  WaveSchedule,
} from "./rollout-types";

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
/** teamId: the owning team; omit it (or null) for the caller's only team, or, for an admin, a global template. */
export const createTemplate = (input: DraftRevision & { name: string; description: string; teamId?: string | null }) =>
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
  apiFetch<{ clusters: ClusterPreview[]; secretParams: SecretParamPlan[]; waves: WaveSchedule[] }>(
    "/api/v1/rollouts/preview",
    { method: "POST", body: request },
  );
export const startRollout = (request: RolloutRequest) =>
  apiFetch<{ rolloutId: string; created: boolean }>("/api/v1/rollouts", { method: "POST", body: request });

const cursorQuery = (cursor: string | undefined) => (cursor ? `?cursor=${enc(cursor)}` : "");

/** One page of rollouts, newest first; pass the previous page's `nextCursor` for the next one. */
export const fetchRollouts = (cursor?: string) => apiFetch<RolloutPage>(`/api/v1/rollouts${cursorQuery(cursor)}`);
export const fetchRollout = (id: string) =>
  apiFetch<{ rollout: RolloutDetail }>(`/api/v1/rollouts/${enc(id)}`).then((r) => r.rollout);
export const controlRollout = (id: string, action: "pause" | "resume" | "abort") =>
  apiFetch<{ rollout: RolloutDetail }>(`/api/v1/rollouts/${enc(id)}/${action}`, { method: "POST" }).then(
    (r) => r.rollout,
  );

/** One page of releases by name; pass the previous page's `nextCursor` for the next one. */
export const fetchReleases = (cursor?: string) => apiFetch<ReleasePage>(`/api/v1/releases${cursorQuery(cursor)}`);
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
