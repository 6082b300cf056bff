import type { Page } from "@/lib/schemas/paging";
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
  team: OwnerTeam;
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
  /** Secrets only: each key's change, with a fingerprint keyed for this one preview (never a value). */
  secretKeys?: SecretKeyChange[];
  /** Conflict: who owns the object (a release by name, "another release you cannot see", or managers outside Archipelago). */
  owner?: string;
  /** The rollout takes ownership, and takes this object over from this owner. */
  takesOverFrom?: string;
  /** Its render depends on a secret value outside a Secret's data: shown without diff or message. */
  dependsOnSecret?: boolean;
}

export interface SecretKeyChange {
  key: string;
  /** written: a value is written over a live one; whether they are equal is not shown (no reveal there). */
  change: "added" | "changed" | "unchanged" | "removed" | "written";
  fingerprint: string | null;
}

/** What a rollout would do with each secret parameter: seal a value entered now, or keep the current one. */
export interface SecretParamPlan {
  path: string;
  state: "entered" | "kept" | "unset";
  setBy: string | null;
  setAt: string | null;
}

/** A guardrail (admin-defined CEL rule) that an object did not pass, on one cluster. */
export interface GuardrailFinding {
  rule: string;
  action: "deny" | "warn";
  message: string;
  cluster: string;
  /** Kind namespace/name of the rendered object. */
  object: string;
}

export interface ClusterPreview {
  clusterId: string;
  clusterName: string;
  /** Guardrails the rendered objects did not pass here (a deny blocks the rollout). */
  guardrails?: GuardrailFinding[];
  /** Rendered manifests as YAML, secret values masked. */
  manifests: string;
  objects: PreviewObject[];
  counts: Record<"create" | "change" | "unchanged" | "prune" | "problems", number>;
  error: string | null;
}

/** The team that owns a template, release or rollout; null: global (made by an admin outside any team). */
export type OwnerTeam = { id: string; name: string } | null;

export interface TemplateSummary {
  id: string;
  team: OwnerTeam;
  name: string;
  description: string;
  latestRevision: number;
  updatedAt: string;
}

export interface RolloutSummary {
  id: string;
  team: OwnerTeam;
  release: string;
  /** Null when the caller may not read the template. */
  template: string | null;
  revision: number;
  state: string;
  createdByEmail: string;
  createdAt: string;
  finishedAt: string | null;
  targets: number;
  succeeded: number;
  failed: number;
}

/** GET /api/v1/rollouts: newest first, keyset paged (see lib/schemas/paging.ts). */
export interface RolloutPage extends Page {
  rollouts: RolloutSummary[];
}

/** A sealed secret parameter as shown: never its value; a fingerprint keyed for this one answer. */
export interface SecretParamView {
  path: string;
  set: boolean;
  setBy: string | null;
  setAt: string | null;
  fingerprint: string | null;
}

export interface RolloutDetail {
  id: string;
  team: OwnerTeam;
  state: string;
  message: string | null;
  release: { id: string; name: string };
  /** Null when the caller may not read the template (another team's). */
  template: { id: string; name: string } | null;
  revision: number;
  /** Secret parameters are left out (a copy sent back keeps the current value); see `secretParams`. */
  params: Record<string, unknown>;
  secretParams: SecretParamView[];
  /** Canary ids are cut to the clusters the caller can see. */
  strategy: {
    kind: string;
    batchSize?: number;
    batchPercent?: number;
    bakeSeconds?: number;
    canaryClusterIds?: string[];
  };
  healthGate: { timeoutSeconds: number };
  tolerateFailures: number;
  autoRollback: boolean;
  takeOwnership: boolean;
  createdByEmail: string;
  createdAt: string;
  finishedAt: string | null;
  currentWave: number;
  /** Scheduled: its first wave starts no earlier than this. */
  startAt: string | null;
  /** An admin's override of change freezes for this rollout (audited). */
  freezeOverride: { reason: string; by: string } | null;
  waves: Array<{
    index: number;
    state: string;
    startedAt: string | null;
    bakeUntil: string | null;
    finishedAt: string | null;
    /** Pending outside its clusters' change window or in a freeze ("waiting for window"). */
    waitingForWindow: boolean;
    /** Why it waits (names clusters: null for a partial viewer). */
    windowWait: string | null;
    /** When it may run next (null: not waiting, or no opening within a year). */
    windowOpensAt: string | null;
  }>;
  targets: Array<{
    id: string;
    clusterId: string;
    clusterName: string;
    wave: number;
    state: string;
    /** While the rollout is paused: where the pause caught this target. */
    pause: string | null;
    objects: Array<{
      kind: string;
      namespace: string | null;
      name: string;
      action: string;
      error?: string;
      conflictManagers?: string[];
      /** This rollout took the object over from this owner (a rollback leaves it in place). */
      takenOverFrom?: string;
    }>;
    gate: { ready?: number; total?: number; failing?: string[]; checkedAt?: string };
    error: string | null;
    startedAt: string | null;
    finishedAt: string | null;
  }>;
  events: Array<{ step: string; at: string; targetId: string | null; details: unknown }>;
}

export interface ReleaseSummary {
  id: string;
  team: OwnerTeam;
  name: string;
  /** Null when the caller may not read the template. */
  template: string | null;
  autoHeal: boolean;
  clusters: number;
  drifted: number;
  revisions: number[];
  lastRollout: { id: string; state: string; createdAt: string } | null;
}

/** GET /api/v1/releases: by name, keyset paged (see lib/schemas/paging.ts). */
export interface ReleasePage extends Page {
  releases: ReleaseSummary[];
}

export interface ReleaseDetail {
  id: string;
  team: OwnerTeam;
  name: string;
  autoHeal: boolean;
  /** The release's current secret parameters (its newest rollout's): who set each and when, never a value. */
  secretParams: SecretParamView[];
  /** Null when the caller may not read the template. */
  template: {
    id: string;
    name: string;
    revisions: Array<{ number: number; message: string; createdAt: string }>;
  } | null;
  clusters: Array<{
    clusterId: string;
    clusterName: string;
    revision: number;
    appliedAt: string;
    driftState: string;
    drift: Array<{
      kind: string;
      namespace: string | null;
      name: string;
      problem: string;
      managers?: string[];
      /** taken-over: who owns the object now (another release, or managers outside Archipelago). */
      takenOverBy?: string;
      error?: string;
      /** A Secret that drifted: which keys, and how (never a value). */
      keys?: Array<{ key: string; change: string }>;
    }>;
    driftCheckedAt: string | null;
    /**
     * Who writes this cluster now (release_writers): a rollout in flight (its id only when the
     * caller may see that rollout) or a heal. Null when no one does.
     */
    heldBy: { kind: "rollout"; rolloutId: string | null } | { kind: "heal" } | null;
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

/** Before the start: when a planned wave could run (change windows, freezes, a scheduled start). */
export interface WaveSchedule {
  index: number;
  clusters: string[];
  /** The earliest instant it may run (now when nothing holds it); null: no opening within a year. */
  runsAt: string | null;
  /** What holds it back, or null. */
  wait: string | null;
}
